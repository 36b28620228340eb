import { PGlite } from '@electric-sql/pglite';
import { PostgresStore } from '@settle/postgres';
import { runSchedulerScenarios } from '@settle/testkit';
import { afterAll, beforeAll, describe } from 'vitest';

// The Scheduler scenarios on embedded PGlite: one instance for the file, a fresh prefix per test.
describe('Scheduler on PostgresStore over PGlite', () => {
  let pglite: PGlite;
  let prefixes = 0;
  beforeAll(async () => {
    pglite = await PGlite.create();
  });
  afterAll(async () => {
    await pglite?.close();
  });

  runSchedulerScenarios(
    'PGlite',
    async () => {
      const store = new PostgresStore({ pglite, tablePrefix: `s${++prefixes}_` });
      await store.migrate();
      return { store, cleanup: () => store.close() };
    },
    // PGlite's transactions take turns.
    { concurrentTransactions: false },
  );
});
