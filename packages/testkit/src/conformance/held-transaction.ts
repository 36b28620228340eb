import type { Store, StoreTransaction } from '@settle/core';
import { createDeferred } from './deferred';

/**
 * A transaction a test keeps open on purpose, so another transaction can run against its locks
 * and uncommitted writes before it ends.
 *
 * @internal
 */
export interface HeldTransaction<T> {
  /** Resolves with the first step's result while the transaction is still open; rejects if the step throws. */
  readonly ready: Promise<T>;
  /** Runs `then` inside the still-open transaction, commits, and resolves with what `then` returned. */
  commit<R = undefined>(then?: (tx: StoreTransaction, value: T) => Promise<R>): Promise<R>;
  /** Rolls the transaction back and resolves once it ended. */
  rollback(): Promise<void>;
}

/** Thrown inside a held transaction to make the store roll it back. */
class RollbackRequested extends Error {}

// Not named `then`: a resolved value with a `then` method would be taken for a promise.
type Release<T> = { readonly run?: (tx: StoreTransaction, value: T) => Promise<unknown> } | 'rollback';

/**
 * Opens a transaction, runs `step` in it, and keeps it open until `commit` or `rollback`.
 *
 * @internal
 */
export function holdTransaction<T>(store: Store, step: (tx: StoreTransaction) => Promise<T>): HeldTransaction<T> {
  const ready = createDeferred<T>();
  const release = createDeferred<Release<T>>();
  const done = store.transaction(async (tx) => {
    const value = await step(tx);
    ready.resolve(value);
    const instruction = await release.promise;
    if (instruction === 'rollback') throw new RollbackRequested();
    return instruction.run === undefined ? undefined : instruction.run(tx, value);
  });
  done.catch((error: unknown) => ready.reject(error));
  return {
    ready: ready.promise,
    commit<R>(then?: (tx: StoreTransaction, value: T) => Promise<R>) {
      release.resolve(then === undefined ? {} : { run: then });
      return done as Promise<R>;
    },
    async rollback() {
      release.resolve('rollback');
      await done.catch((error: unknown) => {
        if (!(error instanceof RollbackRequested)) throw error;
      });
    },
  };
}
