import { PGlite } from '@electric-sql/pglite';
import { PostgresStore } from '@settle/postgres';
import { runStoreConformance } from '@settle/testkit';
import { afterAll, beforeAll, beforeEach, describe } from 'vitest';

/**
 * Tests that keep one transaction open while a second one runs. PGlite is a single connection:
 * its transactions take turns, so the second waits for the first, which waits for the test: they
 * cannot pass by design, and the same statements are proven on a server by
 * postgres-store.conformance.test.ts.
 */
const NEEDS_TWO_CONNECTIONS = new Set([
  'createChallenge() lets exactly one of two concurrent creators of the same id win',
  'transitionChallenge() returns null for the loser of a concurrent race',
  'transitionChallenge() waits for a concurrent transition and wins if that one rolls back',
  'subscribe() delivers an event only after its transaction commits',
  'enqueueNotifications() inserts each key once when two transactions enqueue it concurrently',
  'claimDueNotifications() never hands the same notification to two concurrent claimers',
  'claimPayoutBatch() with entryIds claims only those entries that are still claimable',
  'claimPayoutBatch() skips entries locked by another transaction',
  'claimPayoutBatch() returns null without waiting when another transaction holds every claimable entry',
  'claimPayoutBatch() moves on to the next job when another transaction holds the best job’s entries',
  'leasePayoutBatch() never hands the same entry to two concurrent leasers',
  'completePayoutEntries() credits once when two transactions complete the same entries concurrently',
  'cancelPayoutJob() while another transaction pays a batch keeps every committed credit',
  'transaction() keeps uncommitted writes invisible to other readers until commit',
  'transaction() retries the victim of a deadlock so both transactions commit',
]);

// The whole Store contract on embedded PGlite, the same SQL as on a server. Starting PGlite takes
// seconds, so one in-memory instance serves the file and every test gets a fresh table prefix.
describe('PostgresStore over PGlite', () => {
  let pglite: PGlite;
  let prefixes = 0;
  beforeAll(async () => {
    pglite = await PGlite.create();
  });
  afterAll(async () => {
    await pglite?.close();
  });
  beforeEach((context) => {
    if (NEEDS_TWO_CONNECTIONS.has(context.task.name)) context.skip('PGlite has a single connection');
  });

  runStoreConformance('conformance', () => {
    const tablePrefix = `t${++prefixes}_`;
    const store = new PostgresStore({ pglite, tablePrefix });
    return { store, cleanup: () => store.close() };
  });
});
