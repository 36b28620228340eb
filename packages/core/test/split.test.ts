import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors';
import { MAX_AMOUNT } from '../src/money/amount';
import { type PoolSplitInput, type PoolWinner, splitPool, sumStakes } from '../src/money/split';

function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

function expectRejected(fn: () => unknown, field: string, reason: RegExp): void {
  const err = validationError(fn);
  expect(err.code).toBe('validation');
  expect(err.field).toBe(field);
  expect(err.reason).toMatch(reason);
}

const winners = (...stakes: bigint[]): PoolWinner[] => stakes.map((stake, i) => ({ userId: `u${i}`, stake }));
const amounts = (input: PoolSplitInput): bigint[] => splitPool(input).shares.map((share) => share.amount);

describe('splitPool', () => {
  it('computes the documented example: 1000 at 5 % between stakes 1 and 2', () => {
    expect(splitPool({ pool: 1000n, feeBps: 500, winners: winners(1n, 2n) })).toEqual({
      pool: 1000n,
      fee: 50n,
      payable: 950n,
      shares: [
        { userId: 'u0', amount: 317n },
        { userId: 'u1', amount: 633n },
      ],
    });
  });

  it('computes the worked example of docs/money.md', () => {
    const split = splitPool({
      pool: 9_998n,
      feeBps: 250,
      winners: [
        { userId: 'ana', stake: 3_000n },
        { userId: 'ben', stake: 2_000n },
        { userId: 'cy', stake: 2_000n },
      ],
    });
    expect(split).toEqual({
      pool: 9_998n,
      fee: 249n,
      payable: 9_749n,
      shares: [
        { userId: 'ana', amount: 4_178n },
        { userId: 'ben', amount: 2_786n },
        { userId: 'cy', amount: 2_785n },
      ],
    });
  });

  it('floors the fee', () => {
    const split = splitPool({ pool: 999n, feeBps: 250, winners: winners(1n) });
    expect(split.fee).toBe(24n); // 24.975
    expect(split.payable).toBe(975n);
    expect(split.shares).toEqual([{ userId: 'u0', amount: 975n }]);
  });

  it('takes no fee at 0 bps and everything at 10 000 bps', () => {
    expect(splitPool({ pool: 100n, feeBps: 0, winners: winners(1n) })).toMatchObject({ fee: 0n, payable: 100n });
    const all = splitPool({ pool: 100n, feeBps: 10_000, winners: winners(1n, 1n) });
    expect(all).toMatchObject({ fee: 100n, payable: 0n });
    expect(all.shares.map((s) => s.amount)).toEqual([0n, 0n]);
  });

  it('splits an empty pool into zeros', () => {
    expect(amounts({ pool: 0n, feeBps: 300, winners: winners(5n, 7n) })).toEqual([0n, 0n]);
  });

  it('hands leftover units to the largest remainders', () => {
    // payable 10 over stakes 1:1:1:3 → exact 1.667, 1.667, 1.667, 5 → floors 1,1,1,5 (8), 2 units left.
    // The three 2/3 remainders tie on remainder and stake, so input order decides.
    expect(amounts({ pool: 10n, feeBps: 0, winners: winners(1n, 1n, 1n, 3n) })).toEqual([2n, 2n, 1n, 5n]);
  });

  it('breaks remainder ties by larger stake first', () => {
    // payable 2 over stakes 1:2:1 (total 4): exact .5, 1, .5 → the two .5 remainders tie, earlier wins.
    expect(amounts({ pool: 2n, feeBps: 0, winners: winners(1n, 2n, 1n) })).toEqual([1n, 1n, 0n]);
    // payable 1 over stakes 2:1:2:1 (total 6): remainders 2,1,2,1 → tie between the stake-2 winners, earlier wins.
    expect(amounts({ pool: 1n, feeBps: 0, winners: winners(2n, 1n, 2n, 1n) })).toEqual([1n, 0n, 0n, 0n]);
    // payable 3 over stakes 3:2:2 (total 7): exact 9/7, 6/7, 6/7 → floors 1,0,0; remainders 2,6,6 → both stake-2 get one.
    expect(amounts({ pool: 3n, feeBps: 0, winners: winners(3n, 2n, 2n) })).toEqual([1n, 1n, 1n]);
  });

  it('breaks equal remainders by larger stake even when it comes later in the input', () => {
    // payable 5 over stakes 1:4:5 (total 10): exact .5, 2, 2.5 → remainders 5 and 5 tie; stake 5 first.
    expect(amounts({ pool: 5n, feeBps: 0, winners: winners(1n, 4n, 5n) })).toEqual([0n, 2n, 3n]);
  });

  it('returns shares in input order with the given user ids', () => {
    const split = splitPool({
      pool: 600n,
      feeBps: 0,
      winners: [
        { userId: 'zed', stake: 3n },
        { userId: 'amy', stake: 1n },
        { userId: 'kim', stake: 2n },
      ],
    });
    expect(split.shares).toEqual([
      { userId: 'zed', amount: 300n },
      { userId: 'amy', amount: 100n },
      { userId: 'kim', amount: 200n },
    ]);
  });

  it('is exact at MAX_AMOUNT, where Number would round', () => {
    const split = splitPool({ pool: MAX_AMOUNT, feeBps: 1, winners: winners(1n, 1n, 1n) });
    const fee = MAX_AMOUNT / 10_000n;
    expect(split.fee).toBe(fee);
    expect(split.shares.reduce((sum, s) => sum + s.amount, 0n)).toBe(MAX_AMOUNT - fee);
    // payable 9 222 449 699 651 090 330 = 3 × 3 074 149 899 883 696 776 + 2: the first two get one unit more.
    expect(split.shares.map((s) => s.amount)).toEqual([
      3_074_149_899_883_696_777n,
      3_074_149_899_883_696_777n,
      3_074_149_899_883_696_776n,
    ]);
  });

  it('does not mutate its input', () => {
    const input = { pool: 10n, feeBps: 100, winners: Object.freeze(winners(1n, 2n).map((w) => Object.freeze(w))) };
    expect(() => splitPool(input)).not.toThrow();
  });
});

