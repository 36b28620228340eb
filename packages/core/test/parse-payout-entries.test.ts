import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors';
import { MAX_AMOUNT } from '../src/money/amount';
import { parsePayoutEntries } from '../src/payout/parse-payout-entries';

/** The field of the ValidationError that parsing `entries` throws. */
function refusedField(entries: readonly unknown[]): string {
  try {
    parsePayoutEntries(entries);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).field;
  }
  throw new Error('expected a ValidationError');
}

describe('parsePayoutEntries()', () => {
  it('returns the entries in order, amounts as bigints, whatever form the amounts came in', () => {
    expect(parsePayoutEntries([{ userId: 'a', amount: 5n }])).toEqual([{ userId: 'a', amount: 5n }]);
    expect(
      parsePayoutEntries([
        { userId: 'b', amount: 7n },
        { userId: 'a', amount: 3 },
        { userId: 'c', amount: '9007199254740993' },
        { userId: 'd', amount: MAX_AMOUNT },
      ]),
    ).toEqual([
      { userId: 'b', amount: 7n },
      { userId: 'a', amount: 3n },
      { userId: 'c', amount: 9_007_199_254_740_993n },
      { userId: 'd', amount: MAX_AMOUNT },
    ]);
  });

  it('accepts 10,000 entries checked in bulk, and an id of 255 code points longer than 255 UTF-16 units', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => ({ userId: `user-${i}`, amount: BigInt(i + 1) }));
    expect(parsePayoutEntries(many)).toEqual(many);
    const emoji = '😀'.repeat(255);
    expect(parsePayoutEntries([{ userId: emoji, amount: 1n }])).toEqual([{ userId: emoji, amount: 1n }]);
  });

  it('names the first bad entry, as checking one entry after the other would', () => {
    const ok = (userId: string) => ({ userId, amount: 1n });
    expect(refusedField([ok('a'), ok('b'), ok('a')])).toBe('input.entries[2].userId');
    // A control character two entries before a duplicate is the error, though only the bulk check sees it.
    expect(refusedField([ok('a'), ok('b\u0007'), ok('a')])).toBe('input.entries[1].userId');
    expect(refusedField([ok('a'), ok('   '), ok('a')])).toBe('input.entries[1].userId');
    expect(refusedField([ok('a'), { userId: 'b', amount: 0n }, ok('a')])).toBe('input.entries[1].amount');
    expect(refusedField([ok('a'), { userId: 'b', amount: MAX_AMOUNT + 1n }])).toBe('input.entries[1].amount');
    expect(refusedField([ok('a'), { userId: 'b', amount: 1.5 }])).toBe('input.entries[1].amount');
    expect(refusedField([ok('a'), { userId: 7, amount: 1n }])).toBe('input.entries[1].userId');
    expect(refusedField([ok('a'), null])).toBe('input.entries[1].userId');
    expect(refusedField([ok('a'), ok('x'.repeat(256))])).toBe('input.entries[1].userId');
  });

  it('refuses lone surrogates, also where two ids would make a pair if joined', () => {
    expect(
      refusedField([
        { userId: 'x\uD800', amount: 1n },
        { userId: '\uDC00y', amount: 1n },
      ]),
    ).toBe('input.entries[0].userId');
    expect(parsePayoutEntries([{ userId: 'x\uD83D\uDE00', amount: 1n }])).toEqual([
      { userId: 'x\uD83D\uDE00', amount: 1n },
    ]);
  });
});
