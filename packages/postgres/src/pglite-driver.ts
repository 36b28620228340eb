import { notifyStatements } from './notify-statements';
import type {
  DriverResult,
  PendingNotifications,
  PostgresConnection,
  PostgresDriver,
  PostgresListener,
  PostgresNotificationHandlers,
} from './postgres-driver';
import type { PGliteLike, PGliteResultsLike, PGliteTransactionLike } from './postgres-store-options';

/**
 * The driver over an embedded PGlite instance. PGlite is a single connection, so its transactions
 * cannot overlap: each Settle transaction runs inside `pglite.transaction()`, whose lock is the
 * queue that serializes them, and which also holds back the host's own `pglite.query()` calls
 * until the transaction ends, so they can never run inside it by accident. Its `listen()` needs
 * no reconnecting: the database lives in this process.
 *
 * @internal
 */
export class PGliteDriver implements PostgresDriver {
  constructor(private readonly db: PGliteLike) {}

  async query<R>(sql: string, params: readonly unknown[] = []): Promise<DriverResult<R>> {
    return toDriverResult(await this.db.query<R>(sql, [...params]));
  }

  async begin(): Promise<PostgresConnection> {
    const opened = promiseWithResolvers<PGliteTransactionLike>();
    const ended = promiseWithResolvers<'commit' | 'rollback'>();
    // PGlite sends BEGIN, then COMMIT when the callback resolves (or ROLLBACK when it throws).
    const finished = this.db.transaction(async (tx) => {
      opened.resolve(tx);
      if ((await ended.promise) === 'rollback') await tx.rollback();
    });
    finished.catch((error: unknown) => opened.reject(error));
    const tx = await opened.promise;
    const connection: PostgresConnection = {
      query: async <R>(sql: string, params: readonly unknown[] = []) =>
        toDriverResult(await tx.query<R>(sql, [...params])),
      execute: async (script) => {
        await tx.exec(script);
      },
      commit: async (notifications?: PendingNotifications) => {
        if (notifications !== undefined) {
          try {
            await tx.exec(notifyStatements(notifications));
          } catch (error) {
            ended.resolve('rollback');
            await finished.catch(() => undefined);
            throw error;
          }
        }
        ended.resolve('commit');
        return finished;
      },
      rollback: () => {
        ended.resolve('rollback');
        return finished;
      },
    };
    try {
      // The host may have changed default_transaction_isolation; Settle's reasoning assumes read committed.
      await connection.query('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
    } catch (error) {
      await connection.rollback().catch(() => undefined);
      throw error;
    }
    return connection;
  }

  async listen(channel: string, handlers: PostgresNotificationHandlers): Promise<PostgresListener> {
    const unlisten = await this.db.listen(channel, (payload) => handlers.notification(payload));
    return { close: () => unlisten() };
  }
}

function toDriverResult<R>(result: PGliteResultsLike<R>): DriverResult<R> {
  return { rows: result.rows, affectedRows: result.affectedRows ?? 0 };
}

/** `Promise.withResolvers()`, which Node 20 lacks. */
function promiseWithResolvers<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
