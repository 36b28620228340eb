import { notifyStatements } from './notify-statements';
import { withArrayLiterals } from './pg-array-literal';
import { PgNotificationListener } from './pg-notification-listener';
import type {
  DriverResult,
  PendingNotifications,
  PostgresConnection,
  PostgresDriver,
  PostgresListener,
  PostgresNotificationHandlers,
} from './postgres-driver';
import type { PgPoolClientLike, PgPoolLike, PgResultLike } from './postgres-store-options';

/** Commands whose row count is a number of rows written; a SELECT's count is rows read. */
const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);

/**
 * The driver over a `pg` Pool: non-transactional statements go to `pool.query`, each transaction
 * checks out a client of its own.
 *
 * Rows come back with pg's default parsers (BIGINT as a string, which the row mapping turns into a
 * bigint); Settle never touches the global type parsers, which belong to the host's pool.
 *
 * @internal
 */
export class PgPoolDriver implements PostgresDriver {
  constructor(private readonly pool: PgPoolLike) {}

  async query<R>(sql: string, params: readonly unknown[] = [], prepareAs?: string): Promise<DriverResult<R>> {
    const values = withArrayLiterals(params);
    const result = await (prepareAs === undefined
      ? this.pool.query(sql, values)
      : this.pool.query({ name: prepareAs, text: sql, values }));
    return toDriverResult<R>(result);
  }

  async begin(): Promise<PostgresConnection> {
    const client = await this.pool.connect();
    const transaction = new PgTransaction(client);
    await transaction.open();
    return transaction;
  }

  listen(channel: string, handlers: PostgresNotificationHandlers): Promise<PostgresListener> {
    return PgNotificationListener.open(this.pool, channel, handlers);
  }
}

/** A checked-out client inside one transaction. */
class PgTransaction implements PostgresConnection {
  /** A connection that dies while checked out emits `error`; without a listener Node would crash the process. */
  private lostWith: Error | undefined;
  private readonly onError = (error: Error) => {
    this.lostWith = error;
  };
  private released = false;

  constructor(private readonly client: PgPoolClientLike) {
    client.on('error', this.onError);
  }

  async open(): Promise<void> {
    try {
      await this.client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
    } catch (error) {
      this.release(error);
      throw error;
    }
  }

  async query<R>(sql: string, params: readonly unknown[] = [], prepareAs?: string): Promise<DriverResult<R>> {
    this.assertOpen();
    const values = withArrayLiterals(params);
    const result = await (prepareAs === undefined
      ? this.client.query(sql, values)
      : this.client.query({ name: prepareAs, text: sql, values }));
    return toDriverResult<R>(result);
  }

  async execute(script: string): Promise<void> {
    this.assertOpen();
    // Without parameters pg uses the simple query protocol, which accepts several statements.
    await this.client.query(script);
  }

  async commit(notifications?: PendingNotifications): Promise<void> {
    this.assertOpen();
    // Without parameters pg sends one simple query, however many statements it holds: the
    // notifications cost no round trip of their own. If one fails, Postgres skips the COMMIT and
    // the connection, still in the aborted transaction, is destroyed below.
    const notify = notifications === undefined ? '' : notifyStatements(notifications);
    let result: PgResultLike;
    try {
      const results: PgResultLike | PgResultLike[] = await this.client.query(`${notify}COMMIT`);
      result = Array.isArray(results) ? results.at(-1)! : results;
    } catch (error) {
      this.release(error);
      throw error;
    }
    this.release();
    // Postgres answers COMMIT of a transaction aborted by a failed statement with ROLLBACK, not an error.
    if (result.command === 'ROLLBACK') {
      throw new Error('COMMIT rolled back: a statement of this transaction failed earlier');
    }
  }

  async rollback(): Promise<void> {
    this.assertOpen();
    try {
      await this.client.query('ROLLBACK');
    } catch (error) {
      this.release(error);
      throw error;
    }
    this.release();
  }

  /** A released client may already serve someone else: never send it anything more. */
  private assertOpen(): void {
    if (this.released) throw new Error('This transaction has already ended');
  }

  private release(error?: unknown): void {
    if (this.released) return;
    this.released = true;
    this.client.removeListener('error', this.onError);
    const broken = error ?? this.lostWith;
    this.client.release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
  }
}

/** @internal */
export function toDriverResult<R>(result: PgResultLike): DriverResult<R> {
  return {
    rows: result.rows as R[],
    affectedRows: WRITE_COMMANDS.has(result.command) ? (result.rowCount ?? 0) : 0,
  };
}
