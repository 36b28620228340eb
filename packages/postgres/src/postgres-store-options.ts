import type { Clock } from '@settle/core';
import { systemClock, ValidationError } from '@settle/core';

/** A result as `pg` returns it: the subset Settle reads. */
export interface PgResultLike {
  readonly rows: unknown[];
  /** Rows the statement returned, inserted, updated or deleted (null for commands without a count). */
  readonly rowCount: number | null;
  /** The command tag's verb: `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `COMMIT`, `ROLLBACK`… */
  readonly command: string;
}

/** A notification as `pg` emits it on a client that ran `LISTEN`. */
export interface PgNotificationLike {
  readonly channel: string;
  readonly payload?: string | undefined;
}

/**
 * A named statement as `pg` takes it: `pg` prepares it on each connection the first time and
 * afterwards only binds and executes it (see {@link PostgresStoreSharedOptions.preparedStatements}).
 */
export interface PgQueryConfigLike {
  readonly name: string;
  readonly text: string;
  readonly values: unknown[];
}

/** A client checked out of a `pg` Pool: the subset Settle uses. */
export interface PgPoolClientLike {
  /** Settle passes a {@link PgQueryConfigLike} only for its prepared statements. */
  query(text: string, values?: unknown[]): Promise<PgResultLike>;
  query(config: PgQueryConfigLike): Promise<PgResultLike>;
  /** Returns the client to the pool; an error (or `true`) destroys it instead. */
  release(destroy?: Error | boolean): void;
  on(event: 'notification', listener: (message: PgNotificationLike) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  removeListener(event: 'notification', listener: (message: PgNotificationLike) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'end', listener: () => void): unknown;
}

/**
 * The subset of `pg`'s `Pool` that Settle needs, typed structurally so that `@settle/postgres`
 * has no runtime dependency on `pg` (a peer dependency, optional when you use PGlite). A `pg`
 * `Pool` fits as it is.
 */
export interface PgPoolLike {
  /** One statement on any idle client (non-transactional reads). */
  query(text: string, values?: unknown[]): Promise<PgResultLike>;
  /** A prepared statement on any idle client. */
  query(config: PgQueryConfigLike): Promise<PgResultLike>;
  /** A dedicated client: transactions and the LISTEN connection of `subscribe()`. */
  connect(): Promise<PgPoolClientLike>;
}

/** Rows as PGlite returns them. */
export interface PGliteResultsLike<R> {
  readonly rows: R[];
  /** Rows inserted, updated or deleted. */
  readonly affectedRows?: number;
}

/** The handle PGlite passes to a `transaction()` callback: the subset Settle uses. */
export interface PGliteTransactionLike {
  query<R>(sql: string, params?: unknown[]): Promise<PGliteResultsLike<R>>;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<unknown>;
  rollback(): Promise<void>;
}

/**
 * The subset of an `@electric-sql/pglite` `PGlite` instance that Settle needs; a `PGlite` (0.3 or
 * later) fits as it is.
 */
export interface PGliteLike {
  query<R>(sql: string, params?: unknown[]): Promise<PGliteResultsLike<R>>;
  transaction<T>(callback: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>;
}

/** Options every {@link PostgresStoreOptions} variant shares. */
export interface PostgresStoreSharedOptions {
  /**
   * Schema holding Settle's tables; created by `migrate()` if missing. Lowercase letters, digits
   * and underscores, not starting with a digit or `pg_`, at most 40 characters.
   * Default: `'public'`.
   */
  readonly schema?: string;
  /**
   * Prefix of every table, index and the NOTIFY channel, so several Settle installations (or a
   * host table named `challenges`) can share a schema. Lowercase letters, digits and underscores,
   * not starting with a digit, at most 16 characters; may be empty.
   * Default: `'settle_'`.
   */
  readonly tablePrefix?: string;
  /**
   * How many times `transaction()` reruns `fn` after a retryable failure (deadlock `40P01`,
   * serialization failure `40001`, a connection lost before commit), on top of the first attempt,
   * after a short jittered pause.
   * Default: `3`.
   */
  readonly maxRetries?: number;
  /**
   * Sends the statements of the payout hot paths (paying a batch, creating a job) as named prepared
   * statements, which Postgres parses once per connection instead of once per call. Turn
   * it off behind a pooler that hands each transaction a different server connection without
   * tracking prepared statements (PgBouncer before 1.21 in transaction mode), or when the pool is
   * a wrapper that only passes SQL text through. Ignored on PGlite.
   * Default: `true`.
   */
  readonly preparedStatements?: boolean;
  /**
   * Supplies `updatedAt` for writes that take no instant (`updateChallenge`).
   * Default: `systemClock`.
   */
  readonly clock?: Clock;
}

/** A {@link PostgresStore} over a `pg` Pool: the host's own, which `close()` leaves open. */
export interface PostgresPoolStoreOptions extends PostgresStoreSharedOptions {
  /** A `pg` Pool (or anything shaped like {@link PgPoolLike}). */
  readonly pool: PgPoolLike;
  readonly pglite?: never;
}

/** A {@link PostgresStore} over an embedded PGlite instance, which `close()` leaves open. */
export interface PGliteStoreOptions extends PostgresStoreSharedOptions {
  /**
   * A `PGlite` instance (or anything shaped like {@link PGliteLike}). PGlite has one connection:
   * transactions run one at a time, and a read on the store (not on `tx`) inside `transaction(fn)`
   * waits for that transaction to end, so read through `tx` there.
   */
  readonly pglite: PGliteLike;
  readonly pool?: never;
}

/**
 * Options of {@link PostgresStore}: a `pool` or a `pglite`, plus the shared settings.
 *
 * @example
 * ```ts
 * new PostgresStore({ pool: new pg.Pool({ connectionString }), schema: 'billing', tablePrefix: 'settle_' });
 * ```
 */
export type PostgresStoreOptions = PostgresPoolStoreOptions | PGliteStoreOptions;

/** {@link PostgresStoreOptions} validated, with defaults applied. @internal */
export interface ResolvedPostgresStoreOptions {
  readonly connection: { readonly pool: PgPoolLike } | { readonly pglite: PGliteLike };
  readonly schema: string;
  readonly tablePrefix: string;
  readonly maxRetries: number;
  readonly preparedStatements: boolean;
  readonly clock: Clock;
}

// Identifiers are spliced into SQL text, so only this alphabet gets through. The lengths keep the
// NOTIFY channel `schema$prefixevents` within Postgres's 63-byte identifier limit.
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,39}$/;
const PREFIX_PATTERN = /^(?:[a-z_][a-z0-9_]{0,15})?$/;

/**
 * Validates {@link PostgresStoreOptions}; throws a `ValidationError` before anything touches the database.
 *
 * @internal
 */
export function resolvePostgresStoreOptions(options: PostgresStoreOptions): ResolvedPostgresStoreOptions {
  const schema = options.schema ?? 'public';
  if (typeof schema !== 'string' || !SCHEMA_PATTERN.test(schema) || schema.startsWith('pg_')) {
    throw new ValidationError(
      'schema',
      'must be 1–40 lowercase letters, digits or underscores, not starting with a digit or "pg_"',
    );
  }
  const tablePrefix = options.tablePrefix ?? 'settle_';
  if (typeof tablePrefix !== 'string' || !PREFIX_PATTERN.test(tablePrefix)) {
    throw new ValidationError(
      'tablePrefix',
      'must be 0–16 lowercase letters, digits or underscores, not starting with a digit',
    );
  }
  const maxRetries = options.maxRetries ?? 3;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) {
    throw new ValidationError('maxRetries', 'must be a non-negative integer');
  }
  const preparedStatements = options.preparedStatements ?? true;
  if (typeof preparedStatements !== 'boolean') {
    throw new ValidationError('preparedStatements', 'must be true or false');
  }
  const hasPool = options.pool !== undefined && options.pool !== null;
  const hasPglite = options.pglite !== undefined && options.pglite !== null;
  if (hasPool === hasPglite) throw new ValidationError('pool', 'pass exactly one of pool or pglite');
  const connection = hasPool ? { pool: options.pool as PgPoolLike } : { pglite: options.pglite as PGliteLike };
  return { connection, schema, tablePrefix, maxRetries, preparedStatements, clock: options.clock ?? systemClock };
}
