import { PayoutQueue } from '@settle/core';
import type { PostgresBenchDatabase } from '../postgres-bench-database';
import type { BenchProgress } from '../progress';
import { StatementProfile, type StatementTiming } from '../statement-profile';
import { median } from '../stats';
import { syntheticEntries, syntheticTotal } from '../synthetic-entries';
import type { ContenderThroughput, RoundResult } from '../throughput-rounds';
import { copyPayoutJob } from './copy-payout-job';
import type { PayoutsConfig } from './payouts-config';
import { PgBossPayer } from './pg-boss-payer';
import { createRawPayoutTables } from './raw-payout-tables';
import { RawSqlPayer } from './raw-sql-payer';
import { classifySettleStatement } from './settle-statements';

/** The three ways of paying a job that this benchmark compares. */
export type Contender = 'settle' | 'rawSql' | 'pgBoss';

/** Settle draining a backlog of several jobs created together, from freshly analyzed tables. */
export interface BacklogThroughput {
  readonly jobs: number;
  readonly entriesPerJob: number;
  readonly entriesPerSecond: number;
}

/** What the batch-throughput benchmark measured. */
export interface BatchThroughputResult {
  /** Entries paid per round by each contender. */
  readonly entries: number;
  readonly batchSize: number;
  readonly warmupRounds: number;
  readonly rounds: number;
  readonly results: Readonly<Record<Contender, ContenderThroughput>>;
  readonly backlog: BacklogThroughput;
}

/** What paying one job recorded. */
interface PaidJob {
  /** Wall time of each batch, claim to commit, ms. */
  readonly batchMs: readonly number[];
  readonly statements: readonly StatementTiming[] | null;
}

/** A contender as the rounds drive it. */
interface ContenderRunner {
  /** Creates a job to pay and vacuums the tables (untimed); resolves to the timed part. */
  load(): Promise<(onBatch: (paid: number) => void) => Promise<PaidJob>>;
  close(): Promise<void>;
}

interface Setup {
  readonly db: PostgresBenchDatabase;
  readonly size: number;
  readonly total: bigint;
  readonly batchSize: number;
}

const BACKLOG_JOBS = 4;
const LABELS: Record<Contender, string> = { settle: 'settle', rawSql: 'hand-written SQL', pgBoss: 'pg-boss' };

/**
 * Pays a job of `config.throughput.entries` entries in batches of `batchSize`, one batch at a time,
 * three ways: `PayoutQueue.drain()` (ledger mode, PostgresStore, concurrency 1), the hand-written
 * one-statement loop, and pg-boss. Every contender writes its own tables with the same indexes,
 * starts each round from freshly vacuumed and analyzed tables just after a checkpoint, and is checked afterwards (every
 * entry paid once, amounts summing to the job's total). Untimed warm-up rounds come first; rounds
 * rotate the order of the contenders; the median round is reported. Settle's and pg-boss's
 * statements are timed during the rounds (the timing wrapper costs microseconds per statement,
 * against batches of 10 ms and more).
 */
export async function measureBatchThroughput(
  db: PostgresBenchDatabase,
  config: PayoutsConfig,
  progress: BenchProgress,
): Promise<BatchThroughputResult> {
  const { entries: size, batchSize, warmupRounds, rounds } = config.throughput;
  const setup: Setup = { db, size, total: syntheticTotal(size), batchSize };
  const runners: Partial<Record<Contender, ContenderRunner>> = {};
  const timed: Record<Contender, { round: RoundResult; batchMs: readonly number[] }[]> = {
    settle: [],
    rawSql: [],
    pgBoss: [],
  };
  const order: Contender[] = ['settle', 'rawSql', 'pgBoss'];
  try {
    runners.settle = await settleRunner(setup);
    runners.rawSql = await rawSqlRunner(setup);
    runners.pgBoss = await pgBossRunner(setup);
    // Warm-up rounds leave each contender's tables holding paid jobs, as a live system's do. With
    // only one job's pending rows in the statistics, Postgres claims through the primary key and
    // filters out the entries already paid, which gets slower with every batch (see RESULTS.md).
    for (let round = 0; round < warmupRounds + rounds; round++) {
      const warmup = round < warmupRounds;
      for (let i = 0; i < order.length; i++) {
        const name = order[(round + i) % order.length]!;
        const label = warmup ? `warm-up ${round + 1}/${warmupRounds}` : `round ${round - warmupRounds + 1}/${rounds}`;
        const bar = progress.bar(`throughput ${LABELS[name]} (${label})`, size, 'entries');
        const pay = await runners[name]!.load();
        // The first change to a page after a checkpoint writes the whole page to the WAL: each round
        // starts just after one, instead of whichever round a checkpoint happened to fall in.
        await db.checkpoint();
        const started = performance.now();
        const paid = await pay((count) => bar.increment(count));
        const wallMs = performance.now() - started;
        bar.stop();
        if (warmup) continue;
        timed[name].push({
          round: {
            entriesPerSecond: size / (wallMs / 1_000),
            wallMs,
            batches: paid.batchMs.length,
            statements: paid.statements,
          },
          batchMs: paid.batchMs,
        });
      }
    }
  } finally {
    for (const runner of Object.values(runners)) await runner.close();
  }
  const result = (name: Contender): ContenderThroughput => ({
    rounds: timed[name].map((t) => t.round),
    entriesPerSecond: median(timed[name].map((t) => t.round.entriesPerSecond)),
    batchMs: median(timed[name].flatMap((t) => t.batchMs)),
  });
  return {
    entries: size,
    batchSize,
    warmupRounds,
    rounds,
    results: { settle: result('settle'), rawSql: result('rawSql'), pgBoss: result('pgBoss') },
    backlog: await measureBacklog(setup, progress),
  };
}

