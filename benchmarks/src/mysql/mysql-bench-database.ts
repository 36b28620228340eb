import { type MySqlPoolLike, MySqlStore } from '@settle/mysql';
import mysql from 'mysql2/promise';
import { redactUrl } from '../bench-config';
import { medianRoundTripMs, type ServerInfo } from '../machine-info';

/** Settings that decide how fast commits and writes are on InnoDB. */
const SETTINGS = [
  'innodb_buffer_pool_size',
  'innodb_flush_log_at_trx_commit',
  'innodb_log_file_size',
  'innodb_doublewrite',
  'log_bin',
  'sync_binlog',
];

/**
 * A suite's own database on a MySQL or MariaDB server (MySQL's schema is a database): dropped and
 * recreated at start, dropped at the end, and one pool on it that every contender shares.
 */
export class MySqlBenchDatabase {
  private constructor(
    /**
     * Shared by every contender. BIGINT comes back as exact strings and DATETIME as text, as
     * Settle asks for on each of its statements; the session time zone is UTC.
     */
    readonly pool: mysql.Pool,
    readonly database: string,
    private readonly options: mysql.ConnectionOptions,
  ) {}

  /** Connects and (re)creates `database`, dropping whatever an interrupted run left there. */
  static async open(url: string, database: string, connectionLimit = 4): Promise<MySqlBenchDatabase> {
    let admin: mysql.Connection | undefined;
    try {
      admin = await mysql.createConnection({ uri: url, connectTimeout: 5_000 });
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(database)}`);
      await admin.query(`CREATE DATABASE ${quoteIdentifier(database)} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    } catch (error) {
      throw new Error(`cannot prepare database ${database} at ${redactUrl(url)}: ${(error as Error).message}`, {
        cause: error,
      });
    } finally {
      await admin?.end();
    }
    const options: mysql.ConnectionOptions = {
      uri: url,
      database,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      timezone: 'Z',
    };
    return new MySqlBenchDatabase(mysql.createPool({ ...options, connectionLimit }), database, options);
  }

  /**
   * A connection of its own, outside the pool, for a contender that changes session settings
   * (which must never leak into a pooled connection Settle would then use). Close it yourself.
   */
  connect(): Promise<mysql.Connection> {
    return mysql.createConnection(this.options);
  }

  /** A migrated MySqlStore whose tables carry `tablePrefix`, over the shared pool or `pool`. */
  async settleStore(tablePrefix: string, pool: MySqlPoolLike = this.pool): Promise<MySqlStore> {
    const store = new MySqlStore({ pool, tablePrefix });
    await store.migrate();
    return store;
  }

  /**
   * `ANALYZE TABLE` of the given tables: each contender starts from fresh index statistics instead
   * of whenever InnoDB's automatic recalculation happened to run.
   */
  async analyze(tables: readonly string[]): Promise<void> {
    await this.pool.query(`ANALYZE TABLE ${tables.map(quoteIdentifier).join(', ')}`);
  }

  /** Rows of `table`. */
  async count(table: string): Promise<number> {
    const [rows] = await this.pool.query<mysql.RowDataPacket[]>(`SELECT count(*) AS n FROM ${quoteIdentifier(table)}`);
    return Number(rows[0]?.n);
  }

  /** The server's version, the settings that move the numbers, and one round trip's cost. */
  async describe(): Promise<ServerInfo> {
    const [version] = await this.pool.query<mysql.RowDataPacket[]>('SELECT VERSION() AS version');
    const [settings] = await this.pool.query<mysql.RowDataPacket[]>(
      `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${SETTINGS.map(() => '?').join(', ')})`,
      SETTINGS,
    );
    const text = String(version[0]?.version ?? 'unknown');
    return {
      product: /mariadb/i.test(text) ? 'MariaDB' : 'MySQL',
      version: text,
      settings: settings
        .map((r) => `${r.Variable_name} = ${readable(String(r.Variable_name), String(r.Value))}`)
        .sort(),
      roundTripMs: await medianRoundTripMs((sql) => this.pool.query(sql)),
    };
  }

  /** Drops the database and closes the pool. */
  async close(): Promise<void> {
    try {
      await this.pool.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(this.database)}`);
    } finally {
      await this.pool.end();
    }
  }
}

/** Quotes a MySQL identifier; every name the benchmarks splice into SQL goes through here. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** Byte sizes as MB, the way the Postgres settings read (`128MB`). */
function readable(name: string, value: string): string {
  return name.endsWith('_size') && /^\d+$/.test(value) ? `${Math.round(Number(value) / 1024 ** 2)}MB` : value;
}
