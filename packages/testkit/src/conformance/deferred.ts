/**
 * A promise with its resolve and reject functions exposed, so a test can hold a transaction open
 * until it chooses to let it go.
 *
 * @internal
 */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** @internal */
export function createDeferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A deferred nobody awaits must not crash the run with an unhandled rejection.
  promise.catch(() => {});
  return { promise, resolve, reject };
}
