/*
 * The seam between PostgresStore and a Postgres client. Everything above it (the SQL, the
 * transaction retry loop, the row mapping) is shared; below it a `pg` Pool and a PGlite instance
 * differ only in how they hand out a connection, open and end a transaction, and LISTEN.
 */

/** One statement's rows and how many rows it inserted, updated or deleted. @internal */
export interface DriverResult<R> {
  readonly rows: R[];
  /** Rows inserted, updated or deleted (0 for a SELECT). */
  readonly affectedRows: number;
}

/** Anything that runs one parameterized statement (`$1`, `$2`…). @internal */
export interface PostgresQueryable {
  /**
   * `prepareAs` names the statement: a driver that can keeps it prepared under that name on each
   * connection, so Postgres parses it once per connection instead of once per call (and may plan
   * it once). The name must belong to this exact SQL text.
   */
  query<R>(sql: string, params?: readonly unknown[], prepareAs?: string): Promise<DriverResult<R>>;
}

/** NOTIFY payloads a transaction sends on its channel as it commits, in order. @internal */
export interface PendingNotifications {
  readonly channel: string;
  readonly payloads: readonly string[];
}

/**
 * A connection with an open `READ COMMITTED` transaction. `commit()` or `rollback()` ends the
 * transaction and gives the connection back; the handle is unusable afterwards.
 *
 * @internal
 */
export interface PostgresConnection extends PostgresQueryable {
  /** Runs a script of several statements (a migration) in this transaction. */
  execute(script: string): Promise<void>;
  /**
   * Sends `notifications` (Postgres delivers them at commit and drops them on rollback) and commits;
   * rejects if either failed or the transaction had been aborted by a failed statement.
   */
  commit(notifications?: PendingNotifications): Promise<void>;
  /** Rolls back; a connection that cannot even roll back is destroyed rather than reused. */
  rollback(): Promise<void>;
}

/** Callbacks of {@link PostgresDriver.listen}. @internal */
export interface PostgresNotificationHandlers {
  /** A notification's payload, in the order the server sent them. */
  notification(payload: string): void;
  /** The listening connection was lost and LISTEN is back on a new one; notifications in the gap are lost. */
  reconnected(): void;
}

/** A running LISTEN. @internal */
export interface PostgresListener {
  /** Stops listening and gives the connection back. */
  close(): Promise<void>;
}

/** A way to reach one Postgres database. @internal */
export interface PostgresDriver extends PostgresQueryable {
  /** Acquires a connection and opens a `READ COMMITTED` transaction on it. */
  begin(): Promise<PostgresConnection>;
  /** LISTENs on `channel` on a connection of its own, reconnecting when it drops. */
  listen(channel: string, handlers: PostgresNotificationHandlers): Promise<PostgresListener>;
}
