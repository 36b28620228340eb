import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors';
import {
  MAX_ID_LENGTH,
  requireArray,
  requireDate,
  requireId,
  requireInteger,
  requireJsonObject,
  requirePositiveInt,
  requireString,
} from '../src/validation';

function expectRejected(fn: () => unknown, field: string, reason: RegExp): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  const err = thrown as ValidationError;
  expect(err.code).toBe('validation');
  expect(err.field).toBe(field);
  expect(err.reason).toMatch(reason);
}

describe('requireString', () => {
  it('returns the string unchanged', () => {
    expect(requireString('title', '  Run 5k  ', { maxLength: 10 })).toBe('  Run 5k  ');
    expect(requireString('title', 'line\nbreak', { maxLength: 100 })).toBe('line\nbreak');
  });

  it('counts code points, as VARCHAR does', () => {
    const emoji = '😀'.repeat(10); // 20 UTF-16 units
    expect(requireString('title', emoji, { maxLength: 10 })).toBe(emoji);
    expectRejected(
      () => requireString('title', `${emoji}!`, { maxLength: 10 }),
      'title',
      /^must be at most 10 characters$/,
    );
    expectRejected(() => requireString('title', 'x'.repeat(11), { maxLength: 10 }), 'title', /at most 10/);
  });

  it.each<[unknown, RegExp]>([
    [undefined, /^must be a string$/],
    [42, /^must be a string$/],
    ['', /^must not be empty$/],
    [' \t\n', /^must not be empty$/],
    ['a\0b', /^must not contain NUL characters$/],
  ])('rejects %j', (value, reason) => {
    expectRejected(() => requireString('title', value, { maxLength: 100 }), 'title', reason);
  });
});

describe('requireId', () => {
  it.each(['c1', 'user:42', '550e8400-e29b-41d4-a716-446655440000', 'ünïcødé 😀', 'x'.repeat(MAX_ID_LENGTH)])(
    'accepts %s',
    (id) => {
      expect(requireId('id', id)).toBe(id);
    },
  );

  it('accepts 255 astral code points (510 UTF-16 units)', () => {
    const id = '😀'.repeat(MAX_ID_LENGTH);
    expect(requireId('id', id)).toBe(id);
  });

  it.each<[string, unknown, RegExp]>([
    ['a number', 42, /^must be a string$/],
    ['null', null, /^must be a string$/],
    ['empty', '', /^must not be empty$/],
    ['blank', '   ', /^must not be empty$/],
    ['too long', 'x'.repeat(MAX_ID_LENGTH + 1), /^must be at most 255 characters$/],
    ['a NUL', 'a\0b', /^must not contain control characters$/],
    ['a newline', 'a\nb', /^must not contain control characters$/],
    ['DEL', 'a\u007fb', /^must not contain control characters$/],
    ['a C1 control', 'a\u0085b', /^must not contain control characters$/],
    ['a lone high surrogate', 'a\uD83Db', /^must be well-formed Unicode/],
    ['a lone low surrogate', '\uDE00', /^must be well-formed Unicode/],
  ])('rejects %s', (_, value, reason) => {
    expectRejected(() => requireId('entries[0].userId', value), 'entries[0].userId', reason);
  });
});

describe('requireDate', () => {
  it('accepts a valid Date and returns a copy', () => {
    const input = new Date('2030-01-31T18:00:00Z');
    const date = requireDate('deadline', input);
    expect(date).toEqual(input);
    expect(date).not.toBe(input);
    input.setUTCFullYear(2040);
    expect(date.toISOString()).toBe('2030-01-31T18:00:00.000Z');
  });

  it.each<[string, string]>([
    ['2030-01-31T18:00:00Z', '2030-01-31T18:00:00.000Z'],
    ['2030-01-31T18:00:00.123Z', '2030-01-31T18:00:00.123Z'],
    ['2030-01-31T18:00Z', '2030-01-31T18:00:00.000Z'],
    ['2030-01-31T19:00:00+01:00', '2030-01-31T18:00:00.000Z'],
    ['2030-01-31T13:30:00-0430', '2030-01-31T18:00:00.000Z'],
    ['2030-01-31T18:00:00+00', '2030-01-31T18:00:00.000Z'],
    ['2030-01-31t18:00:00z', '2030-01-31T18:00:00.000Z'],
  ])('parses %s as the same instant on any server', (input, iso) => {
    expect(requireDate('deadline', input).toISOString()).toBe(iso);
  });

  it.each<[string, unknown, RegExp]>([
    ['an invalid Date', new Date('nope'), /^must be a valid Date$/],
    ['a number', Date.UTC(2030, 0, 1), /^must be a Date or an ISO-8601 string$/],
    ['null', null, /^must be a Date or an ISO-8601 string$/],
    ['a string without offset', '2030-01-31T18:00:00', /with an offset/],
    ['a date only', '2030-01-31', /with an offset/],
    ['free text', 'next Friday', /with an offset/],
    ['an RFC 2822 string', 'Thu, 31 Jan 2030 18:00:00 GMT', /with an offset/],
    ['an impossible day', '2030-02-30T18:00:00Z', /^is not a valid date-time/],
    ['an impossible hour', '2030-01-31T25:00:00Z', /^is not a valid date-time/],
    ['a year before 1000', new Date(Date.UTC(999, 11, 31)), /^must be between the years 1000 and 9999$/],
    ['a year after 9999', new Date(Date.UTC(10_000, 0, 1)), /^must be between the years 1000 and 9999$/],
  ])('rejects %s', (_, value, reason) => {
    expectRejected(() => requireDate('deadline', value), 'deadline', reason);
  });
});

