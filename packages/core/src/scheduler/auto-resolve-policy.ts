import type { Challenge } from '../domain/challenge';
import { ValidationError } from '../errors';
import type { UncommittedPayoutJob } from '../payout/payout-queue';
import type { StoreTransaction } from '../store/store';

/**
 * What an {@link AutoResolvePolicy} decided for a challenge whose deadline passed:
 * - `close`: the usual `active → pending_admin`, waiting for an admin to resolve it;
 * - `cancel`: `active → cancelled`, with the refund job the policy queued in the same transaction
 *   through `PayoutQueue.enqueueIn` (none when there is nothing to pay back).
 */
export type AutoResolveDecision =
  | { readonly action: 'close' }
  | { readonly action: 'cancel'; readonly refund?: UncommittedPayoutJob | null };

/**
 * Decides, at a challenge's deadline, whether the Scheduler closes it for an admin or cancels it.
 *
 * It runs inside the transaction that closes the challenge, after the Scheduler locked the
 * challenge's row (still `active`, its deadline passed), so participants read through `tx` cannot
 * change until the commit. It may write in `tx` (a refund job through `PayoutQueue.enqueueIn`, the
 * host's own rows through `tx.query`), all committed or rolled back with the transition; it must
 * not change the challenge itself, whose status the Scheduler sets from the decision. If it throws,
 * the whole transaction rolls back and the challenge is tried again after `retryDelay`; like any
 * code in a transaction it may run more than once for a challenge, but commits once.
 *
 * @example
 * ```ts
 * // Cancel challenges the host flagged as void, without refunds (no money was collected).
 * const voidFlagged: AutoResolvePolicy = (_tx, challenge) =>
 *   challenge.metadata.void === true ? { action: 'cancel' } : { action: 'close' };
 * ```
 */
export type AutoResolvePolicy = (
  tx: StoreTransaction,
  challenge: Challenge,
) => Promise<AutoResolveDecision> | AutoResolveDecision;

/**
 * The decision, checked: a policy is host code, and a malformed answer must roll the transition back
 * rather than close the challenge in a way nobody chose.
 *
 * @internal
 */
export function checkDecision(decision: unknown): AutoResolveDecision {
  const d = decision as { action?: unknown; refund?: unknown } | null;
  if (d?.action === 'close') return { action: 'close' };
  if (d?.action === 'cancel') {
    const refund = d.refund ?? null;
    if (refund !== null && typeof (refund as UncommittedPayoutJob).committed !== 'function') {
      throw new ValidationError('options.autoResolve', 'returned a refund that is not a PayoutQueue.enqueueIn result');
    }
    return { action: 'cancel', refund: refund as UncommittedPayoutJob | null };
  }
  throw new ValidationError('options.autoResolve', "must return { action: 'close' } or { action: 'cancel' }");
}
