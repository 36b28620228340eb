// One Scheduler in its own process, driven by the scheduler suite (worker-process.ts) on the real
// clock. Reads its store from SETTLE_BENCH_* variables, prints JSON lines on stdout, and takes
// "start" and "stop" lines on stdin.
//
// lag mode:     each transition is reported as { t: [challengeId, lagMs, transitionedAtMs] }; the
//               onDeadline hook writes a row per closure in the host table <prefix>closures (no
//               unique key: a challenge closed twice would show as two rows).
// catchup mode: no hook, SETTLE_BENCH_CONCURRENCY transitions at once; a memory reading and a
//               { progress } line every SETTLE_BENCH_EXPECTED / SETTLE_BENCH_SAMPLES transitions, the
//               heap after a full GC at every tenth, and the process stops by itself after
//               SETTLE_BENCH_EXPECTED transitions.
// Both end with { done: { transitioned, statements, … } } after the Scheduler stopped.
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Scheduler, type SchedulerOptions, type Store } from '@settle/core';
import { MySqlStore } from '@settle/mysql';
import { PostgresStore } from '@settle/postgres';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { profiledMySqlPool } from '../mysql/mysql-profiled-pool';
import { StatementProfile } from '../statement-profile';
import { classifySchedulerStatement } from './scheduler-statements';

const env = process.env;
const dialect = env.SETTLE_BENCH_DIALECT;
const namespace = env.SETTLE_BENCH_NAMESPACE!;
const prefix = env.SETTLE_BENCH_PREFIX!;
const mode = env.SETTLE_BENCH_MODE === 'catchup' ? 'catchup' : 'lag';
const expected = Number(env.SETTLE_BENCH_EXPECTED ?? 0);
const sampleEvery = Math.max(1, Math.floor(expected / Number(env.SETTLE_BENCH_SAMPLES ?? 100)));
const MB = 1024 * 1024;

const concurrency = Number(env.SETTLE_BENCH_CONCURRENCY ?? 1);
// One connection per transition in flight, one for the reads between them, one for LISTEN (Postgres).
const connections = concurrency + 2;
const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);
const profile = new StatementProfile(classifySchedulerStatement);

let store: Store & { close(): Promise<void> };
let closePool: () => Promise<void>;
let hookSql: string;
if (dialect === 'mysql') {
  const pool = mysql.createPool({ uri: env.SETTLE_BENCH_URL, database: namespace, connectionLimit: connections });
  store = new MySqlStore({ pool: profiledMySqlPool(pool, profile), tablePrefix: prefix });
  closePool = () => pool.end();
  hookSql = `INSERT INTO \`${prefix}closures\` (challenge_id, pid) VALUES (?, ?)`;
} else {
  const pool = new pg.Pool({ connectionString: env.SETTLE_BENCH_URL, max: connections });
  pool.on('error', () => undefined);
  store = new PostgresStore({ pool: profile.wrap(pool), schema: namespace, tablePrefix: prefix });
  closePool = () => pool.end();
  hookSql = `INSERT INTO "${namespace}"."${prefix}closures" (challenge_id, pid) VALUES ($1, $2)`;
}

const onDeadline: SchedulerOptions['onDeadline'] = async (tx, challenge) => {
  await tx.query(hookSql, [challenge.id, process.pid]);
};
const scheduler = new Scheduler({
  store,
  concurrency,
  ...(mode === 'lag' ? { onDeadline } : {}),
});

let transitioned = 0;
let startedAt = 0;
const samples: { transitioned: number; ms: number; rssMb: number; heapUsedMb: number }[] = [];
// The heap in use after a full collection, at every tenth of the run: what is really kept.
const liveHeap: { transitioned: number; mb: number }[] = [];
const tenth = Math.max(1, Math.floor(expected / 10));
let finished: () => void = () => undefined;
const caughtUp = new Promise<void>((resolve) => {
  finished = resolve;
});

scheduler.on('challenge.transitioned', (event) => {
  transitioned += 1;
  if (mode === 'lag') {
    say({ t: [event.challengeId, event.lagMs, Date.parse(event.transitionedAt)] });
    return;
  }
  if (transitioned % sampleEvery === 0 || transitioned === expected) {
    const usage = process.memoryUsage();
    const sample = {
      transitioned,
      ms: performance.now() - startedAt,
      rssMb: usage.rss / MB,
      heapUsedMb: usage.heapUsed / MB,
    };
    samples.push(sample);
    say({ progress: transitioned });
  }
  if (transitioned % tenth === 0) {
    collectGarbage();
    liveHeap.push({ transitioned, mb: process.memoryUsage().heapUsed / MB });
  }
  if (transitioned === expected) finished();
});
scheduler.on('error', (error) => say({ error: `${error.name}: ${error.message}` }));

say({ ready: process.pid });
let baselineRssMb = 0;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line === 'start') {
    collectGarbage();
    baselineRssMb = process.memoryUsage().rss / MB;
    liveHeap.push({ transitioned: 0, mb: process.memoryUsage().heapUsed / MB });
    profile.reset();
    startedAt = performance.now();
    scheduler.start();
    if (mode === 'catchup') {
      await caughtUp;
      break;
    }
  } else if (line === 'stop') {
    break;
  }
}
const elapsedMs = performance.now() - startedAt;
await scheduler.stop();
say({ done: { transitioned, elapsedMs, baselineRssMb, samples, liveHeap, statements: profile.results() } });
lines.close();
await store.close();
await closePool();

/** A full garbage collection, so the baseline holds no garbage of the start-up. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
