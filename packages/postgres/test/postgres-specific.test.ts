import { PGlite } from '@electric-sql/pglite';
import type {
  HostTransaction,
  LeasePayoutBatchOptions,
  NewPayoutEntry,
  NewPayoutJob,
  PayoutBatch,
  PayoutEntry,
  PayoutEntryFailure,
  PayoutJobProgress,
  Store,
  StoreEvent,
  StoreTransaction,
} from '@settle/core';
import { ConflictError, InvalidTransitionError, MAX_AMOUNT, NotFoundError, ValidationError } from '@settle/core';
import { PostgresStore } from '@settle/postgres';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  countingPglite,
  countingPool,
  createTestDatabase,
  DATABASE_URL,
  postgresAvailable,
  type StatementLog,
  type TestDatabase,
} from './helpers';

/*
 * What the conformance suite cannot see from the Store interface: migrations and prefixes as
 * tables, round trips per operation, BIGINT edges, NOTIFY timing, LISTEN surviving a killed
 * connection, lease instants stored with microseconds, and a cancel racing a failure or a retry
 * on two connections. The server group runs on the real server; the PGlite group proves the same
 * SQL behaves the same in process.
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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const at = (ms: number) => new Date(REFERENCE.getTime() + ms);

/** A migrated store on tables of its own, the statements it ran, and the quoted name of one of its tables. */
interface PayoutBench {
  readonly store: PostgresStore;
  readonly log: StatementLog;
  table(name: string): string;
}

/** Creates a job of `count` entries of 100 and returns it with its entry ids, ascending. */
async function seedJob(store: Store, count: number, overrides: Partial<NewPayoutJob> = {}) {
  const job = newJob(overrides);
  await store.transaction((tx) => tx.createPayoutJob(job, newEntries(count)));
  const entries = await store.listPayoutEntries(job.id, { limit: count });
  return { job, ids: entries.map((e) => e.id) };
}

function lease(store: Store, options: LeasePayoutBatchOptions): Promise<PayoutBatch | null> {
  return store.transaction((tx) => tx.leasePayoutBatch(options));
}

function fail(store: Store, jobId: string, failures: PayoutEntryFailure[], now: Date): Promise<PayoutJobProgress> {
  return store.transaction((tx) => tx.failPayoutEntries(jobId, failures, now));
}

function cancel(store: Store, jobId: string, now = REFERENCE): Promise<PayoutJobProgress | null> {
  return store.transaction((tx) => tx.cancelPayoutJob(jobId, now));
}

async function entryOf(store: Store, jobId: string, id: string | undefined): Promise<PayoutEntry | undefined> {
  return (await store.listPayoutEntries(jobId, { limit: 1_000 })).find((e) => e.id === id);
}

/*
 * The Store rules that settle leases and cancelled jobs, on one store: stale lease holders, the
 * ids a progress reports, expired leases of paused and cancelled jobs, and retries of a cancelled
 * job. Registered for the server and for PGlite: one SQL, both must agree.
 */
