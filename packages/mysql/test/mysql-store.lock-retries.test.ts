import { type HostTransaction, PayoutQueue, type SettleError } from '@settle/core';
import { MySqlStore } from '@settle/mysql';
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, mysqlAvailable, type TestDatabase } from './helpers';

/*
 * A deadlock (1213) or a lock wait timeout (1205) in a batch's transaction is MySQL telling the
 * store to run the transaction again: the batch must then be paid once, by the same worker, with
 * no failed attempt recorded and no error reported, even when the host's hook wraps the driver's
 * error in its own.
 */
const available = await mysqlAvailable(import.meta.filename);

/** How a host hook passes a failed statement on. */
const hooks = {
  rethrows: (statement: Promise<unknown>) => statement,
  wraps: (statement: Promise<unknown>) =>
    statement.catch((error: unknown) => {
      throw new Error('host ledger unavailable', { cause: error });
    }),
};

describe.skipIf(!available)('MySqlStore retries deadlocked and timed-out batches', () => {
  let db: TestDatabase;
  let pool: mysql.Pool;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
    // Lock waits give up after one second (the least MySQL allows), so a timeout costs one second.
    pool = db.createPool({ connectionLimit: 6 });
    pool.pool.on('connection', (connection) => {
      connection.query('SET SESSION innodb_lock_wait_timeout = 1');
    });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** A fresh installation with the host's own `host_totals` table (rows 1 and 2, at 0). */
  async function installation() {
    const tablePrefix = db.freshPrefix();
    const store = new MySqlStore({ pool, tablePrefix });
    await store.migrate();
    const totals = `${tablePrefix}host_totals`;
    await pool.query(`CREATE TABLE ${totals} (id INT NOT NULL PRIMARY KEY, total BIGINT NOT NULL) ENGINE = InnoDB`);
    await pool.query(`INSERT INTO ${totals} VALUES (1, 0), (2, 0)`);
    const add = (tx: HostTransaction, id: number, amount: bigint) =>
      tx.query(`UPDATE ${totals} SET total = total + ? WHERE id = ?`, [amount, id]);
    const readTotals = async () => {
      const [rows] = await db.pool.query<mysql.RowDataPacket[]>(
        `SELECT CAST(total AS CHAR) AS total FROM ${totals} ORDER BY id`,
      );
      return rows.map((row) => BigInt(row.total as string));
    };
    return { store, totals, add, readTotals };
  }

  function recordErrors(queue: PayoutQueue): SettleError[] {
    const errors: SettleError[] = [];
    queue.on('error', (error) => errors.push(error));
    return errors;
  }

  for (const [hook, pass] of Object.entries(hooks)) {
    it(`reruns a batch whose hook hit a lock wait timeout (1205) and pays it once, when the hook ${hook} the error`, async () => {
      const { store, totals, add, readTotals } = await installation();
      const holder = await db.pool.getConnection();
      let calls = 0;
      try {
        await holder.query('START TRANSACTION');
        await holder.query(`SELECT * FROM ${totals} WHERE id = 1 FOR UPDATE`);
        const queue = new PayoutQueue({
          store,
          mode: {
            kind: 'hook',
            async credit(tx, batch) {
              calls += 1;
              // The first run waits on the held row until 1205; the second runs once it is free.
              if (calls === 2) await holder.query('COMMIT');
              await pass(
                add(
                  tx,
                  1,
                  batch.entries.reduce((sum, e) => sum + e.amount, 0n),
                ),
              );
            },
          },
        });
        const errors = recordErrors(queue);
        const { jobId } = await queue.enqueue({
          entries: Array.from({ length: 5 }, (_, i) => ({ userId: `t-${i}`, amount: BigInt(10 + i) })),
        });

        expect(await queue.runOnce()).toEqual({ batches: 1, completed: 5, failed: 0 });
        expect(calls).toBe(2);
        expect(errors).toEqual([]);
        expect(await store.ledgerTotal({ jobId })).toEqual({ count: 5, total: 60n });
        expect(await readTotals()).toEqual([60n, 0n]);
        const entries = await store.listPayoutEntries(jobId, { limit: 10 });
        expect(entries.map((e) => [e.status, e.attempts, e.error])).toEqual(Array(5).fill(['completed', 0, null]));
      } finally {
        holder.release();
      }
    });

    it(`reruns the victim of a deadlock (1213) between two batches, both paid once, when the hook ${hook} the error`, async () => {
      const { store, add, readTotals } = await installation();
      let calls = 0;
      let arrived = 0;
      let bothHoldOneRow: () => void = () => {};
      const barrier = new Promise<void>((resolve) => {
        bothHoldOneRow = resolve;
      });
      // Each worker's first run takes its own row, waits for the other to take its row, then asks
      // for the other's: a lock cycle, which InnoDB breaks at once by rolling one of them back.
      const queueLocking = (first: number, second: number) =>
        new PayoutQueue({
          store,
          batchSize: 1,
          mode: {
            kind: 'hook',
            async credit(tx, batch) {
              calls += 1;
              const amount = batch.entries[0]!.amount;
              await pass(add(tx, first, amount));
              if (++arrived === 2) bothHoldOneRow();
              if (arrived <= 2) await barrier;
              await pass(add(tx, second, amount));
            },
          },
        });
      const queues = [queueLocking(1, 2), queueLocking(2, 1)];
      const errors = queues.flatMap(recordErrors);
      const { jobId } = await queues[0]!.enqueue({
        entries: [
          { userId: 'd-1', amount: 7n },
          { userId: 'd-2', amount: 11n },
        ],
      });

      const runs = await Promise.all(queues.map((queue) => queue.runOnce()));
      expect(runs).toEqual([
        { batches: 1, completed: 1, failed: 0 },
        { batches: 1, completed: 1, failed: 0 },
      ]);
      expect(calls).toBe(3); // two first runs, one rerun of the victim
      expect(errors).toEqual([]);
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 2, total: 18n });
      expect(await readTotals()).toEqual([18n, 18n]);
      const entries = await store.listPayoutEntries(jobId, { limit: 10 });
      expect(entries.map((e) => [e.status, e.attempts])).toEqual([
        ['completed', 0],
        ['completed', 0],
      ]);
    });
  }
});
