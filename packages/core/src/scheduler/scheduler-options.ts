import type { Challenge } from '../domain/challenge';
import { ValidationError } from '../errors';
import type { HostTransaction, Store, StoreReads } from '../store/store';
import { type Clock, systemClock } from '../time/clock';
import { type DurationInput, durationMs } from '../time/duration';
import { requireInteger } from '../validation';
import type { AutoResolvePolicy } from './auto-resolve-policy';

/**
 * What `onDeadline` receives: the host's own SQL (`query`) and Settle's reads, all inside the
 * transaction that closes the challenge, so they see it closed (and its refund job, if the
 * `autoResolve` policy queued one) and commit or roll back with it.
 */
export type DeadlineTransaction = HostTransaction & StoreReads;

/** Options of a `Scheduler`. */
export interface SchedulerOptions {
  /** Where challenges live. */
  readonly store: Store;
  /** Source of time and of sleeping. Default: the system clock. */
  readonly clock?: Clock;
  /**
   * The longest the scheduler sleeps before asking the store for its next deadline again: how soon
   * it notices a deadline created by another process when the store cannot push events. Deadlines
   * created or moved through `Challenges` in this process, or announced by the store's events, wake
   * it at once. Default: `PT30S`.
   */
  readonly pollInterval?: DurationInput;
  /**
   * Due challenges read per query; 100,000 overdue challenges after downtime are caught up this many
   * at a time, so memory stays flat. Default: `100`.
   */
  readonly batchSize?: number;
  /** Transitions this instance runs at once, each in its own transaction. Default: `1`. */
  readonly concurrency?: number;
  /**
   * How long to wait before trying again to close a challenge whose transition failed (a throwing
   * `onDeadline` hook, a store failure). Default: `PT5S`.
   */
  readonly retryDelay?: DurationInput;
  /**
   * Decides at each deadline whether the challenge is closed for an admin (`pending_admin`) or
   * cancelled, e.g. `refundUnopposed({ payouts })`: a challenge without an opponent is cancelled
   * and its stakes refunded through a `PayoutQueue`, in the transition's transaction. Runs before
   * `onDeadline`. Default: none (every challenge goes to `pending_admin`).
   */
  readonly autoResolve?: AutoResolvePolicy;
  /**
   * Runs in the transaction that moves `challenge` out of `active`, after the `autoResolve` policy
   * and the status change: `challenge` is already `pending_admin`, or `cancelled` when the policy
   * cancelled it (its refund job, if any, is readable through `tx.listPayoutJobs`). Update your own
   * rows here and they commit atomically with the transition. If it throws, the transition (and any
   * refund job) rolls back, an `error` event is emitted, and it is retried after `retryDelay`.
   * Default: none.
   */
  readonly onDeadline?: (tx: DeadlineTransaction, challenge: Challenge) => Promise<void> | void;
}

/** Options with defaults applied and every value validated. */
export interface ResolvedSchedulerOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly pollIntervalMs: number;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly retryDelayMs: number;
  readonly autoResolve: AutoResolvePolicy | null;
  readonly onDeadline: SchedulerOptions['onDeadline'] | null;
}

/** Applies defaults and validates; throws `ValidationError` naming the option. */
export function resolveSchedulerOptions(options: SchedulerOptions): ResolvedSchedulerOptions {
  if (!options || typeof options.store?.transaction !== 'function') {
    throw new ValidationError('options.store', 'must be a Settle Store');
  }
  if (options.autoResolve !== undefined && typeof options.autoResolve !== 'function') {
    throw new ValidationError('options.autoResolve', 'must be a policy function, e.g. refundUnopposed({ payouts })');
  }
  if (options.onDeadline !== undefined && typeof options.onDeadline !== 'function') {
    throw new ValidationError('options.onDeadline', 'must be a function');
  }
  return {
    store: options.store,
    clock: options.clock ?? systemClock,
    pollIntervalMs: durationMs('options.pollInterval', options.pollInterval ?? 'PT30S'),
    batchSize: requireInteger('options.batchSize', options.batchSize ?? 100, { min: 1, max: 10_000 }),
    concurrency: requireInteger('options.concurrency', options.concurrency ?? 1, { min: 1, max: 100 }),
    retryDelayMs: durationMs('options.retryDelay', options.retryDelay ?? 'PT5S'),
    autoResolve: options.autoResolve ?? null,
    onDeadline: options.onDeadline ?? null,
  };
}
