import { PostgresStore } from '@settle/postgres';
import type { StoreFactory, WorkerProcessHarnessFactory } from '@settle/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgresWorkerStore } from './fixtures/postgres-worker-store';
import { createTestDatabase, DATABASE_URL, postgresAvailable, type TestDatabase } from './helpers';

/** What a test file's suites run on: its own schema, with a fresh installation (table prefix) per test. */
export interface ServerSuite {
  /** The file's schema (set once the suite's `beforeAll` ran). */
  db(): TestDatabase;
  /** A fresh installation per test, dropped after it; migrated unless `migrate: false`. */
  freshStore(options?: { readonly migrate?: boolean }): StoreFactory;
  /** A fresh installation per test for the worker-process scenarios, reached by `fixtures/postgres-worker.ts`. */
  workerHarness(): WorkerProcessHarnessFactory;
}

/**
 * Registers `register`'s tests in a `describe` that owns one schema for the file on the test server.
 * Without a server they are skipped (with a message), except under `CI=true`, where that fails.
 */
export async function describeOnServer(
  title: string,
  testFile: string,
  register: (suite: ServerSuite) => void,
): Promise<void> {
  const available = await postgresAvailable(testFile);
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
          const store = new PostgresStore({ pool: db.pool, schema: db.schema, tablePrefix });
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
          script: new URL('./fixtures/postgres-worker.ts', import.meta.url),
          env: { DATABASE_URL, SETTLE_SCHEMA: db.schema, SETTLE_PREFIX: prefix },
          createWorkerStore: createPostgresWorkerStore,
          cleanup: () => db.dropPrefix(prefix),
        };
      },
    });
  });
}
