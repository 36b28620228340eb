import { PostgresStore } from '@settle/postgres';
import { runPayoutQueueScenarios } from '@settle/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTestDatabase, postgresAvailable, type TestDatabase } from './helpers';

// The PayoutQueue scenarios on a real server, each in a fresh installation (table prefix).
const available = await postgresAvailable(import.meta.filename);

describe.skipIf(!available)('PayoutQueue on PostgresStore over a pg Pool', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
  });
  afterAll(async () => {
    await db?.drop();
  });

  runPayoutQueueScenarios('PostgreSQL', async () => {
    const tablePrefix = db.freshPrefix();
    const store = new PostgresStore({ pool: db.pool, schema: db.schema, tablePrefix });
    await store.migrate();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await db.dropPrefix(tablePrefix);
      },
    };
  });
});
