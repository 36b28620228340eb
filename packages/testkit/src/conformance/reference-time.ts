/**
 * The fixed instant every conformance test calls "now". Tests pass times explicitly and never read
 * the wall clock, so a run in 2031 behaves exactly like one today.
 *
 * @internal
 */
export const REFERENCE_TIME = new Date('2030-01-01T00:00:00.000Z');

/** @internal */
export const SECOND = 1_000;
/** @internal */
export const MINUTE = 60 * SECOND;
/** @internal */
export const HOUR = 60 * MINUTE;

/**
 * {@link REFERENCE_TIME} shifted by `offsetMs` (negative for the past). Whole seconds are used in
 * tests so stores with second-precision timestamps still compare equal.
 *
 * @internal
 */
export function at(offsetMs: number): Date {
  return new Date(REFERENCE_TIME.getTime() + offsetMs);
}
