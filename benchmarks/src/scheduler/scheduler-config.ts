import { type BenchConfig, positiveInteger } from '../bench-config';

/** Sizes of one run of the scheduler suite. */
export interface SchedulerConfig {
  /** Postgres schema and MySQL database created at start and dropped at the end. */
  readonly namespace: string;
  readonly lag: {
    /** Challenges due in the window. `BENCH_LAG_CHALLENGES`, default 10,000 (quick: 1,000). */
    readonly challenges: number;
    /** Their deadlines are spread evenly over this many ms: one minute (quick: 10 s). */
    readonly windowMs: number;
    /** Scheduler processes. */
    readonly instances: number;
    /** From the start signal to the first deadline, ms: every instance is asleep until then. */
    readonly leadMs: number;
    /** Run the same benchmark on MySQL too (`BENCH_SCHEDULER_MYSQL=0` leaves it out). */
    readonly mysql: boolean;
  };
  readonly catchUp: {
    /** Overdue challenges one Scheduler catches up. `BENCH_CATCHUP_CHALLENGES`, default 100,000 (quick: 10,000). */
    readonly challenges: number;
    /**
     * The Scheduler's `concurrency` for the catch-up. `BENCH_CATCHUP_CONCURRENCY`, default 8: at one
     * transaction (and one WAL flush) per challenge, the default of 1 would take minutes for 100,000.
     */
    readonly concurrency: number;
    /** Memory readings over the run (one every challenges / samples transitions). */
    readonly samples: number;
  };
}

/** The scheduler suite's sizes, from the environment; throws on a malformed number. */
export function readSchedulerConfig({ quick, env }: BenchConfig): SchedulerConfig {
  return {
    namespace: 'settle_bench_scheduler',
    lag: {
      challenges: positiveInteger(env, 'BENCH_LAG_CHALLENGES', quick ? 1_000 : 10_000),
      windowMs: quick ? 10_000 : 60_000,
      instances: 3,
      leadMs: 3_000,
      mysql: env.BENCH_SCHEDULER_MYSQL !== '0' && env.BENCH_SCHEDULER_MYSQL !== 'false',
    },
    catchUp: {
      challenges: positiveInteger(env, 'BENCH_CATCHUP_CHALLENGES', quick ? 10_000 : 100_000),
      concurrency: positiveInteger(env, 'BENCH_CATCHUP_CONCURRENCY', 8),
      samples: 200,
    },
  };
}
