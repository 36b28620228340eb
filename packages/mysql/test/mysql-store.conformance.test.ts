import { MySqlStore } from '@settle/mysql';
import { runStoreConformance } from '@settle/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTestDatabase, mysqlAvailable, type TestDatabase } from './helpers';

// The whole Store contract on a real server: one database for this file, and a fresh table prefix
// (a fresh, unmigrated installation) for every test.
const available = await mysqlAvailable(import.meta.filename);

describe.skipIf(!available)('MySqlStore over a mysql2 pool', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
  });
  afterAll(async () => {
    await db?.drop();
  });

  runStoreConformance('conformance', () => {
    const tablePrefix = db.freshPrefix();
    const store = new MySqlStore({ pool: db.pool, tablePrefix, pollInterval: 20 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.dropPrefix(tablePrefix);
      },
    };
  });
});
