/** Switches and limits of {@link runStoreConformance}. */
export interface ConformanceOptions {
  /**
   * Run the `subscribe()` group. `false` skips it (a store that cannot deliver cross-process
   * events); `true` makes a missing `subscribe` a failure.
   * Default: run it when the store has `subscribe`, skip it otherwise.
   */
  readonly subscribe?: boolean;
  /**
   * How `HostTransaction.query` is checked: `'sql'` runs `SELECT 1 AS one` and expects one row;
   * `'unsupported'` expects a `StoreError` (a store with no SQL, like MemoryStore).
   * Default: `'unsupported'` for the `memory` dialect, `'sql'` otherwise.
   */
  readonly hostQuery?: 'sql' | 'unsupported';
  /**
   * Call `store.migrate()` before each test (the migration group always starts unmigrated).
   * Default: `true`.
   */
  readonly migrate?: boolean;
  /**
   * Milliseconds an operation that must not wait for another transaction (a `SKIP LOCKED` claim)
   * may take before its test fails as blocked. Default: `5000`.
   */
  readonly blockedAfterMs?: number;
  /** Milliseconds to wait for a subscribed event before failing. Default: `10000`. */
  readonly eventTimeoutMs?: number;
  /**
   * Whether the store can keep two transactions open at once. `false` (a single-connection store
   * such as PGlite, whose transactions take turns) skips every test that holds one transaction open
   * while another runs; the same promises must then be proven on a multi-connection deployment.
   * Default: `true`.
   */
  readonly concurrentTransactions?: boolean;
  /** Entries the concurrent exactly-once drain test pays. Default: `600`. */
  readonly drainEntries?: number;
  /** Workers racing in the concurrent drain test. Default: `4`. */
  readonly drainWorkers?: number;
}

/**
 * {@link ConformanceOptions} with defaults applied (`subscribe` and `hostQuery` stay undecided
 * until the store is known).
 *
 * @internal
 */
export interface ResolvedConformanceOptions {
  readonly subscribe: boolean | undefined;
  readonly hostQuery: 'sql' | 'unsupported' | undefined;
  readonly migrate: boolean;
  readonly blockedAfterMs: number;
  readonly eventTimeoutMs: number;
  readonly concurrentTransactions: boolean;
  readonly drainEntries: number;
  readonly drainWorkers: number;
}

/** @internal */
export function resolveConformanceOptions(options: ConformanceOptions = {}): ResolvedConformanceOptions {
  return {
    subscribe: options.subscribe,
    hostQuery: options.hostQuery,
    migrate: options.migrate ?? true,
    blockedAfterMs: options.blockedAfterMs ?? 5_000,
    eventTimeoutMs: options.eventTimeoutMs ?? 10_000,
    concurrentTransactions: options.concurrentTransactions ?? true,
    drainEntries: options.drainEntries ?? 600,
    drainWorkers: options.drainWorkers ?? 4,
  };
}
