import { PostgresStore } from '@settle/postgres';
import { runSchedulerScenarios } from '@settle/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { createTestDatabase, postgresAvailable, type TestDatabase } from './helpers';

// The Scheduler scenarios on a real server, each in a fresh installation (table prefix).
const available = await postgresAvailable(import.meta.filename);

describe.skipIf(!available)('Scheduler on PostgresStore over a pg Pool', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
  });
  afterAll(async () => {
    await db?.drop();
  });

  runSchedulerScenarios('PostgreSQL', async () => {
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
