import { createHash, randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import type { PGliteLike, PgPoolClientLike, PgPoolLike, PgQueryConfigLike } from '@settle/postgres';
import pg from 'pg';

/** The test server; override with DATABASE_URL. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether the Postgres server answers. Under CI (`CI=true`) an unreachable server fails the run
 * instead: a green CI must never mean "skipped". Locally the caller skips its suite, and this
 * prints one line saying why.
 */
export async function postgresAvailable(testFile: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI === 'true') {
      throw new Error(`Postgres at ${redacted(DATABASE_URL)} is unreachable (${reason}); CI=true requires it`);
    }
    console.warn(
      `Skipping ${relative(process.cwd(), testFile)}: no Postgres at ${redacted(DATABASE_URL)} (${reason}). Start one or set DATABASE_URL.`,
    );
    return false;
  }
}

/** A schema of one test file on the test server, and the pool that reaches it. */
export interface TestDatabase {
  readonly pool: pg.Pool;
  readonly schema: string;
  /** Tables of every prefix handed out so far are dropped here, then the schema and the pool go. */
  drop(): Promise<void>;
  /** A table prefix no other store of this file has used: a fresh, unmigrated installation. */
  freshPrefix(): string;
  /** Drops the tables of one prefix (keeps the final schema drop small). */
  dropPrefix(prefix: string): Promise<void>;
}

/**
 * Creates the file's own schema (named from a hash of its path, so parallel files never meet),
 * dropped again by `drop()`.
 */
export async function createTestDatabase(testFile: string): Promise<TestDatabase> {
  const key = relative(process.cwd(), testFile);
  // The file's hash says whose it is; a random part keeps two runs at once (two developers, a CI
  // run beside a local one) from sharing tables.
  const schema = `settle_test_${createHash('sha1').update(key).digest('hex').slice(0, 8)}_${randomBytes(3).toString('hex')}`;
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 12 });
  await pool.query(`CREATE SCHEMA "${schema}"`);
  let prefixes = 0;
  const dropPrefix = async (prefix: string) => {
    const { rows } = await pool.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 AND starts_with(tablename, $2)`,
      [schema, prefix],
    );
    if (rows.length === 0) return;
    await pool.query(`DROP TABLE ${rows.map((r) => `"${schema}"."${r.name}"`).join(', ')} CASCADE`);
  };
  return {
    pool,
    schema,
    freshPrefix: () => `t${++prefixes}_`,
    dropPrefix,
    async drop() {
      try {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}

/** Every statement text a pool (or its clients) was asked to run, in order. */
export interface StatementLog {
  readonly statements: string[];
  /** Statements since `mark` (an index into `statements`), minus transaction control. */
  since(mark: number): string[];
}

/** Wraps a pg pool so that every statement it runs is recorded: how the tests count round trips. */
export function countingPool(pool: pg.Pool): { pool: PgPoolLike; log: StatementLog } {
  const log = statementLog();
  const counted: PgPoolLike = {
    query: (query: string | PgQueryConfigLike, values?: unknown[]) => {
      log.statements.push(typeof query === 'string' ? query : query.text);
      return pool.query(query, values);
    },
    connect: async () => {
      const client = await pool.connect();
      return new Proxy(client, {
        get(target, property) {
          if (property === 'query') {
            return (query: string | PgQueryConfigLike, values?: unknown[]) => {
              log.statements.push(typeof query === 'string' ? query : query.text);
              return target.query(query, values);
            };
          }
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      }) as PgPoolClientLike;
    },
  };
  return { pool: counted, log };
}

/** Wraps a PGlite instance so that every statement it runs is recorded. */
export function countingPglite(db: PGliteLike): { pglite: PGliteLike; log: StatementLog } {
  const log = statementLog();
  const counted: PGliteLike = {
    query: (sql, params) => {
      log.statements.push(sql);
      return db.query(sql, params);
    },
    transaction: (callback) =>
      db.transaction((tx) =>
        callback({
          query: (sql, params) => {
            log.statements.push(sql);
            return tx.query(sql, params);
          },
          exec: (sql) => {
            log.statements.push(sql);
            return tx.exec(sql);
          },
          rollback: () => tx.rollback(),
        }),
      ),
    listen: (channel, callback) => db.listen(channel, callback),
  };
  return { pglite: counted, log };
}

function statementLog(): StatementLog {
  const statements: string[] = [];
  return {
    statements,
    since: (mark) =>
      statements.slice(mark).filter((sql) => !/^(BEGIN|COMMIT|ROLLBACK|SET TRANSACTION)\b/.test(sql.trim())),
  };
}

function redacted(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