function registerPayoutRules(open: () => Promise<PayoutBench>): void {
  it('failPayoutEntries() under a lease that was taken over changes nothing; the new holder’s lease applies', async () => {
    const { store } = await open();
    const {
      job,
      ids: [id],
    } = await seedJob(store, 1);
    const first = await lease(store, { now: REFERENCE, limit: 10, leaseUntil: at(MINUTE) });
    const second = await lease(store, { now: at(2 * MINUTE), limit: 10, leaseUntil: at(3 * MINUTE) });
    expect(second?.entries.map((e) => e.id)).toEqual([id]);
    const stale = first!.entries[0]!.lockedUntil;
    const current = second!.entries[0]!.lockedUntil;

    for (const retryAt of [null, at(10 * MINUTE)]) {
      const late = await fail(
        store,
        job.id,
        [{ entryId: id!, error: 'stale', retryAt, leaseUntil: stale }],
        at(2 * MINUTE),
      );
      expect(late).toMatchObject({ changed: 0, entryIds: [], finished: false });
    }
    expect(await entryOf(store, job.id, id)).toMatchObject({
      status: 'processing',
      lockedUntil: at(3 * MINUTE),
      attempts: 0,
      error: null,
    });

    const refused = { entryId: id!, error: 'refused', retryAt: at(5 * MINUTE), leaseUntil: current };
    expect(await fail(store, job.id, [refused], at(2 * MINUTE))).toMatchObject({ changed: 1, entryIds: [id] });
    expect(await entryOf(store, job.id, id)).toMatchObject({
      status: 'pending',
      attempts: 1,
      availableAt: at(5 * MINUTE),
      lockedUntil: null,
      error: 'refused',
    });
    // The lease ended with that failure: the same lease again is stale as well.
    expect(await fail(store, job.id, [refused], at(2 * MINUTE))).toMatchObject({ changed: 0, entryIds: [] });
    expect(await store.getPayoutJob(job.id)).toMatchObject({ status: 'running', failedEntries: 0 });
  });

  it('failPayoutEntries() matches a lease a host stored with microseconds at the millisecond it reads back', async () => {
    const { store, table } = await open();
    const {
      job,
      ids: [id],
    } = await seedJob(store, 1);
    await lease(store, { now: REFERENCE, limit: 1, leaseUntil: at(MINUTE) });
    await store.transaction((tx) =>
      tx.query(
        `UPDATE ${table('payout_entries')} SET locked_until = locked_until + interval '456 microseconds' WHERE id = $1`,
        [id],
      ),
    );
    const held = await entryOf(store, job.id, id);
    expect(held?.lockedUntil).toEqual(at(MINUTE));

    const nextMillisecond = { entryId: id!, error: 'refused', retryAt: null, leaseUntil: at(MINUTE + 1) };
    expect(await fail(store, job.id, [nextMillisecond], at(2 * MINUTE))).toMatchObject({ changed: 0 });
    const progress = await fail(
      store,
      job.id,
      [{ entryId: id!, error: 'refused', retryAt: null, leaseUntil: held!.lockedUntil }],
      at(2 * MINUTE),
    );
    expect(progress).toMatchObject({
      changed: 1,
      entryIds: [id],
      finished: true,
      job: { status: 'failed', error: 'refused', failedEntries: 1 },
    });
  });

  it('every progress names the entries it changed, numerically ascending; completion and failure stay one statement', async () => {
    const { store, log } = await open();
    const { job, ids } = await seedJob(store, 12);
    const statementsOf = async <T>(run: () => Promise<T>) => {
      const mark = log.statements.length;
      const result = await run();
      return { result, statements: log.since(mark).length };
    };
    const credit = { now: REFERENCE, creditAccounts: true };

    const completed = await statementsOf(() =>
      store.transaction((tx) => tx.completePayoutEntries(job.id, [ids[11]!, ids[9]!, ids[8]!, ids[9]!], credit)),
    );
    // Ids 9, 10 and 12 of a fresh table: text order would put "10" first.
    expect(completed.result).toMatchObject({ changed: 3, entryIds: [ids[8], ids[9], ids[11]], started: true });
    expect(completed.statements).toBe(1);
    expect(await store.transaction((tx) => tx.completePayoutEntries(job.id, [ids[8]!, ids[0]!], credit))).toMatchObject(
      { changed: 1, entryIds: [ids[0]] },
    );

    const failed = await statementsOf(() =>
      fail(
        store,
        job.id,
        [
          { entryId: ids[3]!, error: 'closed', retryAt: null },
          { entryId: ids[1]!, error: 'busy', retryAt: at(MINUTE) },
          { entryId: ids[8]!, error: 'paid already', retryAt: null },
          { entryId: ids[2]!, error: 'closed', retryAt: null },
        ],
        REFERENCE,
      ),
    );
    expect(failed.result).toMatchObject({ changed: 3, entryIds: [ids[1], ids[2], ids[3]] });
    expect(failed.statements).toBe(1);

    expect(await store.transaction((tx) => tx.completePayoutEntries(job.id, [], credit))).toMatchObject({
      changed: 0,
      entryIds: [],
    });
    expect(await fail(store, job.id, [{ entryId: ids[0]!, error: 'x', retryAt: null }], REFERENCE)).toMatchObject({
      changed: 0,
      entryIds: [],
    });
    expect(await store.transaction((tx) => tx.retryFailedPayoutEntries(job.id, REFERENCE))).toMatchObject({
      changed: 2,
      entryIds: [ids[2], ids[3]],
    });
    expect(await store.transaction((tx) => tx.retryFailedPayoutEntries(job.id, REFERENCE))).toMatchObject({
      changed: 0,
      entryIds: [],
    });
    expect(await cancel(store, job.id)).toMatchObject({
      changed: 8,
      entryIds: [ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], ids[10]],
      finished: true,
      job: { status: 'cancelled', completedEntries: 4, failedEntries: 0, cancelledEntries: 8 },
    });

    const leased = await seedJob(store, 1);
    await lease(store, { now: REFERENCE, limit: 1, jobId: leased.job.id, leaseUntil: at(MINUTE) });
    expect(await cancel(store, leased.job.id)).toMatchObject({
      changed: 0,
      entryIds: [],
      job: { status: 'cancelled' },
    });
    expect(await cancel(store, leased.job.id)).toBeNull();
  });

  it('leasePayoutBatch() takes expired leases of paused and cancelled jobs by priority, then age, never their pending entries', async () => {
    const { store } = await open();
    const running = await seedJob(store, 1, { priority: 0 });
    const paused = await seedJob(store, 2, { priority: 5, createdAt: at(1) });
    const cancelled = await seedJob(store, 2, { priority: 5, createdAt: at(2) });
    for (const { job } of [paused, cancelled]) {
      await lease(store, { now: at(2), limit: 1, jobId: job.id, leaseUntil: at(MINUTE) });
    }
    await store.transaction((tx) =>
      tx.transitionPayoutJob(paused.job.id, { from: ['queued'], to: 'paused', now: at(2) }),
    );
    expect(await cancel(store, cancelled.job.id, at(2))).toMatchObject({ entryIds: [cancelled.ids[1]] });

    const leases: { job: string; status: string; entries: string[] }[] = [];
    for (let round = 0; round < 5; round++) {
      const batch = await lease(store, { now: at(2 * MINUTE), limit: 10, leaseUntil: at(3 * MINUTE) });
      if (batch === null) break;
      leases.push({ job: batch.job.id, status: batch.job.status, entries: batch.entries.map((e) => e.id) });
    }
    expect(leases).toEqual([
      { job: paused.job.id, status: 'paused', entries: [paused.ids[0]] },
      { job: cancelled.job.id, status: 'cancelled', entries: [cancelled.ids[0]] },
      { job: running.job.id, status: 'queued', entries: [running.ids[0]] },
    ]);
    expect(await entryOf(store, paused.job.id, paused.ids[1])).toMatchObject({ status: 'pending', lockedUntil: null });
    // A claim takes pending entries only, and none of a paused job.
    expect(await store.transaction((tx) => tx.claimPayoutBatch({ now: at(4 * MINUTE), limit: 10 }))).toBeNull();
  });

  it('prunePayoutJobs() keeps a finished job while one of its entries is leased, and prunes it once that entry is paid', async () => {
    const { store } = await open();
    const { job, ids } = await seedJob(store, 2);
    await lease(store, { now: REFERENCE, limit: 1, jobId: job.id, leaseUntil: at(MINUTE) });
    await cancel(store, job.id);
    const settled = await seedJob(store, 1);
    await cancel(store, settled.job.id);

    const prune = () => store.transaction((tx) => tx.prunePayoutJobs(at(60 * MINUTE), 10));
    expect(await prune()).toBe(1);
    expect(await store.getPayoutJob(settled.job.id)).toBeNull();
    expect(await store.getPayoutJob(job.id)).toMatchObject({ status: 'cancelled' });

    const paid = await store.transaction((tx) =>
      tx.completePayoutEntries(job.id, [ids[0]!], { now: at(2 * MINUTE), creditAccounts: true }),
    );
    expect(paid).toMatchObject({
      changed: 1,
      entryIds: [ids[0]],
      finished: false,
      job: { status: 'cancelled', completedEntries: 1, cancelledEntries: 1, paidAmount: 100n },
    });
    expect(await prune()).toBe(1);
    expect(await store.getPayoutJob(job.id)).toBeNull();
    expect(await store.ledgerTotal({ jobId: job.id })).toEqual({ count: 1, total: 100n });
  });

  it('retryFailedPayoutEntries() refuses a cancelled job with InvalidTransitionError and writes nothing', async () => {
    const { store } = await open();
    const { job, ids } = await seedJob(store, 3);
    await fail(store, job.id, [{ entryId: ids[0]!, error: 'closed', retryAt: null }], REFERENCE);
    await cancel(store, job.id);
    const before = [await store.getPayoutJob(job.id), await store.listPayoutEntries(job.id, { limit: 10 })];

    const error = await store.transaction((tx) => tx.retryFailedPayoutEntries(job.id, at(MINUTE))).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error).toMatchObject({ code: 'invalid_transition', from: 'cancelled', to: 'running' });
    expect([await store.getPayoutJob(job.id), await store.listPayoutEntries(job.id, { limit: 10 })]).toEqual(before);
    await expect(
      store.transaction((tx) => tx.retryFailedPayoutEntries('no-such-job', at(MINUTE))),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('failPayoutEntries() in a cancelled job cancels the entry it would retry and dead-letters the other', async () => {
    const { store } = await open();
    const { job, ids } = await seedJob(store, 3);
    await lease(store, { now: REFERENCE, limit: 2, jobId: job.id, leaseUntil: at(MINUTE) });
    expect(await cancel(store, job.id)).toMatchObject({ entryIds: [ids[2]] });

    const progress = await fail(
      store,
      job.id,
      [
        { entryId: ids[1]!, error: 'closed', retryAt: null, leaseUntil: at(MINUTE) },
        { entryId: ids[0]!, error: 'busy', retryAt: at(5 * MINUTE), leaseUntil: at(MINUTE) },
      ],
      at(2 * MINUTE),
    );
    expect(progress).toMatchObject({
      changed: 2,
      entryIds: [ids[0], ids[1]],
      finished: false,
      job: { status: 'cancelled', completedEntries: 0, failedEntries: 1, cancelledEntries: 2 },
    });
    expect(await store.listPayoutEntries(job.id, { limit: 10 })).toMatchObject([
      { id: ids[0], status: 'cancelled', attempts: 1, error: 'busy', lockedUntil: null },
      { id: ids[1], status: 'failed', attempts: 1, error: 'closed', lockedUntil: null },
      { id: ids[2], status: 'cancelled', attempts: 0 },
    ]);
  });
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
    it('migrate() creates the tables, records every version, and applies nothing the second time', async () => {
      const prefix = db.freshPrefix();
      const store = storeWith(prefix);
      expect(await store.migrationStatus()).toEqual({ version: 0, latest: 6 });
      expect(await store.migrate()).toEqual({ applied: [1, 2, 3, 4, 5, 6], version: 6 });
      expect(await store.migrate()).toEqual({ applied: [], version: 6 });
      expect(await tables(prefix)).toEqual(
        [
          'accounts',
          'challenges',
          'events',
          'inbox',
          'ledger',
          'migrations',
          'notifications',
          'participants',
          'payout_entries',
          'payout_jobs',
        ].map((name) => `${prefix}${name}`),
      );
      const { rows } = await db.pool.query(
        `SELECT version, name FROM "${db.schema}"."${prefix}migrations" ORDER BY version`,
      );
      expect(rows).toEqual([
        { version: 1, name: 'init' },
        { version: 2, name: 'payout-job-next-status' },
        { version: 3, name: 'payout-claim-floor' },
        { version: 4, name: 'inbox' },
        { version: 5, name: 'payout-entries-hot-updates' },
        { version: 6, name: 'challenges-pending-admin-index' },
      ]);
      const { rows: functions } = await db.pool.query<{ name: string }>(
        'SELECT p.proname AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1 AND starts_with(p.proname, $2)',
        [db.schema, prefix],
      );
      expect(functions).toEqual([{ name: `${prefix}payout_job_next_status` }]);
    });

    it('migrate() from several stores at once applies each version exactly once', async () => {
      const prefix = db.freshPrefix();
      // Separate store instances stand for separate processes: each migrates on its own connection.
      const stores = Array.from({ length: 6 }, () => storeWith(prefix));
      const results = await Promise.all(stores.map((store) => store.migrate()));
      expect(results.flatMap((result) => result.applied)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(results.every((result) => result.version === 6)).toBe(true);
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}"."${prefix}migrations"`);
      expect(rows).toEqual([{ n: 6 }]);
    });

    it('migrate() creates a missing schema', async () => {
      const schema = `${db.schema}_extra`;
      const store = new PostgresStore({ pool: db.pool, schema, tablePrefix: 'x_' });
      try {
        expect(await store.migrate()).toEqual({ applied: [1, 2, 3, 4, 5, 6], version: 6 });
        expect((await store.migrationStatus()).version).toBe(6);
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

    it('a batch is one statement to claim and one to complete, whatever its size', async () => {
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
      expect(statements).toHaveLength(2);
      expect(await store.getPayoutJob(job.id)).toMatchObject({ status: 'completed', completedEntries: 500 });
      expect(await store.ledgerTotal({ jobId: job.id })).toEqual({ count: 500, total: 50_000n });
    });

    it('a transaction’s events go out with its COMMIT, in the same round trip, in order', async () => {
      const { pool, log } = countingPool(db.pool);
      const store = new PostgresStore({ pool, schema: db.schema, tablePrefix: db.freshPrefix() });
      await store.migrate();
      const events = eventLog();
      const subscription = await store.subscribe(events.listener);
      try {
        const mark = log.statements.length;
        // Quotes and backslashes travel inside SQL literals here: they must arrive as they were sent.
        const names = ['first', "it's", "back\\slash \\'quote"];
        await store.transaction(async (tx) => {
          for (const name of names) await tx.publish({ name, data: { name } });
          expect(log.statements.slice(mark).filter((sql) => sql.includes('pg_notify'))).toHaveLength(0);
        });
        const sent = log.statements.slice(mark);
        expect(sent).toHaveLength(2);
        expect(sent[0]).toMatch(/^BEGIN/);
        expect(sent[1]).toContain('pg_notify');
        expect(sent[1]).toMatch(/COMMIT$/);
        await events.next(names[2]!);
        expect(events.events).toEqual(names.map((name) => ({ name, data: { name } })));
      } finally {
        await subscription.close();
      }
    });
  });

  describe('prepared statements', () => {
    /** A migrated store on a pool of one connection, and the statements prepared on that connection. */
    const onOneConnection = async (options: { preparedStatements?: boolean } = {}) => {
      const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 1 });
      const prefix = db.freshPrefix();
      const store = new PostgresStore({ pool, schema: db.schema, tablePrefix: prefix, ...options });
      await store.migrate();
      const prepared = async () =>
        (await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map(
          (row) => row.name,
        );
      const close = async () => {
        await store.close();
        await pool.end();
      };
      return { pool, store, prefix, prepared, close };
    };
    const pay = (store: Store, limit: number) =>
      store.transaction((tx) => tx.payPayoutBatch({ now: REFERENCE, limit }));

    it('creates jobs and pays batches through statements prepared once per connection, unbroken by a column added later', async () => {
      const { pool, store, prefix, prepared, close } = await onOneConnection();
      try {
        const job = newJob();
        await store.transaction((tx) => tx.createPayoutJob(job, newEntries(30)));
        expect(await pay(store, 10)).toMatchObject({ amount: 1_000n, progress: { changed: 10 } });
        const names = await prepared();
        expect(names).toHaveLength(2);
        // Postgres refuses to run a prepared statement whose result a schema change altered: the
        // statements name their columns, so a migration that adds one leaves them working.
        await pool.query(`ALTER TABLE "${db.schema}".${prefix}payout_jobs ADD COLUMN added_later integer`);
        expect(await pay(store, 10)).toMatchObject({ amount: 1_000n, progress: { job: { completedEntries: 20 } } });
        const second = newJob();
        await store.transaction((tx) => tx.createPayoutJob(second, newEntries(5)));
        expect(await store.getPayoutJob(second.id)).toMatchObject({ totalEntries: 5, totalAmount: 500n });
        expect(await prepared()).toEqual(names);
      } finally {
        await close();
      }
    });

    it('preparedStatements: false sends every statement unnamed', async () => {
      const { store, prepared, close } = await onOneConnection({ preparedStatements: false });
      try {
        await store.transaction((tx) => tx.createPayoutJob(newJob(), newEntries(3)));
        expect(await pay(store, 10)).toMatchObject({ amount: 300n, progress: { changed: 3 } });
        expect(await prepared()).toEqual([]);
      } finally {
        await close();
      }
    });

    it('sends arrays of strings element for element, quotes, backslashes and the word NULL included', async () => {
      const { store, close } = await onOneConnection();
      try {
        const awkward = ['', 'NULL', 'a,b', '{x}', 'say "hi"', 'back\\slash', "it's", ' padded ', 'ünï'];
        const entries = awkward.map((userId, i) => ({
          userId: userId === '' ? 'empty?' : userId,
          amount: BigInt(i + 1),
        }));
        const job = newJob();
        await store.transaction((tx) => tx.createPayoutJob(job, entries));
        const stored = await store.listPayoutEntries(job.id, { limit: 20 });
        expect(stored.map((e) => [e.userId, e.amount])).toEqual(entries.map((e) => [e.userId, e.amount]));
        const { rows } = await store.transaction((tx) =>
          tx.query<{ a: string[]; none: string[] }>('SELECT $1::text[] AS a, $2::text[] AS none', [awkward, []]),
        );
        expect(rows[0]).toEqual({ a: awkward, none: [] });
      } finally {
        await close();
      }
    });

    it('rejects a preparedStatements that is not a boolean', () => {
      expect(() => new PostgresStore({ pool: db.pool, preparedStatements: 'yes' as never })).toThrow(ValidationError);
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

  describe('payout rules', () => {
    registerPayoutRules(async () => {
      const prefix = db.freshPrefix();
      const { pool, log } = countingPool(db.pool);
      const store = new PostgresStore({ pool, schema: db.schema, tablePrefix: prefix });
      await store.migrate();
      return { store, log, table: (name) => `"${db.schema}".${prefix}${name}` };
    });
  });

  describe('cancel races', () => {
    /** Runs `step` in a transaction kept open until `commit()`; `ready` resolves with its result meanwhile. */
    const hold = <T>(store: Store, step: (tx: StoreTransaction) => Promise<T>) => {
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let stepped!: (value: T) => void;
      const done = store.transaction(async (tx) => {
        const value = await step(tx);
        stepped(value);
        await released;
        return value;
      });
      const ready = new Promise<T>((resolve, reject) => {
        stepped = resolve;
        done.catch(reject);
      });
      return {
        ready,
        commit: () => {
          release();
          return done;
        },
      };
    };

    /** Resolves once a statement on `prefix`'s tables waits for a lock another transaction holds. */
    const blockedOn = (prefix: string) =>
      vi.waitFor(
        async () => {
          const { rows } = await db.pool.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position($1 in query) > 0",
            [`"${db.schema}".${prefix}`],
          );
          expect(rows[0]?.n).toBeGreaterThan(0);
        },
        { timeout: 5_000, interval: 10 },
      );

    const migrated = async () => {
      const prefix = db.freshPrefix();
      const store = storeWith(prefix);
      await store.migrate();
      return { store, prefix };
    };

    it('a failure that waited for a cancel’s commit cancels the entry it would have retried', async () => {
      const { store, prefix } = await migrated();
      const { job, ids } = await seedJob(store, 2);
      await lease(store, { now: REFERENCE, limit: 1, jobId: job.id, leaseUntil: at(MINUTE) });
      const cancelling = hold(store, (tx) => tx.cancelPayoutJob(job.id, REFERENCE));
      expect(await cancelling.ready).toMatchObject({ entryIds: [ids[1]] });

      let runs = 0;
      const failing = store.transaction((tx) => {
        runs++;
        const failure = { entryId: ids[0]!, error: 'busy', retryAt: at(5 * MINUTE), leaseUntil: at(MINUTE) };
        return tx.failPayoutEntries(job.id, [failure], at(2 * MINUTE));
      });
      await blockedOn(prefix);
      await cancelling.commit();

      // The first run read the job before the cancel committed and put the entry back to pending:
      // it was rolled back and run again.
      expect(await failing).toMatchObject({
        changed: 1,
        entryIds: [ids[0]],
        job: { status: 'cancelled', cancelledEntries: 2, failedEntries: 0 },
      });
      expect(runs).toBe(2);
      expect(await entryOf(store, job.id, ids[0])).toMatchObject({ status: 'cancelled', attempts: 1, error: 'busy' });
    });

    it('a cancel that waited for a failure’s commit cancels the entry that failure put back to pending', async () => {
      const { store, prefix } = await migrated();
      const { job, ids } = await seedJob(store, 2);
      await lease(store, { now: REFERENCE, limit: 1, jobId: job.id, leaseUntil: at(MINUTE) });
      const failing = hold(store, (tx) =>
        tx.failPayoutEntries(
          job.id,
          [{ entryId: ids[0]!, error: 'busy', retryAt: at(5 * MINUTE), leaseUntil: at(MINUTE) }],
          at(2 * MINUTE),
        ),
      );
      expect(await failing.ready).toMatchObject({ entryIds: [ids[0]] });

      const cancelling = cancel(store, job.id, at(3 * MINUTE));
      await blockedOn(prefix);
      await failing.commit();

      expect(await cancelling).toMatchObject({
        changed: 2,
        entryIds: [ids[0], ids[1]],
        job: { status: 'cancelled', cancelledEntries: 2 },
      });
      expect(await store.listPayoutEntries(job.id, { limit: 10, status: ['pending'] })).toEqual([]);
    });

    it('a retry that waited for a cancel’s commit throws InvalidTransitionError and requeues nothing', async () => {
      const { store, prefix } = await migrated();
      const { job, ids } = await seedJob(store, 2);
      await fail(store, job.id, [{ entryId: ids[0]!, error: 'closed', retryAt: null }], REFERENCE);
      const cancelling = hold(store, (tx) => tx.cancelPayoutJob(job.id, REFERENCE));
      expect(await cancelling.ready).toMatchObject({ entryIds: [ids[1]] });

      const retrying = store.transaction((tx) => tx.retryFailedPayoutEntries(job.id, at(MINUTE))).catch((e) => e);
      await blockedOn(prefix);
      await cancelling.commit();

      expect(await retrying).toBeInstanceOf(InvalidTransitionError);
      expect(await entryOf(store, job.id, ids[0])).toMatchObject({ status: 'failed', attempts: 1 });
      expect(await store.getPayoutJob(job.id)).toMatchObject({
        status: 'cancelled',
        failedEntries: 1,
        cancelledEntries: 1,
      });
    });

    it('a cancel that waited for the job to be failed meanwhile cancels nothing and returns null', async () => {
      const { store, prefix } = await migrated();
      const { job } = await seedJob(store, 2);
      const failingJob = hold(store, (tx) =>
        tx
          .transitionPayoutJob(job.id, { from: ['queued'], to: 'running', now: REFERENCE })
          .then(() =>
            tx.transitionPayoutJob(job.id, { from: ['running'], to: 'failed', now: REFERENCE, error: 'stopped' }),
          ),
      );
      expect(await failingJob.ready).toMatchObject({ status: 'failed' });

      // The cancel sees a queued job, cancels its pending entries, then finds it failed once it
      // holds the job's lock: those cancellations are rolled back and the rerun finds nothing to do.
      const cancelling = cancel(store, job.id, at(MINUTE));
      await blockedOn(prefix);
      await failingJob.commit();

      expect(await cancelling).toBeNull();
      expect(await store.getPayoutJob(job.id)).toMatchObject({ status: 'failed', cancelledEntries: 0 });
      expect(await store.listPayoutEntries(job.id, { limit: 10, status: ['pending'] })).toHaveLength(2);
    });

    it('a cancel that waited for a retry’s commit cancels the entries that retry requeued', async () => {
      const { store, prefix } = await migrated();
      const { job, ids } = await seedJob(store, 2);
      await fail(store, job.id, [{ entryId: ids[0]!, error: 'closed', retryAt: null }], REFERENCE);
      const retrying = hold(store, (tx) => tx.retryFailedPayoutEntries(job.id, at(MINUTE)));
      expect(await retrying.ready).toMatchObject({ entryIds: [ids[0]] });

      const cancelling = cancel(store, job.id, at(2 * MINUTE));
      await blockedOn(prefix);
      await retrying.commit();

      expect(await cancelling).toMatchObject({
        changed: 2,
        entryIds: [ids[0], ids[1]],
        job: { status: 'cancelled', failedEntries: 0, cancelledEntries: 2 },
      });
    });
  });

  describe('claim floor', () => {
    const migrated = async () => {
      const prefix = db.freshPrefix();
      const store = storeWith(prefix);
      await store.migrate();
      return { store, prefix };
    };
    const complete = (store: Store, jobId: string, entryIds: string[]) =>
      store.transaction((tx) => tx.completePayoutEntries(jobId, entryIds, { now: REFERENCE, creditAccounts: true }));
    const claim = (store: Store, limit: number) =>
      store.transaction(async (tx) =>
        (await tx.claimPayoutBatch({ now: at(MINUTE), limit }))?.entries.map((e) => e.id),
      );

    it('a batch rolled back after a later batch committed is claimed again, lowest ids first', async () => {
      const { store } = await migrated();
      const { job, ids } = await seedJob(store, 6);
      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let claimed!: (ids: string[]) => void;
      const first = new Promise<string[]>((resolve) => {
        claimed = resolve;
      });
      const rolledBack = store.transaction(async (tx) => {
        const batch = await tx.claimPayoutBatch({ now: REFERENCE, limit: 3 });
        claimed(batch!.entries.map((e) => e.id));
        await released;
        throw new Error('host credit hook failed');
      });
      expect(await first).toEqual(ids.slice(0, 3));

      // A concurrent batch gets the other three and pays them while the first still holds its own.
      const second = await store.transaction(async (tx) => {
        const batch = await tx.claimPayoutBatch({ now: REFERENCE, limit: 3 });
        const entryIds = batch!.entries.map((e) => e.id);
        await tx.completePayoutEntries(job.id, entryIds, { now: REFERENCE, creditAccounts: true });
        return entryIds;
      });
      expect(second).toEqual(ids.slice(3));
      release();
      await expect(rolledBack).rejects.toThrow('host credit hook failed');

      expect(await claim(store, 10)).toEqual(ids.slice(0, 3));
    });

    it('rises just past a batch of every id from the floor on, and stops at an entry the batch paid around', async () => {
      const { store, prefix } = await migrated();
      const { job, ids } = await seedJob(store, 6);
      const floor = async () => {
        const { rows } = await db.pool.query<{ claim_floor: string }>(
          `SELECT claim_floor FROM "${db.schema}".${prefix}payout_jobs WHERE id = $1`,
          [job.id],
        );
        return rows[0]!.claim_floor;
      };
      const pay = (now: Date, limit: number) => store.transaction((tx) => tx.payPayoutBatch({ now, limit }));

      // A new job's floor is 0: its first batch looks the next entry up.
      expect((await pay(REFERENCE, 2))?.progress.entryIds).toEqual(ids.slice(0, 2));
      expect(await floor()).toBe(ids[2]);
      // A batch starting at the floor with no id skipped: the floor moves past it without a lookup.
      expect((await pay(REFERENCE, 1))?.progress.entryIds).toEqual([ids[2]]);
      expect(await floor()).toBe(String(BigInt(ids[2]!) + 1n));
      // ids[4] waits for a retry in an hour: the next batch pays around it, and the floor must stay there.
      await fail(store, job.id, [{ entryId: ids[4]!, error: 'busy', retryAt: at(60 * MINUTE) }], REFERENCE);
      expect((await pay(at(MINUTE), 10))?.progress.entryIds).toEqual([ids[3], ids[5]]);
      expect(await floor()).toBe(ids[4]);
      expect(await pay(at(2 * MINUTE), 10)).toBeNull();
      expect((await pay(at(61 * MINUTE), 10))?.progress.entryIds).toEqual([ids[4]]);
      expect(await store.getPayoutJob(job.id)).toMatchObject({ status: 'completed', completedEntries: 6 });
      expect(await store.ledgerTotal({ jobId: job.id })).toEqual({ count: 6, total: 600n });
    });

    it('a cancel raises the floor to the first entry still leased, or past the last unfinished one', async () => {
      const { store, prefix } = await migrated();
      const floorOf = async (jobId: string) => {
        const { rows } = await db.pool.query<{ claim_floor: string }>(
          `SELECT claim_floor FROM "${db.schema}".${prefix}payout_jobs WHERE id = $1`,
          [jobId],
        );
        return rows[0]!.claim_floor;
      };
      const leased = await seedJob(store, 6);
      await lease(store, {
        now: REFERENCE,
        limit: 1,
        jobId: leased.job.id,
        leaseUntil: at(HOUR),
        entryIds: [leased.ids[3]!],
      });
      await store.transaction((tx) => tx.cancelPayoutJob(leased.job.id, REFERENCE));
      expect(await floorOf(leased.job.id)).toBe(leased.ids[3]);
      // The leased entry can still be taken over once its lease expires, and settled.
      const takenOver = await lease(store, {
        now: at(2 * HOUR),
        limit: 10,
        jobId: leased.job.id,
        leaseUntil: at(3 * HOUR),
      });
      expect(takenOver?.entries.map((e) => e.id)).toEqual([leased.ids[3]]);

      const idle = await seedJob(store, 4);
      await store.transaction((tx) => tx.cancelPayoutJob(idle.job.id, REFERENCE));
      expect(await floorOf(idle.job.id)).toBe(String(BigInt(idle.ids[3]!) + 1n));
      expect((await store.payoutStats()).entries).toEqual({ pending: 0, processing: 1, failed: 0 });
    });

    it('a completion that waited for a retry’s commit leaves the entries that retry requeued claimable', async () => {
      const { store, prefix } = await migrated();
      const { job, ids } = await seedJob(store, 6);
      await fail(store, job.id, [{ entryId: ids[1]!, error: 'closed', retryAt: null }], REFERENCE);

      let release!: () => void;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let requeued!: () => void;
      const ready = new Promise<void>((resolve) => {
        requeued = resolve;
      });
      const retrying = store.transaction(async (tx) => {
        await tx.retryFailedPayoutEntries(job.id, REFERENCE);
        requeued();
        await released;
      });
      await ready;
      // The completion's snapshot shows ids[1] failed; it waits for the retry's lock on the job.
      const completing = complete(store, job.id, [ids[0]!, ...ids.slice(2)]);
      await vi.waitFor(
        async () => {
          const { rows } = await db.pool.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND position($1 in query) > 0",
            [`"${db.schema}".${prefix}`],
          );
          expect(rows[0]?.n).toBeGreaterThan(0);
        },
        { timeout: 5_000, interval: 10 },
      );
      release();
      await retrying;
      expect(await completing).toMatchObject({ changed: 5, job: { status: 'running', completedEntries: 5 } });

      expect(await claim(store, 10)).toEqual([ids[1]]);
      await complete(store, job.id, [ids[1]!]);
      expect(await store.getPayoutJob(job.id)).toMatchObject({ status: 'completed', completedEntries: 6 });
    });
  });

  describe('HOT updates (migration 0005)', () => {
    it('pays entries without adding a single index entry: their indexes keep their size', async () => {
      const prefix = db.freshPrefix();
      const store = storeWith(prefix);
      await store.migrate();
      const { job } = await seedJob(store, 2_000);
      const table = `"${db.schema}".${prefix}payout_entries`;
      const indexSizes = async () => {
        const { rows } = await db.pool.query<{ name: string; bytes: string }>(
          `SELECT c.relname AS name, pg_relation_size(c.oid) AS bytes
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
           WHERE i.indrelid = $1::regclass ORDER BY c.relname`,
          [table],
        );
        return rows;
      };
      const { rows: options } = await db.pool.query<{ reloptions: string[] }>(
        'SELECT reloptions FROM pg_class WHERE oid = $1::regclass',
        [table],
      );
      expect(options[0]!.reloptions).toEqual(['fillfactor=50']);
      const before = await indexSizes();
      // Primary key, unique (job_id, user_id), (job_id, id): none reads status.
      expect(before).toHaveLength(3);

      while (await store.transaction((tx) => tx.payPayoutBatch({ now: REFERENCE, limit: 500 })));

      expect(await store.getPayoutJob(job.id)).toMatchObject({ status: 'completed', completedEntries: 2_000 });
      // A non-HOT update adds an entry to every index: 2,000 of them would take several pages each.
      expect(await indexSizes()).toEqual(before);
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
    if (!options.counted) return { store: new PostgresStore({ pglite, tablePrefix }), log: undefined, tablePrefix };
    const counted = countingPglite(pglite);
    return { store: new PostgresStore({ pglite: counted.pglite, tablePrefix }), log: counted.log, tablePrefix };
  };

  describe('payout rules', () => {
    registerPayoutRules(async () => {
      const { store, log, tablePrefix } = storeWith({ counted: true });
      await store.migrate();
      return { store, log: log!, table: (name) => `public.${tablePrefix}${name}` };
    });
  });

  it('migrate() is idempotent and safe when called several times at once', async () => {
    const { store } = storeWith();
    const results = await Promise.all([store.migrate(), store.migrate(), store.migrate()]);
    expect(results.flatMap((result) => result.applied)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await store.migrate()).toEqual({ applied: [], version: 6 });
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
