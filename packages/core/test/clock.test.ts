import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../src/time/clock';

/** setTimeout's ceiling: longer delays fire at once, so the clock must split them. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const DAY_MS = 86_400_000;
const START = new Date('2030-01-01T00:00:00Z');

/** Starts a sleep and reports whether it has resolved yet. */
function track(promise: Promise<void>): { readonly done: boolean; readonly promise: Promise<void> } {
  const state = { done: false, promise };
  promise.then(() => {
    state.done = true;
  });
  return state;
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(START);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('systemClock.now', () => {
  it('reads the current time, a fresh Date each call', () => {
    const a = systemClock.now();
    expect(a).toEqual(START);
    vi.setSystemTime(new Date('2030-06-01T12:00:00Z'));
    const b = systemClock.now();
    expect(b.toISOString()).toBe('2030-06-01T12:00:00.000Z');
    expect(a).toEqual(START);
  });
});

describe('systemClock.sleep', () => {
  it('resolves after exactly the requested time', async () => {
    const sleep = track(systemClock.sleep(1000));
    await vi.advanceTimersByTimeAsync(999);
    expect(sleep.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(sleep.done).toBe(true);
    expect(Date.now()).toBe(START.getTime() + 1000);
  });

  it.each([0, -5])('resolves on the next tick for %i ms, without time passing', async (ms) => {
    const sleep = track(systemClock.sleep(ms));
    await vi.advanceTimersByTimeAsync(0);
    expect(sleep.done).toBe(true);
    expect(Date.now()).toBe(START.getTime());
    expect(vi.getTimerCount()).toBe(0);
  });

  it('splits a sleep beyond 2^31−1 ms instead of firing at once', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const sleep = track(systemClock.sleep(MAX_TIMER_MS + 5000));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(sleep.done).toBe(false);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS - 1);
    expect(sleep.done).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(4999);
    expect(sleep.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(sleep.done).toBe(true);
    expect(spy.mock.calls.map(([, ms]) => ms)).toEqual([MAX_TIMER_MS, 5000]);
  });

  it('sleeps 100 days in chunks under the cap, to the millisecond', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const sleep = track(systemClock.sleep(100 * DAY_MS));
    await vi.advanceTimersByTimeAsync(100 * DAY_MS - 1);
    expect(sleep.done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(sleep.done).toBe(true);
    const delays = spy.mock.calls.map(([, ms]) => ms ?? 0);
    expect(delays).toHaveLength(Math.ceil((100 * DAY_MS) / MAX_TIMER_MS));
    for (const ms of delays) expect(ms).toBeLessThanOrEqual(MAX_TIMER_MS);
    expect(delays.reduce((a, b) => a + b, 0)).toBe(100 * DAY_MS);
  });

  it('returns at once, scheduling nothing, when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const spy = vi.spyOn(globalThis, 'setTimeout');
    await systemClock.sleep(60_000, controller.signal);
    expect(spy).not.toHaveBeenCalled();
    expect(Date.now()).toBe(START.getTime());
  });

  it('resolves early, without error, when the signal aborts', async () => {
    const controller = new AbortController();
    const sleep = track(systemClock.sleep(10_000, controller.signal));
    await vi.advanceTimersByTimeAsync(3000);
    expect(sleep.done).toBe(false);
    controller.abort();
    await expect(sleep.promise).resolves.toBeUndefined();
    expect(Date.now()).toBe(START.getTime() + 3000);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('aborts a long sleep in a later chunk', async () => {
    const controller = new AbortController();
    const sleep = track(systemClock.sleep(30 * DAY_MS, controller.signal));
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + DAY_MS);
    expect(sleep.done).toBe(false);
    controller.abort();
    await sleep.promise;
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('sleeps forever (in capped chunks) until aborted', async () => {
    const controller = new AbortController();
    const sleep = track(systemClock.sleep(Number.POSITIVE_INFINITY, controller.signal));
    await vi.advanceTimersByTimeAsync(3 * MAX_TIMER_MS);
    expect(sleep.done).toBe(false);
    expect(vi.getTimerCount()).toBe(1);
    controller.abort();
    await sleep.promise;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('removes its abort listener when it completes, so a long-lived signal does not leak', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) {
      const sleep = systemClock.sleep(10, controller.signal);
      await vi.advanceTimersByTimeAsync(10);
      await sleep;
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    expect(Date.now()).toBe(START.getTime() + 200);
  });
});
