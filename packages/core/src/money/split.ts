import { ValidationError } from '../errors';
import { requireArray, requireId, requireInteger } from '../validation';
import { MAX_AMOUNT, parseAmount } from './amount';

/** Basis points in a whole: a fee of 250 bps is 2.5 %. */
const BPS_PER_WHOLE = 10_000;

/** A winner of a pool, weighted by the stake they put in. */
export interface PoolWinner {
  readonly userId: string;
  /** Minor units (> 0); the winner's weight in the split. */
  readonly stake: bigint;
}

/** Input of {@link splitPool}. */
export interface PoolSplitInput {
  /** Everything staked, minor units (0…MAX_AMOUNT); see {@link sumStakes}. */
  readonly pool: bigint;
  /** Platform fee in basis points, an integer 0…10 000. */
  readonly feeBps: number;
  /** Who shares the pool; user ids unique, stakes > 0. */
  readonly winners: readonly PoolWinner[];
}

/** One winner's part of a pool. */
export interface PoolShare {
  readonly userId: string;
  /** Minor units (≥ 0; zero when the payable amount is smaller than the number of winners). */
  readonly amount: bigint;
}

/** Result of {@link splitPool}: `fee + Σ shares = pool`, exactly. */
export interface PoolSplit {
  readonly pool: bigint;
  /** `floor(pool × feeBps / 10 000)`. */
  readonly fee: bigint;
  /** `pool − fee`, all of it in `shares`. */
  readonly payable: bigint;
  /** One per winner, in input order. */
  readonly shares: PoolShare[];
}

/**
 * Splits a pool among its winners pro rata to their stakes, after a platform fee, with the
 * largest-remainder method: each winner gets the floor of their exact share, then the minor units
 * left over go one each to the largest remainders (ties: larger stake first, then input order).
 * The shares sum exactly to `payable`, each is within one minor unit of its exact share, and the
 * result depends only on the input.
 *
 * @throws ValidationError naming the field (`pool`, `feeBps`, `winners`, `winners[3].stake`…).
 *
 * @example
 * ```ts
 * splitPool({ pool: 1000n, feeBps: 500, winners: [{ userId: 'a', stake: 1n }, { userId: 'b', stake: 2n }] });
 * // fee 50n, payable 950n; exact shares 316.67 and 633.33 → floors 316 + 633, 1 unit left → a (remainder .67)
 * // shares: a 317n, b 633n
 * ```
 */
export function splitPool(input: PoolSplitInput): PoolSplit {
  const pool = requireBigIntAmount('pool', input.pool, 0n);
  const feeBps = requireInteger('feeBps', input.feeBps, { min: 0, max: BPS_PER_WHOLE });
  const winners = requireArray('winners', input.winners, { minLength: 1 }) as readonly PoolWinner[];

  const seen = new Map<string, number>();
  const stakes = winners.map((winner, i) => {
    const userId = requireId(`winners[${i}].userId`, winner?.userId);
    const first = seen.get(userId);
    if (first !== undefined) throw new ValidationError(`winners[${i}].userId`, `duplicates winners[${first}].userId`);
    seen.set(userId, i);
    return requireBigIntAmount(`winners[${i}].stake`, winner.stake, 1n);
  });

  const fee = (pool * BigInt(feeBps)) / BigInt(BPS_PER_WHOLE);
  const payable = pool - fee;
  const totalStake = stakes.reduce((sum, stake) => sum + stake, 0n);

  const amounts = stakes.map((stake) => (payable * stake) / totalStake);
  const remainders = stakes.map((stake) => (payable * stake) % totalStake);
  // Fewer than winners.length units are left, since each floor loses less than one.
  let leftover = payable - amounts.reduce((sum, amount) => sum + amount, 0n);
  const byRemainder = stakes
    .map((_, i) => i)
    .sort((a, b) => compareDesc(remainders, a, b) || compareDesc(stakes, a, b) || a - b);
  for (const i of byRemainder) {
    if (leftover === 0n) break;
    amounts[i]! += 1n;
    leftover -= 1n;
  }

  return { pool, fee, payable, shares: winners.map((winner, i) => ({ userId: winner.userId, amount: amounts[i]! })) };
}

/**
 * The pool of a challenge: the sum of its participants' stakes.
 *
 * @param field - Name of the list, for errors: `participants[2].stake`, or `participants` when the sum
 *   would exceed {@link MAX_AMOUNT}.
 * @throws ValidationError when a stake is not a bigint > 0 or the sum exceeds MAX_AMOUNT.
 *
 * @example
 * ```ts
 * const pool = sumStakes('participants', await store.listParticipants(challengeId));
 * ```
 */
export function sumStakes(field: string, participants: readonly { readonly stake: bigint }[]): bigint {
  requireArray(field, participants);
  let total = 0n;
  participants.forEach((participant, i) => {
    total += requireBigIntAmount(`${field}[${i}].stake`, participant?.stake, 1n);
    if (total > MAX_AMOUNT) throw new ValidationError(field, `total stake must not exceed ${MAX_AMOUNT} (MAX_AMOUNT)`);
  });
  return total;
}

/** Money already inside the system is a bigint; a number or string here is a caller's bug, not input to coerce. */
function requireBigIntAmount(field: string, value: unknown, min: bigint): bigint {
  if (typeof value !== 'bigint') throw new ValidationError(field, 'must be a bigint of minor units');
  return parseAmount(field, value, { min });
}

function compareDesc(values: readonly bigint[], a: number, b: number): number {
  const x = values[a]!;
  const y = values[b]!;
  return x > y ? -1 : x < y ? 1 : 0;
}
