import type { StoreEvent } from '@settle/core';
import { ConflictError, StoreError, ValidationError } from '@settle/core';
import { type MySqlPoolLike, MySqlStore } from '@settle/mysql';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkRows } from '../src/mysql-row-chunks';
import { countingPool, createTestDatabase, mysqlAvailable, type TestDatabase } from './helpers';

// What the conformance suite cannot see: MySQL's own failure modes and limits.
const available = await mysqlAvailable(import.meta.filename);

const createdAt = new Date('2030-01-01T00:00:00.000Z');

describe.skipIf(!available)('MySqlStore specifics', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function freshStore(options: { pool?: MySqlPoolLike } = {}) {
    const tablePrefix = db.freshPrefix();
    const store = new MySqlStore({ pool: options.pool ?? db.pool, tablePrefix, pollInterval: 10 });
    await store.migrate();
    return { store, tablePrefix };
  }

  it('refuses a table prefix that is not a plain identifier before touching the database', () => {
    for (const tablePrefix of ['Settle_', '1abc', 'a-b', 'x`; DROP TABLE y; --', 'a'.repeat(17), ' settle']) {
      expect(() => new MySqlStore({ pool: db.pool, tablePrefix })).toThrow(ValidationError);
    }
    expect(() => new MySqlStore({ pool: db.pool, tablePrefix: '' })).not.toThrow();
    expect(() => new MySqlStore({ pool: db.pool, tablePrefix: 'a_1' })).not.toThrow();
    expect(() => new MySqlStore({ pool: db.pool, pollInterval: 0 })).toThrow(ValidationError);
  });

  it('migrate() applies each version once across stores on separate pools (GET_LOCK) and is idempotent', async () => {
    const tablePrefix = db.freshPrefix();
    const pools = [db.createPool({ connectionLimit: 2 }), db.createPool({ connectionLimit: 2 })];
    try {
      const stores = [...pools, ...pools].map((pool) => new MySqlStore({ pool, tablePrefix }));
      const results = await Promise.all(stores.map((store) => store.migrate()));
      const latest = (await stores[0]!.migrationStatus()).latest;
      expect(results.flatMap((r) => r.applied).sort()).toEqual(Array.from({ length: latest }, (_, i) => i + 1));
      expect(await stores[0]!.migrate()).toEqual({ applied: [], version: latest });
      const [rows] = await db.pool.query<mysql.RowDataPacket[]>(`SELECT count(*) AS n FROM ${tablePrefix}migrations`);
      expect(Number(rows[0]?.n)).toBe(latest);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('keeps 2^63 − 1 minor units exact through a job, the ledger and an account', async () => {
    const { store } = await freshStore();
    const max = 2n ** 63n - 1n;
    const jobId = `job-${crypto.randomUUID()}`;
    const job = await store.transaction((tx) =>
      tx.createPayoutJob({ id: jobId, challengeId: null, priority: 0, metadata: {}, createdAt }, [
        { userId: 'whale', amount: max },
      ]),
    );
    expect(job.totalAmount).toBe(max);
    await store.transaction(async (tx) => {
      const batch = await tx.claimPayoutBatch({ now: createdAt, limit: 10, jobId });
      await tx.completePayoutEntries(
        jobId,
        batch!.entries.map((e) => e.id),
        { now: createdAt, creditAccounts: true },
      );
    });
    expect(await store.getPayoutJob(jobId)).toMatchObject({ totalAmount: max, paidAmount: max, status: 'completed' });
    expect(await store.getBalance('whale')).toBe(max);
    expect(await store.ledgerTotal({ jobId })).toEqual({ count: 1, total: max });
    expect((await store.listPayoutEntries(jobId, { limit: 1 }))[0]?.amount).toBe(max);
  });

  it('stores and reads instants as UTC whatever the session time zone', async () => {
    const shifted = db.createPool({ connectionLimit: 2 });
    shifted.pool.on('connection', (connection) => {
      connection.query("SET time_zone = '+05:30'");
    });
    try {
      const { store, tablePrefix } = await freshStore({ pool: shifted });
      const [zone] = await shifted.query<mysql.RowDataPacket[]>('SELECT @@session.time_zone AS tz');
      expect(zone[0]?.tz).toBe('+05:30');
      const deadline = new Date('2031-06-30T23:59:59.123Z');
      await store.transaction((tx) =>
        tx.createChallenge({ id: 'tz', title: 'tz', deadline, status: 'active', metadata: {}, createdAt }, [
          { userId: 'u', side: 'a', stake: 1n, joinedAt: createdAt },
        ]),
      );
      expect((await store.getChallenge('tz'))?.deadline).toEqual(deadline);
      expect(await store.nextDeadline()).toEqual(deadline);
      expect((await store.listParticipants('tz', { limit: 1 }))[0]?.joinedAt).toEqual(createdAt);
      expect(await store.findDueChallenges(new Date(deadline.getTime() - 1), 10)).toEqual([]);
      expect(await store.findDueChallenges(deadline, 10)).toHaveLength(1);
      // The column holds the UTC wall time, readable as such by any other client.
      const [rows] = await db.pool.query<mysql.RowDataPacket[]>(
        `SELECT CAST(deadline AS CHAR) AS deadline FROM ${tablePrefix}challenges WHERE id = 'tz'`,
      );
      expect(rows[0]?.deadline).toBe('2031-06-30 23:59:59.123');
    } finally {
      await shifted.end();
    }
  });

  it('creates a 10,000-entry job in a bounded number of statements, ids ascending in input order', async () => {
    const counting = countingPool(db.pool);
    const { store } = await freshStore({ pool: counting.pool });
    const jobId = `job-${crypto.randomUUID()}`;
    const entries = Array.from({ length: 10_000 }, (_, i) => ({
      userId: `user-${String(9_999 - i).padStart(5, '0')}`,
      amount: BigInt(1 + i),
    }));
    const mark = counting.log.statements.length;
    await store.transaction((tx) =>
      tx.createPayoutJob({ id: jobId, challengeId: null, priority: 0, metadata: {}, createdAt }, entries),
    );
    // The job, max_allowed_packet (read once per store) and one multi-row INSERT per packet-sized chunk.
    expect(counting.log.since(mark).length).toBeLessThanOrEqual(4);
    const stored = await store.listPayoutEntries(jobId, { limit: 10_000 });
    expect(stored.map((e) => e.userId)).toEqual(entries.map((e) => e.userId));
    expect(await store.getPayoutJob(jobId)).toMatchObject({ totalEntries: 10_000, totalAmount: 50_005_000n });
  });

  it('splits bulk rows into ordered chunks that each fit max_allowed_packet', () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => [`${'x'.repeat(240)}${i}`, BigInt(i), 'pending'] as const);
    const packet = 64 * 1024;
    const chunks = chunkRows(rows, packet);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flat()).toEqual(rows);
    for (const chunk of chunks) {
      // The statement mysql2 would send, escaped: well under the packet.
      expect(Buffer.byteLength(mysql.format('INSERT INTO t VALUES ?', [chunk.map((row) => [...row])]))).toBeLessThan(
        packet,
      );
    }
    expect(chunkRows(rows.slice(0, 10), 16 * 1024 * 1024)).toHaveLength(1);
  });

  it('maps duplicate keys to ConflictError and retries a deadlock victim (1213) until both commit', async () => {
    const { store, tablePrefix } = await freshStore();
    await store.transaction(async (tx) => {
      for (const id of ['d1', 'd2']) {
        await tx.createChallenge({ id, title: id, deadline: createdAt, status: 'active', metadata: {}, createdAt }, []);
      }
    });
    await expect(
      store.transaction((tx) =>
        tx.query(
          `INSERT INTO ${tablePrefix}accounts (user_id, balance, updated_at) VALUES ('a', 1, NOW()), ('a', 2, NOW())`,
        ),
      ),
    ).rejects.toBeInstanceOf(ConflictError);

    let attempts = 0;
    let bothLocked: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      let count = 0;
      bothLocked = () => {
        count += 1;
        if (count === 2) resolve();
      };
    });
    const lockBoth = (first: string, second: string) =>
      store.transaction(async (tx) => {
        attempts += 1;
        const lock = (id: string) => tx.query(`SELECT id FROM ${tablePrefix}challenges WHERE id = ? FOR UPDATE`, [id]);
        await lock(first);
        if (attempts <= 2) {
          bothLocked();
          await ready;
        }
        await lock(second);
        await tx.query(`UPDATE ${tablePrefix}challenges SET title = ? WHERE id IN ('d1', 'd2')`, [first]);
      });
    await Promise.all([lockBoth('d1', 'd2'), lockBoth('d2', 'd1')]);
    expect(attempts).toBeGreaterThan(2);
    const titles = [(await store.getChallenge('d1'))?.title, (await store.getChallenge('d2'))?.title];
    expect(titles[0]).toBe(titles[1]);
  });

  it('gives up with a retryable StoreError after maxRetries', async () => {
    const tablePrefix = db.freshPrefix();
    const store = new MySqlStore({ pool: db.pool, tablePrefix, maxRetries: 2 });
    let attempts = 0;
    const error = await store
      .transaction(async () => {
        attempts += 1;
        throw new StoreError('lock wait timeout', { retryable: true });
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(attempts).toBe(3);
  });

  it('subscribe() loses and repeats no event across failed polls, then reports the reconnect', async () => {
    let down = false;
    const flaky: MySqlPoolLike = {
      query: (options) => (down ? Promise.reject(new Error('connect ECONNREFUSED')) : db.pool.query(options as never)),
      getConnection: () => db.pool.getConnection() as never,
    };
    const tablePrefix = db.freshPrefix();
    const publisher = new MySqlStore({ pool: db.pool, tablePrefix });
    await publisher.migrate();
    const subscriber = new MySqlStore({ pool: flaky, tablePrefix, pollInterval: 10 });
    const seen: StoreEvent[] = [];
    let reconnects = 0;
    const subscription = await subscriber.subscribe({
      event: (event) => seen.push(event),
      reconnected: () => {
        reconnects += 1;
      },
    });
    const publish = (n: number) => publisher.transaction((tx) => tx.publish({ name: 'n', data: { n } }));
    const waitFor = async (count: number) => {
      for (let i = 0; i < 500 && seen.length < count; i++) await new Promise((r) => setTimeout(r, 10));
    };
    try {
      await publish(1);
      await waitFor(1);
      down = true;
      await new Promise((r) => setTimeout(r, 50));
      for (let n = 2; n <= 5; n++) await publish(n);
      down = false;
      await waitFor(5);
      await publish(6);
      await waitFor(6);
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.map((e) => (e.data as { n: number }).n)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(reconnects).toBe(1);
    } finally {
      await subscription.close();
      await subscriber.close();
      await publisher.close();
    }
  });
});
