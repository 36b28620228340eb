import { PayoutQueue } from '@settle/core';
import type { MySqlQueryOptionsLike } from '@settle/mysql';
import type mysql from 'mysql2/promise';
import type { BenchProgress } from '../progress';
import { StatementProfile } from '../statement-profile';
import { median } from '../stats';
import { syntheticEntries, syntheticTotal } from '../synthetic-entries';
import type { ContenderThroughput, RoundResult } from '../throughput-rounds';
import type { MySqlBenchDatabase } from './mysql-bench-database';
import type { MySqlConfig } from './mysql-config';
import { profiledMySqlPool } from './mysql-profiled-pool';
import { insertMySqlRawJob } from './mysql-raw-job';
import { MySqlRawPayer } from './mysql-raw-payer';
import { createMySqlRawTables } from './mysql-raw-tables';
import { classifyMySqlSettleStatement } from './mysql-settle-statements';
import { analyzeStatement, type StatementPlan } from './mysql-statement-plan';

/** The two ways of paying a job on MySQL that this benchmark compares. */
export type MySqlContender = 'settle' | 'rawSql';

/** What the MySQL batch-throughput benchmark measured. */
export interface MySqlThroughputResult {
  /** Entries paid per round by each contender. */
  readonly entries: number;
  readonly batchSize: number;
  readonly warmupRounds: number;
  readonly rounds: number;
  readonly results: Readonly<Record<MySqlContender, ContenderThroughput>>;
  /**
   * How the server ran Settle's job lookup and claim halfway through one more job paid after the
   * timed rounds, or null where `ANALYZE FORMAT=JSON` is not available (MySQL).
   */
  readonly plans: readonly StatementPlan[] | null;
}

/** What paying one job recorded. */
interface PaidJob {
  /** Wall time of each batch, claim to commit, ms. */
  readonly batchMs: readonly number[];
  readonly statements: RoundResult['statements'];
}

/** A contender as the rounds drive it. */
interface ContenderRunner {
  /** Creates a job to pay and analyzes the tables (untimed); resolves to the timed part. */
  load(): Promise<(onBatch: (paid: number) => void) => Promise<PaidJob>>;
  close(): Promise<void>;
}

/** Settle's runner, which can also show how the server runs its statements. */
interface SettleRunner extends ContenderRunner {
  /** Pays half of one more job, then analyzes the last job lookup and claim it made. */
  probePlans(): Promise<StatementPlan[] | null>;
}

interface Setup {
  readonly db: MySqlBenchDatabase;
  readonly size: number;
  readonly total: bigint;
  readonly batchSize: number;
}

const SETTLE_PREFIX = 'tp_';
/** Settle's statements whose plans are probed: the two that read entries to find a batch. */
const PROBED = ['find claimable jobs', 'claim entries'];
const LABELS: Record<MySqlContender, string> = { settle: 'settle', rawSql: 'hand-written SQL' };

/**
 * Pays a job of `config.throughput.entries` entries in batches of `batchSize`, one batch at a
 * time, two ways on the same server: `PayoutQueue.drain()` on a MySqlStore (ledger mode,
 * concurrency 1) and the hand-written loop of {@link MySqlRawPayer}, in tables that are copies of
 * Settle's. Each round starts from freshly analyzed tables and is checked afterwards (every entry
 * paid once, amounts summing to the job's total). Untimed warm-up rounds come first; rounds rotate
 * the order; the median round is reported. Settle's statements are timed during the rounds.
 */
