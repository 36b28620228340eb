import { ValidationError } from '../errors';
import type { HostTransaction, PayoutBatch, Store } from '../store/store';
import { type Backoff, type BackoffOptions, createBackoff } from '../time/backoff';
import { type Clock, systemClock } from '../time/clock';
import { type DurationInput, durationMs } from '../time/duration';
import { requireInteger } from '../validation';

/** One payment handed to an external rail. */
export interface ExternalPayment {
  readonly jobId: string;
  readonly entryId: string;
  readonly userId: string;
  readonly amount: bigint;
  /** Pass this to the provider as its idempotency key: a retried call must not pay twice. Equals `entryId`. */
  readonly idempotencyKey: string;
  /** 1 for the first call; higher when a previous call failed or its lease expired. */
  readonly attempt: number;
}

/**
 * Where the money goes.
 * - `ledger` (default): Settle's own accounts and ledger, credited in the batch's transaction.
 * - `hook`: your `credit(tx, batch)` runs in the batch's transaction, on its connection, so your own
 *   rows (a `users.balance`) commit atomically with the batch. A ledger row per entry is still
 *   written, so a second credit is refused by the database.
 * - `external`: a provider called over the network. Entries are leased, `pay` is called with the
 *   entry id as idempotency key (at least once), then the entries are completed; an expired lease is
 *   taken over by another worker.
 */
export type PayoutMode =
  | { readonly kind: 'ledger' }
  | { readonly kind: 'hook'; credit(tx: HostTransaction, batch: PayoutBatch): Promise<void> }
  | {
      readonly kind: 'external';
      pay(payment: ExternalPayment): Promise<void>;
      /** Provider calls in flight at once per batch. Default: `10`. */
      readonly concurrency?: number;
      /** How long a worker holds leased entries before another may take them over. Default: `PT1M`. */
      readonly lease?: DurationInput;
    };

/** Finished jobs older than `olderThan` are pruned every `every` while the worker runs. */
export interface RetentionOptions {
  /** Age (since the job finished) after which a job and its entries are deleted; ledger rows stay. */
  readonly olderThan: DurationInput;
  /** How often to prune. Default: `PT1H`. */
  readonly every?: DurationInput;
}

/** Options of a {@link PayoutQueue}. */
export interface PayoutQueueOptions {
  /** Where jobs, entries and the ledger live. */
  readonly store: Store;
  /** Source of time. Default: the system clock. */
  readonly clock?: Clock;
  /** Entries per batch, each batch one transaction. Default: `500`. */
  readonly batchSize?: number;
  /** Batches this instance runs at once. Default: `1`. */
  readonly concurrency?: number;
  /**
   * How long an idle worker waits before looking for work again; work enqueued by this instance,
   * or announced by the store's events, wakes it at once. Default: `PT1S`.
   */
  readonly pollInterval?: DurationInput;
  /** Platform fee kept from each resolved pool, in basis points (0–10 000). Default: `0`. */
  readonly feeBps?: number;
  /**
   * What `resolve` does when no participant is on the winning side (a draw): `none` creates no job,
   * `refund` pays every participant their stake back. Default: `none`.
   */
  readonly drawPolicy?: 'none' | 'refund';
  /** Attempts per entry before it is dead-lettered as `failed`. Default: `5`. */
  readonly maxAttempts?: number;
  /** Delay between attempts. Default: `{ base: 'PT1S', max: 'PT5M', jitter: 0.5 }`. */
  readonly backoff?: BackoffOptions;
  /** Where the money goes. Default: `{ kind: 'ledger' }`. */
  readonly mode?: PayoutMode;
  /** Prune finished jobs on a schedule while the worker runs. Default: off. */
  readonly retention?: RetentionOptions;
  /** Random source for jitter, in [0, 1). Default: `Math.random`. */
  readonly random?: () => number;
}

/** Options with defaults applied and every value validated. */
export interface ResolvedPayoutQueueOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly batchSize: number;
  readonly concurrency: number;
  readonly pollIntervalMs: number;
  readonly feeBps: number;
  readonly drawPolicy: 'none' | 'refund';
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly mode: PayoutMode;
  readonly externalConcurrency: number;
  readonly leaseMs: number;
  readonly retention: { readonly olderThanMs: number; readonly everyMs: number } | null;
}

/** Applies defaults and validates; throws `ValidationError` naming the option. */
export function resolvePayoutQueueOptions(options: PayoutQueueOptions): ResolvedPayoutQueueOptions {
  if (!options || typeof options.store?.transaction !== 'function') {
    throw new ValidationError('options.store', 'must be a Settle Store');
  }
  const mode = options.mode ?? { kind: 'ledger' };
  if (!['ledger', 'hook', 'external'].includes(mode.kind)) {
    throw new ValidationError('options.mode.kind', "must be 'ledger', 'hook' or 'external'");
  }
  if (mode.kind === 'hook' && typeof mode.credit !== 'function') {
    throw new ValidationError('options.mode.credit', 'must be a function');
  }
  if (mode.kind === 'external' && typeof mode.pay !== 'function') {
    throw new ValidationError('options.mode.pay', 'must be a function');
  }
  const drawPolicy = options.drawPolicy ?? 'none';
  if (drawPolicy !== 'none' && drawPolicy !== 'refund') {
    throw new ValidationError('options.drawPolicy', "must be 'none' or 'refund'");
  }
  return {
    store: options.store,
    clock: options.clock ?? systemClock,
    batchSize: requireInteger('options.batchSize', options.batchSize ?? 500, { min: 1, max: 100_000 }),
    concurrency: requireInteger('options.concurrency', options.concurrency ?? 1, { min: 1, max: 1_000 }),
    pollIntervalMs: durationMs('options.pollInterval', options.pollInterval ?? 'PT1S'),
    feeBps: requireInteger('options.feeBps', options.feeBps ?? 0, { min: 0, max: 10_000 }),
    drawPolicy,
    maxAttempts: requireInteger('options.maxAttempts', options.maxAttempts ?? 5, { min: 1, max: 1_000 }),
    backoff: createBackoff('options.backoff', options.backoff, options.random),
    mode,
    externalConcurrency:
      mode.kind === 'external'
        ? requireInteger('options.mode.concurrency', mode.concurrency ?? 10, { min: 1, max: 10_000 })
        : 1,
    leaseMs: mode.kind === 'external' ? durationMs('options.mode.lease', mode.lease ?? 'PT1M') : 0,
    retention: options.retention
      ? {
          olderThanMs: durationMs('options.retention.olderThan', options.retention.olderThan),
          everyMs: durationMs('options.retention.every', options.retention.every ?? 'PT1H'),
        }
      : null,
  };
}
