import { PGlite } from '@electric-sql/pglite';
import { PostgresStore } from '@settle/postgres';
import { runNotifierScenarios } from '@settle/testkit';
import { afterAll, beforeAll, describe } from 'vitest';

// The Notifier scenarios on embedded PGlite: one instance for the file, a fresh prefix per test.
describe('Notifier on PostgresStore over PGlite', () => {
  let pglite: PGlite;
  let prefixes = 0;
  beforeAll(async () => {
    pglite = await PGlite.create();
  });
  afterAll(async () => {
    await pglite?.close();
  });

  runNotifierScenarios('PGlite', async () => {
    const store = new PostgresStore({ pglite, tablePrefix: `n${++prefixes}_` });
    await store.migrate();
    return { store, cleanup: () => store.close() };
  });
});
