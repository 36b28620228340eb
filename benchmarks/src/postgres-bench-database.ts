import { type PgPoolLike, PostgresStore } from '@settle/postgres';
import pg from 'pg';
import { redactUrl } from './bench-config';
import { medianRoundTripMs, type ServerInfo } from './machine-info';

/** Settings that decide how fast commits and writes are, and whether statistics refresh by themselves. */
const SETTINGS = ['shared_buffers', 'synchronous_commit', 'fsync', 'wal_level', 'max_wal_size', 'autovacuum'];

/**
 * A suite's own corner of a Postgres database: one schema, dropped and recreated at start and
 * dropped at the end, and one pool every contender shares. Each benchmark takes its own table
 * prefix, so no contender ever scans rows another one left behind.
 */
export class PostgresBenchDatabase {
  private constructor(
    /** Shared by every contender; 4 connections is plenty for concurrency-1 benchmarks on 2 cores. */
    readonly pool: pg.Pool,
    /** The schema every table of the run lives in. */
    readonly schema: string,
  ) {}

  /** Connects and (re)creates `schema`, dropping whatever an interrupted run left there. */
  static async open(connectionString: string, schema: string, max = 4): Promise<PostgresBenchDatabase> {
    const pool = new pg.Pool({ connectionString, max });
    // An idle client that loses its connection emits `error` on the pool; without a listener Node exits.
    pool.on('error', () => undefined);
    try {
      await pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
      await pool.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    } catch (error) {
      await pool.end();
      throw new Error(
        `cannot prepare schema ${schema} at ${redactUrl(connectionString)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return new PostgresBenchDatabase(pool, schema);
  }

  /** A migrated PostgresStore whose tables carry `tablePrefix`, over the shared pool or `pool`. */
  async settleStore(tablePrefix: string, pool: PgPoolLike = this.pool): Promise<PostgresStore> {
    const store = new PostgresStore({ pool, schema: this.schema, tablePrefix });
    await store.migrate();
    return store;
  }

  /** `schema.name`, quoted. */
  table(name: string): string {
    return `${quoteIdentifier(this.schema)}.${quoteIdentifier(name)}`;
  }

  /**
   * `VACUUM (ANALYZE)` of the given tables: each contender starts from freshly analyzed tables with
   * an up-to-date visibility map, instead of whenever autovacuum happened to pass.
   */
  async vacuum(tables: readonly string[]): Promise<void> {
    for (const table of tables) await this.pool.query(`VACUUM (ANALYZE) ${table}`);
  }

  /**
   * Flushes dirty buffers now, so the WAL and writes of one benchmark do not land in the middle of
   * the next one's timing. Needs superuser or `pg_checkpoint`; without them this does nothing.
   */
  async checkpoint(): Promise<void> {
    await this.pool.query('CHECKPOINT').catch(() => undefined);
  }

  /** The server's version, the settings that move the numbers, and one round trip's cost. */
  async describe(): Promise<ServerInfo> {
    const { rows: version } = await this.pool.query<{ server_version: string }>('SHOW server_version');
    const { rows: settings } = await this.pool.query<{ name: string; value: string }>(
      'SELECT name, current_setting(name) AS value FROM pg_settings WHERE name = ANY ($1) ORDER BY name',
      [SETTINGS],
    );
    return {
      product: 'PostgreSQL',
      version: version[0]?.server_version ?? 'unknown',
      settings: settings.map((r) => `${r.name} = ${r.value}`),
      roundTripMs: await medianRoundTripMs((sql) => this.pool.query(sql)),
    };
  }

  /** Drops the schema and closes the pool. */
  async close(): Promise<void> {
    try {
      await this.pool.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(this.schema)} CASCADE`);
    } finally {
      await this.pool.end();
    }
  }
}

/** Quotes a Postgres identifier; every name the benchmarks splice into SQL goes through here. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
