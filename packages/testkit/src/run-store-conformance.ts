import { describe } from 'vitest';
import { registerChallengeTests } from './conformance/challenges';
import { createConformanceContext } from './conformance/conformance-context';
import { type ConformanceOptions, resolveConformanceOptions } from './conformance/conformance-options';
import { registerEventTests } from './conformance/events';
import { registerInboxTests } from './conformance/inbox';
import { registerMigrationTests } from './conformance/migrations';
import { registerNotificationTests } from './conformance/notifications';
import { registerPayoutClaimTests } from './conformance/payouts-claim';
import { registerPayoutCompleteTests } from './conformance/payouts-complete';
import { registerPayoutCreateTests } from './conformance/payouts-create';
import { registerPayoutLifecycleTests } from './conformance/payouts-lifecycle';
import type { StoreFactory } from './conformance/store-harness';
import { registerTransactionTests } from './conformance/transactions';

/**
 * Registers the Settle Store conformance suite as vitest `describe`/`it` blocks under `name`: every
 * operation of the `Store` contract, its error cases (class and `code`) and its concurrency promises,
 * raced with real concurrent transactions. Call it at the top level of a test file.
 *
 * `makeStore` runs before every test and must return a store holding no other test's rows (see
 * `StoreHarness`); its `cleanup` runs after the test. The suite migrates the store itself
 * unless `options.migrate` is false.
 *
 * @example
 * ```ts
 * // my-store.conformance.test.ts
 * import { runStoreConformance } from '@settle/testkit';
 * import { MyStore } from '../src/my-store';
 *
 * runStoreConformance('MyStore', async () => {
 *   const store = new MyStore({ url: process.env.MY_DB_URL, tablePrefix: 'conformance_' });
 *   await store.truncateAll(); // each test starts empty
 *   return { store, cleanup: () => store.close() };
 * }, { subscribe: false });
 * ```
 */
export function runStoreConformance(name: string, makeStore: StoreFactory, options: ConformanceOptions = {}): void {
  const ctx = createConformanceContext(makeStore, resolveConformanceOptions(options));
  describe(name, () => {
    registerMigrationTests(ctx);
    registerTransactionTests(ctx);
    registerChallengeTests(ctx);
    registerPayoutCreateTests(ctx);
    registerPayoutClaimTests(ctx);
    registerPayoutCompleteTests(ctx);
    registerPayoutLifecycleTests(ctx);
    registerNotificationTests(ctx);
    registerInboxTests(ctx);
    registerEventTests(ctx);
  });
}
