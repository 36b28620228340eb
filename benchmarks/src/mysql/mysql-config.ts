import { type BenchConfig, positiveInteger } from '../bench-config';

/** Sizes of one run of the mysql suite. */
export interface MySqlConfig {
  /** Database created at start and dropped at the end; every table of the suite lives in it. */
  readonly database: string;
  readonly enqueue: {
    /** Entries per job. */
    readonly entries: number;
    /** Untimed iterations of each contender first. */
    readonly warmup: number;
    /** Timed iterations of each contender. */
    readonly iterations: number;
    /** Jobs enqueued through a pool that times every statement, after the timed iterations. */
    readonly profiledJobs: number;
  };
  readonly throughput: {
    /** Entries paid by each contender per round. `BENCH_MYSQL_THROUGHPUT_ENTRIES`. */
    readonly entries: number;
    readonly batchSize: number;
    /** Untimed rounds per contender first, leaving paid jobs behind as a live system's tables hold. */
    readonly warmupRounds: number;
    /** Timed rounds per contender; the median round is reported. */
    readonly rounds: number;
  };
}

/** The mysql suite's sizes, from the environment; throws on a malformed number. */
export function readMySqlConfig({ quick, env }: BenchConfig): MySqlConfig {
  return {
    database: 'settle_bench_mysql',
    enqueue: {
      entries: 10_000,
      warmup: quick ? 1 : 3,
      iterations: quick ? 5 : 20,
      profiledJobs: quick ? 2 : 5,
    },
    throughput: {
      entries: positiveInteger(env, 'BENCH_MYSQL_THROUGHPUT_ENTRIES', quick ? 5_000 : 50_000),
      batchSize: 500,
      warmupRounds: quick ? 1 : 2,
      rounds: quick ? 1 : 3,
    },
  };
}
