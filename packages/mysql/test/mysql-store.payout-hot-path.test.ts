import type { PayoutJobId } from '@settle/core';
import { ConflictError, StoreError } from '@settle/core';
import { type MySqlPoolLike, type MySqlQueryOptionsLike, MySqlStore } from '@settle/mysql';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkJsonArray } from '../src/mysql-row-chunks';
import { countingPool, createTestDatabase, mysqlAvailable, type TestDatabase } from './helpers';

// The payout hot path's MySQL specifics: the claim floor of migration 0003 (claims start their
// scans at it, so it must never pass an entry that may still be paid, whoever holds it and
// whatever reopened it), the statements of a batch, and entries inserted from one JSON parameter.
const available = await mysqlAvailable(import.meta.filename);

const now = new Date('2030-01-01T00:00:00.000Z');

/**
 * `pool`, but the server's max_allowed_packet reads as `bytes` (how bulk inserts get split), with
 * every statement it runs recorded.
 */
function smallPacketPool(pool: mysql.Pool, bytes: number): { pool: MySqlPoolLike; statements: string[] } {
  const statements: string[] = [];
  const answer = (options: MySqlQueryOptionsLike) => {
    statements.push(options.sql);
    return options.sql.includes('@@max_allowed_packet') ? Promise.resolve([[{ bytes }], []] as never) : null;
  };
  const small: MySqlPoolLike = {
    query: (options) => answer(options) ?? (pool.query(options as mysql.QueryOptions) as never),
    getConnection: async () => {
      const connection = await pool.getConnection();
      return {
        query: (options) => answer(options) ?? (connection.query(options as mysql.QueryOptions) as never),
        release: () => connection.release(),
        destroy: () => connection.destroy(),
      };
    },
  };
  return { pool: small, statements };
}

describe('chunkJsonArray', () => {
  it('keeps a list that fits whole, and splits one that does not into ordered arrays that each fit', () => {
    const small = [
      ['a', '1'],
      ['b"\\', '2'],
    ];
    expect(chunkJsonArray(small, 16 * 1024 * 1024)).toEqual([JSON.stringify(small)]);

    const items = Array.from({ length: 3_000 }, (_, i) => [`${'é'.repeat(120)}"${i}`, String(i)]);
    const packet = 64 * 1024;
    const chunks = chunkJsonArray(items, packet);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.flatMap((json) => JSON.parse(json) as unknown[])).toEqual(items);
    for (const json of chunks) expect(2 * Buffer.byteLength(json)).toBeLessThan(packet);
  });
});

