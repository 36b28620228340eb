import type { Store, StoreTransaction } from '@settle/core';
import { afterEach, beforeEach, type TestContext } from 'vitest';
import type { ResolvedConformanceOptions } from './conformance-options';
import { type HeldTransaction, holdTransaction } from './held-transaction';
import type { StoreFactory, StoreHarness } from './store-harness';
import { withWatchdog } from './watchdog';

/**
 * What a registrar gets for each test: the test's own store and the helpers that race
 * transactions against it.
 *
 * @internal
 */
export interface ConformanceBench {
  /** The current test's store. */
  readonly store: Store;
  /** Opens a transaction, runs `step`, and keeps it open; the bench rolls it back after the test if the test did not end it. */
  hold<T>(step: (tx: StoreTransaction) => Promise<T>): HeldTransaction<T>;
  /** Awaits `promise`, failing the test if it has not settled within `blockedAfterMs` (it blocked on another transaction). */
  notBlocked<T>(promise: Promise<T>, what: string): Promise<T>;
}

/**
 * Shared by every registrar of one {@link runStoreConformance} call.
 *
 * @internal
 */
export interface ConformanceContext {
  readonly options: ResolvedConformanceOptions;
  /**
   * Registers hooks on the enclosing `describe` that give every test a fresh store (migrated
   * unless `migrate` is false) and clean it up afterwards; returns the bench of the running test.
   */
  useStore(settings?: { readonly migrate?: boolean }): ConformanceBench;
}

/** @internal */
export function createConformanceContext(
  makeStore: StoreFactory,
  options: ResolvedConformanceOptions,
): ConformanceContext {
  return {
    options,
    useStore(settings = {}) {
      let harness: StoreHarness | undefined;
      let held: HeldTransaction<unknown>[] = [];
      let test: TestContext | undefined;

      beforeEach(async (context) => {
        test = context;
        harness = await makeStore();
        if (settings.migrate ?? options.migrate) await harness.store.migrate();
      });

      afterEach(async () => {
        // A test that failed half-way may leave a transaction open; end it before the store goes.
        const open = held;
        held = [];
        await withWatchdog(
          Promise.allSettled(open.map((tx) => tx.rollback())),
          options.blockedAfterMs,
          'rolling back transactions a test left open',
        );
        const current = harness;
        harness = undefined;
        await current?.cleanup?.();
      });

      const currentStore = (): Store => {
        if (harness === undefined) throw new Error('The store is only available inside a conformance test');
        return harness.store;
      };

      return {
        get store() {
          return currentStore();
        },
        hold(step) {
          if (!options.concurrentTransactions) test?.skip('the store runs one transaction at a time');
          const tx = holdTransaction(currentStore(), step);
          held.push(tx as HeldTransaction<unknown>);
          return tx;
        },
        notBlocked(promise, what) {
          return withWatchdog(promise, options.blockedAfterMs, `${what} (it must not wait for another transaction)`);
        },
      };
    },
  };
}
