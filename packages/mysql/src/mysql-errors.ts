import { ConflictError, SettleError, StoreError } from '@settle/core';

/** ER_DUP_ENTRY and ER_DUP_ENTRY_WITH_KEY_NAME: a unique key refused the row. */
const DUPLICATE_ERRNOS = new Set([1062, 1586]);

/**
 * ER_LOCK_DEADLOCK (the server rolled the transaction back) and ER_LOCK_WAIT_TIMEOUT (the
 * statement was rolled back; Settle rolls back the rest): running the transaction again may
 * succeed. A Galera certification conflict surfaces as a deadlock at commit.
 */
const RETRYABLE_ERRNOS = new Set([1213, 1205]);

/**
 * The server went away: ER_SERVER_SHUTDOWN, ER_CONNECTION_KILLED (MariaDB), ER_CLIENT_INTERACTION_TIMEOUT
 * (MySQL 8), CR_SERVER_GONE_ERROR and CR_SERVER_LOST.
 */
const CONNECTION_ERRNOS = new Set([1053, 1927, 4031, 2006, 2013]);

/** mysql2's and Node's codes for a connection that dropped. */
const CONNECTION_CODES = new Set([
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** Where a failure happened, for the error's message and context. @internal */
export interface FailureSite {
  /** The statement (a file name under src/sql) or the step (`BEGIN`, `COMMIT`, a host query). */
  readonly statement: string;
  /**
   * The failure happened while committing: a lost connection then leaves the outcome unknown, so
   * it must not be retried (the commit may have succeeded).
   */
  readonly committing?: boolean;
}

/**
 * Translates a mysql2 error into a `SettleError`: 1062 duplicate key → `ConflictError`, 1213
 * deadlock and 1205 lock wait timeout → retryable `StoreError`, a connection lost before commit →
 * retryable `StoreError`, anything else → `StoreError` with the driver error as `cause` and its
 * errno, code and SQLSTATE in `context`. A `SettleError` passes through unchanged.
 *
 * @internal
 */
export function toSettleError(error: unknown, site: FailureSite): SettleError {
  if (error instanceof SettleError) return error;
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const errno = typeof record.errno === 'number' ? record.errno : undefined;
  const code = typeof record.code === 'string' ? record.code : undefined;
  const sqlState = typeof record.sqlState === 'string' ? record.sqlState : undefined;
  const text = error instanceof Error ? error.message : String(error);
  const context = {
    statement: site.statement,
    ...(errno === undefined ? {} : { errno }),
    ...(code === undefined ? {} : { code }),
    ...(sqlState === undefined ? {} : { sqlState }),
  };
  if (errno !== undefined && DUPLICATE_ERRNOS.has(errno)) {
    return new ConflictError(`Duplicate key: ${text}`, { cause: error, context });
  }
  const message = `MySQL ${site.statement} failed: ${text}`;
  if (errno !== undefined && RETRYABLE_ERRNOS.has(errno)) {
    return new StoreError(message, { cause: error, context, retryable: true });
  }
  const lost =
    (errno !== undefined && CONNECTION_ERRNOS.has(errno)) || (code !== undefined && CONNECTION_CODES.has(code));
  if (lost || record.fatal === true) {
    return new StoreError(message, { cause: error, context, retryable: site.committing !== true });
  }
  return new StoreError(message, { cause: error, context });
}
