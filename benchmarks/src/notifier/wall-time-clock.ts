/** What a Notifier process can be waiting on, as the benchmark's wrappers see it. */
export type Wait = 'statement' | 'post' | 'sleep';

/**
 * A process's wall time, ms, by what it was waiting on. Buckets do not overlap and sum to the time
 * measured: `sleep` wins over the others, then `statementAndPost`.
 */
export interface WallTimeSplit {
  /** The Notifier's own sleep (until the next due instant or the poll interval). */
  readonly sleep: number;
  /** A Postgres statement (or the wait for a pool connection) and a webhook POST both in flight. */
  readonly statementAndPost: number;
  /** Only Postgres statements or pool checkouts in flight. */
  readonly statement: number;
  /** Only webhook POSTs in flight (channel sends, from the call to the end of the answer). */
  readonly post: number;
  /** Nothing in flight: the process running its own JavaScript, or its event loop catching up. */
  readonly nothing: number;
}

/**
 * Splits a process's wall time by what it was waiting on: wrappers call {@link begin} and
 * {@link end} around each statement, POST and sleep, and every change is charged to the bucket the
 * process was in until then. Costs two `performance.now()` calls per change.
 */
export class WallTimeClock {
  readonly #inFlight: Record<Wait, number> = { statement: 0, post: 0, sleep: 0 };
  #totals: Record<keyof WallTimeSplit, number> = emptySplit();
  #since = performance.now();

  /** One more `wait` in flight. */
  begin(wait: Wait): void {
    this.#charge();
    this.#inFlight[wait] += 1;
  }

  /** One `wait` fewer in flight. */
  end(wait: Wait): void {
    this.#charge();
    this.#inFlight[wait] -= 1;
  }

  /** Forgets the time so far; what is in flight stays in flight. */
  reset(): void {
    this.#totals = emptySplit();
    this.#since = performance.now();
  }

  /** The split since the last reset, up to now. */
  results(): WallTimeSplit {
    this.#charge();
    return { ...this.#totals };
  }

  #charge(): void {
    const now = performance.now();
    this.#totals[this.#bucket()] += now - this.#since;
    this.#since = now;
  }

  #bucket(): keyof WallTimeSplit {
    const { statement, post, sleep } = this.#inFlight;
    if (sleep > 0) return 'sleep';
    if (statement > 0 && post > 0) return 'statementAndPost';
    if (statement > 0) return 'statement';
    if (post > 0) return 'post';
    return 'nothing';
  }
}

function emptySplit(): Record<keyof WallTimeSplit, number> {
  return { sleep: 0, statementAndPost: 0, statement: 0, post: 0, nothing: 0 };
}