describe('splitPool properties', () => {
  const stake = fc.bigInt({ min: 1n, max: 10n ** 15n });
  const arbitraryInput = fc.record({
    pool: fc.oneof(fc.bigInt({ min: 0n, max: 10_000n }), fc.bigInt({ min: 0n, max: MAX_AMOUNT })),
    feeBps: fc.integer({ min: 0, max: 10_000 }),
    winners: fc
      .array(fc.oneof(stake, fc.bigInt({ min: 1n, max: 5n })), { minLength: 1, maxLength: 60 })
      .map((stakes) => winners(...stakes)),
  });

  it('parts sum exactly to the pool and none is negative', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const split = splitPool(input);
        const shared = split.shares.reduce((sum, s) => sum + s.amount, 0n);
        expect(shared).toBe(split.payable);
        expect(split.fee + split.payable).toBe(input.pool);
        expect(split.fee).toBe((input.pool * BigInt(input.feeBps)) / 10_000n);
        expect(split.fee).toBeGreaterThanOrEqual(0n);
        for (const s of split.shares) expect(s.amount).toBeGreaterThanOrEqual(0n);
      }),
    );
  });

  it('each part is within one minor unit of its exact share', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const split = splitPool(input);
        const totalStake = input.winners.reduce((sum, w) => sum + w.stake, 0n);
        split.shares.forEach((s, i) => {
          const error = s.amount * totalStake - split.payable * input.winners[i]!.stake;
          expect(error < 0n ? -error : error).toBeLessThan(totalStake);
        });
      }),
    );
  });

  it('is deterministic and keeps input order', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const first = splitPool(input);
        expect(splitPool({ ...input, winners: input.winners.map((w) => ({ ...w })) })).toEqual(first);
        expect(first.shares.map((s) => s.userId)).toEqual(input.winners.map((w) => w.userId));
      }),
    );
  });

  it('equal stakes differ by at most one unit, earlier winners getting the extra', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_AMOUNT }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.integer({ min: 1, max: 200 }),
        (pool, feeBps, stake, count) => {
          const parts = amounts({ pool, feeBps, winners: winners(...Array<bigint>(count).fill(stake)) });
          // Non-increasing: the extra units go to the earliest winners, so first − last is the spread.
          expect([...parts].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0))).toEqual(parts);
          expect(parts[0]! - parts[parts.length - 1]!).toBeLessThanOrEqual(1n);
        },
      ),
    );
  });

  it('a larger stake never gets less than a smaller one', () => {
    fc.assert(
      fc.property(arbitraryInput, (input) => {
        const parts = amounts(input);
        input.winners.forEach((a, i) => {
          input.winners.forEach((b, j) => {
            if (a.stake > b.stake) expect(parts[i]!).toBeGreaterThanOrEqual(parts[j]!);
          });
        });
      }),
    );
  });
});

