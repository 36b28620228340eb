import type {
  Backoff,
  Challenge,
  ChallengeFilter,
  ChallengeId,
  Clock,
  ClosingChallengesQuery,
  InboxFilter,
  InboxMessage,
  LedgerEntry,
  LedgerFilter,
  LedgerTotal,
  MigrationResult,
  MigrationStatus,
  Notification,
  NotificationFilter,
  NotificationRecipient,
  PageRequest,
  Participant,
  ParticipantPage,
  PayoutEntry,
  PayoutEntryFilter,
  PayoutJob,
  PayoutJobFilter,
  PayoutJobId,
  PayoutStats,
  Store,
  StoreCapabilities,
  StoreEventListener,
  StoreTransaction,
  Subscription,
} from '@settle/core';
import { createBackoff, StoreError } from '@settle/core';
import { PgPoolDriver } from './pg-pool-driver';
import { PGliteDriver } from './pglite-driver';
import type { DriverResult, PostgresConnection, PostgresDriver, PostgresQueryable } from './postgres-driver';
import { toSettleError } from './postgres-errors';
import { PostgresMigrator } from './postgres-migrator';
import { PostgresReads } from './postgres-reads';
import { PostgresSql } from './postgres-sql';
import type { PostgresStoreOptions } from './postgres-store-options';
import { resolvePostgresStoreOptions } from './postgres-store-options';
import { subscribeToEvents } from './postgres-subscription';
import { PostgresTransaction } from './postgres-transaction';

/**
 * The Settle {@link Store} on PostgreSQL 13+, over the host's `pg` Pool or an embedded PGlite
 * instance, with one set of SQL for both. Hot paths are single statements: a job and all its
 * entries are one `INSERT … unnest()`, a batch is claimed with `FOR UPDATE SKIP LOCKED`, and its
 * completion (entries, ledger, accounts, job counters) is one statement of CTEs. A transaction's
 * events are sent with its COMMIT, in the same round trip, so they are delivered on commit only.
 *
 * Call {@link PostgresStore.migrate} once at start-up (safe from many processes at once).
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { PostgresStore } from '@settle/postgres';
 *
 * const store = new PostgresStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await store.migrate();
 * ```
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 *
 * const store = new PostgresStore({ pglite: new PGlite('./data/settle') });
 * await store.migrate();
 * ```
 */
export class PostgresStore implements Store {
  readonly capabilities: StoreCapabilities = { dialect: 'postgres', pushEvents: true };
  private readonly driver: PostgresDriver;
  private readonly sql: PostgresSql;
  private readonly reads: PostgresReads;
  private readonly migrator: PostgresMigrator;
  private readonly maxRetries: number;
  private readonly clock: Clock;
  private readonly retryDelay: Backoff;
  private readonly subscriptions = new Set<Subscription>();
  private closed = false;

  /** @throws ValidationError for a schema, table prefix or option that is not allowed; nothing touches the database then. */
  constructor(options: PostgresStoreOptions) {
    const resolved = resolvePostgresStoreOptions(options);
    const { connection } = resolved;
    this.driver = 'pool' in connection ? new PgPoolDriver(connection.pool) : new PGliteDriver(connection.pglite);
    // PGlite runs in this process: a statement costs no round trip, and it has no named statements.
    this.sql = new PostgresSql(
      resolved.schema,
      resolved.tablePrefix,
      'pool' in connection && resolved.preparedStatements,
    );
    this.maxRetries = resolved.maxRetries;
    this.clock = resolved.clock;
    // Deadlock victims are retried after 5–20 ms, doubling per attempt: long enough for the winner
    // to commit, short enough not to matter.
    this.retryDelay = createBackoff('transaction retry', { base: 10, max: 200, jitter: 0.5 });
    const open: PostgresQueryable = {
      query: <R>(sql: string, params?: readonly unknown[], prepareAs?: string): Promise<DriverResult<R>> => {
        this.assertOpen();
        return this.driver.query<R>(sql, params, prepareAs);
      },
    };
    this.reads = new PostgresReads(open, this.sql);
    this.migrator = new PostgresMigrator(this.driver, this.sql);
  }

  migrate(): Promise<MigrationResult> {
    this.assertOpen();
    return this.migrator.migrate();
  }

