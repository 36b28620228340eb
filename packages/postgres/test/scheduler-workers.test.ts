import { Challenges } from '@settle/core';
import { PostgresStore } from '@settle/postgres';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DATABASE_URL, postgresAvailable, type TestDatabase } from './helpers';
import { killWorkerProcesses, startWorkerProcess, type WorkerProcess } from './worker-process';

/*
 * Exactly once across real processes: three Scheduler processes on the real clock close 1,000
 * challenges with staggered deadlines. Each closure also writes a row in the host's own table from
 * the onDeadline hook, in the transition's transaction, so a double transition would show there.
 */

const workerScript = new URL('./fixtures/scheduler-worker.ts', import.meta.url);
const available = await postgresAvailable(import.meta.filename);

function startWorker(db: TestDatabase, prefix: string, onTransition: () => void): WorkerProcess {
  return startWorkerProcess(
    workerScript,
    { DATABASE_URL, SETTLE_SCHEMA: db.schema, SETTLE_PREFIX: prefix },
    (message) => {
      if ('transitioned' in message) onTransition();
    },
  );
}

describe.skipIf(!available)('Scheduler instances in separate processes on PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase(import.meta.filename);
    await db.pool.query(`CREATE TABLE ${db.schema}.host_closures (challenge_id text NOT NULL, pid int NOT NULL)`);
  });
  afterEach(killWorkerProcesses);
  afterAll(async () => {
    await db?.drop();
  });

  it('three scheduler processes close 1,000 staggered challenges exactly once each', async () => {
    const count = 1_000;
    const prefix = db.freshPrefix();
    const store = new PostgresStore({ pool: db.pool, schema: db.schema, tablePrefix: prefix });
    await store.migrate();

    let seen = 0;
    let allSeen: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      allSeen = resolve;
    });
    const workers = [0, 1, 2].map(() =>
      startWorker(db, prefix, () => {
        if (++seen === count) allSeen();
      }),
    );
    for (const worker of workers) worker.child.stdin.write('go\n');
    await Promise.all(workers.map((w) => w.next('ready')));

    // Deadlines spread over three seconds, starting well after every challenge exists (created
    // 25 at a time, so a loaded machine still creates them all before the first deadline).
    const challenges = new Challenges({ store });
    const base = Date.now() + 6_000;
    const ids = Array.from({ length: count }, (_, i) => `${prefix}challenge-${i}`);
    for (let start = 0; start < count; start += 25) {
      await Promise.all(
        ids.slice(start, start + 25).map((id, offset) => {
          const i = start + offset;
          return challenges.create({
            id,
            title: `Challenge ${i}`,
            deadline: new Date(base + ((i * 7) % count) * 3),
            participants: [{ userId: `user-${i}`, side: 'yes', stake: 100n }],
            status: 'active',
          });
        }),
      );
    }
    await finished;
    for (const worker of workers) worker.child.stdin.end('stop\n');
    const summaries = await Promise.all(workers.map((w) => w.next('done')));
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);

    const transitioned = workers.flatMap((w) =>
      w.messages.filter((m) => 'transitioned' in m).map((m) => m.transitioned),
    );
    expect(transitioned).toHaveLength(count);
    expect(new Set(transitioned).size).toBe(count);
    expect([...transitioned].sort()).toEqual([...ids].sort());
    const perWorker = summaries.map((s) => (s.done as { transitioned: number }).transitioned);
    expect(perWorker.reduce((a, b) => a + b, 0)).toBe(count);
    expect(perWorker.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2); // they really shared the work
    expect(workers.flatMap((w) => w.messages.filter((m) => 'error' in m))).toEqual([]);

    const { rows } = await db.pool.query<{ closures: string; challenges: string }>(
      `SELECT count(*) AS closures, count(DISTINCT challenge_id) AS challenges FROM ${db.schema}.host_closures
        WHERE challenge_id LIKE $1`,
      [`${prefix}%`],
    );
    expect(rows[0]).toEqual({ closures: String(count), challenges: String(count) });
    const status = await db.pool.query<{ status: string; n: string }>(
      `SELECT status, count(*) AS n FROM ${db.schema}.${prefix}challenges GROUP BY status`,
    );
    expect(status.rows).toEqual([{ status: 'pending_admin', n: String(count) }]);
  }, 60_000);
});
