import type { NewPayoutEntry } from '../domain/payout';
import { ValidationError } from '../errors';
import { MAX_AMOUNT, parseAmount } from '../money/amount';
import { MAX_ID_LENGTH, requireId } from '../validation';

/** What `requireId` refuses anywhere in an id: control characters and lone surrogates. */
const REFUSED_IN_IDS = /[\p{Cc}\p{Cs}]/u;

/**
 * Validates the entries of an `enqueue` input: user ids as `requireId` wants them and unique,
 * amounts positive whole minor units. Throws the `ValidationError` of the first bad entry.
 *
 * @internal
 */
export function parsePayoutEntries(list: readonly unknown[]): NewPayoutEntry[] {
  return quickEntries(list) ?? entryByEntry(list);
}

/**
 * The usual input (string user ids, bigint amounts) checked in bulk: one regular expression over all
 * the ids instead of two per id, and field names built only for an error. For 10,000 entries this
 * took validation from about 4 ms to 1.5 ms, a twentieth of the whole `enqueue`. Null when any entry
 * is not of that shape or might be refused: {@link entryByEntry} then finds the first bad one and
 * says exactly what is wrong with it, so both paths throw the same error for the same input.
 */
function quickEntries(list: readonly unknown[]): NewPayoutEntry[] | null {
  const entries: NewPayoutEntry[] = new Array(list.length);
  const ids = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as { userId?: unknown; amount?: unknown } | null | undefined;
    const userId = entry?.userId;
    const amount = entry?.amount;
    if (typeof userId !== 'string' || userId.length > MAX_ID_LENGTH || userId.trim() === '') return null;
    if (typeof amount !== 'bigint' || amount < 1n || amount > MAX_AMOUNT) return null;
    ids.add(userId);
    entries[i] = { userId, amount };
  }
  // A space between ids cannot pair a lone surrogate at the end of one with one at the start of the next.
  if (REFUSED_IN_IDS.test(entries.map((e) => e.userId).join(' '))) return null;
  // Every entry passed its checks, so a duplicate is the first error entryByEntry would throw.
  return ids.size === entries.length ? entries : entryByEntry(list);
}

function entryByEntry(list: readonly unknown[]): NewPayoutEntry[] {
  const seen = new Set<string>();
  return list.map((item, i) => {
    const entry = item as { userId?: unknown; amount?: unknown } | null | undefined;
    const userId = requireId(`input.entries[${i}].userId`, entry?.userId);
    if (seen.has(userId)) throw new ValidationError(`input.entries[${i}].userId`, `duplicates user ${userId}`);
    seen.add(userId);
    return { userId, amount: parseAmount(`input.entries[${i}].amount`, entry?.amount, { min: 1n }) };
  });
}
