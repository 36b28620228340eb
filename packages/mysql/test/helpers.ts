import { createHash, randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import type { MySqlPoolLike, MySqlQueryOptionsLike } from '@settle/mysql';
import mysql from 'mysql2/promise';

/** The test server; override with MYSQL_URL. */
export const MYSQL_URL = process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

/**
 * Whether the MySQL/MariaDB server answers. Under CI (`CI=true`) an unreachable server fails the
 * run instead: a green CI must never mean "skipped". Locally the caller skips its suite, and this
 * prints one line saying why.
 */
export async function mysqlAvailable(testFile: string): Promise<boolean> {
  try {
    const connection = await mysql.createConnection({ uri: MYSQL_URL, connectTimeout: 3_000 });
    await connection.end();
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') {
      throw new Error(`MySQL at ${redacted(MYSQL_URL)} is unreachable (${reason}); CI=true requires it`);
    }
    console.warn(
      `Skipping ${relative(process.cwd(), testFile)}: no MySQL/MariaDB at ${redacted(MYSQL_URL)} (${reason}). Start one or set MYSQL_URL.`,
    );
    return false;
  }
}

/** A database of one test file on the test server, and the pool that reaches it. */
export interface TestDatabase {
  readonly pool: mysql.Pool;
  readonly database: string;
  /** The database is dropped here, then the pool ends. */
  drop(): Promise<void>;
  /** A table prefix no other store of this file has used: a fresh, unmigrated installation. */
  freshPrefix(): string;
  /** Drops the tables of one prefix (keeps the database small between tests). */
  dropPrefix(prefix: string): Promise<void>;
  /** A new pool on this database (close it yourself). */
  createPool(options?: mysql.PoolOptions): mysql.Pool;
}

/**
 * Creates the file's own database (named from a hash of its path, so parallel files never meet),
 * dropped again by `drop()`.
 */
export async function createTestDatabase(testFile: string): Promise<TestDatabase> {
  const key = relative(process.cwd(), testFile);
  // The file's hash says whose it is; a random part keeps two runs at once (two developers, a CI
  // run beside a local one) from sharing tables.
  const database = `settle_test_${createHash('sha1').update(key).digest('hex').slice(0, 8)}_${randomBytes(3).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  try {
    await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const createPool = (options: mysql.PoolOptions = {}) =>
    mysql.createPool({ uri: MYSQL_URL, database, connectionLimit: 12, ...options });
  const pool = createPool();
  let prefixes = 0;
  const dropPrefix = async (prefix: string) => {
    const [rows] = await pool.query<mysql.RowDataPacket[]>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ? AND table_name LIKE ?`,
      [database, `${prefix.replaceAll('_', '\\_')}%`],
    );
    if (rows.length === 0) return;
    const connection = await pool.getConnection();
    try {
      await connection.query('SET FOREIGN_KEY_CHECKS = 0');
      await connection.query(`DROP TABLE IF EXISTS ${rows.map((r) => `\`${r.name as string}\``).join(', ')}`);
      await connection.query('SET FOREIGN_KEY_CHECKS = 1');
    } finally {
      connection.release();
    }
  };
  return {
    pool,
    database,
    createPool,
    freshPrefix: () => `t${++prefixes}_`,
    dropPrefix,
    async drop() {
      try {
        await pool.query(`DROP DATABASE IF EXISTS \`${database}\``);
      } finally {
        await pool.end();
      }
    },
  };
}

/** Every statement text a pool (or its connections) was asked to run, in order. */
export interface StatementLog {
  readonly statements: string[];
  /** Statements since `mark` (an index into `statements`), minus transaction control. */
  since(mark: number): string[];
}

/** Wraps a mysql2 pool so that every statement it runs is recorded: how the tests count round trips. */
export function countingPool(pool: mysql.Pool): { pool: MySqlPoolLike; log: StatementLog } {
  const statements: string[] = [];
  const log: StatementLog = {
    statements,
    since: (mark) =>
      statements
        .slice(mark)
        .filter((sql) => !/^(START TRANSACTION|COMMIT|ROLLBACK|SET TRANSACTION)\b/.test(sql.trim())),
  };
  const counted: MySqlPoolLike = {
    query: (options: MySqlQueryOptionsLike) => {
      statements.push(options.sql);
      return pool.query(options as mysql.QueryOptions) as never;
    },
    getConnection: async () => {
      const connection = await pool.getConnection();
      return {
        query: (options: MySqlQueryOptionsLike) => {
          statements.push(options.sql);
          return connection.query(options as mysql.QueryOptions) as never;
        },
        release: () => connection.release(),
        destroy: () => connection.destroy(),
      };
    },
  };
  return { pool: counted, log };
}

function redacted(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
