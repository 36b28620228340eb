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
import type { DriverResult, MySqlConnection, MySqlQueryable } from './mysql-driver';
import { MySqlDriver } from './mysql-driver';
import { toSettleError } from './mysql-errors';
import type { LastPaidJobSlot } from './mysql-last-paid-job';
import { MySqlMigrator } from './mysql-migrator';
import { MySqlReads } from './mysql-reads';
import { sqlTime } from './mysql-rows';
import { MySqlSql } from './mysql-sql';
import type { MySqlStoreOptions } from './mysql-store-options';
import { resolveMySqlStoreOptions } from './mysql-store-options';
import { pollEvents } from './mysql-subscription';
import { MySqlTransaction } from './mysql-transaction';

/** Events deleted per pruning statement, so pruning never holds many locks at once. */
const PRUNE_EVENTS_LIMIT = 1_000;

/**
 * The Settle {@link Store} on MySQL 8.0+ and MariaDB 10.6+, over the host's `mysql2/promise` pool.
 * Bulk writes are multi-row INSERTs sized to `max_allowed_packet`; a batch is claimed with
 * `FOR UPDATE SKIP LOCKED`, and its completion (entries, ledger, accounts, job counters) is a few
 * set-based statements in the same transaction. MySQL has no LISTEN/NOTIFY: events are rows of an
 * events table written in the publishing transaction, and `subscribe()` polls it.
 *
 * Call {@link MySqlStore.migrate} once at start-up (safe from many processes at once).
 *
 * @example
 * ```ts
 * import mysql from 'mysql2/promise';
 * import { MySqlStore } from '@settle/mysql';
 *
 * const store = new MySqlStore({ pool: mysql.createPool(process.env.MYSQL_URL!) });
 * await store.migrate();
 * ```
 */
export class MySqlStore implements Store {
  readonly capabilities: StoreCapabilities = { dialect: 'mysql', pushEvents: false };
  private readonly driver: MySqlDriver;
  private readonly sql: MySqlSql;
  private readonly reads: MySqlReads;
  private readonly migrator: MySqlMigrator;
  private readonly maxRetries: number;
  private readonly clock: Clock;
  private readonly pollIntervalMs: number;
  private readonly eventRetentionMs: number;
  private readonly retryDelay: Backoff;
  private readonly subscriptions = new Set<Subscription>();
  /** The job this store paid its last batch of, which its next batch is claimed from first. */
  private readonly lastPaid: LastPaidJobSlot = { current: null };
  private maxAllowedPacket: Promise<number> | undefined;
  private lastEventPrune = Number.NEGATIVE_INFINITY;
  private pruning: Promise<void> = Promise.resolve();
  private closed = false;