describe.skipIf(!available)('MySqlStore payout hot path', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
  });
  afterAll(async () => {
    await db?.drop();
  });

  async function jobOf(size: number) {
    const tablePrefix = db.freshPrefix();
    const store = new MySqlStore({ pool: db.pool, tablePrefix });
    await store.migrate();
    const jobId = `job-${crypto.randomUUID()}`;
    await store.transaction((tx) =>
      tx.createPayoutJob(
        { id: jobId, challengeId: null, priority: 0, metadata: {}, createdAt: now },
        Array.from({ length: size }, (_, i) => ({ userId: `user-${i}`, amount: BigInt(100 + i) })),
      ),
    );
    const ids = (await store.listPayoutEntries(jobId, { limit: size })).map((e) => e.id);
    const floor = async () => {
      const [rows] = await db.pool.query<mysql.RowDataPacket[]>(
        `SELECT claim_floor FROM ${tablePrefix}payout_jobs WHERE id = ?`,
        [jobId],
      );
      return String(rows[0]?.claim_floor);
    };
    const pay = (limit: number) => store.transaction((tx) => tx.payPayoutBatch({ now, limit, jobId }));
    return { store, tablePrefix, jobId, ids, floor, pay };
  }

  async function expectPaidOnce(store: MySqlStore, jobId: PayoutJobId, size: number) {
    expect(await store.ledgerTotal({ jobId })).toEqual({
      count: size,
      total: Array.from({ length: size }, (_, i) => BigInt(100 + i)).reduce((a, b) => a + b, 0n),
    });
    expect(await store.getPayoutJob(jobId)).toMatchObject({ status: 'completed', completedEntries: size });
  }

  it('starts at the first entry and moves to the first open one after each batch', async () => {
    const { store, jobId, ids, floor, pay } = await jobOf(5);
    expect(await floor()).toBe(ids[0]);
    expect((await pay(2))?.progress.entryIds).toEqual(ids.slice(0, 2));
    expect(await floor()).toBe(ids[2]);
    expect((await pay(2))?.progress.entryIds).toEqual(ids.slice(2, 4));
    expect(await floor()).toBe(ids[4]);
    expect((await pay(2))?.progress.entryIds).toEqual(ids.slice(4));
    expect(await floor()).toBe(String(BigInt(ids[4]!) + 1n));
    expect(await pay(2)).toBeNull();
    await expectPaidOnce(store, jobId, 5);
  });

  it('a claim that reaches the end of its job leaves the next job’s entries unlocked', async () => {
    const first = await jobOf(3);
    const secondId = `job-${crypto.randomUUID()}`;
    await first.store.transaction((tx) =>
      tx.createPayoutJob(
        { id: secondId, challengeId: null, priority: 0, metadata: {}, createdAt: now },
        Array.from({ length: 3 }, (_, i) => ({ userId: `other-${i}`, amount: 1n })),
      ),
    );
    const second = (await first.store.listPayoutEntries(secondId, { limit: 3 })).map((e) => e.id);
    // Adjacent in the primary key: the first job's window ends right before the second's.
    expect(BigInt(second[0]!)).toBe(BigInt(first.ids[2]!) + 1n);
    let claimed!: () => void;
    const holding = new Promise<void>((resolve) => {
      claimed = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = first.store.transaction(async (tx) => {
      const batch = await tx.claimPayoutBatch({ now, limit: 10, jobId: first.jobId });
      expect(batch?.entries.map((e) => e.id)).toEqual(first.ids);
      claimed();
      await released;
    });
    await holding;
    const other = await first.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: secondId }));
    expect(other?.entries.map((e) => e.id)).toEqual(second);
    release();
    await held;
  });

  it('stays at entries another transaction holds, which are paid once it rolls back', async () => {
    const { store, jobId, ids, floor, pay } = await jobOf(6);
    let claimed!: () => void;
    const holding = new Promise<void>((resolve) => {
      claimed = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = store.transaction(async (tx) => {
      const batch = await tx.claimPayoutBatch({ now, limit: 2, jobId });
      expect(batch?.entries.map((e) => e.id)).toEqual(ids.slice(0, 2));
      claimed();
      await released;
      throw new Error('the worker died');
    });
    await holding;
    expect((await pay(2))?.progress.entryIds).toEqual(ids.slice(2, 4));
    expect(await floor()).toBe(ids[0]);
    release();
    await expect(held).rejects.toThrow('the worker died');
    expect((await pay(2))?.progress.entryIds).toEqual(ids.slice(0, 2));
    expect(await floor()).toBe(ids[4]);
    expect((await pay(10))?.progress.entryIds).toEqual(ids.slice(4));
    await expectPaidOnce(store, jobId, 6);
  });

  it('goes back down to dead-lettered entries that are requeued', async () => {
    const { store, jobId, ids, floor, pay } = await jobOf(4);
    await store.transaction(async (tx) => {
      const batch = await tx.claimPayoutBatch({ now, limit: 1, jobId });
      await tx.failPayoutEntries(jobId, [{ entryId: batch!.entries[0]!.id, error: 'refused', retryAt: null }], now);
    });
    expect((await pay(10))?.progress.entryIds).toEqual(ids.slice(1));
    expect(await store.getPayoutJob(jobId)).toMatchObject({ status: 'completed_with_failures', failedEntries: 1 });
    expect(BigInt(await floor())).toBeGreaterThan(BigInt(ids[0]!));

    const requeued = await store.transaction((tx) => tx.retryFailedPayoutEntries(jobId, now));
    expect(requeued.entryIds).toEqual(ids.slice(0, 1));
    expect(await floor()).toBe(ids[0]);
    expect((await pay(10))?.progress.entryIds).toEqual(ids.slice(0, 1));
    await expectPaidOnce(store, jobId, 4);
  });

  it('pays a batch in eight statements besides the transaction, the next of the same job in seven, events in one INSERT', async () => {
    const counting = countingPool(db.pool);
    const tablePrefix = db.freshPrefix();
    const store = new MySqlStore({ pool: counting.pool, tablePrefix });
    await store.migrate();
    const jobId = `job-${crypto.randomUUID()}`;
    await store.transaction((tx) =>
      tx.createPayoutJob(
        { id: jobId, challengeId: null, priority: 0, metadata: {}, createdAt: now },
        Array.from({ length: 1_000 }, (_, i) => ({ userId: `user-${i}`, amount: 1n })),
      ),
    );
    const batch = async () => {
      const mark = counting.log.statements.length;
      await store.transaction(async (tx) => {
        const paid = await tx.payPayoutBatch({ now, limit: 500 });
        expect(paid?.progress.changed).toBe(500);
        await tx.publish({ name: 'payout.progress', data: { jobId } });
        await tx.publish({ name: 'payout.batch', data: { jobId } });
      });
      // Up to the COMMIT: events are pruned after it, in the background.
      const transaction = counting.log.statements.slice(mark, counting.log.statements.indexOf('COMMIT', mark));
      return transaction.filter((sql) => !/^(START|SET) TRANSACTION\b/.test(sql));
    };
    // Find the job, claim, complete, ledger, accounts, lock the job, write it, events.
    const first = await batch();
    expect(first).toHaveLength(8);
    expect(first.filter((sql) => sql.includes(`INTO ${tablePrefix}events`))).toHaveLength(1);
    // The same job again: claimed without the search.
    expect(await batch()).toHaveLength(7);
    const [events] = await db.pool.query<mysql.RowDataPacket[]>(`SELECT name FROM ${tablePrefix}events ORDER BY id`);
    expect(events.map((row) => row.name)).toEqual([
      'payout.progress',
      'payout.batch',
      'payout.progress',
      'payout.batch',
    ]);
  });

  it('pays a better job that another process created before the next batch of the job it paid last', async () => {
    const { store, tablePrefix, jobId, ids } = await jobOf(4);
    const other = new MySqlStore({ pool: db.pool, tablePrefix });
    const pay = () => store.transaction((tx) => tx.payPayoutBatch({ now, limit: 2 }));
    expect((await pay())?.progress.job.id).toBe(jobId);
    const urgent = `job-${crypto.randomUUID()}`;
    await other.transaction((tx) =>
      tx.createPayoutJob({ id: urgent, challengeId: null, priority: 9, metadata: {}, createdAt: now }, [
        { userId: 'first', amount: 5n },
      ]),
    );
    expect((await pay())?.progress.job.id).toBe(urgent);
    expect((await pay())?.progress.entryIds).toEqual(ids.slice(2));
    expect(await pay()).toBeNull();
    await expectPaidOnce(store, jobId, 4);
    expect(await store.getPayoutJob(urgent)).toMatchObject({ status: 'completed', paidAmount: 5n });
  });

  it('moves on to the next job once the job it paid last has nothing left to claim', async () => {
    const { store, tablePrefix, jobId } = await jobOf(2);
    const other = new MySqlStore({ pool: db.pool, tablePrefix });
    const later = `job-${crypto.randomUUID()}`;
    await other.transaction((tx) =>
      tx.createPayoutJob({ id: later, challengeId: null, priority: 0, metadata: {}, createdAt: now }, [
        { userId: 'next', amount: 7n },
      ]),
    );
    const pay = () => store.transaction((tx) => tx.payPayoutBatch({ now, limit: 10 }));
    expect((await pay())?.progress.job.id).toBe(jobId);
    expect((await pay())?.progress.job.id).toBe(later);
    expect(await pay()).toBeNull();
  });

  it('migrate() finishes migration 3 after a run cut short, and gives older jobs their claim window', async () => {
    const { store, tablePrefix, jobId, ids, pay } = await jobOf(4);
    expect((await pay(1))?.progress.entryIds).toEqual(ids.slice(0, 1));
    // As if the job came from version 2 and the process died after version 3's changes were made,
    // before recording it.
    await db.pool.query(`UPDATE ${tablePrefix}payout_jobs SET claim_floor = 0, last_entry_id = 0`);
    await db.pool.query(`DELETE FROM ${tablePrefix}migrations WHERE version >= 3`);
    const again = await store.migrate();
    expect(again.applied[0]).toBe(3);
    const [rows] = await db.pool.query<mysql.RowDataPacket[]>(
      `SELECT claim_floor, last_entry_id FROM ${tablePrefix}payout_jobs WHERE id = ?`,
      [jobId],
    );
    expect([String(rows[0]?.claim_floor), String(rows[0]?.last_entry_id)]).toEqual([ids[1], ids[3]]);
    // What version 3 dropped is gone: the index of open entries, its column, the foreign key.
    const [leftovers] = await db.pool.query<mysql.RowDataPacket[]>(
      `SELECT index_name AS name FROM information_schema.statistics
       WHERE table_schema = database() AND table_name = ? AND index_name LIKE '%open%'
       UNION ALL SELECT column_name FROM information_schema.columns
       WHERE table_schema = database() AND table_name = ? AND column_name = 'open_job_id'
       UNION ALL SELECT constraint_name FROM information_schema.referential_constraints
       WHERE constraint_schema = database() AND table_name = ?`,
      [`${tablePrefix}payout_entries`, `${tablePrefix}payout_entries`, `${tablePrefix}payout_entries`],
    );
    expect(leftovers).toEqual([]);
    expect((await pay(10))?.progress.entryIds).toEqual(ids.slice(1));
    await expectPaidOnce(store, jobId, 4);
  });

  it('inserts entries from JSON exactly: escaped and non-ASCII user ids, the largest amounts', async () => {
    const store = new MySqlStore({ pool: db.pool, tablePrefix: db.freshPrefix() });
    await store.migrate();
    const userIds = ['plain', 'quote"d', "apo'strophe", 'back\\slash', '\\"both', '😀ü', '𝄞'.repeat(255)];
    const jobId = `job-${crypto.randomUUID()}`;
    const huge = 2n ** 63n - 1n - BigInt(userIds.length - 1);
    await store.transaction((tx) =>
      tx.createPayoutJob(
        { id: jobId, challengeId: null, priority: 0, metadata: {}, createdAt: now },
        userIds.map((userId, i) => ({ userId, amount: i === 0 ? huge : 1n })),
      ),
    );
    const stored = await store.listPayoutEntries(jobId, { limit: 100 });
    expect(stored.map((e) => e.userId)).toEqual(userIds);
    expect(stored.map((e) => e.amount)).toEqual(userIds.map((_, i) => (i === 0 ? huge : 1n)));
    expect(await store.getPayoutJob(jobId)).toMatchObject({ totalAmount: 2n ** 63n - 1n });
  });

  it('refuses a user id too long for its column or repeated in the job, and writes nothing', async () => {
    const store = new MySqlStore({ pool: db.pool, tablePrefix: db.freshPrefix() });
    await store.migrate();
    const create = (userIds: string[]) =>
      store.transaction((tx) =>
        tx.createPayoutJob(
          { id: `job-${crypto.randomUUID()}`, challengeId: null, priority: 0, metadata: {}, createdAt: now },
          userIds.map((userId) => ({ userId, amount: 1n })),
        ),
      );
    await expect(create(['ok', 'x'.repeat(256)])).rejects.toThrow(StoreError);
    await expect(create(['twin', 'other', 'twin'])).rejects.toThrow(ConflictError);
    expect((await store.listPayoutJobs({ limit: 10 })).length).toBe(0);
  });

  it('splits a large job into packet-sized INSERTs whose ids ascend in input order', async () => {
    const small = smallPacketPool(db.pool, 64 * 1024);
    const tablePrefix = db.freshPrefix();
    const store = new MySqlStore({ pool: small.pool, tablePrefix });
    await store.migrate();
    const jobId = `job-${crypto.randomUUID()}`;
    const entries = Array.from({ length: 5_000 }, (_, i) => ({
      userId: `user-${String(4_999 - i).padStart(4, '0')}-${'x'.repeat(20)}`,
      amount: BigInt(1 + i),
    }));
    await store.transaction((tx) =>
      tx.createPayoutJob({ id: jobId, challengeId: null, priority: 0, metadata: {}, createdAt: now }, entries),
    );
    const stored = await store.listPayoutEntries(jobId, { limit: 5_000 });
    expect(stored.map((e) => e.userId)).toEqual(entries.map((e) => e.userId));
    expect(stored.map((e) => BigInt(e.id))).toEqual(stored.map((e) => BigInt(e.id)).sort((a, b) => (a < b ? -1 : 1)));
    expect(await store.getPayoutJob(jobId)).toMatchObject({ totalEntries: 5_000, totalAmount: 12_502_500n });
    expect(small.statements.filter((sql) => sql.includes(`INTO ${tablePrefix}payout_entries`)).length).toBeGreaterThan(
      2,
    );
  });
});
