import type { BenchProgress } from '../progress';
import type { StatementTiming } from '../statement-profile';
import { quantile } from '../stats';
import type { SchedulerConfig } from './scheduler-config';
import type { SchedulerDatabase, SchedulerTally } from './scheduler-database';
import { startWorkerProcess, type WorkerMessage, type WorkerProcess } from './worker-process';

/** Percentiles of a lag sample, ms. */
export interface LagSummary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** What one Scheduler process did. */
export interface InstanceReport {
  /** Transitions this instance won (and reported through `challenge.transitioned`). */
  readonly transitioned: number;
  /** Its statements, timed in the process through a wrapper of its pool. */
  readonly statements: readonly StatementTiming[];
}

/** What the deadline-lag benchmark measured on one server. */
export interface DeadlineLagResult {
  readonly product: string;
  readonly challenges: number;
  readonly windowMs: number;
  readonly instances: number;
  /** From the first deadline to the commit of the last transition, ms. */
  readonly spanMs: number;
  /** `lagMs` of the `challenge.transitioned` events: commit of the transition − deadline. */
  readonly lag: LagSummary;
  /** `updated_at − deadline` as the database stored it: the instant inside the transaction. */
  readonly recordedLag: LagSummary;
  /** Events per lag bucket, for the chart. */
  readonly histogram: readonly { readonly label: string; readonly count: number }[];
  readonly perInstance: readonly InstanceReport[];
  /** What the database holds afterwards. */
  readonly tally: SchedulerTally;
  /** Events reported for a challenge that had already been reported (0 when exactly once). */
  readonly duplicateEvents: number;
  /** `error` events the processes reported. */
  readonly errors: readonly string[];
}

/** Upper bounds of the histogram's buckets, ms; the last bucket is everything above. */
const BUCKETS = [5, 10, 20, 50, 100, 200, 500, 1_000];
/** How long after the last deadline the run may take before it is called stuck. */
const GRACE_MS = 120_000;
const WORKER = new URL('./scheduler-worker.ts', import.meta.url);

/**
 * `config.lag.instances` Scheduler processes on one store, default options, real clock, and
 * `config.lag.challenges` active challenges whose deadlines are spread evenly over
 * `config.lag.windowMs`, starting `leadMs` after the processes were told to start (they all sleep
 * until the first deadline). Each transition also writes a row from the `onDeadline` hook. Waits
 * until every challenge was reported transitioned, then checks the database: every challenge
 * `pending_admin` and closed by exactly one hook row.
 */
export async function measureDeadlineLag(
  db: SchedulerDatabase,
  config: SchedulerConfig,
  progress: BenchProgress,
): Promise<DeadlineLagResult> {
  const { challenges: count, windowMs, instances, leadMs } = config.lag;
  const prefix = 'lag_';
  await db.install(prefix);
  const seen = new Set<string>();
  const lags: number[] = [];
  const errors: string[] = [];
  let duplicateEvents = 0;
  let lastTransitionAt = 0;
  let allSeen: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    allSeen = resolve;
  });
  const bar = progress.bar(`scheduler lag on ${db.product} (${instances} processes)`, count, 'challenges');
  const onMessage = (message: WorkerMessage) => {
    if ('error' in message) errors.push(String(message.error));
    if (!('t' in message)) return;
    const [id, lagMs, transitionedAt] = message.t as [string, number, number];
    lastTransitionAt = Math.max(lastTransitionAt, transitionedAt);
    if (seen.has(id)) duplicateEvents += 1;
    seen.add(id);
    lags.push(lagMs);
    bar.increment();
    if (seen.size === count) allSeen();
  };
  const workers: WorkerProcess[] = [];
  let summaries: WorkerMessage[];
  let firstDeadline: Date;
  try {
    for (let i = 0; i < instances; i++) {
      workers.push(startWorkerProcess(WORKER, { ...db.workerEnv(prefix), SETTLE_BENCH_MODE: 'lag' }, onMessage));
    }
    await Promise.all(workers.map((w) => w.next('ready')));
    firstDeadline = new Date(Date.now() + leadMs);
    await db.seed(prefix, { idPrefix: 'lag-', count, firstDeadline, spreadMs: windowMs });
    if (Date.now() > firstDeadline.getTime() - 500) {
      throw new Error(`creating ${count} challenges took longer than the ${leadMs} ms lead before the first deadline`);
    }
    for (const worker of workers) worker.send('start');
    await within(finished, firstDeadline.getTime() + windowMs + GRACE_MS - Date.now(), () => {
      return `only ${seen.size} of ${count} challenges were reported transitioned ${GRACE_MS / 1_000} s after the last deadline`;
    });
    for (const worker of workers) worker.send('stop');
    summaries = await Promise.all(workers.map((w) => w.next('done')));
    await Promise.all(workers.map((w) => w.exited));
  } finally {
    bar.stop();
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
  }
  const tally = await db.tally(prefix);
  const recorded = await db.recordedLagsMs(prefix);
  return {
    product: db.product,
    challenges: count,
    windowMs,
    instances,
    spanMs: lastTransitionAt - firstDeadline.getTime(),
    lag: summarizeLag(lags),
    recordedLag: summarizeLag(recorded),
    histogram: histogram(lags),
    perInstance: summaries.map((s) => {
      const done = s.done as { transitioned: number; statements: StatementTiming[] };
      return { transitioned: done.transitioned, statements: done.statements };
    }),
    tally,
    duplicateEvents,
    errors,
  };
}

/** Percentiles of `values`, ms. */
function summarizeLag(values: readonly number[]): LagSummary {
  return {
    count: values.length,
    min: Math.min(...values),
    p50: quantile(values, 0.5),
    p90: quantile(values, 0.9),
    p99: quantile(values, 0.99),
    max: Math.max(...values),
    mean: values.reduce((sum, v) => sum + v, 0) / values.length,
  };
}

function histogram(values: readonly number[]): { label: string; count: number }[] {
  const counts = new Array<number>(BUCKETS.length + 1).fill(0);
  for (const value of values) {
    const bucket = BUCKETS.findIndex((upper) => value < upper);
    counts[bucket === -1 ? BUCKETS.length : bucket]! += 1;
  }
  return counts.map((n, i) => ({
    label:
      i === BUCKETS.length
        ? `≥ ${BUCKETS.at(-1)!.toLocaleString('en-US')} ms`
        : `${i === 0 ? 0 : BUCKETS[i - 1]}–${BUCKETS[i]} ms`,
    count: n,
  }));
}

/** Resolves when `promise` does, or throws `message()` after `ms`. */
async function within(promise: Promise<void>, ms: number, message: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message())), Math.max(0, ms));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
