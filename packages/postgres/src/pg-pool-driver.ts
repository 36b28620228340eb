import { PgNotificationListener } from './pg-notification-listener';
import type {
  DriverResult,
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

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<DriverResult<R>> {
    return toDriverResult<R>(await this.pool.query(sql, [...params]));
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

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<DriverResult<R>> {
    this.assertOpen();
    return toDriverResult<R>(await this.client.query(sql, [...params]));
  }

  async execute(script: string): Promise<void> {
    this.assertOpen();
    // Without parameters pg uses the simple query protocol, which accepts several statements.
    await this.client.query(script);
  }

  async commit(): Promise<void> {
    this.assertOpen();
    let result: PgResultLike;
    try {
      result = await this.client.query('COMMIT');
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