  migrationStatus(): Promise<MigrationStatus> {
    this.assertOpen();
    return this.migrator.status();
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await this.driver.query(this.sql.statement('ping'));
    } catch (error) {
      throw toSettleError(error, { statement: 'ping' });
    }
  }

  /**
   * `BEGIN ISOLATION LEVEL READ COMMITTED` on a connection of its own; `fn` runs every statement
   * there (`tx.query` too), then `COMMIT`, or `ROLLBACK` if it throws. A deadlock (`40P01`), a
   * serialization failure (`40001`) or a connection lost before commit reruns `fn` up to
   * `maxRetries` times after a jittered pause of a few milliseconds, also when `fn` caught the
   * statement's error or threw its own instead.
   */
  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.assertOpen();
      try {
        return await this.attempt(fn);
      } catch (error) {
        if (!(error instanceof StoreError && error.retryable) || attempt > this.maxRetries) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, this.retryDelay(attempt)));
    }
  }

  /**
   * LISTENs on a dedicated connection (a client checked out of the pool for as long as the
   * subscription lives; PGlite's own `listen`). After a dropped connection it reconnects with a
   * growing pause and calls `reconnected()`. An event whose JSON exceeds NOTIFY's 8000-byte limit
   * is kept for an hour in the events table and read back from there.
   */
  async subscribe(listener: StoreEventListener): Promise<Subscription> {
    this.assertOpen();
    let subscription: Subscription;
    try {
      subscription = await subscribeToEvents(this.driver, this.sql, listener);
    } catch (error) {
      throw toSettleError(error, { statement: 'LISTEN' });
    }
    const tracked: Subscription = {
      close: async () => {
        this.subscriptions.delete(tracked);
        await subscription.close();
      },
    };
    this.subscriptions.add(tracked);
    return tracked;
  }

  /** Ends the store's subscriptions; the host's pool or PGlite instance stays open. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
  }

  // ── Reads ───────────────────────────────────────────────────────────────

  getChallenge(id: ChallengeId): Promise<Challenge | null> {
    return this.reads.getChallenge(id);
  }

  listParticipants(challengeId: ChallengeId, page: ParticipantPage): Promise<Participant[]> {
    return this.reads.listParticipants(challengeId, page);
  }

  nextDeadline(after?: Date): Promise<Date | null> {
    return this.reads.nextDeadline(after);
  }

  findDueChallenges(now: Date, limit: number): Promise<Challenge[]> {
    return this.reads.findDueChallenges(now, limit);
  }

  listClosingChallenges(query: ClosingChallengesQuery): Promise<Challenge[]> {
    return this.reads.listClosingChallenges(query);
  }

  listChallenges(filter: ChallengeFilter): Promise<Challenge[]> {
    return this.reads.listChallenges(filter);
  }

  getPayoutJob(id: PayoutJobId): Promise<PayoutJob | null> {
    return this.reads.getPayoutJob(id);
  }

  listPayoutJobs(filter: PayoutJobFilter): Promise<PayoutJob[]> {
    return this.reads.listPayoutJobs(filter);
  }

  listPayoutEntries(jobId: PayoutJobId, filter: PayoutEntryFilter): Promise<PayoutEntry[]> {
    return this.reads.listPayoutEntries(jobId, filter);
  }

  payoutStats(): Promise<PayoutStats> {
    return this.reads.payoutStats();
  }

  getBalance(userId: string): Promise<bigint> {
    return this.reads.getBalance(userId);
  }

  listLedger(filter: LedgerFilter, page: PageRequest): Promise<LedgerEntry[]> {
    return this.reads.listLedger(filter, page);
  }

  ledgerTotal(filter: LedgerFilter): Promise<LedgerTotal> {
    return this.reads.ledgerTotal(filter);
  }

  listNotifications(filter: NotificationFilter): Promise<Notification[]> {
    return this.reads.listNotifications(filter);
  }

  lastNotificationsSent(pairs: readonly NotificationRecipient[]): Promise<(Date | null)[]> {
    return this.reads.lastNotificationsSent(pairs);
  }

  listInbox(userId: string, filter: InboxFilter): Promise<InboxMessage[]> {
    return this.reads.listInbox(userId, filter);
  }

  // ── Transactions ────────────────────────────────────────────────────────

  /** One run of `fn` in one transaction. */
  private async attempt<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    let connection: PostgresConnection;
    try {
      connection = await this.driver.begin();
    } catch (error) {
      throw toSettleError(error, { statement: 'BEGIN' });
    }
    let ended = false;
    // A handle kept past the end of fn must not reach a connection that is back in the pool.
    const scoped: PostgresQueryable = {
      query: <R>(sql: string, params?: readonly unknown[], prepareAs?: string): Promise<DriverResult<R>> => {
        if (ended) return Promise.reject(new StoreError('This transaction has already ended'));
        return connection.query<R>(sql, params, prepareAs);
      },
    };
    const tx = new PostgresTransaction(scoped, this.sql, this.clock);
    let result: T;
    try {
      result = await fn(tx);
      if (tx.failure !== undefined) throw tx.failure;
    } catch (error) {
      ended = true;
      // If even ROLLBACK fails the driver destroys the connection; fn's error is the one that matters,
      // unless a statement hit a deadlock or a serialization failure: then the transaction is rerun
      // whatever fn made of that error (a host hook may have wrapped it in its own).
      await connection.rollback().catch(() => undefined);
      throw tx.failure instanceof StoreError && tx.failure.retryable ? tx.failure : error;
    }
    ended = true;
    try {
      await connection.commit(tx.pendingNotifications());
    } catch (error) {
      throw toSettleError(error, { statement: 'COMMIT', committing: true });
    }
    return result;
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('This PostgresStore is closed');
  }
}
