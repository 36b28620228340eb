import { ConflictError, SettleError, StoreError } from '@settle/core';

/** serialization_failure and deadlock_detected: Postgres rolled the transaction back, and running it again may succeed. */
const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/** The server went away (admin_shutdown, crash_shutdown, cannot_connect_now); class 08 is connection_exception. */
const CONNECTION_SQLSTATES = new Set(['57P01', '57P02', '57P03']);

/** Node socket errors pg passes through when the network drops. */
const CONNECTION_ERRNOS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** pg's own errors for a client whose connection died carry no code, only these messages. */
const CONNECTION_MESSAGES = /Connection terminated|Client has encountered a connection error/;

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
 * Translates a driver error into a `SettleError`: `23505` unique_violation → `ConflictError`,
 * `40001`/`40P01` → retryable `StoreError`, a connection lost before commit → retryable
 * `StoreError`, anything else → `StoreError` with the driver error as `cause` and its SQLSTATE,
 * constraint and detail in `context`. A `SettleError` passes through unchanged.
 *
 * @internal
 */
export function toSettleError(error: unknown, site: FailureSite): SettleError {
  if (error instanceof SettleError) return error;
  const fields = driverFields(error);
  const context = {
    statement: site.statement,
    ...(fields.sqlstate === undefined ? {} : { sqlstate: fields.sqlstate }),
    ...(fields.constraint === undefined ? {} : { constraint: fields.constraint }),
    ...(fields.detail === undefined ? {} : { detail: fields.detail }),
  };
  const message = `Postgres ${site.statement} failed: ${fields.message}`;
  if (fields.sqlstate === '23505') {
    const key = fields.constraint === undefined ? '' : ` (${fields.constraint})`;
    return new ConflictError(`Duplicate key${key}: ${fields.detail ?? fields.message}`, { cause: error, context });
  }
  if (fields.sqlstate !== undefined && RETRYABLE_SQLSTATES.has(fields.sqlstate)) {
    return new StoreError(message, { cause: error, context, retryable: true });
  }
  if (isConnectionLoss(fields)) {
    return new StoreError(message, { cause: error, context, retryable: site.committing !== true });
  }
  return new StoreError(message, { cause: error, context });
}

interface DriverFields {
  readonly message: string;
  readonly sqlstate: string | undefined;
  readonly errno: string | undefined;
  readonly constraint: string | undefined;
  readonly detail: string | undefined;
}

/** pg's DatabaseError and PGlite's both carry the SQLSTATE in `code`; Node's socket errors carry an errno name there. */
function driverFields(error: unknown): DriverFields {
  const record = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const code = typeof record.code === 'string' ? record.code : undefined;
  const isSqlstate = code !== undefined && /^[0-9A-Z]{5}$/.test(code);
  return {
    message: error instanceof Error ? error.message : String(error),
    sqlstate: isSqlstate ? code : undefined,
    errno: isSqlstate ? undefined : code,
    constraint: typeof record.constraint === 'string' ? record.constraint : undefined,
    detail: typeof record.detail === 'string' ? record.detail : undefined,
  };
}

function isConnectionLoss({ sqlstate, errno, message }: DriverFields): boolean {
  if (sqlstate !== undefined) return sqlstate.startsWith('08') || CONNECTION_SQLSTATES.has(sqlstate);
  if (errno !== undefined) return CONNECTION_ERRNOS.has(errno);
  return CONNECTION_MESSAGES.test(message);
}
