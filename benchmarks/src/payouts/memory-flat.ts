import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PayoutQueue } from '@settle/core';
import type { PostgresBenchDatabase } from '../postgres-bench-database';
import type { BenchProgress } from '../progress';
import { syntheticEntries } from '../synthetic-entries';
import type { PayoutsConfig } from './payouts-config';

/** One reading, taken after a batch committed. */
export interface MemorySample {
  /** Entries paid so far. */
  readonly entries: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

/** What the memory benchmark measured. */
export interface MemoryFlatResult {
  readonly entries: number;
  readonly jobs: number;
  readonly batchSize: number;
  /** RSS after the jobs were created and a full GC, before the first batch. */
  readonly baselineMb: number;
  /** RSS after the first batch. */
  readonly startMb: number;
  readonly peakMb: number;
  /** RSS after the last batch. */
  readonly endMb: number;
  /** Highest RSS in the first and in the last tenth of the run: equal when nothing accumulates. */
  readonly firstTenthPeakMb: number;
  readonly lastTenthPeakMb: number;
  /** Least-squares slope of RSS over entries paid: what each entry would leave behind. */
  readonly bytesPerEntry: number;
  /** Drain rate of this run, for context (not a target: the tables here hold many jobs). */
  readonly entriesPerSecond: number;
  /** At most {@link MAX_CHART_SAMPLES} samples, each the highest RSS of its stretch, for the chart. */
  readonly samples: readonly MemorySample[];
}

const MB = 1024 * 1024;
const MAX_CHART_SAMPLES = 400;

/**
 * Pays `config.memory.entries` entries with `PayoutQueue.drain()` and reads `process.memoryUsage()`
 * after every batch. The jobs are created through `enqueue` one job of `jobSize` entries at a time,
 * so the benchmark itself never holds more than one job's input; the drain then holds at most one
 * batch. A queue that kept anything per entry (events, ids, rows) would show as a rising line.
 */
export async function measureMemoryFlat(
  db: PostgresBenchDatabase,
  config: PayoutsConfig,
  progress: BenchProgress,
): Promise<MemoryFlatResult> {
  const { entries: total, jobSize, batchSize } = config.memory;
  const prefix = 'mem_';
  const store = await db.settleStore(prefix);
  const queue = new PayoutQueue({ store, batchSize, concurrency: 1 });

  const jobs = Math.ceil(total / jobSize);
  const loading = progress.bar('memory: enqueue jobs', total, 'entries');
  for (let created = 0; created < total; created += jobSize) {
    const count = Math.min(jobSize, total - created);
    // Every job pays the same users, so later jobs credit existing accounts.
    await queue.enqueue({ entries: syntheticEntries(0, count) });
    loading.increment(count);
  }
  loading.stop();
  // No VACUUM (ANALYZE) here, unlike the throughput benchmark: with statistics of a backlog of
  // pending jobs, Postgres 15 plans Settle's claim through the primary key and each batch walks
  // every entry before the job's own (see the backlog row of the throughput benchmark), which
  // would make this run take many minutes without changing what it measures.

  collectGarbage();
  const baseline = process.memoryUsage().rss;
  const readings: MemorySample[] = [];
  const bar = progress.bar(`memory: pay ${total.toLocaleString('en-US')} entries`, total, 'entries');
  let paid = 0;
  queue.on('payout.batch', (event) => {
    paid += event.completed;
    const usage = process.memoryUsage();
    readings.push({ entries: paid, rssMb: usage.rss / MB, heapUsedMb: usage.heapUsed / MB });
    bar.increment(event.completed);
  });
  const started = performance.now();
  const run = await queue.drain();
  const seconds = (performance.now() - started) / 1_000;
  bar.stop();
  await store.close();
  if (run.completed !== total) throw new Error(`memory run paid ${run.completed} of ${total} entries`);

  const rss = readings.map((r) => r.rssMb);
  const tenth = Math.max(1, Math.floor(readings.length / 10));
  return {
    entries: total,
    jobs,
    batchSize,
    baselineMb: baseline / MB,
    startMb: rss[0]!,
    peakMb: Math.max(...rss),
    endMb: rss.at(-1)!,
    firstTenthPeakMb: Math.max(...rss.slice(0, tenth)),
    lastTenthPeakMb: Math.max(...rss.slice(-tenth)),
    bytesPerEntry: slope(readings.map((r) => [r.entries, r.rssMb * MB] as const)),
    entriesPerSecond: total / seconds,
    samples: downsample(readings, MAX_CHART_SAMPLES),
  };
}

/**
 * A full, synchronous garbage collection, so the baseline is not inflated by garbage of the setup.
 * `--expose-gc` can be switched on at run time; `gc` then exists in new contexts.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
}

/** Least-squares slope of y over x. */
function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const meanX = points.reduce((s, [x]) => s + x, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  let numerator = 0;
  let denominator = 0;
  for (const [x, y] of points) {
    numerator += (x - meanX) * (y - meanY);
    denominator += (x - meanX) ** 2;
  }
  return denominator === 0 ? 0 : numerator / denominator;
}

/** At most `max` samples: each stretch of readings is represented by its highest RSS, so no peak is hidden. */
function downsample(readings: readonly MemorySample[], max: number): MemorySample[] {
  if (readings.length <= max) return [...readings];
  const size = Math.ceil(readings.length / max);
  const kept: MemorySample[] = [];
  for (let start = 0; start < readings.length; start += size) {
    const stretch = readings.slice(start, start + size);
    kept.push(stretch.reduce((best, r) => (r.rssMb > best.rssMb ? r : best)));
  }
  return kept;
}
