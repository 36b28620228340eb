import { ValidationError } from '../errors';
import { type DurationInput, durationMs } from './duration';

/** How long to wait before the next attempt after a failure. */
export interface BackoffOptions {
  /** Delay after the first failure. Default: `PT1S`. */
  readonly base?: DurationInput;
  /** Upper bound of any delay. Default: `PT5M`. */
  readonly max?: DurationInput;
  /**
   * Fraction of each delay that is randomised (0 = none, 1 = "full jitter"), so workers that failed
   * together do not retry together. Default: `0.5`.
   */
  readonly jitter?: number;
}

/** A parsed backoff: delay in ms for a given failed-attempt count. */
export type Backoff = (failedAttempts: number) => number;

/**
 * Exponential backoff with jitter: `min(max, base × 2^(n−1))`, of which a `jitter` fraction is
 * replaced by a random share. `random` is injectable so tests are deterministic.
 */
export function createBackoff(
  field: string,
  options: BackoffOptions = {},
  random: () => number = Math.random,
): Backoff {
  const base = durationMs(`${field}.base`, options.base ?? 'PT1S');
  const max = durationMs(`${field}.max`, options.max ?? 'PT5M');
  const jitter = options.jitter ?? 0.5;
  if (max < base) throw new ValidationError(`${field}.max`, 'must not be shorter than base');
  if (!(jitter >= 0 && jitter <= 1)) throw new ValidationError(`${field}.jitter`, 'must be between 0 and 1');
  return (failedAttempts) => {
    const exponential = Math.min(max, base * 2 ** Math.max(0, failedAttempts - 1));
    return Math.round(exponential * (1 - jitter) + exponential * jitter * random());
  };
}
