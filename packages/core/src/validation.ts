import { DateTime } from 'luxon';
import type { JsonObject } from './domain/json';
import { ValidationError } from './errors';

/*
 * Guards for every public entry point. Each returns the value typed as what it checked, or throws a
 * ValidationError naming the field, so that nothing invalid ever reaches a store (where it would surface
 * as a driver error, or worse, be stored differently on Postgres, MySQL and in memory).
 */

/** Longest id Settle stores: ids live in VARCHAR(255) columns. */
export const MAX_ID_LENGTH = 255;

/**
 * Deepest nesting of objects and arrays accepted in JSON: MySQL refuses documents deeper than 100 levels
 * (scalars count as one), and the check below recurses, so it stays well clear of both.
 */
const MAX_JSON_DEPTH = 64;

/** Options of {@link requireString}. */
export interface RequireStringOptions {
  /** Maximum length in Unicode code points, as VARCHAR(n) counts on Postgres and MySQL. */
  maxLength: number;
}

/**
 * A non-blank string of at most `maxLength` code points, returned unchanged (not trimmed). NUL is
 * refused because Postgres cannot store it in text columns.
 *
 * @throws ValidationError naming `field`.
 *
 * @example
 * ```ts
 * const title = requireString('title', input.title, { maxLength: 500 });
 * ```
 */
export function requireString(field: string, value: unknown, options: RequireStringOptions): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (value.trim() === '') throw new ValidationError(field, 'must not be empty');
  if (value.includes('\0')) throw new ValidationError(field, 'must not contain NUL characters');
  if (longerThan(value, options.maxLength)) {
    throw new ValidationError(field, `must be at most ${options.maxLength} characters`);
  }
  return value;
}

/**
 * An id chosen by the host (a challenge id, a user id): a non-blank string of at most
 * {@link MAX_ID_LENGTH} code points, without control characters and without lone UTF-16 surrogates,
 * which drivers silently replace with U+FFFD so that the id read back would differ from the one written.
 *
 * @throws ValidationError naming `field`.
 *
 * @example
 * ```ts
 * const userId = requireId(`entries[${i}].userId`, entry.userId);
 * ```
 */
export function requireId(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  if (value.trim() === '') throw new ValidationError(field, 'must not be empty');
  if (longerThan(value, MAX_ID_LENGTH)) {
    throw new ValidationError(field, `must be at most ${MAX_ID_LENGTH} characters`);
  }
  if (/\p{Cc}/u.test(value)) throw new ValidationError(field, 'must not contain control characters');
  if (/\p{Cs}/u.test(value)) throw new ValidationError(field, 'must be well-formed Unicode (no lone surrogates)');
  return value;
}

/**
 * An instant: a valid `Date`, or an ISO-8601 string with a date, a time and an explicit offset
 * (`2030-01-31T18:00:00Z`, `2030-01-31T19:00+01:00`). A string without an offset is refused because
 * it would mean a different instant on each server's time zone. Years are limited to 1000–9999, the
 * range every supported database stores. Returns a new `Date`, so later changes to the input's `Date`
 * do not affect it.
 *
 * @throws ValidationError naming `field`.
 *
 * @example
 * ```ts
 * const deadline = requireDate('deadline', '2030-01-31T18:00:00Z');
 * ```
 */
export function requireDate(field: string, value: unknown): Date {
  let date: Date;
  if (value instanceof Date) {
    date = new Date(value.getTime());
  } else if (typeof value === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(value)) {
      throw new ValidationError(field, 'must be an ISO-8601 date-time with an offset, e.g. 2030-01-31T18:00:00Z');
    }
    const parsed = DateTime.fromISO(value);
    if (!parsed.isValid) throw new ValidationError(field, `is not a valid date-time (${parsed.invalidExplanation})`);
    date = parsed.toJSDate();
  } else {
    throw new ValidationError(field, 'must be a Date or an ISO-8601 string');
  }
  if (Number.isNaN(date.getTime())) throw new ValidationError(field, 'must be a valid Date');
  const year = date.getUTCFullYear();
  if (year < 1000 || year > 9999) throw new ValidationError(field, 'must be between the years 1000 and 9999');
  return date;
}

/** Options of {@link requireInteger}. */
export interface RequireIntegerOptions {
  /** Smallest accepted value, inclusive. Default `Number.MIN_SAFE_INTEGER`. */
  min?: number;
  /** Largest accepted value, inclusive. Default `Number.MAX_SAFE_INTEGER`. */
  max?: number;
}

