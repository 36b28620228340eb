import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors';
import { formatAmount, MAX_AMOUNT, parseAmount } from '../src/money/amount';

/** Runs `fn` and returns the ValidationError it threw, failing the test if it threw anything else or nothing. */
function validationError(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError, nothing was thrown');
}

function expectRejected(input: unknown, reason: RegExp, options?: { min?: bigint }): void {
  const err = validationError(() => parseAmount('entries[3].amount', input, options));
  expect(err.code).toBe('validation');
  expect(err.field).toBe('entries[3].amount');
  expect(err.reason).toMatch(reason);
  expect(err.message).toContain('entries[3].amount');
}

describe('MAX_AMOUNT', () => {
  it('is the largest signed 64-bit integer', () => {
    expect(MAX_AMOUNT).toBe(9_223_372_036_854_775_807n);
    expect(BigInt.asIntN(64, MAX_AMOUNT)).toBe(MAX_AMOUNT);
    expect(BigInt.asIntN(64, MAX_AMOUNT + 1n)).toBeLessThan(0n);
  });
});

describe('parseAmount accepts', () => {
  it.each<[unknown, bigint]>([
    [0n, 0n],
    [1250n, 1250n],
    [MAX_AMOUNT, MAX_AMOUNT],
    [0, 0n],
    [-0, 0n],
    [1250, 1250n],
    [Number.MAX_SAFE_INTEGER, 9_007_199_254_740_991n],
    ['0', 0n],
    ['1250', 1250n],
    ['007', 7n],
    ['-0', 0n],
    ['9223372036854775807', MAX_AMOUNT],
    [`${'0'.repeat(1000)}42`, 42n],
  ])('%s', (input, expected) => {
    expect(parseAmount('amount', input)).toBe(expected);
  });

  it('round-trips every valid bigint through its string and, when safe, its number', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_AMOUNT }), (amount) => {
        expect(parseAmount('amount', amount)).toBe(amount);
        expect(parseAmount('amount', formatAmount(amount))).toBe(amount);
        if (amount <= BigInt(Number.MAX_SAFE_INTEGER)) expect(parseAmount('amount', Number(amount))).toBe(amount);
      }),
    );
  });

  it('round-trips every safe integer number', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(parseAmount('amount', n)).toBe(BigInt(n));
        expect(parseAmount('amount', String(n))).toBe(BigInt(n));
      }),
    );
  });

  it('accepts values at min and rejects values below it', () => {
    expect(parseAmount('amount', 1n, { min: 1n })).toBe(1n);
    expectRejected(0n, /^must be at least 1$/, { min: 1n });
    expectRejected('99', /^must be at least 100$/, { min: 100n });
    expect(parseAmount('amount', 100, { min: 100n })).toBe(100n);
  });
});

describe('parseAmount rejects', () => {
  it.each<[string, unknown]>([
    ['negative bigint', -1n],
    ['negative number', -5],
    ['negative string', '-5'],
    ['negative string with leading zeros', '-000000000000000000000000000001'],
    ['hugely negative string', `-${'9'.repeat(100)}`],
    ['negative number beyond safe range', -1e20],
  ])('%s as negative', (_, input) => {
    expectRejected(input, /^must not be negative$/);
  });

  it.each<[string, unknown]>([
    ['decimal string', '12.5'],
    ['decimal string with zero fraction', '12.0'],
    ['trailing dot', '12.'],
    ['leading dot', '.5'],
    ['negative decimal', '-12.5'],
  ])('%s as a decimal', (_, input) => {
    expectRejected(input, /whole number of minor units .*not a decimal/);
  });

  it.each([12.5, 0.1, -0.5, 1 + Number.EPSILON * 4])('fractional number %s', (input) => {
    expectRejected(input, /^must be a whole number of minor units$/);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('%s', (input) => {
    expectRejected(input, /^must be a finite number$/);
  });

  it.each([Number.MAX_SAFE_INTEGER + 1, 2 ** 60, 1e20, Number.MAX_VALUE])('unsafe number %s as imprecise', (input) => {
    expectRejected(input, /MAX_SAFE_INTEGER.*pass a bigint or a string/);
  });

  it.each(['', ' ', '\t\n', '\u00a0'])('empty or blank string %j', (input) => {
    expectRejected(input, /^must not be empty$/);
  });

  it.each([' 12', '12 ', '\n12'])('padded string %j', (input) => {
    expectRejected(input, /whitespace/);
  });

  it.each(['1e3', '1E3', '1.5e2', '1e-2', '-1e3', '+1e3'])('exponent form %s', (input) => {
    expectRejected(input, /not exponent notation/);
  });

  it.each(['0x10', '0XFF', '0o17', '0b101', '-0x1'])('non-decimal radix %s', (input) => {
    expectRejected(input, /not hexadecimal, octal or binary/);
  });

  it.each(['+5', '+0'])('explicit plus sign %s', (input) => {
    expectRejected(input, /without a "\+" sign/);
  });

  it.each(['abc', '12abc', '1_000', '1,000', '--5', '5-', 'Infinity', 'NaN', '١٢', '１２'])(
    'non-numeric string %s',
    (input) => {
      expectRejected(input, /^must be a string of decimal digits \(minor units\)$/);
    },
  );

  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['boolean', true],
    ['object', { amount: 5 }],
    ['array', [5]],
    ['boxed number', Object(5)],
  ])('%s as the wrong type', (_, input) => {
    expectRejected(input, /^must be a bigint, an integer number or a string of decimal digits$/);
  });

  it.each<[string, unknown]>([
    ['bigint', MAX_AMOUNT + 1n],
    ['string', '9223372036854775808'],
    ['huge string', '9'.repeat(1_000_000)],
  ])('%s above MAX_AMOUNT', (_, input) => {
    expectRejected(input, /^must not exceed 9223372036854775807 \(MAX_AMOUNT\)$/);
  });

  it('every invalid string class, generated', () => {
    const invalid = fc.oneof(
      fc.bigInt({ min: 1n, max: MAX_AMOUNT }).map((n) => `-${n}`),
      fc.tuple(fc.nat(), fc.integer({ min: 1, max: 99 })).map(([i, f]) => `${i}.${f}`),
      fc.tuple(fc.nat(), fc.nat(30)).map(([m, e]) => `${m}e${e}`),
      fc.nat().map((n) => `0x${n.toString(16)}`),
      fc.nat().map((n) => `+${n}`),
      fc.nat().map((n) => ` ${n}`),
      fc.bigInt({ min: MAX_AMOUNT + 1n, max: MAX_AMOUNT * 1000n }).map(String),
      fc.string({ minLength: 1 }).filter((s) => !/^[0-9]+$/.test(s)),
    );
    fc.assert(
      fc.property(invalid, (input) => {
        const err = validationError(() => parseAmount('stake', input));
        expect(err.code).toBe('validation');
        expect(err.field).toBe('stake');
      }),
    );
  });
});

describe('formatAmount', () => {
  it('writes plain digits that JSON carries without loss', () => {
    expect(formatAmount(0n)).toBe('0');
    expect(formatAmount(1250n)).toBe('1250');
    expect(JSON.stringify({ amount: formatAmount(MAX_AMOUNT) })).toBe('{"amount":"9223372036854775807"}');
    const { amount } = JSON.parse(JSON.stringify({ amount: formatAmount(MAX_AMOUNT) })) as { amount: string };
    expect(parseAmount('amount', amount)).toBe(MAX_AMOUNT);
  });
});
