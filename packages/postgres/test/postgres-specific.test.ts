import { PGlite } from '@electric-sql/pglite';
import type { HostTransaction, NewPayoutEntry, NewPayoutJob, StoreEvent } from '@settle/core';
import { ConflictError, MAX_AMOUNT, ValidationError } from '@settle/core';
import { PostgresStore } from '@settle/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countingPglite,
  countingPool,
  createTestDatabase,
  postgresAvailable,
  type StatementLog,
  type TestDatabase,
} from './helpers';

/*
 * What the conformance suite cannot see from the Store interface: migrations and prefixes as
 * tables, round trips per operation, BIGINT edges, NOTIFY timing, and LISTEN surviving a killed
 * connection. The server group runs on the real server; the PGlite group proves the same SQL
 * behaves the same in process.
 */

const REFERENCE = new Date('2030-01-01T00:00:00.000Z');
let ids = 0;
const uid = (label: string) => `${label}-${Date.now().toString(36)}-${++ids}`;

function newJob(overrides: Partial<NewPayoutJob> = {}): NewPayoutJob {
  return { id: uid('job'), challengeId: null, priority: 0, metadata: {}, createdAt: REFERENCE, ...overrides };
}

function newEntries(count: number, amount = 100n): NewPayoutEntry[] {
  // Reverse-sorted user ids: entry ids must follow the order given, not the user ids.
  return Array.from({ length: count }, (_, i) => ({ userId: `user-${String(count - i).padStart(6, '0')}`, amount }));
}

