// One Notifier in its own process, driven by the notifier suite (reminder-delivery.ts) on the real
// clock: default options, one webhook channel to the suite's receiver, a PostgresStore over a pg
// Pool of default size. Reads its settings from SETTLE_BENCH_* variables, prints JSON lines on
// stdout, and takes "start <first due instant, ms>" and "stop" lines on stdin.
//
// After "start" it reads its memory every SETTLE_BENCH_SAMPLE_MS ms; after "stop" (once the
// receiver has every reminder) it stops the Notifier, which waits for the deliveries in flight to
// be recorded, and prints { done: { sent, skipped, failed, errors, baselineRssMb, samples, statements,
// posts, wallTime, cpuMs, elapsedMs, loop, settings } } from the first due instant to the Notifier's
// stop: its statements (timed through a wrapper of its pool), its webhook POSTs (each channel send
// timed through a wrapper of the channel), its wall time split by what it waited on (the clock's sleep is
// observed too), its CPU time (user + system), wall time, event-loop utilization and delay.
// With SETTLE_BENCH_CPU_PROFILE set to a path, it also writes a CPU profile of the run there
// (.cpuprofile, open it in Chrome DevTools or speedscope).
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { createHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type Clock,
  type NotificationChannel,
  Notifier,
  resolveNotifierOptions,
  systemClock,
  webhookChannel,
} from '@settle/core';
import { PostgresStore } from '@settle/postgres';
import pg from 'pg';
import { StatementProfile } from '../statement-profile';
import { classifyNotifierStatement, type NotifierStatementTiming } from './notifier-statements';
import { timedPool } from './timed-pool';
import { WallTimeClock } from './wall-time-clock';

const env = process.env;
const sampleEveryMs = Number(env.SETTLE_BENCH_SAMPLE_MS ?? 250);
const cpuProfilePath = env.SETTLE_BENCH_CPU_PROFILE;
const MB = 1024 * 1024;
/** Error messages kept for the report; more would only repeat them. */
const MAX_ERRORS = 20;

const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);
const profile = new StatementProfile(classifyNotifierStatement);
const statementRows = new Map<string, number>();
const wallTime = new WallTimeClock();
/** Each webhook send, from the call to the end of the answer, µs. */
const postTimes = createHistogram();

// pg's default pool size, as a host that does not tune it would have.
const POOL_SIZE = 10;
const pool = new pg.Pool({
  connectionString: env.SETTLE_BENCH_URL,
  max: POOL_SIZE,
  // The suite finds this process's Postgres backends by it, to read their CPU time.
  application_name: env.SETTLE_BENCH_APPLICATION_NAME,
});
pool.on('error', () => undefined);
const store = new PostgresStore({
  pool: timedPool(pool, { profile, rows: statementRows, clock: wallTime }),
  schema: env.SETTLE_BENCH_NAMESPACE!,
  tablePrefix: env.SETTLE_BENCH_PREFIX!,
});
const webhook = webhookChannel({ url: env.SETTLE_BENCH_RECEIVER_URL!, secret: env.SETTLE_BENCH_WEBHOOK_SECRET! });
const timedWebhook: NotificationChannel = {
  name: webhook.name,
  async send(message) {
    const started = performance.now();
    wallTime.begin('post');
    try {
      await webhook.send(message);
    } finally {
      wallTime.end('post');
      postTimes.record(Math.max(1, Math.round((performance.now() - started) * 1_000)));
    }
  },
};
// The system clock, with its sleeps observed: they are the time the Notifier had nothing due.
const clock: Clock = {
  now: () => systemClock.now(),
  async sleep(ms, signal) {
    wallTime.begin('sleep');
    try {
      await systemClock.sleep(ms, signal);
    } finally {
      wallTime.end('sleep');
    }
  },
};
const options = {
  store,
  clock,
  channels: [timedWebhook],
};
const { batchSize, channelConcurrency } = resolveNotifierOptions(options);
const notifier = new Notifier(options);

