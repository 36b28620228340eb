import type mysql from 'mysql2/promise';
import type { MySqlBenchDatabase } from './mysql-bench-database';
import type { MySqlRawTables } from './mysql-raw-tables';
import { sqlTime } from './sql-time';

/**
 * The hand-written limit on MySQL: each batch is one transaction of set-based statements on one
 * connection, six round trips in all. MySQL has no `UPDATE … RETURNING` and no data-modifying
 * CTEs, so the Postgres loop's single statement is not available; this is the shortest sequence of
 * ordinary statements that does the same work:
 *
 * 1. claim up to 500 pending entries of the job in id order, `FOR UPDATE SKIP LOCKED`, between a
 *    cursor (the last id this loop claimed) and the job's last entry, through the primary key, so
 *    the claim never walks paid entries whatever plan the statistics suggest (read once per job);
 *    with autocommit off this statement opens the transaction, so no `START TRANSACTION` is sent;
 * 2. mark them completed;
 * 3. insert their ledger rows (amounts copied inside the server);
 * 4. upsert each user's account once with the sum of their entries, in user id order (so
 *    concurrent batches cannot deadlock);
 * 5. advance the job's counters last (MySQL applies SET assignments left to right, so the status
 *    test sees the new count);
 * 6. `COMMIT`.
 *
 * Its connection runs at READ COMMITTED, as Settle's transactions do, set once for the session.
 */
export class MySqlRawPayer {
  private constructor(
    private readonly connection: mysql.Connection,
    private readonly tables: MySqlRawTables,
    private readonly batchSize: number,
  ) {}

  /** A payer on a connection of its own (session settings must not leak into the shared pool). */
  static async open(db: MySqlBenchDatabase, tables: MySqlRawTables, batchSize: number): Promise<MySqlRawPayer> {
    const connection = await db.connect();
    await connection.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await connection.query('SET SESSION autocommit = 0');
    return new MySqlRawPayer(connection, tables, batchSize);
  }

  /** Pays batches of job `jobId` until none is left; `onBatch` hears each batch's size and duration. */
  async payJob(jobId: string, onBatch: (paid: number, ms: number) => void): Promise<number> {
    const { connection } = this;
    const { jobs, entries, ledger, accounts } = this.tables;
    let total = 0;
    try {
      const [[span]] = await connection.query<mysql.RowDataPacket[]>(
        `SELECT min(id) - 1 AS before_first, max(id) AS last FROM ${entries} WHERE job_id = ? AND status = 'pending'`,
        [jobId],
      );
      await connection.query('COMMIT');
      const start = String(span?.before_first ?? '0');
      const last = String(span?.last ?? '0');
      let after = start;
      for (;;) {
        const started = performance.now();
        const at = sqlTime(new Date());
        const [claimed] = await connection.query<mysql.RowDataPacket[]>(
          `SELECT id, amount FROM ${entries} FORCE INDEX (PRIMARY)
           WHERE id > ? AND id <= ? AND job_id = ? AND status = 'pending' AND available_at <= ?
           ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
          [after, last, jobId, at, this.batchSize],
        );
        if (claimed.length === 0) {
          await connection.query('COMMIT');
          // Entries before the cursor that another worker held are not lost: rescan from the start once.
          if (after === start) return total;
          after = start;
          continue;
        }
        const ids = claimed.map((row) => String(row.id));
        const amount = claimed.reduce((sum, row) => sum + BigInt(row.amount as string), 0n);
        await connection.query(`UPDATE ${entries} SET status = 'completed', completed_at = ? WHERE id IN (?)`, [
          at,
          ids,
        ]);
        await connection.query(
          `INSERT INTO ${ledger} (entry_id, job_id, user_id, amount, created_at)
           SELECT e.id, e.job_id, e.user_id, e.amount, ? FROM ${entries} e WHERE e.id IN (?) ORDER BY e.id`,
          [at, ids],
        );
        await connection.query(
          `INSERT INTO ${accounts} (user_id, balance, updated_at)
           SELECT e.user_id, sum(e.amount), ? FROM ${entries} e WHERE e.id IN (?) GROUP BY e.user_id ORDER BY e.user_id
           ON DUPLICATE KEY UPDATE balance = balance + VALUES(balance), updated_at = VALUES(updated_at)`,
          [at, ids],
        );
        await connection.query(
          `UPDATE ${jobs}
           SET completed_entries = completed_entries + ?, paid_amount = paid_amount + ?,
               status = IF(completed_entries >= total_entries, 'completed', 'running'),
               started_at = coalesce(started_at, ?),
               completed_at = IF(completed_entries >= total_entries, ?, NULL), updated_at = ?
           WHERE id = ?`,
          [ids.length, amount.toString(), at, at, at, jobId],
        );
        await connection.query('COMMIT');
        total += ids.length;
        after = ids.at(-1)!;
        onBatch(ids.length, performance.now() - started);
      }
    } catch (error) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Closes the payer's connection. */
  close(): Promise<void> {
    return this.connection.end();
  }
}
