/**
 * Orders ids a store assigns (payout entries, notifications): ascending integers carried as strings,
 * so "10" comes after "9". Exact up to 2^63 − 1, the range of a BIGINT identity.
 */
export function compareIds(a: string, b: string): number {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}