/** Resolves with the first event named `name` (or rejects after 10 s, so a missing event fails instead of hanging). */
function nextEvent(events: StoreEvent[], waiters: Map<string, (event: StoreEvent) => void>, name: string) {
  const seen = events.find((event) => event.name === name);
  if (seen !== undefined) return Promise.resolve(seen);
  return new Promise<StoreEvent>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} event within 10 s`)), 10_000);
    waiters.set(name, (event) => {
      clearTimeout(timer);
      resolve(event);
    });
  });
}

/** A subscription's received events, and a way to await one by name. */
function eventLog() {
  const events: StoreEvent[] = [];
  const waiters = new Map<string, (event: StoreEvent) => void>();
  return {
    events,
    listener: {
      event(event: StoreEvent) {
        events.push(event);
        waiters.get(event.name)?.(event);
      },
    },
    next: (name: string) => nextEvent(events, waiters, name),
  };
}

const available = await postgresAvailable(import.meta.filename);

describe.skipIf(!available)('PostgresStore on a server', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
  });
  afterAll(async () => {
    await db?.drop();
  });

  const tables = async (prefix: string) => {
    const { rows } = await db.pool.query<{ name: string }>(
      'SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND starts_with(tablename, $2) ORDER BY 1',
      [db.schema, prefix],
    );
    return rows.map((row) => row.name);
  };

  const storeWith = (tablePrefix = db.freshPrefix()) =>
    new PostgresStore({ pool: db.pool, schema: db.schema, tablePrefix });

  describe('migrations', () => {
    it('migrate() creates the tables, records version 1, and applies nothing the second time', async () => {
      const prefix = db.freshPrefix();
      const store = storeWith(prefix);
      expect(await store.migrationStatus()).toEqual({ version: 0, latest: 1 });
      expect(await store.migrate()).toEqual({ applied: [1], version: 1 });
      expect(await store.migrate()).toEqual({ applied: [], version: 1 });
      expect(await tables(prefix)).toEqual(
        [
          'accounts',
          'challenges',
          'events',
          'ledger',
          'migrations',
          'notifications',
          'participants',
          'payout_entries',
          'payout_jobs',
        ].map((name) => `${prefix}${name}`),
      );
      const { rows } = await db.pool.query(`SELECT version, name FROM "${db.schema}"."${prefix}migrations"`);
      expect(rows).toEqual([{ version: 1, name: 'init' }]);
    });

    it('migrate() from several stores at once applies each version exactly once', async () => {
      const prefix = db.freshPrefix();
      // Separate store instances stand for separate processes: each migrates on its own connection.
      const stores = Array.from({ length: 6 }, () => storeWith(prefix));
      const results = await Promise.all(stores.map((store) => store.migrate()));
      expect(results.flatMap((result) => result.applied)).toEqual([1]);
      expect(results.every((result) => result.version === 1)).toBe(true);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}"."${prefix}migrations"`);
      expect(rows).toEqual([{ n: 1 }]);
    });

    it('migrate() creates a missing schema', async () => {
      const schema = `${db.schema}_extra`;
      const store = new PostgresStore({ pool: db.pool, schema, tablePrefix: 'x_' });
      try {
        expect(await store.migrate()).toEqual({ applied: [1], version: 1 });
        expect((await store.migrationStatus()).version).toBe(1);
      } finally {
        await db.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      }
    });
  });

  describe('identifiers', () => {
    const attempts: [field: 'schema' | 'tablePrefix', value: string][] = [
      ['tablePrefix', 'x"; DROP SCHEMA public CASCADE; --'],
      ['tablePrefix', "x'; DELETE FROM settle_ledger; --"],
      ['tablePrefix', 'settle_ OR 1=1'],
      ['tablePrefix', 'Settle_'],
      ['tablePrefix', '1settle_'],
      ['tablePrefix', 'settle-'],
      ['tablePrefix', 'a'.repeat(17)],
      ['tablePrefix', 'pré_'],
      ['schema', 'public"; DROP TABLE x; --'],
      ['schema', 'public.settle'],
      ['schema', 'pg_catalog'],
      ['schema', ''],
      ['schema', 'a'.repeat(41)],
    ];

    it.each(attempts)('rejects %s %j with a ValidationError before touching the database', async (field, value) => {
      const { pool, log } = countingPool(db.pool);
      const before = await db.pool.query('SELECT count(*)::int AS n FROM pg_class');
      let error: unknown;
      try {
        new PostgresStore({ pool, schema: db.schema, [field]: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'validation', field });
      expect(log.statements).toEqual([]);
      expect(await db.pool.query('SELECT count(*)::int AS n FROM pg_class')).toMatchObject({ rows: before.rows });
    });

    it('a non-default prefix gets its own tables and sees nothing of another prefix', async () => {
      const acme = storeWith('acme_');
      const other = storeWith('other_');
      await acme.migrate();
      await other.migrate();
      const job = newJob();
      await acme.transaction((tx) => tx.createPayoutJob(job, newEntries(3)));
      const batch = await acme.transaction(async (tx) => {
        const claimed = await tx.claimPayoutBatch({ now: REFERENCE, limit: 10 });
        return tx.completePayoutEntries(job.id, claimed?.entries.map((e) => e.id) ?? [], {
          now: REFERENCE,
          creditAccounts: true,
        });
      });
      expect(batch.job.status).toBe('completed');
      expect(await acme.ledgerTotal({ jobId: job.id })).toEqual({ count: 3, total: 300n });
      expect(await other.getPayoutJob(job.id)).toBeNull();
      expect(await other.ledgerTotal({ jobId: job.id })).toEqual({ count: 0, total: 0n });
      expect(await tables('acme_')).toContain('acme_payout_entries');
      await db.dropPrefix('acme_');
      await db.dropPrefix('other_');
    });
  });

  describe('money', () => {
    it('keeps 2^63 − 1 exact through entries, ledger, balance and totals', async () => {
      const store = storeWith();
      await store.migrate();
      const job = newJob();
      const created = await store.transaction((tx) =>
        tx.createPayoutJob(job, [{ userId: 'whale', amount: MAX_AMOUNT }]),
      );
      expect(created.totalAmount).toBe(2n ** 63n - 1n);
      const [entry] = await store.listPayoutEntries(job.id, { limit: 1 });
      expect(entry?.amount).toBe(MAX_AMOUNT);
      const progress = await store.transaction((tx) =>
        tx.completePayoutEntries(job.id, [entry!.id], { now: REFERENCE, creditAccounts: true }),
      );
      expect(progress.job.paidAmount).toBe(MAX_AMOUNT);
      expect(await store.getBalance('whale')).toBe(MAX_AMOUNT);
      expect(await store.ledgerTotal({ userId: 'whale' })).toEqual({ count: 1, total: MAX_AMOUNT });
      expect((await store.listLedger({ userId: 'whale' }, { limit: 1 }))[0]?.amount).toBe(MAX_AMOUNT);
    });

    it('reads BIGINTs without touching pg’s global type parsers', async () => {
      const store = storeWith();
      await store.migrate();
      const job = newJob();
      await store.transaction((tx) => tx.createPayoutJob(job, newEntries(1, 5n)));
      // The host's own queries on the same pool still get pg's default: BIGINT as a string.
      const { rows } = await db.pool.query('SELECT 9007199254740993::bigint AS big');
      expect(rows[0].big).toBe('9007199254740993');
    });
  });

  describe('round trips', () => {
    /** Statements (without BEGIN/COMMIT) one transaction ran. */
    const statementsOf = async (log: StatementLog, run: () => Promise<unknown>) => {
      const mark = log.statements.length;
      await run();
      return log.since(mark);
    };

    it('createPayoutJob() writes 10 or 10,000 entries in one statement, ids ascending in input order', async () => {
      const { pool, log } = countingPool(db.pool);
      const store = new PostgresStore({ pool, schema: db.schema, tablePrefix: db.freshPrefix() });
      await store.migrate();

      const small = newJob();
      const large = newJob();
      const largeEntries = newEntries(10_000, 7n);
      const smallStatements = await statementsOf(log, () =>
        store.transaction((tx) => tx.createPayoutJob(small, newEntries(10))),
      );
      const largeStatements = await statementsOf(log, () =>
        store.transaction((tx) => tx.createPayoutJob(large, largeEntries)),
      );
      expect(smallStatements).toHaveLength(1);
      expect(largeStatements).toHaveLength(1);

      const job = await store.getPayoutJob(large.id);
      expect(job).toMatchObject({ totalEntries: 10_000, totalAmount: 70_000n });
      const stored = await store.listPayoutEntries(large.id, { limit: 10_000 });
      expect(stored.map((e) => e.userId)).toEqual(largeEntries.map((e) => e.userId));
      const entryIds = stored.map((e) => BigInt(e.id));
      expect(entryIds.every((id, i) => i === 0 || id > entryIds[i - 1]!)).toBe(true);
    });

    it('a batch is two statements to claim and one to complete, whatever its size', async () => {
      const { pool, log } = countingPool(db.pool);
      const store = new PostgresStore({ pool, schema: db.schema, tablePrefix: db.freshPrefix() });
      await store.migrate();
      const job = newJob();
      await store.transaction((tx) => tx.createPayoutJob(job, newEntries(500)));

      const statements = await statementsOf(log, () =>
        store.transaction(async (tx) => {
          const batch = await tx.claimPayoutBatch({ now: REFERENCE, limit: 500 });
          expect(batch?.entries).toHaveLength(500);
          await tx.completePayoutEntries(
            job.id,
            batch!.entries.map((e) => e.id),
            {
              now: REFERENCE,
              creditAccounts: true,
            },
          );
        }),
      );
      expect(statements).toHaveLength(3);
      expect(await store.getPayoutJob(job.id)).toMatchObject({ status: 'completed', completedEntries: 500 });
      expect(await store.ledgerTotal({ jobId: job.id })).toEqual({ count: 500, total: 50_000n });
    });
  });

  describe('ledger', () => {
    it('completePayoutEntries() throws ConflictError when an entry was already credited, and writes nothing', async () => {
      const prefix = db.freshPrefix();
      const store = storeWith(prefix);
      await store.migrate();
      const job = newJob();
      await store.transaction((tx) => tx.createPayoutJob(job, newEntries(2)));
      const [first, second] = await store.listPayoutEntries(job.id, { limit: 2 });
      // A credit that slipped in behind Settle's back: the ledger's unique key must refuse a second one.
      await db.pool.query(
        `INSERT INTO "${db.schema}"."${prefix}ledger" (entry_id, job_id, user_id, amount, created_at) VALUES ($1, $2, $3, $4, $5)`,
        [second!.id, job.id, second!.userId, '100', REFERENCE],
      );
      await expect(
        store.transaction((tx) =>
          tx.completePayoutEntries(job.id, [first!.id, second!.id], { now: REFERENCE, creditAccounts: true }),
        ),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.listPayoutEntries(job.id, { limit: 2, status: ['completed'] })).toEqual([]);
      expect(await store.getBalance(first!.userId)).toBe(0n);
      expect(await store.ledgerTotal({ jobId: job.id })).toEqual({ count: 1, total: 100n });
      expect((await store.getPayoutJob(job.id))?.completedEntries).toBe(0);
    });

    it('a host query runs in the transaction and rolls back with it', async () => {
      const store = storeWith();
      await store.migrate();
      await db.pool.query(`CREATE TABLE "${db.schema}".host_users (id text PRIMARY KEY, balance bigint NOT NULL)`);
      await db.pool.query(`INSERT INTO "${db.schema}".host_users VALUES ('u1', 0)`);
      const credit = (tx: HostTransaction) =>
        tx.query(`UPDATE "${db.schema}".host_users SET balance = balance + $1 WHERE id = $2`, ['25', 'u1']);
      const result = await store.transaction((tx) => credit(tx));
      expect(result.affectedRows).toBe(1);
      await expect(
        store.transaction(async (tx) => {
          await credit(tx);
          throw new Error('host hook failed');
        }),
      ).rejects.toThrow('host hook failed');
      const { rows } = await db.pool.query(`SELECT balance FROM "${db.schema}".host_users WHERE id = 'u1'`);
      expect(rows).toEqual([{ balance: '25' }]);
    });
  });

  describe('LISTEN/NOTIFY', () => {
    it('delivers an event only once its transaction commits, and never after a rollback', async () => {
      const store = storeWith();
      await store.migrate();
      const log = eventLog();
      const subscription = await store.subscribe(log.listener);
      try {
        await store
          .transaction(async (tx) => {
            await tx.publish({ name: 'rolled-back', data: {} });
            throw new Error('roll back');
          })
          .catch(() => undefined);

        let release!: () => void;
        const released = new Promise<void>((resolve) => {
          release = resolve;
        });
        let published!: () => void;
        const publishedInOpenTx = new Promise<void>((resolve) => {
          published = resolve;
        });
        const open = store.transaction(async (tx) => {
          await tx.publish({ name: 'late', data: { n: 1 } });
          published();
          await released;
        });
        await publishedInOpenTx;
        // A marker committed while `late` is still uncommitted arrives first, and alone.
        await store.transaction((tx) => tx.publish({ name: 'marker', data: {} }));
        await log.next('marker');
        expect(log.events.map((event) => event.name)).toEqual(['marker']);

        release();
        await open;
        expect(await log.next('late')).toEqual({ name: 'late', data: { n: 1 } });
        expect(log.events.map((event) => event.name)).toEqual(['marker', 'late']);
      } finally {
        await subscription.close();
      }
    });

    it('delivers an event larger than NOTIFY’s 8000-byte limit intact, in order', async () => {
      const store = storeWith();
      await store.migrate();
      const log = eventLog();
      const subscription = await store.subscribe(log.listener);
      try {
        const big = { text: 'é'.repeat(20_000), list: Array.from({ length: 500 }, (_, i) => i) };
        await store.transaction(async (tx) => {
          await tx.publish({ name: 'big', data: big });
          await tx.publish({ name: 'after-big', data: {} });
        });
        await log.next('after-big');
        expect(log.events).toEqual([
          { name: 'big', data: big },
          { name: 'after-big', data: {} },
        ]);
      } finally {
        await subscription.close();
      }
    });

    it('subscribe() reconnects after its connection is terminated and calls reconnected()', async () => {
      const prefix = db.freshPrefix();
      const store = storeWith(prefix);
      await store.migrate();
      const log = eventLog();
      let reconnected!: () => void;
      const back = new Promise<void>((resolve) => {
        reconnected = resolve;
      });
      const subscription = await store.subscribe({ ...log.listener, reconnected });
      try {
        const channel = `${db.schema}$${prefix}events`;
        const { rows } = await db.pool.query<{ pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE query = $1 AND pid <> pg_backend_pid()',
          [`LISTEN "${channel}"`],
        );
        expect(rows).toHaveLength(1);
        await db.pool.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await back;

        await store.transaction((tx) => tx.publish({ name: 'after-reconnect', data: { ok: true } }));
        expect(await log.next('after-reconnect')).toEqual({ name: 'after-reconnect', data: { ok: true } });
      } finally {
        await subscription.close();
      }
    });
  });
});

