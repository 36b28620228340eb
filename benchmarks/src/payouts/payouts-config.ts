import { type BenchConfig, positiveInteger } from '../bench-config';

/** Sizes of one run of the payouts suite. */
export interface PayoutsConfig {
  /** Schema created at start and dropped at the end; every table of the suite lives in it. */
  readonly schema: string;
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

/** The payouts suite's sizes, from the environment; throws on a malformed number. */
export function readPayoutsConfig({ quick, env }: BenchConfig): PayoutsConfig {
  return {
    schema: 'settle_bench_payouts',
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
