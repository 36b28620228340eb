import type { Clock } from './clock';

/**
 * The sleep of a background loop, which `wake()` cuts short: work announced by another part of the
 * process (or by the store's events) starts at once instead of after the poll interval.
 *
 * A wake that arrives while the loop is busy, not asleep, must not be lost either: the loop reads
 * {@link Alarm.wakes} before its turn and sleeps only if the count has not moved since.
 *
 * @internal
 */
export class Alarm {
  readonly #clock: Clock;
  readonly #sleepers = new Set<AbortController>();
  #wakes = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** How many times `wake()` was called: compare two readings to learn whether one came in between. */
  get wakes(): number {
    return this.#wakes;
  }

  /** Sleeps `ms` of the clock's time, or until the next `wake()`. */
  async sleep(ms: number): Promise<void> {
    const controller = new AbortController();
    this.#sleepers.add(controller);
    try {
      await this.#clock.sleep(ms, controller.signal);
    } finally {
      this.#sleepers.delete(controller);
    }
  }

  /** Ends every sleep in progress and counts the wake for loops that are busy. */
  wake(): void {
    this.#wakes += 1;
    for (const controller of this.#sleepers) controller.abort();
  }
}
