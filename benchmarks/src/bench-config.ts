import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Sizes and connection settings of one benchmark run, read from the environment. */
export interface BenchConfig {
  /** Where Postgres is. `DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`. */
  readonly databaseUrl: string;
  /** Schema created at start and dropped at the end; every table of the run lives in it. */
  readonly schema: string;
  /** `BENCH_QUICK=1`: small sizes for a smoke run; results go to a temporary folder. */
  readonly quick: boolean;
  /** Folder receiving RESULTS.md and results/*.svg. `BENCH_OUTPUT_DIR`, default the benchmarks package (quick: a temp folder). */
  readonly outputDir: string;
  readonly enqueue: {
    /** Entries per job. */
    readonly entries: number;
    /** Untimed iterations of each contender first (JIT, plan cache, pool connections). */
    readonly warmup: number;
    /** Timed iterations of each contender. */
    readonly iterations: number;
  };
  readonly throughput: {
    /** Entries paid by each contender per round. `BENCH_THROUGHPUT_ENTRIES`. */
    readonly entries: number;
    readonly batchSize: number;
    /** Untimed rounds per contender first, leaving paid jobs behind as a live system's tables hold. */
    readonly warmupRounds: number;
    /** Timed rounds per contender; the median round is reported. */
    readonly rounds: number;
  };
  readonly memory: {
    /** Entries paid while sampling RSS. `BENCH_MEMORY_ENTRIES`, default 1,000,000 (quick: 50,000). */
    readonly entries: number;
    /** Entries per job the memory run enqueues, so that no more than one job's input is ever in memory. */
    readonly jobSize: number;
    readonly batchSize: number;
  };
}

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Reads the run's settings from `env`; throws on a malformed number so a typo never benchmarks the wrong size. */
export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  return {
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    schema: 'settle_bench',
    quick,
    outputDir: env.BENCH_OUTPUT_DIR || (quick ? join(tmpdir(), 'settle-bench-quick') : PACKAGE_DIR),
    enqueue: {
      entries: 10_000,
      warmup: quick ? 1 : 3,
      iterations: quick ? 5 : 20,
    },
    throughput: {
      entries: positiveInteger(env, 'BENCH_THROUGHPUT_ENTRIES', quick ? 5_000 : 50_000),
      batchSize: 500,
      warmupRounds: quick ? 1 : 2,
      rounds: quick ? 1 : 3,
    },
    memory: {
      entries: positiveInteger(env, 'BENCH_MEMORY_ENTRIES', quick ? 50_000 : 1_000_000),
      jobSize: 50_000,
      batchSize: 500,
    },
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}
