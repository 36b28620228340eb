import type { BenchProgress } from '../progress';
import type { StatementTiming } from '../statement-profile';
import type { SchedulerConfig } from './scheduler-config';
import type { SchedulerDatabase, SchedulerTally } from './scheduler-database';
import { startWorkerProcess, type WorkerProcess } from './worker-process';

/** One memory reading of the catching-up process. */
export interface CatchUpSample {
  /** Challenges transitioned so far. */
  readonly transitioned: number;
  /** Since `start()`, ms. */
  readonly ms: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

/** What the catch-up benchmark measured. */
export interface CatchUpResult {
  readonly product: string;
  readonly challenges: number;
  /** The Scheduler's `concurrency` option. */
  readonly concurrency: number;
  /** From `start()` to the last `challenge.transitioned`, ms. */
  readonly elapsedMs: number;
  readonly perSecond: number;
  /** Transitions per second over the first and over the last tenth of the challenges. */
  readonly firstTenthPerSecond: number;
  readonly lastTenthPerSecond: number;
  /** RSS after a full GC just before `start()`. */
  readonly baselineRssMb: number;
  readonly peakRssMb: number;
  /** Highest RSS in the first and in the last tenth of the run: equal when nothing accumulates. */
  readonly firstTenthPeakMb: number;
  readonly lastTenthPeakMb: number;
  /**
   * V8 heap in use after a full GC, before the start and after every tenth of the challenges: what
   * the process really keeps (the RSS readings also hold garbage not yet collected).
   */
  readonly liveHeap: readonly { readonly transitioned: number; readonly mb: number }[];
  readonly samples: readonly CatchUpSample[];
  readonly statements: readonly StatementTiming[];
  readonly tally: SchedulerTally;
  readonly errors: readonly string[];
}

const WORKER = new URL('./scheduler-worker.ts', import.meta.url);

/**
 * `config.catchUp.challenges` active challenges whose deadlines passed during the last hour, as
 * after downtime, and one Scheduler process started on them with `concurrency` from the config
 * (other options default): it reads them `batchSize` (100) at a time and transitions each in its
 * own transaction. The process reads its own
 * memory every challenges / samples transitions and stops by itself after the last one; the
 * database is checked afterwards (every challenge `pending_admin`).
 */
export async function measureCatchUp(
  db: SchedulerDatabase,
  config: SchedulerConfig,
  progress: BenchProgress,
): Promise<CatchUpResult> {
  const { challenges: count, samples, concurrency } = config.catchUp;
  const prefix = 'cu_';
  await db.install(prefix);
  const hour = 3_600_000;
  const seeding = performance.now();
  await db.seed(prefix, { idPrefix: 'cu-', count, firstDeadline: new Date(Date.now() - hour), spreadMs: hour - 1_000 });
  progress.log(
    `scheduler catch-up: created ${count.toLocaleString('en-US')} overdue challenges in ${((performance.now() - seeding) / 1_000).toFixed(1)} s`,
  );

  const errors: string[] = [];
  const bar = progress.bar(`scheduler catch-up on ${db.product} (1 process)`, count, 'challenges');
  let reported = 0;
  let worker: WorkerProcess | undefined;
  let done: Record<string, unknown>;
  try {
    worker = startWorkerProcess(
      WORKER,
      {
        ...db.workerEnv(prefix),
        SETTLE_BENCH_MODE: 'catchup',
        SETTLE_BENCH_EXPECTED: String(count),
        SETTLE_BENCH_SAMPLES: String(samples),
        SETTLE_BENCH_CONCURRENCY: String(concurrency),
      },
      (message) => {
        if ('error' in message) errors.push(String(message.error));
        if ('progress' in message) {
          const now = Number(message.progress);
          bar.increment(now - reported);
          reported = now;
        }
      },
    );
    await worker.next('ready');
    worker.send('start');
    done = (await worker.next('done')).done as Record<string, unknown>;
    await worker.exited;
  } finally {
    bar.stop();
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
  }
  const readings = done.samples as CatchUpSample[];
  const elapsedMs = Number(done.elapsedMs);
  const tenth = Math.max(1, Math.floor(readings.length / 10));
  const first = readings[tenth - 1]!;
  const lastTenthStart = readings[readings.length - 1 - tenth]!;
  const last = readings.at(-1)!;
  const rss = readings.map((r) => r.rssMb);
  return {
    product: db.product,
    challenges: count,
    concurrency,
    elapsedMs,
    perSecond: count / (elapsedMs / 1_000),
    firstTenthPerSecond: first.transitioned / (first.ms / 1_000),
    lastTenthPerSecond: (last.transitioned - lastTenthStart.transitioned) / ((last.ms - lastTenthStart.ms) / 1_000),
    baselineRssMb: Number(done.baselineRssMb),
    peakRssMb: Math.max(...rss),
    firstTenthPeakMb: Math.max(...rss.slice(0, tenth)),
    lastTenthPeakMb: Math.max(...rss.slice(-tenth)),
    liveHeap: done.liveHeap as CatchUpResult['liveHeap'],
    samples: readings,
    statements: done.statements as StatementTiming[],
    tally: await db.tally(prefix),
    errors,
  };
}
