import { ValidationError } from '@settle/core';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../src/index';

const START = '2030-01-01T00:00:00.000Z';

describe('createFakeClock()', () => {
  it('starts at the given instant, 2030-01-01T00:00:00Z by default', () => {
    expect(createFakeClock().now()).toEqual(new Date(START));
    expect(createFakeClock('2031-06-01T12:00:00Z').now()).toEqual(new Date('2031-06-01T12:00:00Z'));
    expect(createFakeClock(new Date(0)).now()).toEqual(new Date(0));
  });

  it('refuses an invalid start with a ValidationError', () => {
    expect(() => createFakeClock('not a date')).toThrow(ValidationError);
  });

  it('now() returns a fresh Date the caller may mutate', () => {
    const clock = createFakeClock();
    clock.now().setFullYear(1999);
    expect(clock.now()).toEqual(new Date(START));
  });

  it('sleep() resolves only once the clock moved past its instant', async () => {
    const clock = createFakeClock();
    let woke = false;
    const sleeping = clock.sleep(1_000).then(() => {
      woke = true;
    });
    expect(clock.pendingSleeps).toBe(1);
    expect(clock.nextWakeAt).toEqual(new Date('2030-01-01T00:00:01.000Z'));

    await clock.advance(999);
    expect(woke).toBe(false);
    expect(clock.now()).toEqual(new Date('2030-01-01T00:00:00.999Z'));

    await clock.advance(1);
    expect(woke).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
    expect(clock.nextWakeAt).toBeNull();
    await sleeping;
  });

  it('sleep() of zero or negative milliseconds resolves at once', async () => {
    const clock = createFakeClock();
    await clock.sleep(0);
    await clock.sleep(-5);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('advance() wakes sleepers in instant order, then first come first served, with now() at each instant', async () => {
    const clock = createFakeClock();
    const woken: string[] = [];
    const sleep = (label: string, ms: number) =>
      clock.sleep(ms).then(() => woken.push(`${label}@${clock.now().toISOString().slice(11, 23)}`));
    const all = [sleep('c', 300), sleep('a', 100), sleep('b1', 200), sleep('b2', 200)];

    await clock.advance(1_000);
    await Promise.all(all);
    expect(woken).toEqual(['a@00:00:00.100', 'b1@00:00:00.200', 'b2@00:00:00.200', 'c@00:00:00.300']);
    expect(clock.now()).toEqual(new Date('2030-01-01T00:00:01.000Z'));
  });

  it('advance() lets woken code finish its step and sleep again within the same advance', async () => {
    const clock = createFakeClock();
    const ticks: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i += 1) {
        await clock.sleep(100);
        // Several awaits between wake and record: advance() must let them all run.
        await Promise.resolve();
        await new Promise<void>((resolve) => queueMicrotask(resolve));
        ticks.push(clock.now().getTime() - Date.parse(START));
      }
      await clock.sleep(1_000);
      ticks.push(-1);
    })();

    await clock.advance(350);
    expect(ticks).toEqual([100, 200, 300]);
    expect(clock.pendingSleeps).toBe(1);
    expect(clock.nextWakeAt).toEqual(new Date('2030-01-01T00:00:01.300Z'));

    await clock.advance('PT1S');
    await loop;
    expect(ticks).toEqual([100, 200, 300, -1]);
  });

  it('sleep() resolves early, without error, when its signal aborts', async () => {
    const clock = createFakeClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(60_000, controller.signal);
    expect(clock.pendingSleeps).toBe(1);
    controller.abort();
    await sleeping;
    expect(clock.pendingSleeps).toBe(0);
    expect(clock.now()).toEqual(new Date(START));

    await clock.sleep(60_000, controller.signal);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('advance() accepts ISO-8601 durations and refuses negative ones', async () => {
    const clock = createFakeClock();
    await clock.advance('PT1H30M');
    expect(clock.now()).toEqual(new Date('2030-01-01T01:30:00.000Z'));
    await clock.advance(0);
    expect(clock.now()).toEqual(new Date('2030-01-01T01:30:00.000Z'));
    await expect(clock.advance(-1)).rejects.toBeInstanceOf(ValidationError);
    await expect(clock.advance('soon')).rejects.toBeInstanceOf(ValidationError);
  });

  it('sleep() handles spans beyond setTimeout’s 2^31−1 ms cap', async () => {
    const clock = createFakeClock();
    let woke = false;
    const sleeping = clock.sleep(2 ** 31 + 5).then(() => {
      woke = true;
    });
    await clock.advance('P24D');
    expect(woke).toBe(false);
    await clock.advance('P1D');
    expect(woke).toBe(true);
    await sleeping;
  });

  it('queues advances: two un-awaited advances of a second move two seconds', async () => {
    const clock = createFakeClock();
    const woken: number[] = [];
    void clock.sleep(1_500).then(() => woken.push(clock.now().getTime() - Date.parse(START)));
    const first = clock.advance(1_000);
    const second = clock.advance(1_000);
    await Promise.all([first, second]);
    expect(woken).toEqual([1_500]);
    expect(clock.now()).toEqual(new Date('2030-01-01T00:00:02.000Z'));
  });

  it('set() moves forward like advance() and backward without waking anyone', async () => {
    const clock = createFakeClock();
    let woke = 0;
    void clock.sleep(10 * 60_000).then(() => {
      woke += 1;
    });

    await clock.set('2029-12-31T23:00:00Z');
    expect(clock.now()).toEqual(new Date('2029-12-31T23:00:00Z'));
    expect(woke).toBe(0);

    await clock.set(new Date('2030-01-01T00:10:00Z'));
    expect(woke).toBe(1);
    expect(clock.now()).toEqual(new Date('2030-01-01T00:10:00Z'));
    await expect(clock.set('yesterday')).rejects.toBeInstanceOf(ValidationError);
  });
});