const counts = { sent: 0, skipped: 0, failed: 0 };
const errors: string[] = [];
const keep = (message: string) => {
  if (errors.length < MAX_ERRORS) errors.push(message);
};
notifier.on('notification.sent', () => {
  counts.sent += 1;
});
notifier.on('notification.skipped', (event) => {
  counts.skipped += 1;
  keep(`skipped ${event.key}: ${event.reason}`);
});
notifier.on('notification.failed', (event) => {
  counts.failed += 1;
  keep(`failed ${event.key} (attempt ${event.attempt}): ${event.error}`);
});
notifier.on('error', (error) => keep(`${error.name}: ${error.message}`));

const samples: { at: number; sent: number; rssMb: number; heapUsedMb: number }[] = [];
const sample = () => {
  const usage = process.memoryUsage();
  samples.push({ at: Date.now(), sent: counts.sent, rssMb: usage.rss / MB, heapUsedMb: usage.heapUsed / MB });
};

let cpuAtStart = process.cpuUsage();
let loopAtStart = performance.eventLoopUtilization();
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let startedAt = 0;
const startMeasuring = () => {
  profile.reset();
  statementRows.clear();
  wallTime.reset();
  postTimes.reset();
  cpuAtStart = process.cpuUsage();
  loopAtStart = performance.eventLoopUtilization();
  loopDelay.enable();
  startedAt = performance.now();
};

say({ ready: process.pid });
let baselineRssMb = 0;
let sampler: NodeJS.Timeout | undefined;
let cpuProfile: Session | undefined;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.startsWith('start ')) {
    collectGarbage();
    baselineRssMb = process.memoryUsage().rss / MB;
    if (cpuProfilePath) cpuProfile = await startCpuProfile();
    sampler = setInterval(sample, sampleEveryMs);
    // CPU and event loop are measured from the first due instant: before it the Notifier only sleeps.
    const firstDue = Number(line.slice('start '.length));
    setTimeout(startMeasuring, Math.max(0, firstDue - Date.now()));
    notifier.start();
  } else if (line === 'stop') {
    break;
  }
}
await notifier.stop();
const cpu = process.cpuUsage(cpuAtStart);
const elapsedMs = performance.now() - startedAt;
const wallTimeSplit = wallTime.results();
const loop = {
  utilization: performance.eventLoopUtilization(loopAtStart).utilization,
  delayP50Ms: loopDelay.percentile(50) / 1e6,
  delayP99Ms: loopDelay.percentile(99) / 1e6,
  delayMaxMs: loopDelay.max / 1e6,
};
loopDelay.disable();
clearInterval(sampler);
sample();
if (cpuProfile) await writeCpuProfile(cpuProfile, cpuProfilePath!);
const statements: NotifierStatementTiming[] = profile
  .results()
  .map((timing) => ({ ...timing, rows: statementRows.get(timing.label) ?? 0 }));
const posts = {
  count: postTimes.count,
  totalMs: postTimes.count === 0 ? 0 : (postTimes.mean * postTimes.count) / 1_000,
  p50Ms: postTimes.percentile(50) / 1_000,
  p99Ms: postTimes.percentile(99) / 1_000,
  maxMs: postTimes.max / 1_000,
};
const cpuMs = (cpu.user + cpu.system) / 1_000;
const settings = { batchSize, channelConcurrency, poolSize: POOL_SIZE };
say({
  done: {
    ...counts,
    errors,
    baselineRssMb,
    samples,
    statements,
    posts,
    wallTime: wallTimeSplit,
    cpuMs,
    elapsedMs,
    loop,
    settings,
  },
});
lines.close();
await store.close();
await pool.end();

/** A full garbage collection, so the baseline holds no garbage of the start-up. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

async function startCpuProfile(): Promise<Session> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return session;
}

async function writeCpuProfile(session: Session, path: string): Promise<void> {
  const { profile: recorded } = await session.post('Profiler.stop');
  await writeFile(path, JSON.stringify(recorded));
  session.disconnect();
}