/**
 * A safe integer `number` within `min`…`max` (inclusive). Strings are refused: options and counts
 * come from code, not from forms.
 *
 * @throws ValidationError naming `field`.
 *
 * @example
 * ```ts
 * const priority = requireInteger('priority', options.priority ?? 0, { min: -1000, max: 1000 });
 * ```
 */
export function requireInteger(field: string, value: unknown, options: RequireIntegerOptions = {}): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new ValidationError(field, 'must be an integer');
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  if (value < min) throw new ValidationError(field, `must be at least ${min}`);
  if (value > max) throw new ValidationError(field, `must be at most ${max}`);
  return value;
}

/**
 * An integer ≥ 1 (and ≤ `max`, if given): batch sizes, limits, concurrency, attempts.
 *
 * @throws ValidationError naming `field`.
 *
 * @example
 * ```ts
 * const batchSize = requirePositiveInt('batchSize', options.batchSize ?? 500, { max: 10_000 });
 * ```
 */
export function requirePositiveInt(field: string, value: unknown, options: { max?: number } = {}): number {
  return requireInteger(field, value, { min: 1, max: options.max });
}

/** Options of {@link requireArray}. */
export interface RequireArrayOptions {
  /** Fewest elements accepted. Default 0. */
  minLength?: number;
}

/**
 * An array with at least `minLength` elements; its elements are left to the caller, who checks each
 * under its own field (`entries[3].amount`).
 *
 * @throws ValidationError naming `field`.
 *
 * @example
 * ```ts
 * const entries = requireArray('entries', input.entries, { minLength: 1 });
 * ```
 */
export function requireArray(field: string, value: unknown, options: RequireArrayOptions = {}): unknown[] {
  if (!Array.isArray(value)) throw new ValidationError(field, 'must be an array');
  const minLength = options.minLength ?? 0;
  if (value.length < minLength) {
    throw new ValidationError(
      field,
      minLength === 1 ? 'must not be empty' : `must have at least ${minLength} elements`,
    );
  }
  return value;
}

/**
 * A plain object that survives a JSON round trip unchanged, so that every store returns exactly what was
 * written: nested values may only be strings, finite numbers, booleans, null, arrays and plain objects.
 * Refused, with the path of the offending value (`metadata.tags[2]`): bigint (store amounts as strings,
 * see `formatAmount`), `undefined` (JSON drops it), functions, symbols, `Date` and other class instances,
 * NaN and Infinity (JSON turns them into null), sparse arrays, cycles, and nesting deeper than 64 levels.
 *
 * @throws ValidationError naming the path of the offending value.
 *
 * @example
 * ```ts
 * const metadata = requireJsonObject('metadata', input.metadata ?? {});
 * ```
 */
export function requireJsonObject(field: string, value: unknown): JsonObject {
  if (!isPlainObject(value)) throw new ValidationError(field, 'must be a plain object');
  checkJson(field, value, new Set(), 1);
  return value as JsonObject;
}

function checkJson(path: string, value: unknown, ancestors: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(path, 'must be a finite number');
      return;
    case 'bigint':
      throw new ValidationError(path, 'must not be a bigint (JSON has no bigint; use a string)');
    case 'object':
      break;
    default:
      throw new ValidationError(
        path,
        `must not be ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}`,
      );
  }
  if (value === null) return;
  if (!Array.isArray(value) && !isPlainObject(value)) {
    throw new ValidationError(path, 'must be a plain object, an array or a JSON primitive');
  }
  if (ancestors.has(value)) throw new ValidationError(path, 'must not contain a cycle');
  if (depth > MAX_JSON_DEPTH) throw new ValidationError(path, `must not nest deeper than ${MAX_JSON_DEPTH} levels`);
  ancestors.add(value);
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      checkJson(`${path}[${i}]`, item, ancestors, depth + 1);
    });
    // forEach skips holes, which JSON turns into null.
    if (Object.keys(value).length !== value.length) throw new ValidationError(path, 'must not be a sparse array');
  } else {
    for (const [key, item] of Object.entries(value)) checkJson(childPath(path, key), item, ancestors, depth + 1);
  }
  ancestors.delete(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function longerThan(value: string, maxLength: number): boolean {
  // value.length counts UTF-16 units, never fewer than code points, so code points are counted only when it matters.
  return value.length > maxLength && [...value].length > maxLength;
}
