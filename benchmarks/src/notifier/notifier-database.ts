import { Challenges } from '@settle/core';
import type { ServerInfo } from '../machine-info';
import { PostgresBenchDatabase } from '../postgres-bench-database';

/** Challenges whose participants' hour reminders fall due in one window. */
export interface ReminderSeed {
  readonly challenges: number;
  readonly participants: number;
  /** Due instant (deadline − 1 h) of the first challenge's reminders. */
  readonly firstDue: Date;
  /** Challenge i's reminders fall due at `firstDue + floor(i × windowMs / challenges)` ms. */
  readonly windowMs: number;
}

/** The outbox after a run, as the database tells it. */
export interface OutboxTally {
  readonly rows: number;
  readonly reminders: number;
  readonly distinctKeys: number;
  readonly sent: number;
  /** Rows not `sent`: pending, processing, skipped or failed. */
  readonly notSent: number;
  /** Rows that took more than one attempt. */
  readonly retried: number;
}

/** The hour offset the seeded deadlines are placed behind their due instants by (the default first reminder). */
const HOUR_MS = 3_600_000;

/**
 * The notifier suite's corner of Postgres: a schema of its own, with a Settle installation per
 * table prefix (one per configuration).
 */
export class NotifierDatabase {
  private constructor(
    private readonly db: PostgresBenchDatabase,
    /** The Postgres connection string. */
    readonly url: string,
  ) {}

  /** Connects and (re)creates `schema`. */
  static async open(url: string, schema: string): Promise<NotifierDatabase> {
    return new NotifierDatabase(await PostgresBenchDatabase.open(url, schema), url);
  }

  describe(): Promise<ServerInfo> {
    return this.db.describe();
  }

  /** Migrates a Settle installation with `prefix`. */
  async install(prefix: string): Promise<void> {
    const store = await this.db.settleStore(prefix);
    await store.close();
  }

  /**
   * Creates `seed.challenges` active challenges through `Challenges.create`, each with all its
   * participants in one statement (user ids distinct across challenges), then refreshes the
   * statistics of the tables the Notifier reads. Returns how long the creates took, ms.
   */
  async seed(prefix: string, { challenges, participants, firstDue, windowMs }: ReminderSeed): Promise<number> {
    const store = await this.db.settleStore(prefix);
    const started = performance.now();
    try {
      const api = new Challenges({ store });
      for (let c = 0; c < challenges; c++) {
        await api.create({
          id: `challenge-${String(c).padStart(4, '0')}`,
          title: `Benchmark challenge ${c + 1}`,
          deadline: new Date(firstDue.getTime() + HOUR_MS + Math.floor((c * windowMs) / challenges)),
          status: 'active',
          participants: Array.from({ length: participants }, (_, i) => ({
            userId: `user-${String(c * participants + i).padStart(7, '0')}`,
            side: i % 2 === 0 ? 'yes' : 'no',
            stake: 100,
          })),
        });
      }
    } finally {
      await store.close();
    }
    const elapsed = performance.now() - started;
    await this.db.vacuum(['challenges', 'participants', 'notifications'].map((t) => this.db.table(`${prefix}${t}`)));
    return elapsed;
  }

  async tally(prefix: string): Promise<OutboxTally> {
    const { rows } = await this.db.pool.query<Record<keyof OutboxTally, string>>(
      `SELECT count(*) AS rows,
              count(*) FILTER (WHERE kind = 'reminder') AS reminders,
              count(DISTINCT key) AS "distinctKeys",
              count(*) FILTER (WHERE status = 'sent') AS sent,
              count(*) FILTER (WHERE status <> 'sent') AS "notSent",
              count(*) FILTER (WHERE attempts > 0) AS retried
       FROM ${this.db.table(`${prefix}notifications`)}`,
    );
    const row = rows[0]!;
    return {
      rows: Number(row.rows),
      reminders: Number(row.reminders),
      distinctKeys: Number(row.distinctKeys),
      sent: Number(row.sent),
      notSent: Number(row.notSent),
      retried: Number(row.retried),
    };
  }

  /** Every outbox row's due instant, `Date.now()` ms, by notification id. */
  async dueAtById(prefix: string): Promise<Map<string, number>> {
    const { rows } = await this.db.pool.query<{ id: string; due: number }>(
      `SELECT id::text AS id, (extract(epoch FROM due_at) * 1000)::float8 AS due
       FROM ${this.db.table(`${prefix}notifications`)}`,
    );
    return new Map(rows.map((r) => [r.id, r.due]));
  }

  /**
   * Environment for a worker process: where to connect, which installation to use, and the
   * `application_name` its connections carry, by which {@link backendPids} finds them.
   */
  workerEnv(prefix: string): Record<string, string> {
    return {
      SETTLE_BENCH_URL: this.url,
      SETTLE_BENCH_NAMESPACE: this.db.schema,
      SETTLE_BENCH_PREFIX: prefix,
      SETTLE_BENCH_APPLICATION_NAME: applicationName(prefix),
    };
  }

  /** Process ids of the Postgres backends serving the worker processes of installation `prefix`. */
  async backendPids(prefix: string): Promise<number[]> {
    const { rows } = await this.db.pool.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [applicationName(prefix)],
    );
    return rows.map((r) => r.pid);
  }

  /** Drops the schema and closes the pool. */
  close(): Promise<void> {
    return this.db.close();
  }
}

/** The `application_name` of the worker processes' connections to installation `prefix`. */
function applicationName(prefix: string): string {
  return `settle_bench_notifier_${prefix}`;
}
