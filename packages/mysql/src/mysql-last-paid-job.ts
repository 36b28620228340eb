import type { SqlTime } from './mysql-rows';

/**
 * The job a store paid its last batch of: what its next `payPayoutBatch()` needs to claim from that
 * job again without searching for the best job first (claim-next-batch-to-pay.sql). Only what
 * never changes after a job is created, so it can never be stale, only no longer the best choice,
 * which that statement checks.
 *
 * @internal
 */
export interface LastPaidJob {
  readonly id: string;
  readonly priority: number;
  readonly createdAt: SqlTime;
  readonly seq: string;
  readonly lastEntryId: string;
}

/** A store's {@link LastPaidJob}, shared by its transactions; null when unknown. @internal */
export interface LastPaidJobSlot {
  current: LastPaidJob | null;
}
