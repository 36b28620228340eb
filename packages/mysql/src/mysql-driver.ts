import type { MySqlPoolConnectionLike, MySqlPoolLike, MySqlQueryOptionsLike } from './mysql-store-options';

/*
 * The seam between MySqlStore and mysql2: how a statement runs, how a connection is checked out,
 * and how a transaction is opened and ended. Every statement carries Settle's own result options,
 * so nothing depends on how the host configured its pool.
 */

/** One statement's rows and how many rows it inserted, updated or deleted. @internal */
export interface DriverResult<R> {
  readonly rows: R[];
  /** Rows inserted, updated or deleted (matched rows for an UPDATE under mysql2's default FOUND_ROWS flag; 0 for a SELECT). */
  readonly affectedRows: number;
}

/** Anything that runs one statement with `?` placeholders. @internal */
export interface MySqlQueryable {
  query<R>(sql: string, params?: readonly unknown[]): Promise<DriverResult<R>>;
}

/**
 * A connection checked out of the pool for Settle's exclusive use (a transaction or a migration).
 *
 * @internal
 */
export interface MySqlSession extends MySqlQueryable {
  /** Gives the connection back, or closes it when `broken` (its state is unknown). Idempotent. */
  release(broken?: boolean): void;
}

/** A session with an open `READ COMMITTED` transaction. @internal */
export interface MySqlConnection extends MySqlQueryable {
  /** Commits and releases the connection; rejects if the commit failed (the connection is closed then). */
  commit(): Promise<void>;
  /** Rolls back and releases; a connection that cannot even roll back is closed rather than reused. */
  rollback(): Promise<void>;
}

/** The host's global `typeCast`, if any, must not reshape Settle's rows: defer to mysql2's own parsing. */
const defaultTypeCast = (_field: unknown, next: () => unknown): unknown => next();

/**
 * The statement with Settle's result options: BIGINT as exact decimal strings (converted to
 * `bigint` by the row mapping), DATETIME as text (read as UTC by the row mapping), plain objects.
 *
 * @internal
 */
export function queryOptions(sql: string, params: readonly unknown[] | undefined): MySqlQueryOptionsLike {
  return {
    sql,
    ...(params === undefined || params.length === 0 ? {} : { values: [...params] }),
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    rowsAsArray: false,
    nestTables: false,
    typeCast: defaultTypeCast,
  };
}

/** @internal */
export function toDriverResult<R>([result]: [unknown, unknown]): DriverResult<R> {
  if (Array.isArray(result)) return { rows: result as R[], affectedRows: 0 };
  const header = result as { affectedRows?: number } | undefined;
  return { rows: [], affectedRows: header?.affectedRows ?? 0 };
}

/**
 * The driver over a `mysql2/promise` Pool: non-transactional statements go to `pool.query`, each
 * transaction and each migration checks out a connection of its own.
 *
 * @internal
 */
export class MySqlDriver implements MySqlQueryable {
  constructor(private readonly pool: MySqlPoolLike) {}

  async query<R>(sql: string, params?: readonly unknown[]): Promise<DriverResult<R>> {
    return toDriverResult<R>(await this.pool.query(queryOptions(sql, params)));
  }

  /** A dedicated connection, outside any transaction. */
  async session(): Promise<MySqlSession> {
    return new PooledSession(await this.pool.getConnection());
  }

  /** A dedicated connection with an open `READ COMMITTED` transaction. */
  async begin(): Promise<MySqlConnection> {
    const session = new PooledSession(await this.pool.getConnection());
    try {
      // Applies to the next transaction only, so the host's session default is left alone.
      await session.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await session.query('START TRANSACTION');
    } catch (error) {
      session.release(true);
      throw error;
    }
    return new PooledTransaction(session);
  }
}

class PooledSession implements MySqlSession {
  private released = false;

  constructor(private readonly connection: MySqlPoolConnectionLike) {}

  async query<R>(sql: string, params?: readonly unknown[]): Promise<DriverResult<R>> {
    // A released connection may already serve someone else: never send it anything more.
    if (this.released) throw new Error('This connection has already been released');
    return toDriverResult<R>(await this.connection.query(queryOptions(sql, params)));
  }

  release(broken = false): void {
    if (this.released) return;
    this.released = true;
    if (broken) this.connection.destroy();
    else this.connection.release();
  }
}

class PooledTransaction implements MySqlConnection {
  constructor(private readonly session: PooledSession) {}

  query<R>(sql: string, params?: readonly unknown[]): Promise<DriverResult<R>> {
    return this.session.query<R>(sql, params);
  }

  async commit(): Promise<void> {
    try {
      await this.session.query('COMMIT');
    } catch (error) {
      this.session.release(true);
      throw error;
    }
    this.session.release();
  }

  async rollback(): Promise<void> {
    try {
      await this.session.query('ROLLBACK');
    } catch (error) {
      this.session.release(true);
      throw error;
    }
    this.session.release();
  }
}