export async function measureMySqlThroughput(
  db: MySqlBenchDatabase,
  config: MySqlConfig,
  progress: BenchProgress,
): Promise<MySqlThroughputResult> {
  const { entries: size, batchSize, warmupRounds, rounds } = config.throughput;
  const setup: Setup = { db, size, total: syntheticTotal(size), batchSize };
  const runners: { settle?: SettleRunner; rawSql?: ContenderRunner } = {};
  let plans: StatementPlan[] | null = null;
  const timed: Record<MySqlContender, { round: RoundResult; batchMs: readonly number[] }[]> = {
    settle: [],
    rawSql: [],
  };
  const order: MySqlContender[] = ['settle', 'rawSql'];
  try {
    runners.settle = await settleRunner(setup);
    runners.rawSql = await rawSqlRunner(setup);
    for (let round = 0; round < warmupRounds + rounds; round++) {
      const warmup = round < warmupRounds;
      for (let i = 0; i < order.length; i++) {
        const name = order[(round + i) % order.length]!;
        const label = warmup ? `warm-up ${round + 1}/${warmupRounds}` : `round ${round - warmupRounds + 1}/${rounds}`;
        const pay = await runners[name]!.load();
        const bar = progress.bar(`mysql throughput ${LABELS[name]} (${label})`, size, 'entries');
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
    plans = await runners.settle.probePlans();
  } finally {
    for (const runner of Object.values(runners)) await runner.close();
  }
  const result = (name: MySqlContender): ContenderThroughput => ({
    rounds: timed[name].map((t) => t.round),
    entriesPerSecond: median(timed[name].map((t) => t.round.entriesPerSecond)),
    batchMs: median(timed[name].flatMap((t) => t.batchMs)),
  });
  return {
    entries: size,
    batchSize,
    warmupRounds,
    rounds,
    results: { settle: result('settle'), rawSql: result('rawSql') },
    plans,
  };
}

async function settleRunner({ db, size, total, batchSize }: Setup): Promise<SettleRunner> {
  const profile = new StatementProfile(classifyMySqlSettleStatement);
  const latest = new Map<string, MySqlQueryOptionsLike>();
  const store = await db.settleStore(
    SETTLE_PREFIX,
    profiledMySqlPool(db.pool, profile, (label, options) => {
      const probed = PROBED.find((prefix) => label.startsWith(prefix));
      if (probed) latest.set(label, options);
    }),
  );
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
      await db.analyze(settleTables(SETTLE_PREFIX));
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
    async probePlans() {
      await queue.enqueue({ entries: syntheticEntries(0, size) });
      await db.analyze(settleTables(SETTLE_PREFIX));
      for (let paid = 0; paid < size / 2; paid += batchSize) {
        // The claim probed is the last batch's: an earlier one's window floor is out of date by now.
        if (paid + batchSize >= size / 2) {
          for (const label of latest.keys()) if (label.startsWith('claim entries')) latest.delete(label);
        }
        await queue.runOnce();
      }
      const connection = await db.connect();
      try {
        const plans: StatementPlan[] = [];
        for (const [label, statement] of latest) {
          const plan = await analyzeStatement(connection, label, statement);
          if (plan === null) return null;
          plans.push(plan);
        }
        return plans;
      } finally {
        await connection.end();
        await queue.drain();
      }
    },
    close: () => store.close(),
  };
}

async function rawSqlRunner({ db, size, total, batchSize }: Setup): Promise<ContenderRunner> {
  const tables = await createMySqlRawTables(db, 'tp_raw_', SETTLE_PREFIX);
  const payer = await MySqlRawPayer.open(db, tables, batchSize);
  return {
    async load() {
      const jobId = await insertMySqlRawJob(db.pool, tables, syntheticEntries(0, size));
      await db.analyze(tables.names);
      return async (onBatch) => {
        const batchMs: number[] = [];
        const paid = await payer.payJob(jobId, (count, ms) => {
          batchMs.push(ms);
          onBatch(count);
        });
        const [rows] = await db.pool.query<mysql.RowDataPacket[]>(
          `SELECT status, paid_amount FROM ${tables.jobs} WHERE id = ?`,
          [jobId],
        );
        const job = rows[0];
        if (paid !== size || job?.status !== 'completed' || BigInt(job.paid_amount as string) !== total) {
          throw new Error(`hand-written SQL paid ${paid} entries, job ${job?.status} with ${job?.paid_amount}`);
        }
        return { batchMs, statements: null };
      };
    },
    close: () => payer.close(),
  };
}

/** Settle's payout tables of `prefix`. */
function settleTables(prefix: string): string[] {
  return ['payout_jobs', 'payout_entries', 'ledger', 'accounts'].map((t) => `${prefix}${t}`);
}
