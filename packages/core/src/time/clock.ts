/**
 * The source of "now" and of sleeping. Injected everywhere so that tests drive time
 * (see `createFakeClock` in `@settle/testkit`) instead of waiting for it.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
  /**
   * Resolves after `ms` milliseconds of this clock's time, or early (without error) when `signal`
   * aborts. Implementations must cope with any non-negative `ms`, including ones above
   * setTimeout's 2^31−1 cap.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** setTimeout refuses delays above 2^31−1 ms (about 24.8 days) and fires at once instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock: `Date.now()` and timers, with long sleeps split under setTimeout's cap. */
export const systemClock: Clock = {
  now: () => new Date(),
  async sleep(ms, signal) {
    let remaining = Math.max(0, ms);
    const until = Date.now() + remaining;
    do {
      if (signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(remaining, MAX_TIMER_MS));
        function done() {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      });
      remaining = until - Date.now();
    } while (remaining > 0);
  },
};
