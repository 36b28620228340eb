/** One winner of a synthetic payout: a user id and an amount in minor units. */
export interface SyntheticEntry {
  readonly userId: string;
  readonly amount: bigint;
}

/**
 * The `index`-th entry of every synthetic job: user ids are unique within a job and repeat across
 * jobs (so account upserts hit existing rows as well as new ones), amounts vary between 1.00 and
 * 100.99 so that sums are not trivially `count × constant`.
 */
function syntheticEntry(index: number): SyntheticEntry {
  return {
    userId: `user-${String(index).padStart(7, '0')}`,
    amount: syntheticAmount(index),
  };
}

/** The amount of the `index`-th entry. */
export function syntheticAmount(index: number): bigint {
  return BigInt(100 + ((index * 7_919) % 10_000));
}

/** Entries `from` (inclusive) to `to` (exclusive), built on demand. */
export function syntheticEntries(from: number, to: number): SyntheticEntry[] {
  const entries: SyntheticEntry[] = new Array(to - from);
  for (let i = from; i < to; i++) entries[i - from] = syntheticEntry(i);
  return entries;
}

/** Sum of the amounts of entries `0` to `count - 1`, without building them. */
export function syntheticTotal(count: number): bigint {
  let total = 0n;
  for (let i = 0; i < count; i++) total += syntheticAmount(i);
  return total;
}
