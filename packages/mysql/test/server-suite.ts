import { MySqlStore } from '@settle/mysql';
import type { StoreFactory, WorkerProcessHarnessFactory } from '@settle/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { createMySqlWorkerStore } from './fixtures/mysql-worker-store';
import { createTestDatabase, MYSQL_URL, mysqlAvailable, type TestDatabase } from './helpers';

/** What a test file's suites run on: its own database, with a fresh installation (table prefix) per test. */
export interface ServerSuite {
  /** The file's database (set once the suite's `beforeAll` ran). */
  db(): TestDatabase;
  /** A fresh installation per test, dropped after it; migrated unless `migrate: false`. */
  freshStore(options?: { readonly migrate?: boolean }): StoreFactory;
  /** A fresh installation per test for the worker-process scenarios, reached by `fixtures/mysql-worker.ts`. */
  workerHarness(): WorkerProcessHarnessFactory;
}

/**
 * Registers `register`'s tests in a `describe` that owns one database for the file on the test server.
 * Without a server they are skipped (with a message), except under `CI=true`, where that fails.
 */
export async function describeOnServer(
  title: string,
  testFile: string,
  register: (suite: ServerSuite) => void,
): Promise<void> {
  const available = await mysqlAvailable(testFile);
  describe.skipIf(!available)(title, () => {
    let db: TestDatabase;
    beforeAll(async () => {
      db = await createTestDatabase(testFile);
    });
    afterAll(async () => {
      await db?.drop();
    });
    register({
      db: () => db,
      freshStore:
        ({ migrate = true } = {}) =>
        async () => {
          const tablePrefix = db.freshPrefix();
          const store = new MySqlStore({ pool: db.pool, tablePrefix, pollInterval: 20 });
          if (migrate) await store.migrate();
          return {
            store,
            cleanup: async () => {
              await store.close();
              await db.dropPrefix(tablePrefix);
            },
          };
        },
      workerHarness: () => () => {
        const prefix = db.freshPrefix();
        return {
          script: new URL('./fixtures/mysql-worker.ts', import.meta.url),
          env: { MYSQL_URL, SETTLE_DATABASE: db.database, SETTLE_PREFIX: prefix },
          createWorkerStore: createMySqlWorkerStore,
          cleanup: () => db.dropPrefix(prefix),
        };
      },
    });
  });
}