describe('requireInteger and requirePositiveInt', () => {
  it('accepts integers within bounds, inclusive', () => {
    expect(requireInteger('priority', 0)).toBe(0);
    expect(requireInteger('priority', -1000, { min: -1000, max: 1000 })).toBe(-1000);
    expect(requireInteger('priority', 1000, { min: -1000, max: 1000 })).toBe(1000);
    expect(requirePositiveInt('batchSize', 1)).toBe(1);
    expect(requirePositiveInt('batchSize', 10_000, { max: 10_000 })).toBe(10_000);
  });

  it.each<[unknown, RegExp]>([
    [1.5, /^must be an integer$/],
    [Number.NaN, /^must be an integer$/],
    [Number.POSITIVE_INFINITY, /^must be an integer$/],
    [2 ** 53, /^must be an integer$/],
    ['5', /^must be an integer$/],
    [5n, /^must be an integer$/],
    [-1001, /^must be at least -1000$/],
    [1001, /^must be at most 1000$/],
  ])('requireInteger rejects %s', (value, reason) => {
    expectRejected(() => requireInteger('priority', value, { min: -1000, max: 1000 }), 'priority', reason);
  });

  it.each<[unknown, RegExp]>([
    [0, /^must be at least 1$/],
    [-3, /^must be at least 1$/],
    [10_001, /^must be at most 10000$/],
    [undefined, /^must be an integer$/],
  ])('requirePositiveInt rejects %s', (value, reason) => {
    expectRejected(() => requirePositiveInt('batchSize', value, { max: 10_000 }), 'batchSize', reason);
  });
});

describe('requireArray', () => {
  it('returns the array itself', () => {
    const entries = [1, 2];
    expect(requireArray('entries', entries, { minLength: 1 })).toBe(entries);
    expect(requireArray('entries', [])).toEqual([]);
  });

  it('rejects non-arrays and short arrays', () => {
    expectRejected(() => requireArray('entries', { length: 1 }), 'entries', /^must be an array$/);
    expectRejected(() => requireArray('entries', [], { minLength: 1 }), 'entries', /^must not be empty$/);
    expectRejected(() => requireArray('entries', [1], { minLength: 2 }), 'entries', /^must have at least 2 elements$/);
  });
});

describe('requireJsonObject', () => {
  it('returns a JSON-safe object as given', () => {
    const shared = { x: 1 };
    const metadata = {
      title: 'Run',
      n: -1.5,
      ok: true,
      none: null,
      tags: ['a', 1, null, [false]],
      nested: { deep: { deeper: {} } },
      'weird key': shared,
      again: shared, // shared but not cyclic: JSON copies it twice
    };
    expect(requireJsonObject('metadata', metadata)).toBe(metadata);
    expect(requireJsonObject('metadata', Object.create(null))).toEqual({});
  });

  it('accepts any object of JSON values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        expect(requireJsonObject('metadata', value)).toBe(value);
      }),
    );
  });

  it.each<[string, unknown]>([
    ['null', null],
    ['an array', [1]],
    ['a string', '{}'],
    ['a Date', new Date()],
    ['a Map', new Map()],
    ['a class instance', new (class Meta {})()],
  ])('rejects %s at the top level', (_, value) => {
    expectRejected(() => requireJsonObject('metadata', value), 'metadata', /^must be a plain object$/);
  });

  it.each<[string, unknown, string, RegExp]>([
    ['a bigint', { amount: 5n }, 'metadata.amount', /bigint/],
    ['undefined', { a: undefined }, 'metadata.a', /^must not be undefined$/],
    ['a function', { f: () => 1 }, 'metadata.f', /^must not be a function$/],
    ['a symbol', { s: Symbol('s') }, 'metadata.s', /^must not be a symbol$/],
    ['NaN', { n: Number.NaN }, 'metadata.n', /^must be a finite number$/],
    ['Infinity', { list: [1, Number.POSITIVE_INFINITY] }, 'metadata.list[1]', /^must be a finite number$/],
    ['a Date', { at: new Date() }, 'metadata.at', /^must be a plain object, an array or a JSON primitive$/],
    ['a nested Map', { a: { b: [new Map()] } }, 'metadata.a.b[0]', /plain object/],
    ['a bigint under an odd key', { 'a b': { 'x.y': 1n } }, 'metadata["a b"]["x.y"]', /bigint/],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    ['a sparse array', { list: [1, , 3] }, 'metadata.list', /^must not be a sparse array$/],
  ])('rejects %s, naming its path', (_, value, field, reason) => {
    expectRejected(() => requireJsonObject('metadata', value), field, reason);
  });

  it('rejects cycles', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = { back: a };
    expectRejected(() => requireJsonObject('metadata', a), 'metadata.self.back', /^must not contain a cycle$/);
    const list: unknown[] = [];
    list.push(list);
    expectRejected(() => requireJsonObject('metadata', { list }), 'metadata.list[0]', /cycle/);
  });

  it('rejects nesting deeper than 64 levels', () => {
    const nest = (levels: number): Record<string, unknown> => {
      let value: Record<string, unknown> = {};
      for (let i = 1; i < levels; i++) value = { a: value };
      return value;
    };
    expect(() => requireJsonObject('metadata', nest(64))).not.toThrow();
    expectRejected(() => requireJsonObject('metadata', nest(65)), `metadata${'.a'.repeat(64)}`, /deeper than 64/);
    // Far deeper than the stack could recurse through: still a ValidationError, not a RangeError.
    expectRejected(() => requireJsonObject('metadata', nest(100_000)), `metadata${'.a'.repeat(64)}`, /deeper than 64/);
  });
});
