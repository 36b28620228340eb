import { ValidationError } from '../errors';

/** The largest amount Settle accepts, 2^63 − 1 minor units: the top of a signed 64-bit BIGINT on every database. */
export const MAX_AMOUNT = 2n ** 63n - 1n;

/** An amount in minor units as accepted at Settle's edges; see {@link parseAmount}. */
export type AmountInput = bigint | number | string;

/** Options of {@link parseAmount}. */
export interface ParseAmountOptions {
  /** Smallest accepted amount, inclusive. Default `0n`; pass `1n` where zero makes no sense (a payout entry). */
  min?: bigint;
}

// The '-' is recognized only so that "-5" is reported as negative rather than as garbage.
const DECIMAL_DIGITS = /^-?[0-9]+$/;
const MAX_AMOUNT_DIGITS = MAX_AMOUNT.toString().length;

/** Why a string is not plain digits, for the forms a caller is likely to have meant as a number. */
const STRING_REJECTIONS: readonly [RegExp, string][] = [
  [/^\s|\s$/, 'must not have leading or trailing whitespace'],
  [
    /^[+-]?(?:[0-9]+\.[0-9]*|\.[0-9]+)$/,
    'must be a whole number of minor units (e.g. "1250" for 12.50), not a decimal',
  ],
  [/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)e[+-]?[0-9]+$/i, 'must be plain decimal digits, not exponent notation'],
  [/^[+-]?0[xob]/i, 'must be plain decimal digits, not hexadecimal, octal or binary'],
  [/^\+/, 'must be plain decimal digits without a "+" sign'],
];

/**
 * Parses an amount of minor units (cents for USD, yen for JPY) into a `bigint`.
 *
 * Accepts a `bigint`; a `number` that is an integer within `Number.MAX_SAFE_INTEGER` (beyond it a
 * number may already have lost precision, so pass a bigint or a string); or a string of ASCII
 * decimal digits only (grammar `-?[0-9]+`, leading zeros allowed, no whitespace, sign, decimal
 * point, exponent or `0x`). The result must lie in `min`…{@link MAX_AMOUNT}; a leading `-` only
 * exists to be reported as negative.
 *
 * @param field - Name of the input, reported in the error (e.g. `entries[3].amount`).
 * @throws ValidationError naming `field` with the reason.
 *
 * @example
 * ```ts
 * parseAmount('stake', '1250'); // 1250n
 * parseAmount('stake', 12.5);   // throws: must be a whole number of minor units…
 * parseAmount('amount', 0, { min: 1n }); // throws: must be at least 1
 * ```
 */
export function parseAmount(field: string, input: unknown, options: ParseAmountOptions = {}): bigint {
  const amount = toBigInt(field, input);
  const min = options.min ?? 0n;
  if (amount < 0n) throw new ValidationError(field, 'must not be negative');
  if (amount > MAX_AMOUNT) throw new ValidationError(field, `must not exceed ${MAX_AMOUNT} (MAX_AMOUNT)`);
  if (amount < min) throw new ValidationError(field, `must be at least ${min}`);
  return amount;
}

/**
 * Formats an amount for JSON, where it travels as a string of digits: JSON numbers lose precision
 * above 2^53 in most parsers, and `JSON.stringify` throws on a bigint.
 *
 * @example
 * ```ts
 * JSON.stringify({ amount: formatAmount(1250n) }); // '{"amount":"1250"}'
 * ```
 */
export function formatAmount(amount: bigint): string {
  return amount.toString();
}

function toBigInt(field: string, input: unknown): bigint {
  if (typeof input === 'bigint') return input;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new ValidationError(field, 'must be a finite number');
    if (!Number.isInteger(input)) throw new ValidationError(field, 'must be a whole number of minor units');
    if (input < 0) throw new ValidationError(field, 'must not be negative');
    if (input > Number.MAX_SAFE_INTEGER) {
      throw new ValidationError(
        field,
        'exceeds Number.MAX_SAFE_INTEGER and may be imprecise; pass a bigint or a string',
      );
    }
    return BigInt(input);
  }
  if (typeof input === 'string') {
    if (input.trim() === '') throw new ValidationError(field, 'must not be empty');
    if (DECIMAL_DIGITS.test(input)) {
      // Checked before BigInt() so that a megabyte of digits is refused without being converted.
      const negative = input.startsWith('-');
      if (input.replace(/^-?0*/, '').length > MAX_AMOUNT_DIGITS) {
        throw new ValidationError(
          field,
          negative ? 'must not be negative' : `must not exceed ${MAX_AMOUNT} (MAX_AMOUNT)`,
        );
      }
      return BigInt(input);
    }
    const rejection = STRING_REJECTIONS.find(([pattern]) => pattern.test(input));
    throw new ValidationError(field, rejection?.[1] ?? 'must be a string of decimal digits (minor units)');
  }
  throw new ValidationError(field, 'must be a bigint, an integer number or a string of decimal digits');
}
