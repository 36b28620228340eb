import type { HostTransaction, Store } from '@settle/core';

/**
 * The host's own tables beside a Settle installation, written by the worker processes' hooks inside
 * Settle's transactions. They have no unique keys that would hide a repeat: a winner paid twice
 * shows as a wrong balance, a challenge closed twice as a second closure row.
 */
export interface HostTables {
  /** Creates the tables if they do not exist. */
  create(): Promise<void>;
  /** Adds each entry's amount to its user's balance, in `tx` (what a `PayoutQueue` hook does). */
  credit(tx: HostTransaction, entries: readonly { readonly userId: string; readonly amount: bigint }[]): Promise<void>;
  /** Writes one closure row for `challengeId`, in `tx` (what a `Scheduler`'s `onDeadline` does). */
  recordClosure(tx: HostTransaction, challengeId: string): Promise<void>;
  /** Every balance, by user id. */
  balances(): Promise<ReadonlyMap<string, bigint>>;
  /** The challenge id of every closure row, repeats included. */
  closures(): Promise<string[]>;
}

/** A store on the installation the environment names, and the host's tables beside it. */
export interface WorkerStore {
  /** Not migrated yet: the test migrates it before starting any worker. */
  readonly store: Store;
  readonly host: HostTables;
  /** Closes the store and whatever the factory opened for it (its pool). */
  close(): Promise<void>;
}

/**
 * Builds a {@link WorkerStore} from environment variables (a server URL, a schema or database, a
 * table prefix: the adapter's choice). The worker processes call it with their `process.env`, the
 * test with the harness's `env`, so both reach the same installation.
 */
export type WorkerStoreFactory = (
  env: Readonly<Record<string, string | undefined>>,
) => WorkerStore | Promise<WorkerStore>;
