import type { SettleError, SettleErrorCode } from '@settle/core';
import { expect } from 'vitest';

/**
 * Asserts that `promise` rejects with an instance of `errorClass` carrying `code`, and returns the
 * error. Never looks at the message: hosts switch on class and code, so the contract is those two.
 *
 * @internal
 */
export async function expectSettleError<E extends SettleError>(
  promise: Promise<unknown>,
  // biome-ignore lint/suspicious/noExplicitAny: any constructor signature of a SettleError subclass
  errorClass: abstract new (...args: any[]) => E,
  code: SettleErrorCode,
): Promise<E> {
  let caught: unknown;
  let rejected = false;
  try {
    await promise;
  } catch (error) {
    rejected = true;
    caught = error;
  }
  expect(rejected, `expected a ${errorClass.name} (${code}), but the call resolved`).toBe(true);
  expect(caught).toBeInstanceOf(errorClass);
  expect((caught as SettleError).code).toBe(code);
  return caught as E;
}
