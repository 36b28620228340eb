import type { Participant } from '../domain/challenge';
import type { NewPayoutEntry } from '../domain/payout';
import { splitPool, sumStakes } from '../money/split';

/** What resolving a challenge pays. */
export interface PayoutPlan {
  /** `payout` to the winners, `refund` of every stake, or `none` (a draw with `drawPolicy: 'none'`). */
  readonly kind: 'payout' | 'refund' | 'none';
  /** Sum of all stakes. */
  readonly pool: bigint;
  /** Platform fee kept (0 for refunds). */
  readonly fee: bigint;
  /** One entry per paid user, in participant order. */
  readonly entries: readonly NewPayoutEntry[];
}

/**
 * Decides who gets what when a challenge resolves: the whole pool minus the fee, pro rata to the
 * winners' stakes, exact to the minor unit. With no participant on the winning side (or
 * `winningSide` null) it is a draw, handled by `drawPolicy`.
 */
export function planPayout(
  participants: readonly Participant[],
  winningSide: string | null,
  options: { readonly feeBps: number; readonly drawPolicy: 'none' | 'refund' },
): PayoutPlan {
  const pool = sumStakes('participants', participants);
  const winners = winningSide === null ? [] : participants.filter((p) => p.side === winningSide);
  if (winners.length === 0) {
    if (options.drawPolicy === 'none' || participants.length === 0) return { kind: 'none', pool, fee: 0n, entries: [] };
    return { kind: 'refund', pool, fee: 0n, entries: participants.map((p) => ({ userId: p.userId, amount: p.stake })) };
  }
  const split = splitPool({ pool, feeBps: options.feeBps, winners });
  return {
    kind: 'payout',
    pool,
    fee: split.fee,
    // A winner whose share rounds down to nothing gets no entry: an entry always moves money.
    entries: split.shares.filter((s) => s.amount > 0n).map((s) => ({ userId: s.userId, amount: s.amount })),
  };
}