  /** @throws ValidationError for a table prefix or option that is not allowed; nothing touches the database then. */
  constructor(options: MySqlStoreOptions) {
    const resolved = resolveMySqlStoreOptions(options);
    this.driver = new MySqlDriver(resolved.pool);
    this.sql = new MySqlSql(resolved.tablePrefix);
    this.maxRetries = resolved.maxRetries;
    this.clock = resolved.clock;
    this.pollIntervalMs = resolved.pollIntervalMs;
    this.eventRetentionMs = resolved.eventRetentionMs;
    // Deadlock victims are retried after 5–20 ms, doubling per attempt: long enough for the winner
    // to commit, short enough not to matter.
    this.retryDelay = createBackoff('transaction retry', { base: 10, max: 400, jitter: 0.5 });
    const open: MySqlQueryable = {
      query: <R>(sql: string, params?: readonly unknown[]): Promise<DriverResult<R>> => {
        this.assertOpen();
        return this.driver.query<R>(sql, params);
      },
    };
    this.reads = new MySqlReads(open, this.sql);
    this.migrator = new MySqlMigrator(this.driver, this.sql);
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
   * `START TRANSACTION` at `READ COMMITTED` on a connection of its own; `fn` runs every statement
   * there (`tx.query` too), then `COMMIT`, or `ROLLBACK` if it throws or a store call failed. A
   * deadlock (1213), a lock wait timeout (1205) or a connection lost before commit reruns `fn` up
   * to `maxRetries` times after a jittered pause that doubles each time, also when `fn` caught the
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
   * Polls the events table every `pollInterval` (default 250 ms) on the pool, from the newest
   * event at the time of the call. Each committed event is delivered once, in id order (commit
   * order per publisher), across failed polls and reconnects; after polls failed and then
   * succeeded again `reconnected()` is called, though nothing was lost meanwhile.
   */
  async subscribe(listener: StoreEventListener): Promise<Subscription> {
    this.assertOpen();
    let subscription: Subscription;
    try {
      subscription = await pollEvents(this.driver, this.sql, listener, {
        intervalMs: this.pollIntervalMs,
        now: () => Date.now(),
      });
    } catch (error) {
      throw toSettleError(error, { statement: 'subscribe' });
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

  /** Ends the store's subscriptions; the host's pool stays open. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.subscriptions].map((subscription) => subscription.close()));
    await this.pruning;
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
    let connection: MySqlConnection;
    try {
      connection = await this.driver.begin();
    } catch (error) {
      throw toSettleError(error, { statement: 'BEGIN' });
    }
    let ended = false;
    // A handle kept past the end of fn must not reach a connection that is back in the pool.
    const scoped: MySqlQueryable = {
      query: <R>(sql: string, params?: readonly unknown[]): Promise<DriverResult<R>> => {
        if (ended) return Promise.reject(new StoreError('This transaction has already ended'));
        return connection.query<R>(sql, params);
      },
    };
    const tx = new MySqlTransaction(scoped, this.sql, this.clock, () => this.packetSize(scoped), this.lastPaid);
    let result: T;
    try {
      result = await fn(tx);
      if (tx.failure !== undefined) throw tx.failure;
      await tx.flushEvents();
    } catch (error) {
      ended = true;
      // If even ROLLBACK fails the driver destroys the connection; fn's error is the one that matters,
      // unless a statement hit a deadlock or a lock wait timeout: then the transaction is rerun
      // whatever fn made of that error (a host hook may have wrapped it in its own).
      await connection.rollback().catch(() => undefined);
      throw tx.failure instanceof StoreError && tx.failure.retryable ? tx.failure : error;
    }
    ended = true;
    try {
      await connection.commit();
    } catch (error) {
      throw toSettleError(error, { statement: 'COMMIT', committing: true });
    }
    if (tx.published) this.pruneEvents();
    return result;
  }

  /** The server's `max_allowed_packet`, read once, which bulk inserts size their chunks to. */
  private packetSize(queryable: MySqlQueryable): Promise<number> {
    this.maxAllowedPacket ??= queryable
      .query<{ bytes: number | string }>(this.sql.statement('maxAllowedPacket'))
      .then(({ rows }) => Number(rows[0]?.bytes ?? 4_194_304));
    const size = this.maxAllowedPacket;
    // A failed read is tried again by the next bulk insert rather than remembered.
    size.catch(() => {
      if (this.maxAllowedPacket === size) this.maxAllowedPacket = undefined;
    });
    return size.catch((error: unknown) => {
      throw toSettleError(error, { statement: 'maxAllowedPacket' });
    });
  }

  /**
   * Deletes events older than `eventRetention`, at most once a minute per store, in the background
   * after a publishing transaction committed, so pruning never delays or adds locks to a batch. A
   * failure is left for the next time: events are kept a little longer, nothing else is affected.
   */
  private pruneEvents(): void {
    const now = this.clock.now().getTime();
    if (now - this.lastEventPrune < 60_000) return;
    this.lastEventPrune = now;
    const olderThan = sqlTime(new Date(now - this.eventRetentionMs));
    this.pruning = (async () => {
      const { rows } = await this.driver.query<{ id: string | null }>(this.sql.statement('lastExpiredEvent'), [
        olderThan,
      ]);
      const upTo = rows[0]?.id ?? null;
      if (upTo !== null) await this.driver.query(this.sql.statement('pruneEvents'), [upTo, PRUNE_EVENTS_LIMIT]);
    })().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('This MySqlStore is closed');
  }
}