async function settleRunner({ db, size, total, batchSize }: Setup): Promise<ContenderRunner> {
  const prefix = 'tp_';
  const profile = new StatementProfile(classifySettleStatement);
  const store = await db.settleStore(prefix, profile.wrap(db.pool));
  const queue = new PayoutQueue({ store, batchSize, concurrency: 1 });
  let batchMs: number[] = [];
  let onBatch: (paid: number) => void = () => undefined;
  let lastBatchAt = 0;
  // `payout.batch` is emitted after each commit: the time between two is one full batch, claim to commit.
  queue.on('payout.batch', (event) => {
    const now = performance.now();
    batchMs.push(now - lastBatchAt);
    lastBatchAt = now;
    onBatch(event.completed);
  });
  return {
    async load() {
      const { jobId } = await queue.enqueue({ entries: syntheticEntries(0, size) });
      await db.vacuum(settleTables(db, prefix));
      return async (listener) => {
        batchMs = [];
        onBatch = listener;
        profile.reset();
        lastBatchAt = performance.now();
        const run = await queue.drain();
        const statements = profile.results();
        const job = await queue.status(jobId);
        if (run.completed !== size || job.status !== 'completed' || job.paidAmount !== total) {
          throw new Error(`settle paid ${run.completed} entries, job ${job.status} with ${job.paidAmount} of ${total}`);
        }
        return { batchMs, statements };
      };
    },
    close: () => store.close(),
  };
}

async function rawSqlRunner({ db, size, total, batchSize }: Setup): Promise<ContenderRunner> {
  const tables = await createRawPayoutTables(db, 'tp_raw_');
  const payer = new RawSqlPayer(db.pool, tables, batchSize);
  return {
    async load() {
      const jobId = await copyPayoutJob(db.pool, tables, syntheticEntries(0, size));
      await db.vacuum(Object.values(tables));
      return async (onBatch) => {
        const batchMs: number[] = [];
        const paid = await payer.payJob(jobId, (count, ms) => {
          batchMs.push(ms);
          onBatch(count);
        });
        const { rows } = await db.pool.query<{ status: string; paid_amount: string }>(
          `SELECT status, paid_amount FROM ${tables.jobs} WHERE id = $1`,
          [jobId],
        );
        if (paid !== size || rows[0]?.status !== 'completed' || BigInt(rows[0].paid_amount) !== total) {
          throw new Error(`hand-written SQL paid ${paid} entries, job ${rows[0]?.status} with ${rows[0]?.paid_amount}`);
        }
        return { batchMs, statements: null };
      };
    },
    close: async () => undefined,
  };
}

async function pgBossRunner({ db, size, total, batchSize }: Setup): Promise<ContenderRunner> {
  const payer = await PgBossPayer.create(db, batchSize);
  return {
    async load() {
      const payoutId = await payer.load(size, total);
      await db.vacuum(payer.writtenTables);
      return async (onBatch) => {
        const batchMs: number[] = [];
        payer.profile.reset();
        await payer.payAll((count, ms) => {
          batchMs.push(ms);
          onBatch(count);
        });
        const statements = payer.profile.results();
        const paid = await payer.paid(payoutId);
        if (paid.entries !== size || paid.amount !== total || paid.unfinishedJobs !== 0) {
          throw new Error(
            `pg-boss paid ${paid.entries} entries worth ${paid.amount} of ${total}, ${paid.unfinishedJobs} jobs unfinished`,
          );
        }
        return { batchMs, statements };
      };
    },
    close: () => payer.stop(),
  };
}

/**
 * Settle paying a backlog: `BACKLOG_JOBS` jobs created together, tables analyzed, then drained.
 * No target: this row tracks how Settle's claim copes with statistics that show many pending rows
 * of other jobs (see RESULTS.md).
 */
async function measureBacklog({ db, size, batchSize }: Setup, progress: BenchProgress): Promise<BacklogThroughput> {
  const prefix = 'bl_';
  const store = await db.settleStore(prefix);
  try {
    const queue = new PayoutQueue({ store, batchSize, concurrency: 1 });
    const entriesPerJob = Math.ceil(size / BACKLOG_JOBS);
    for (let i = 0; i < BACKLOG_JOBS; i++) await queue.enqueue({ entries: syntheticEntries(0, entriesPerJob) });
    await db.vacuum(settleTables(db, prefix));
    const total = entriesPerJob * BACKLOG_JOBS;
    const bar = progress.bar(`throughput settle (backlog of ${BACKLOG_JOBS} jobs)`, total, 'entries');
    queue.on('payout.batch', (event) => bar.increment(event.completed));
    const started = performance.now();
    const run = await queue.drain();
    const seconds = (performance.now() - started) / 1_000;
    bar.stop();
    if (run.completed !== total) throw new Error(`backlog paid ${run.completed} of ${total} entries`);
    return { jobs: BACKLOG_JOBS, entriesPerJob, entriesPerSecond: total / seconds };
  } finally {
    await store.close();
  }
}

function settleTables(db: PostgresBenchDatabase, prefix: string): string[] {
  return ['payout_jobs', 'payout_entries', 'ledger', 'accounts'].map((t) => db.table(`${prefix}${t}`));
}
