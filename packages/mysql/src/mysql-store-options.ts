import type { Clock, DurationInput } from '@settle/core';
import { durationMs, systemClock, ValidationError } from '@settle/core';

/**
 * Per-query options Settle passes with every statement, so rows come back the same whatever the
 * host configured on its pool: BIGINT as exact strings, DATETIME as text, no host `typeCast`.
 */
export interface MySqlQueryOptionsLike {
  readonly sql: string;
  readonly values?: unknown[];
  readonly supportBigNumbers?: boolean;
  readonly bigNumberStrings?: boolean;
  readonly dateStrings?: boolean;
  readonly rowsAsArray?: boolean;
  readonly nestTables?: boolean;
  readonly typeCast?: (field: unknown, next: () => unknown) => unknown;
}

/**
 * What a `mysql2/promise` query resolves to: `[rows, fields]` for a SELECT, `[header, undefined]`
 * (with `affectedRows`) for a write.
 */
export type MySqlQueryResultLike = [unknown, unknown];

/** A connection checked out of a `mysql2/promise` pool: the subset Settle uses. */
export interface MySqlPoolConnectionLike {
  query(options: MySqlQueryOptionsLike): Promise<MySqlQueryResultLike>;
  /** Returns the connection to the pool. */
  release(): void;
  /** Closes the connection instead of returning it (after an error that may have left it unusable). */
  destroy(): void;
}

/**
 * The subset of a `mysql2/promise` Pool that Settle needs, typed structurally so that
 * `@settle/mysql` has no runtime dependency on `mysql2` (a peer dependency). A pool from
 * `mysql2/promise`'s `createPool()` fits as it is.
 */
export interface MySqlPoolLike {
  /** One statement on any idle connection (non-transactional reads and the subscription's polls). */
  query(options: MySqlQueryOptionsLike): Promise<MySqlQueryResultLike>;
  /** A dedicated connection: transactions and migrations. */
  getConnection(): Promise<MySqlPoolConnectionLike>;
}

/**
 * Options of {@link MySqlStore}.
 *
 * @example
 * ```ts
 * new MySqlStore({ pool: mysql.createPool(process.env.MYSQL_URL!), tablePrefix: 'settle_' });
 * ```
 */
export interface MySqlStoreOptions {
  /** A `mysql2/promise` Pool (or anything shaped like {@link MySqlPoolLike}); the host's own, which `close()` leaves open. Tables live in its connections' current database. */
  readonly pool: MySqlPoolLike;
  /**
   * Prefix of every table, index and constraint, so several Settle installations (or a host table
   * named `challenges`) can share a database. Lowercase letters, digits and underscores, not
   * starting with a digit, at most 16 characters; may be empty.
   * Default: `'settle_'`.
   */
  readonly tablePrefix?: string;
  /**
   * How many times `transaction()` reruns `fn` after a retryable failure (deadlock 1213, lock wait
   * timeout 1205, a connection lost before commit), on top of the first attempt, after a jittered
   * pause that doubles each time.
   * Default: `5`.
   */
  readonly maxRetries?: number;
  /**
   * How often `subscribe()` polls the events table. A number is milliseconds.
   * Default: `250` ms.
   */
  readonly pollInterval?: DurationInput;
  /**
   * How long published events are kept for subscribers before they are pruned.
   * Default: `PT1H`.
   */
  readonly eventRetention?: DurationInput;
  /**
   * Supplies `updatedAt` for writes that take no instant (`updateChallenge`) and the time events
   * are stamped and pruned with.
   * Default: `systemClock`.
   */
  readonly clock?: Clock;
}

/** {@link MySqlStoreOptions} validated, with defaults applied. @internal */
export interface ResolvedMySqlStoreOptions {
  readonly pool: MySqlPoolLike;
  readonly tablePrefix: string;
  readonly maxRetries: number;
  readonly pollIntervalMs: number;
  readonly eventRetentionMs: number;
  readonly clock: Clock;
}

// The prefix is spliced into SQL text, so only this alphabet gets through. The length keeps the
// longest constraint name (`prefix` + 36 characters) within MySQL's 64-character identifiers.
const PREFIX_PATTERN = /^(?:[a-z_][a-z0-9_]{0,15})?$/;

/**
 * Validates {@link MySqlStoreOptions}; throws a `ValidationError` before anything touches the database.
 *
 * @internal
 */
export function resolveMySqlStoreOptions(options: MySqlStoreOptions): ResolvedMySqlStoreOptions {
  const tablePrefix = options.tablePrefix ?? 'settle_';
  if (typeof tablePrefix !== 'string' || !PREFIX_PATTERN.test(tablePrefix)) {
    throw new ValidationError(
      'tablePrefix',
      'must be 0–16 lowercase letters, digits or underscores, not starting with a digit',
    );
  }
  const maxRetries = options.maxRetries ?? 5;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new ValidationError('maxRetries', 'must be a non-negative integer');
  }
  if (options.pool === undefined || options.pool === null) throw new ValidationError('pool', 'is required');
  const pollIntervalMs = durationMs('pollInterval', options.pollInterval ?? 250);
  if (pollIntervalMs < 1) throw new ValidationError('pollInterval', 'must be at least 1 ms');
  const eventRetentionMs = durationMs('eventRetention', options.eventRetention ?? 'PT1H');
  if (eventRetentionMs < 60_000) throw new ValidationError('eventRetention', 'must be at least one minute');
  return {
    pool: options.pool,
    tablePrefix,
    maxRetries,
    pollIntervalMs,
    eventRetentionMs,
    clock: options.clock ?? systemClock,
  };
}
