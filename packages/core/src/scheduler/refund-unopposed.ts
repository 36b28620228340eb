import type { ChallengeId, Participant } from '../domain/challenge';
import type { JsonObject } from '../domain/json';
import { ValidationError } from '../errors';
import type { PayoutQueue } from '../payout/payout-queue';
import type { StoreReads } from '../store/store';
import { requireInteger, requireJsonObject } from '../validation';
import type { AutoResolvePolicy } from './auto-resolve-policy';

/** Participants read per query while looking for a second side. */
const PARTICIPANT_PAGE = 1_000;

/** Options of {@link refundUnopposed}. */
export interface RefundUnopposedOptions {
  /**
   * The queue that pays the refunds. It must work on the Scheduler's store: the refund job is
   * written in the Scheduler's transaction and paid by this queue's workers (or any other queue on
   * that store).
   */
  readonly payouts: PayoutQueue;
  /** Priority of refund jobs; higher runs first. Default: `0`. */
  readonly priority?: number;
  /** Metadata of refund jobs, stored with `autoResolve: 'refundUnopposed'`. Default: `{}`. */
  readonly metadata?: JsonObject;
}

/**
 * An {@link AutoResolvePolicy}: a challenge that reaches its deadline with participants on fewer
 * than two sides has no opponent, so there is nothing to resolve. It is cancelled
 * (`active → cancelled`) and every participant's stake is refunded through `payouts`, by a job
 * created in the same transaction as the cancellation: a crash leaves either both or neither, and
 * only the instance whose transition won writes one. A challenge without participants is cancelled
 * with no job. Challenges with two sides or more close as usual (`pending_admin`).
 *
 * Throws `ValidationError` naming the option for bad options.
 *
 * @example
 * ```ts
 * const payouts = new PayoutQueue({ store });
 * const scheduler = new Scheduler({ store, autoResolve: refundUnopposed({ payouts }) });
 * scheduler.on('challenge.transitioned', (e) => {
 *   if (e.to === 'cancelled') console.log(`${e.challengeId} had no opponent; refund job ${e.refundJobId}`);
 * });
 * ```
 */
export function refundUnopposed(options: RefundUnopposedOptions): AutoResolvePolicy {
  if (options === null || typeof options !== 'object') throw new ValidationError('options', 'must be an object');
  const payouts = options.payouts;
  if (typeof payouts?.enqueueIn !== 'function') throw new ValidationError('options.payouts', 'must be a PayoutQueue');
  const priority = requireInteger('options.priority', options.priority ?? 0, { min: -1_000_000, max: 1_000_000 });
  const metadata = { ...requireJsonObject('options.metadata', options.metadata ?? {}), autoResolve: 'refundUnopposed' };

  return async (tx, challenge) => {
    const unopposed = await unopposedParticipants(tx, challenge.id);
    if (unopposed === null) return { action: 'close' };
    if (unopposed.length === 0) return { action: 'cancel' };
    // User ids are unique within a challenge (the store refuses a second join), so one entry per participant.
    const entries = unopposed.map((p) => ({ userId: p.userId, amount: p.stake }));
    const refund = await payouts.enqueueIn(tx, { challengeId: challenge.id, entries, priority, metadata });
    return { action: 'cancel', refund };
  };
}

/**
 * Every participant when they are all on one side (or there are none), or null as soon as a second
 * side shows up: a contested challenge with 100,000 participants is decided from its first page.
 */
async function unopposedParticipants(reads: StoreReads, challengeId: ChallengeId): Promise<Participant[] | null> {
  const all: Participant[] = [];
  for (;;) {
    const after = all.at(-1)?.userId;
    const page = await reads.listParticipants(challengeId, { limit: PARTICIPANT_PAGE, ...(after ? { after } : {}) });
    const side = all[0]?.side ?? page[0]?.side;
    if (page.some((p) => p.side !== side)) return null;
    all.push(...page);
    if (page.length < PARTICIPANT_PAGE) return all;
  }
}
