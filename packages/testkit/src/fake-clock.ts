import { type Clock, type DurationInput, durationMs, ValidationError } from '@settle/core';

/** A {@link Clock} that only moves when the test moves it. */
export interface FakeClock extends Clock {
  /** The fake current instant (a new `Date` each call). */
  now(): Date;
  /**
   * Resolves once the clock has been moved `ms` past the current instant (at once for `ms ≤ 0`),
   * or early, without error, when `signal` aborts.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Moves the clock forward by `by` (milliseconds, ISO-8601 string or luxon Duration), waking each
   * sleeper whose instant is reached, in instant order (then in the order they slept), with `now()`
   * reading that instant. After each wake, and at the end, pending promise callbacks run, so code
   * resumed by a wake can finish its step (and sleep again, to be woken in the same advance if due)
   * before `advance` resolves. Calls are queued: two un-awaited advances of 1 s move 2 s.
   */
  advance(by: DurationInput): Promise<void>;
  /**
   * Moves the clock to `to`. Forward, it behaves as {@link FakeClock.advance}; backward, it only
   * changes `now()` and wakes nobody (sleepers keep their absolute wake instants).
   */
  set(to: Date | string): Promise<void>;
  /** Sleeps not yet woken or aborted. */
  readonly pendingSleeps: number;
  /** The instant the next sleeper wakes at, or null when nobody sleeps. */
  readonly nextWakeAt: Date | null;
}

interface Sleeper {
  readonly wakeAt: number;
  /** Order of arrival, to wake sleepers of the same instant first-come first-served. */
  readonly order: number;
  wake(): void;
}

/** The instant a fake clock starts at unless told otherwise; far from any real "now" on purpose. */
const DEFAULT_START = '2030-01-01T00:00:00.000Z';

function toMillis(field: string, value: Date | string): number {
  const ms = (typeof value === 'string' ? new Date(value) : value).getTime();
  if (Number.isNaN(ms)) throw new ValidationError(field, 'is not a valid date');
  return ms;
}

/** Lets every queued promise callback run: `setImmediate` fires only once the microtask queue is empty. */
function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Creates a {@link FakeClock} starting at `start` (default `2030-01-01T00:00:00Z`).
 *
 * @example
 * ```ts
 * const clock = createFakeClock('2030-01-01T00:00:00Z');
 * const scheduler = new Scheduler({ store, clock });
 * await scheduler.start();
 * await clock.advance('PT1H'); // the deadline passes; the scheduler wakes and transitions
 * ```
 */
export function createFakeClock(start: Date | string = DEFAULT_START): FakeClock {
  let current = toMillis('start', start);
  let arrivals = 0;
  const sleepers: Sleeper[] = [];
  let queue: Promise<void> = Promise.resolve();

  const earliest = (): Sleeper | undefined =>
    sleepers.reduce<Sleeper | undefined>(
      (best, s) =>
        best === undefined || s.wakeAt < best.wakeAt || (s.wakeAt === best.wakeAt && s.order < best.order) ? s : best,
      undefined,
    );

  async function runUntil(target: number): Promise<void> {
    await flushPromises();
    for (let next = earliest(); next !== undefined && next.wakeAt <= target; next = earliest()) {
      current = Math.max(current, next.wakeAt);
      next.wake();
      await flushPromises();
    }
    current = target;
    await flushPromises();
  }

  function enqueue(step: () => Promise<void>): Promise<void> {
    queue = queue.then(step);
    return queue;
  }

  return {
    now: () => new Date(current),

    sleep(ms, signal) {
      const wait = Number.isNaN(ms) ? 0 : ms;
      if (wait <= 0 || signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const sleeper: Sleeper = {
          wakeAt: current + wait,
          order: arrivals++,
          wake() {
            const index = sleepers.indexOf(sleeper);
            if (index !== -1) sleepers.splice(index, 1);
            signal?.removeEventListener('abort', sleeper.wake);
            resolve();
          },
        };
        sleepers.push(sleeper);
        signal?.addEventListener('abort', sleeper.wake, { once: true });
      });
    },

    async advance(by) {
      const ms = durationMs('by', by, { allowZero: true });
      return enqueue(() => runUntil(current + ms));
    },

    async set(to) {
      const target = toMillis('to', to);
      return enqueue(async () => {
        if (target >= current) return runUntil(target);
        current = target;
        await flushPromises();
      });
    },

    get pendingSleeps() {
      return sleepers.length;
    },

    get nextWakeAt() {
      const next = earliest();
      return next === undefined ? null : new Date(next.wakeAt);
    },
  };
}
