import { PostgresStore } from '@settle/postgres';
import { runStoreConformance } from '@settle/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTestDatabase, postgresAvailable, type TestDatabase } from './helpers';

// The whole Store contract on a real server: one schema for this file, and a fresh table prefix
// (a fresh, unmigrated installation) for every test.
const available = await postgresAvailable(import.meta.filename);

describe.skipIf(!available)('PostgresStore over a pg Pool', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
  });
  afterAll(async () => {
    await db?.drop();
  });

  runStoreConformance('conformance', () => {
    const tablePrefix = db.freshPrefix();
    const store = new PostgresStore({ pool: db.pool, schema: db.schema, tablePrefix });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.dropPrefix(tablePrefix);
      },
    };
  });
});
