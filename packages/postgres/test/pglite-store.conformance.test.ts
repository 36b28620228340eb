import { PGlite } from '@electric-sql/pglite';
import { PostgresStore } from '@settle/postgres';
import { runStoreConformance } from '@settle/testkit';
import { afterAll, beforeAll, describe } from 'vitest';

// The whole Store contract on embedded PGlite, the same SQL as on a server. Starting PGlite takes
// seconds, so one in-memory instance serves the file and every test gets a fresh table prefix.
// PGlite is one connection whose transactions take turns: tests that hold one transaction open
// while another runs are skipped here and proven on a server by postgres-store.conformance.test.ts.
describe('PostgresStore over PGlite', () => {
  let pglite: PGlite;
  let prefixes = 0;
  beforeAll(async () => {
    pglite = await PGlite.create();
  });
  afterAll(async () => {
    await pglite?.close();
  });

  runStoreConformance(
    'conformance',
    () => {
      const tablePrefix = `t${++prefixes}_`;
      const store = new PostgresStore({ pglite, tablePrefix });
      return { store, cleanup: () => store.close() };
    },
    { concurrentTransactions: false },
  );
});
