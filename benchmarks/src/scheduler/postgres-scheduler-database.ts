import type { ServerInfo } from '../machine-info';
import { PostgresBenchDatabase } from '../postgres-bench-database';
import type { ChallengeSeed, SchedulerDatabase, SchedulerTally } from './scheduler-database';

/** The scheduler suite on Postgres: a schema of its own. */
export class PostgresSchedulerDatabase implements SchedulerDatabase {
  readonly dialect = 'postgres';
  readonly product = 'PostgreSQL';

  private constructor(
    private readonly db: PostgresBenchDatabase,
    private readonly url: string,
  ) {}

  static async open(url: string, schema: string): Promise<PostgresSchedulerDatabase> {
    return new PostgresSchedulerDatabase(await PostgresBenchDatabase.open(url, schema), url);
  }

  describe(): Promise<ServerInfo> {
    return this.db.describe();
  }

  async install(prefix: string): Promise<void> {
    const store = await this.db.settleStore(prefix);
    await store.close();
    await this.db.pool.query(
      `CREATE TABLE ${this.db.table(`${prefix}closures`)} (challenge_id text NOT NULL, pid int NOT NULL)`,
    );
  }

  async seed(prefix: string, { idPrefix, count, firstDeadline, spreadMs }: ChallengeSeed): Promise<void> {
    const table = this.db.table(`${prefix}challenges`);
    await this.db.pool.query(
      `INSERT INTO ${table} (id, title, deadline, status, metadata, created_at, updated_at)
       SELECT $1 || lpad(i::text, 7, '0'), 'Challenge ' || i,
              $2::timestamptz + ((i::bigint * $3) / $4) * interval '1 millisecond',
              'active', '{}'::jsonb, now(), now()
       FROM generate_series(0, $4 - 1) AS i`,
      [idPrefix, firstDeadline, spreadMs, count],
    );
    await this.db.vacuum([table]);
  }

  async tally(prefix: string): Promise<SchedulerTally> {
    const { rows } = await this.db.pool.query<Record<keyof SchedulerTally, string>>(
      `SELECT (SELECT count(*) FROM ${this.db.table(`${prefix}challenges`)}) AS total,
              (SELECT count(*) FROM ${this.db.table(`${prefix}challenges`)} WHERE status = 'pending_admin') AS "pendingAdmin",
              (SELECT count(*) FROM ${this.db.table(`${prefix}challenges`)} WHERE status = 'active') AS active,
              (SELECT count(*) FROM ${this.db.table(`${prefix}closures`)}) AS closures,
              (SELECT count(DISTINCT challenge_id) FROM ${this.db.table(`${prefix}closures`)}) AS "closedChallenges"`,
    );
    const row = rows[0]!;
    return {
      total: Number(row.total),
      pendingAdmin: Number(row.pendingAdmin),
      active: Number(row.active),
      closures: Number(row.closures),
      closedChallenges: Number(row.closedChallenges),
    };
  }

  async recordedLagsMs(prefix: string): Promise<number[]> {
    const { rows } = await this.db.pool.query<{ lag: number }>(
      `SELECT (extract(epoch FROM updated_at - deadline) * 1000)::float8 AS lag
       FROM ${this.db.table(`${prefix}challenges`)} WHERE status = 'pending_admin'`,
    );
    return rows.map((r) => r.lag);
  }

  workerEnv(prefix: string): Record<string, string> {
    return {
      SETTLE_BENCH_DIALECT: 'postgres',
      SETTLE_BENCH_URL: this.url,
      SETTLE_BENCH_NAMESPACE: this.db.schema,
      SETTLE_BENCH_PREFIX: prefix,
    };
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
