import type { ServerInfo } from '../machine-info';

/** Which store the Scheduler processes run on. */
export type SchedulerDialect = 'postgres' | 'mysql';

/** Challenges created in one set-based write, all `active`. */
export interface ChallengeSeed {
  /** Ids are `<idPrefix><7-digit index>`. */
  readonly idPrefix: string;
  readonly count: number;
  /** Deadline of the first challenge. */
  readonly firstDeadline: Date;
  /** Deadline of challenge i is `firstDeadline + floor(i × spreadMs / count)` ms. */
  readonly spreadMs: number;
}

/** What the database says after a run, independently of the events the processes reported. */
export interface SchedulerTally {
  readonly total: number;
  readonly pendingAdmin: number;
  readonly active: number;
  /** Rows the `onDeadline` hook wrote (0 when the run had no hook). */
  readonly closures: number;
  /** Challenges with at least one such row. */
  readonly closedChallenges: number;
}

/**
 * The scheduler suite's corner of one server: a Postgres schema or a MySQL database of its own,
 * with a Settle installation per table prefix, and the few statements the suite needs that the
 * Store contract does not offer (a bulk insert of challenges, counts for checking).
 */
export interface SchedulerDatabase {
  readonly dialect: SchedulerDialect;
  /** `PostgreSQL` or `MariaDB`/`MySQL`. */
  readonly product: string;
  describe(): Promise<ServerInfo>;
  /** Migrates a Settle installation with `prefix` and creates its host table `<prefix>closures`. */
  install(prefix: string): Promise<void>;
  /**
   * Inserts the challenges straight into the store's challenges table in set-based statements
   * (there is no bulk create in the Store contract), then refreshes the table's statistics.
   */
  seed(prefix: string, seed: ChallengeSeed): Promise<void>;
  tally(prefix: string): Promise<SchedulerTally>;
  /** `updated_at − deadline` of every transitioned challenge, ms: the lag as the database recorded it. */
  recordedLagsMs(prefix: string): Promise<number[]>;
  /** Environment for a worker process: where to connect and which installation to use. */
  workerEnv(prefix: string): Record<string, string>;
  /** Drops the schema or database and closes the pool. */
  close(): Promise<void>;
}