describe('PostgresStore on PGlite', () => {
  let pglite: PGlite;
  let prefixes = 0;
  beforeAll(async () => {
    pglite = await PGlite.create();
  });
  afterAll(async () => {
    await pglite?.close();
  });
  const storeWith = (options: { counted?: boolean } = {}) => {
    const tablePrefix = `p${++prefixes}_`;
    if (!options.counted) return { store: new PostgresStore({ pglite, tablePrefix }), log: undefined };
    const counted = countingPglite(pglite);
    return { store: new PostgresStore({ pglite: counted.pglite, tablePrefix }), log: counted.log };
  };

  it('migrate() is idempotent and safe when called several times at once', async () => {
    const { store } = storeWith();
    const results = await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
    expect(results.flatMap((result) => result.applied)).toEqual([1]);
    expect(await store.migrate()).toEqual({ applied: [], version: 1 });
  });

  it('keeps 2^63 − 1 exact', async () => {
    const { store } = storeWith();
    await store.migrate();
    const job = newJob();
    await store.transaction((tx) => tx.createPayoutJob(job, [{ userId: 'whale', amount: MAX_AMOUNT }]));
    const [entry] = await store.listPayoutEntries(job.id, { limit: 1 });
    await store.transaction((tx) =>
      tx.completePayoutEntries(job.id, [entry!.id], { now: REFERENCE, creditAccounts: true }),
    );
    expect(await store.getBalance('whale')).toBe(MAX_AMOUNT);
    expect((await store.getPayoutJob(job.id))?.paidAmount).toBe(MAX_AMOUNT);
  });

  it('createPayoutJob() writes 10,000 entries in one statement, ids ascending in input order', async () => {
    const { store, log } = storeWith({ counted: true });
    await store.migrate();
    const job = newJob();
    const entries = newEntries(10_000);
    const mark = log!.statements.length;
    await store.transaction((tx) => tx.createPayoutJob(job, entries));
    expect(log!.since(mark)).toHaveLength(1);
    const stored = await store.listPayoutEntries(job.id, { limit: 10_000 });
    expect(stored.map((e) => e.userId)).toEqual(entries.map((e) => e.userId));
  });

  it('delivers events on commit only, large ones included', async () => {
    const { store } = storeWith();
    await store.migrate();
    const log = eventLog();
    const subscription = await store.subscribe(log.listener);
    try {
      await store
        .transaction(async (tx) => {
          await tx.publish({ name: 'rolled-back', data: {} });
          throw new Error('roll back');
        })
        .catch(() => undefined);
      const big = { text: 'x'.repeat(9_000) };
      await store.transaction(async (tx) => {
        await tx.publish({ name: 'big', data: big });
        await tx.publish({ name: 'marker', data: {} });
      });
      await log.next('marker');
      expect(log.events).toEqual([
        { name: 'big', data: big },
        { name: 'marker', data: {} },
      ]);
    } finally {
      await subscription.close();
    }
  });
});
