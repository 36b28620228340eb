import type mysql from 'mysql2/promise';
import type { ServerInfo } from '../machine-info';
import { MySqlBenchDatabase, quoteIdentifier } from '../mysql/mysql-bench-database';
import { sqlTime } from '../mysql/sql-time';
import type { ChallengeSeed, SchedulerDatabase, SchedulerTally } from './scheduler-database';

/** Challenges per multi-row INSERT: about 1 MB of VALUES, under MariaDB's 16 MB `max_allowed_packet`. */
const SEED_CHUNK = 10_000;

/** The scheduler suite on MySQL or MariaDB: a database of its own. */
export class MySqlSchedulerDatabase implements SchedulerDatabase {
  readonly dialect = 'mysql';

  private constructor(
    private readonly db: MySqlBenchDatabase,
    private readonly url: string,
    readonly product: string,
  ) {}

  static async open(url: string, database: string): Promise<MySqlSchedulerDatabase> {
    const db = await MySqlBenchDatabase.open(url, database);
    const [rows] = await db.pool.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
    return new MySqlSchedulerDatabase(db, url, /mariadb/i.test(String(rows[0]?.version)) ? 'MariaDB' : 'MySQL');
  }

  describe(): Promise<ServerInfo> {
    return this.db.describe();
  }

  async install(prefix: string): Promise<void> {
    const store = await this.db.settleStore(prefix);
    await store.close();
    await this.db.pool.query(
      `CREATE TABLE ${quoteIdentifier(`${prefix}closures`)} (challenge_id VARCHAR(255) NOT NULL, pid INT NOT NULL)`,
    );
  }

  async seed(prefix: string, { idPrefix, count, firstDeadline, spreadMs }: ChallengeSeed): Promise<void> {
    const table = quoteIdentifier(`${prefix}challenges`);
    const now = sqlTime(new Date());
    const first = firstDeadline.getTime();
    for (let start = 0; start < count; start += SEED_CHUNK) {
      const rows: unknown[][] = [];
      for (let i = start; i < Math.min(count, start + SEED_CHUNK); i++) {
        const deadline = sqlTime(new Date(first + Math.floor((i * spreadMs) / count)));
        rows.push([`${idPrefix}${String(i).padStart(7, '0')}`, `Challenge ${i}`, deadline, 'active', '{}', now, now]);
      }
      await this.db.pool.query(
        `INSERT INTO ${table} (id, title, deadline, status, metadata, created_at, updated_at) VALUES ?`,
        [rows],
      );
    }
    await this.db.analyze([`${prefix}challenges`]);
  }

  async tally(prefix: string): Promise<SchedulerTally> {
    const challenges = quoteIdentifier(`${prefix}challenges`);
    const closures = quoteIdentifier(`${prefix}closures`);
    const [rows] = await this.db.pool.query<mysql.RowDataPacket[]>(
      `SELECT (SELECT count(*) FROM ${challenges}) AS total,
              (SELECT count(*) FROM ${challenges} WHERE status = 'pending_admin') AS pendingAdmin,
              (SELECT count(*) FROM ${challenges} WHERE status = 'active') AS active,
              (SELECT count(*) FROM ${closures}) AS closures,
              (SELECT count(DISTINCT challenge_id) FROM ${closures}) AS closedChallenges`,
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
    const [rows] = await this.db.pool.query<mysql.RowDataPacket[]>(
      `SELECT TIMESTAMPDIFF(MICROSECOND, deadline, updated_at) / 1000 AS lag
       FROM ${quoteIdentifier(`${prefix}challenges`)} WHERE status = 'pending_admin'`,
    );
    return rows.map((r) => Number(r.lag));
  }

  workerEnv(prefix: string): Record<string, string> {
    return {
      SETTLE_BENCH_DIALECT: 'mysql',
      SETTLE_BENCH_URL: this.url,
      SETTLE_BENCH_NAMESPACE: this.db.database,
      SETTLE_BENCH_PREFIX: prefix,
    };
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
