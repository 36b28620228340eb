import { PayoutQueue } from '@settle/core';
import { PostgresStore } from '@settle/postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DATABASE_URL, postgresAvailable, type TestDatabase } from './helpers';
import { killWorkerProcesses, startWorkerProcess, type WorkerProcess } from './worker-process';

/*
 * Exactly once across real processes: several workers on one job, and a worker killed with
 * SIGKILL while its batch's transaction is open. Each worker credits the host's own
 * `host_balances` table through a hook, so a double payment would show as a wrong balance.
 */

const workerScript = new URL('./fixtures/payout-worker.ts', import.meta.url);
const available = await postgresAvailable(import.meta.filename);

function startWorker(db: TestDatabase, prefix: string, env: Record<string, string> = {}): WorkerProcess {
  return startWorkerProcess(workerScript, { DATABASE_URL, SETTLE_SCHEMA: db.schema, SETTLE_PREFIX: prefix, ...env });
}

describe.skipIf(!available)('PayoutQueue workers in separate processes on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
    await db.pool.query(`CREATE TABLE ${db.schema}.host_balances (user_id text PRIMARY KEY, balance bigint NOT NULL)`);
  });
  afterEach(killWorkerProcesses);
  afterAll(async () => {
    await db?.drop();
  });

  async function enqueueJob(prefix: string, count: number) {
    const store = new PostgresStore({ pool: db.pool, schema: db.schema, tablePrefix: prefix });
    await store.migrate();
    const entries = Array.from({ length: count }, (_, i) => ({
      userId: `${prefix}user-${i}`,
      amount: BigInt(1 + (i % 997)),
    }));
    const { jobId } = await new PayoutQueue({ store }).enqueue({ entries });
    const total = entries.reduce((sum, e) => sum + e.amount, 0n);
    return { store, jobId, entries, total };
  }

  async function hostBalances(prefix: string) {
    const { rows } = await db.pool.query<{ users: string; total: string | null; max: string | null }>(
      `SELECT count(*) AS users, sum(balance) AS total, max(balance) AS max FROM ${db.schema}.host_balances
        WHERE user_id LIKE $1`,
      [`${prefix}%`],
    );
    return rows[0]!;
  }

  it('three worker processes on one 20,000-entry job pay every entry exactly once', async () => {
    const prefix = db.freshPrefix();
    const { store, jobId, entries, total } = await enqueueJob(prefix, 20_000);
    const workers = [0, 1, 2].map(() => startWorker(db, prefix, { BATCH_SIZE: '250' }));
    for (const worker of workers) worker.child.stdin.end('go\n');
    const summaries = await Promise.all(workers.map((w) => w.next('done')));
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);

    const completed = summaries.map((s) => (s.done as { completed: number }).completed);
    expect(completed.reduce((a, b) => a + b, 0)).toBe(20_000);
    expect(completed.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2); // they really shared the job

    const job = await store.getPayoutJob(jobId);
    expect(job).toMatchObject({ status: 'completed', completedEntries: 20_000, paidAmount: total });
    expect(await store.ledgerTotal({ jobId })).toEqual({ count: 20_000, total });
    const balances = await hostBalances(prefix);
    expect(balances).toMatchObject({ users: '20000', total: total.toString(), max: '997' });
    const { rows } = await db.pool.query(
      `SELECT h.user_id FROM ${db.schema}.host_balances h
         JOIN ${db.schema}.${prefix}payout_entries e ON e.user_id = h.user_id
        WHERE e.job_id = $1 AND h.balance <> e.amount`,
      [jobId],
    );
    expect(rows).toEqual([]);
    expect(entries).toHaveLength(20_000);
  });

  it('a worker killed with SIGKILL mid-batch loses nothing and doubles nothing after a restart', async () => {
    const prefix = db.freshPrefix();
    const { store, jobId, total } = await enqueueJob(prefix, 3_000);
    const doomed = startWorker(db, prefix, { BATCH_SIZE: '500', HANG_ON_BATCH: '3' });
    doomed.child.stdin.end('go\n');
    const inBatch = await doomed.next('inBatch');
    expect(inBatch).toEqual({ inBatch: 3, entries: 500 });
    // Two batches committed; the third's credits are written but not committed.
    expect((await store.getPayoutJob(jobId))?.completedEntries).toBe(1_000);

    doomed.child.kill('SIGKILL');
    expect(await doomed.exited).toBe('SIGKILL');

    const restarted = startWorker(db, prefix, { BATCH_SIZE: '500' });
    restarted.child.stdin.end('go\n');
    const done = await restarted.next('done');
    expect(await restarted.exited).toBe(0);
    expect((done.done as { completed: number }).completed).toBe(2_000);

    expect(await store.getPayoutJob(jobId)).toMatchObject({ status: 'completed', completedEntries: 3_000 });
    expect(await store.ledgerTotal({ jobId })).toEqual({ count: 3_000, total });
    expect(await hostBalances(prefix)).toMatchObject({ users: '3000', total: total.toString() });
  });
});