describe('splitPool validation', () => {
  const ok = { pool: 100n, feeBps: 0, winners: winners(1n) };

  it.each<[string, unknown, RegExp]>([
    ['negative', -1n, /^must not be negative$/],
    ['above MAX_AMOUNT', MAX_AMOUNT + 1n, /MAX_AMOUNT/],
    ['a number', 100, /^must be a bigint of minor units$/],
    ['a string', '100', /^must be a bigint of minor units$/],
  ])('rejects a pool that is %s', (_, pool, reason) => {
    expectRejected(() => splitPool({ ...ok, pool: pool as bigint }), 'pool', reason);
  });

  it.each<[unknown, RegExp]>([
    [-1, /^must be at least 0$/],
    [10_001, /^must be at most 10000$/],
    [2.5, /^must be an integer$/],
    [Number.NaN, /^must be an integer$/],
    ['500', /^must be an integer$/],
  ])('rejects feeBps %s', (feeBps, reason) => {
    expectRejected(() => splitPool({ ...ok, feeBps: feeBps as number }), 'feeBps', reason);
  });

  it('rejects no winners', () => {
    expectRejected(() => splitPool({ ...ok, winners: [] }), 'winners', /^must not be empty$/);
    expectRejected(() => splitPool({ ...ok, winners: null as never }), 'winners', /^must be an array$/);
  });

  it.each<[string, unknown, RegExp]>([
    ['zero', 0n, /^must be at least 1$/],
    ['negative', -5n, /^must not be negative$/],
    ['a number', 5, /^must be a bigint of minor units$/],
    ['missing', undefined, /^must be a bigint of minor units$/],
  ])('rejects a stake that is %s, naming the winner', (_, stake, reason) => {
    const list: PoolWinner[] = [...winners(1n, 2n, 3n), { userId: 'u3', stake: stake as bigint }];
    expectRejected(() => splitPool({ ...ok, winners: list }), 'winners[3].stake', reason);
  });

  it.each<[string, unknown, RegExp]>([
    ['empty', '', /^must not be empty$/],
    ['not a string', 42, /^must be a string$/],
    ['too long', 'x'.repeat(256), /^must be at most 255 characters$/],
  ])('rejects a user id that is %s', (_, userId, reason) => {
    const list = [...winners(1n), { userId: userId as string, stake: 1n }];
    expectRejected(() => splitPool({ ...ok, winners: list }), 'winners[1].userId', reason);
  });

  it('rejects a null winner', () => {
    expectRejected(() => splitPool({ ...ok, winners: [null as never] }), 'winners[0].userId', /^must be a string$/);
  });

  it('rejects duplicate user ids, naming both', () => {
    const list = [
      { userId: 'a', stake: 1n },
      { userId: 'b', stake: 1n },
      { userId: 'a', stake: 2n },
    ];
    expectRejected(() => splitPool({ ...ok, winners: list }), 'winners[2].userId', /^duplicates winners\[0\]\.userId$/);
  });
});

describe('sumStakes', () => {
  it('adds stakes exactly', () => {
    expect(sumStakes('participants', [])).toBe(0n);
    expect(sumStakes('participants', [{ stake: 5n }, { stake: 7n }])).toBe(12n);
    expect(sumStakes('participants', [{ stake: MAX_AMOUNT - 1n }, { stake: 1n }])).toBe(MAX_AMOUNT);
  });

  it('matches a plain sum for any stakes within range', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 10n ** 16n }), { maxLength: 100 }), (stakes) => {
        expect(
          sumStakes(
            'p',
            stakes.map((stake) => ({ stake })),
          ),
        ).toBe(stakes.reduce((a, b) => a + b, 0n));
      }),
    );
  });

  it('refuses a total above MAX_AMOUNT', () => {
    expectRejected(
      () => sumStakes('participants', [{ stake: MAX_AMOUNT }, { stake: 1n }]),
      'participants',
      /^total stake must not exceed 9223372036854775807 \(MAX_AMOUNT\)$/,
    );
  });

  it('names the bad stake', () => {
    expectRejected(
      () => sumStakes('participants', [{ stake: 1n }, { stake: 0n }]),
      'participants[1].stake',
      /^must be at least 1$/,
    );
    expectRejected(
      () => sumStakes('participants', [{ stake: 1 as never }]),
      'participants[0].stake',
      /^must be a bigint of minor units$/,
    );
    expectRejected(() => sumStakes('participants', 'nope' as never), 'participants', /^must be an array$/);
  });
});
