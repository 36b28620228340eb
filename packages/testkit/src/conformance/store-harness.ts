import type { Store } from '@settle/core';

/**
 * A store under test and how to dispose of it. {@link runStoreConformance} asks for a new harness
 * before every test and calls `cleanup` after it, even when the test failed.
 *
 * The store must hold no rows written by other tests: several tests read store-wide state
 * (`nextDeadline()`, `payoutStats()`, a claim without `jobId`). A MemoryStore per test is enough;
 * a SQL adapter can hand out a fresh schema per test, or reuse one schema and empty its tables in
 * `makeStore`. Every id the suite writes is random, so leftovers of an aborted run never collide.
 */
export interface StoreHarness {
  readonly store: Store;
  /** Releases what `makeStore` created (drop the schema, end a pool). Runs after the test, which may have closed the store already. */
  cleanup?(): Promise<void> | void;
}

/** Creates one {@link StoreHarness}; called before every conformance test. */
export type StoreFactory = () => Promise<StoreHarness> | StoreHarness;
