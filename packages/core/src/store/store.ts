import type {
  Challenge,
  ChallengeId,
  ChallengeStatus,
  NewChallenge,
  NewParticipant,
  Participant,
} from '../domain/challenge';
import type { InboxMessage, NewInboxMessage } from '../domain/inbox-message';
import type { JsonObject, JsonValue } from '../domain/json';
import type { NewNotification, Notification, NotificationStatus } from '../domain/notification';
import type {
  LedgerEntry,
  NewPayoutEntry,
  NewPayoutJob,
  PayoutEntry,
  PayoutEntryId,
  PayoutEntryStatus,
  PayoutJob,
  PayoutJobId,
  PayoutJobStatus,
} from '../domain/payout';

/*
 * The Store contract. Core never writes SQL: Scheduler, Notifier and PayoutQueue talk to a Store, and
 * each adapter (MemoryStore, PostgresStore, MySqlStore, or a third party's) picks the best statements
 * for its database. `@settle/testkit` checks every promise written here on every adapter.
 *
 * Shared rules:
 * - Inputs reaching a store are already validated by core; a store still refuses to break an
 *   invariant (unique keys, state machines) and throws a `SettleError` when asked to.
 * - Every instant is a `Date` in UTC; every amount a `bigint` of minor units.
 * - Reads see committed data plus the calling transaction's own writes (read committed).
 * - Errors are `SettleError`s: `NotFoundError`, `InvalidTransitionError`, `ConflictError`, or a
 *   `StoreError` wrapping the driver's error (`retryable` for deadlocks and serialization failures).
 */

/** Static facts about a backend that core reads to pick strategies. */
export interface StoreCapabilities {
  /** `memory`, `postgres`, `mysql`, or a third party's name. */
  readonly dialect: 'memory' | 'postgres' | 'mysql' | (string & {});
  /** True when {@link Store.subscribe} pushes events on commit (Postgres NOTIFY); false when it polls or is absent. */
  readonly pushEvents: boolean;
}

/** Rows and affected-row count of a host query. */
export interface QueryResult<R> {
  readonly rows: R[];
  /** Rows inserted, updated or deleted. */
  readonly affectedRows: number;
}

/**
 * What a host hook receives: its own SQL runs inside Settle's transaction, so the host's rows
 * (a `users.balance`, an audit row) commit or roll back together with Settle's.
 */
export interface HostTransaction {
  readonly dialect: StoreCapabilities['dialect'];
  /**
   * Runs one statement in this transaction with the driver's placeholders (`$1` on Postgres,
   * `?` on MySQL). MemoryStore has no SQL and throws a `StoreError`.
   */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

/** Result of {@link Store.migrate}. */
export interface MigrationResult {
  /** Versions this call applied, ascending; empty when the schema was already current. */
  readonly applied: readonly number[];
  /** The schema version after the call. */
  readonly version: number;
}

/** Result of {@link Store.migrationStatus}. */
export interface MigrationStatus {
  /** Highest version applied to the database (0 when none). */
  readonly version: number;
  /** Highest version this code knows. */
  readonly latest: number;
}

/** A change of challenge status, applied only if the row is still in `from`. */
export interface ChallengeTransition {
  readonly id: ChallengeId;
  readonly from: ChallengeStatus;
  readonly to: ChallengeStatus;
  readonly at: Date;
  /** Apply only if the challenge's deadline is at or before this instant (guards against a deadline extended meanwhile). */
  readonly dueBy?: Date;
}

/** Fields of a challenge that may change while it is `pending` or `active`. */
export interface ChallengePatch {
  readonly title?: string;
  readonly deadline?: Date;
  readonly metadata?: JsonObject;
}

/** A page of rows ordered by a stable key; pass the last key back as `after` for the next page. */
export interface PageRequest {
  /** Maximum rows to return. */
  readonly limit: number;
  /** Exclusive lower bound of the ordering key. */
  readonly after?: string;
}

/** A page of the challenges in one status ({@link StoreReads.listChallenges}), ordered by id; `after` is an id. */
export interface ChallengeFilter extends PageRequest {
  readonly status: ChallengeStatus;
}

/** A page of a challenge's participants ({@link StoreReads.listParticipants}). */
export interface ParticipantPage extends PageRequest {
  /**
   * Only participants who joined strictly after this instant: the Notifier's search for late
   * joiners, which should not ship every participant to find the few.
   */
  readonly joinedAfter?: Date;
}

/**
 * Which `active` challenges {@link StoreReads.listClosingChallenges} returns: those whose deadline
 * is in `(after, until]`, ordered by deadline then id, a page at a time.
 */
export interface ClosingChallengesQuery {
  /** Exclusive lower bound of the deadline. */
  readonly after: Date;
  /** Inclusive upper bound of the deadline. */
  readonly until: Date;
  /** Maximum challenges to return. */
  readonly limit: number;
  /** The last challenge of the previous page: the next page starts strictly after it. */
  readonly cursor?: { readonly deadline: Date; readonly id: ChallengeId };
}

/** Filter for {@link StoreReads.listInbox}; newest first (descending id). */
export interface InboxFilter {
  /** Maximum messages to return. */
  readonly limit: number;
  /** Exclusive upper bound of the message id: pass the last id of a page for the next (older) page. */
  readonly before?: string;
  /** Only messages not yet marked read. */
  readonly unreadOnly?: boolean;
}

/** Filter for {@link StoreReads.listPayoutJobs}; newest first. */
export interface PayoutJobFilter {
  readonly status?: readonly PayoutJobStatus[];
  readonly challengeId?: ChallengeId;
  /** Maximum jobs to return. */
  readonly limit: number;
}

/** Filter for {@link StoreReads.listPayoutEntries}; ordered by entry id. */
export interface PayoutEntryFilter extends PageRequest {
  readonly status?: readonly PayoutEntryStatus[];
}

/** Filter for ledger reads; at least one of the fields should be set. */
export interface LedgerFilter {
  readonly jobId?: PayoutJobId;
  readonly userId?: string;
}

/** Ledger row count and sum. */
export interface LedgerTotal {
  readonly count: number;
  readonly total: bigint;
}

/** Counts for dashboards and health checks. */
export interface PayoutStats {
  /** Number of jobs in each status (every status present, zero when none). */
  readonly jobs: Readonly<Record<PayoutJobStatus, number>>;
  /** Number of entries pending, processing and failed across all jobs. */
  readonly entries: { readonly pending: number; readonly processing: number; readonly failed: number };
  /** `availableAt` of the oldest claimable pending entry, or null when none waits. */
  readonly oldestPendingAt: Date | null;
}

/** A claimed or leased batch: entries of one job. */
export interface PayoutBatch {
  readonly job: PayoutJob;
  /** Ordered by entry id. Never empty. */
  readonly entries: readonly PayoutEntry[];
}

/** What {@link StoreTransaction.payPayoutBatch} paid. */
export interface PaidPayoutBatch {
  /** The job after the batch, with the entries this call completed (`changed`, `entryIds`). */
  readonly progress: PayoutJobProgress;
  /** Sum of the amounts of the entries this call completed. */
  readonly amount: bigint;
}

/** Which batch to claim. */
export interface ClaimPayoutBatchOptions {
  readonly now: Date;
  /** Maximum entries (≥ 1). */
  readonly limit: number;
  /** Only this job; otherwise the best job by priority, then age. */
  readonly jobId?: PayoutJobId;
  /** Only these entries (of `jobId`, which is then required): how a failed batch is retried in halves. */
  readonly entryIds?: readonly PayoutEntryId[];
}

/** Which batch to lease, and for how long. */
export interface LeasePayoutBatchOptions extends ClaimPayoutBatchOptions {
  /** The lease ends here; an unfinished entry becomes claimable again after it. */
  readonly leaseUntil: Date;
}

/** How to complete entries. */
export interface CompletePayoutEntriesOptions {
  readonly now: Date;
  /**
   * Credit the built-in accounts (`true`, the default ledger mode) or only record ledger rows
   * (`false`, when a host hook or external rail moved the money).
   */
  readonly creditAccounts: boolean;
}

/** One entry's failed attempt. */
export interface PayoutEntryFailure {
  readonly entryId: PayoutEntryId;
  readonly error: string;
  /** Try again at this instant, or null to dead-letter the entry (`failed`). */
  readonly retryAt: Date | null;
  /**
   * The lease the caller held (the `lockedUntil` its lease returned). When set, the failure applies
   * only while the entry is still `processing` under exactly this lease: a lease that expired and
   * was taken over belongs to its new holder, whose outcome must not be overwritten.
   */
  readonly leaseUntil?: Date | null;
}

/** A job after a write, and what that write changed. */
export interface PayoutJobProgress {
  readonly job: PayoutJob;
  /** Entries this call actually changed (entries already in a final state are left alone and not counted). */
  readonly changed: number;
  /** Ids of the entries this call changed, ascending: what events and summaries must be built from. */
  readonly entryIds: readonly PayoutEntryId[];
  /** This call moved the job from `queued` to `running`. */
  readonly started: boolean;
  /** This call moved the job to a finished status. */
  readonly finished: boolean;
}

/** A job transition, applied only if the job is still in one of `from`. */
export interface PayoutJobTransition {
  readonly from: readonly PayoutJobStatus[];
  readonly to: PayoutJobStatus;
  readonly now: Date;
  /** Stored as the job's error (set with `failed`; cleared otherwise). */
  readonly error?: string | null;
}

/** Which notifications to claim. */
export interface ClaimNotificationsOptions {
  readonly now: Date;
  readonly limit: number;
  /** The lease ends here; an unfinished notification becomes claimable again after it. */
  readonly leaseUntil: Date;
}

/** How one notification ended, for {@link StoreTransaction.completeNotifications}. */
export interface NotificationOutcome {
  readonly id: string;
  readonly status: Extract<NotificationStatus, 'sent' | 'skipped'>;
  /** Why it was skipped (with `skipped`). */
  readonly reason?: string;
}

/** A challenge and one of its recipients, for {@link StoreReads.lastNotificationsSent}. */
export interface NotificationRecipient {
  readonly challengeId: ChallengeId;
  readonly recipient: string;
}

/** A notification's failed attempt. */
export interface NotificationFailure {
  readonly error: string;
  readonly at: Date;
  /** Try again at this instant, or null to dead-letter it (`failed`). */
  readonly retryAt: Date | null;
}

/** Filter for {@link StoreReads.listNotifications}; ordered by id. */
export interface NotificationFilter extends PageRequest {
  readonly challengeId?: ChallengeId;
  readonly recipient?: string;
  readonly kind?: string;
  readonly status?: readonly NotificationStatus[];
}

/** An event for other processes, published in a transaction and delivered only if it commits. */
export interface StoreEvent {
  /** Event name, e.g. `payout.progress`. */
  readonly name: string;
  /** JSON payload (amounts as strings). */
  readonly data: JsonValue;
}

/** Callbacks of a {@link Store.subscribe} subscription. */
export interface StoreEventListener {
  /** Called once per committed event, in commit order per publisher. */
  event(event: StoreEvent): void;
  /** Called after the subscription lost and regained its connection; events in the gap may be missing, so re-read state. */
  reconnected?(): void;
}

/** A live subscription; close it to stop delivery. */
export interface Subscription {
  close(): Promise<void>;
}

/** Queries that need no transaction; also available inside one, where they see its own writes. */
export interface StoreReads {
  /** The challenge, or null. */
  getChallenge(id: ChallengeId): Promise<Challenge | null>;
  /** Participants ordered by user id, a page at a time (`after` is a user id), optionally only those who joined after an instant. */
  listParticipants(challengeId: ChallengeId, page: ParticipantPage): Promise<Participant[]>;
  /**
   * The earliest deadline of an `active` challenge, or null when none is active; with `after`, the
   * earliest one strictly after that instant.
   */
  nextDeadline(after?: Date): Promise<Date | null>;
  /** Up to `limit` `active` challenges with deadline ≤ `now`, earliest deadline first. */
  findDueChallenges(now: Date, limit: number): Promise<Challenge[]>;
  /** `active` challenges closing in a window, ordered by deadline then id (see {@link ClosingChallengesQuery}). */
  listClosingChallenges(query: ClosingChallengesQuery): Promise<Challenge[]>;
  /**
   * The challenges in one status, ordered by id, a page at a time: the Notifier's catch-up on
   * `pending_admin` challenges (at start-up, after a reconnect, at most once per poll in
   * `runOnce`). Only `pending_admin` needs to be cheap; another status may read every challenge.
   */
  listChallenges(filter: ChallengeFilter): Promise<Challenge[]>;

  /** The job, or null. */
  getPayoutJob(id: PayoutJobId): Promise<PayoutJob | null>;
  /** Jobs, newest first. */
  listPayoutJobs(filter: PayoutJobFilter): Promise<PayoutJob[]>;
  /** A job's entries ordered by entry id (`after` is an entry id). */
  listPayoutEntries(jobId: PayoutJobId, filter: PayoutEntryFilter): Promise<PayoutEntry[]>;
  /** Job and entry counts. */
  payoutStats(): Promise<PayoutStats>;
  /** A user's built-in account balance (0 when the user was never credited). */
  getBalance(userId: string): Promise<bigint>;
  /** Ledger rows ordered by entry id (`after` is an entry id). */
  listLedger(filter: LedgerFilter, page: PageRequest): Promise<LedgerEntry[]>;
  /** Count and sum of ledger rows. */
  ledgerTotal(filter: LedgerFilter): Promise<LedgerTotal>;

  /** Notifications ordered by id. */
  listNotifications(filter: NotificationFilter): Promise<Notification[]>;
  /**
   * For each pair, in input order: when the latest `sent` notification of that challenge reached
   * that recipient, or null. One query for a whole claimed batch.
   */
  lastNotificationsSent(pairs: readonly NotificationRecipient[]): Promise<(Date | null)[]>;
  /** A user's in-app messages, newest first. */
  listInbox(userId: string, filter: InboxFilter): Promise<InboxMessage[]>;
}

/**
 * Writes, inside one transaction. A method that throws leaves the transaction usable only for
 * rollback: {@link Store.transaction} rolls back and rethrows.
 */
export interface StoreTransaction extends StoreReads, HostTransaction {
  // ── Challenges ────────────────────────────────────────────────────────────

  /**
   * Inserts a challenge with its participants (user ids unique).
   * Throws `ConflictError` if the id exists (also when a concurrent transaction inserts the same id
   * and commits first: the loser waits for it, then fails).
   */
  createChallenge(challenge: NewChallenge, participants: readonly NewParticipant[]): Promise<Challenge>;
  /**
   * Adds participants. Throws `NotFoundError` for an unknown challenge and `ConflictError` if a user
   * already takes part; nothing is added then.
   */
  addParticipants(challengeId: ChallengeId, participants: readonly NewParticipant[]): Promise<void>;
  /** Removes a participant; false when the user was not taking part. */
  removeParticipant(challengeId: ChallengeId, userId: string): Promise<boolean>;
  /**
   * `UPDATE … SET status = to WHERE id = … AND status = from [AND deadline <= dueBy]`.
   * Returns the updated challenge, or null when the row was not in `from` (or not yet due): the
   * caller lost the race. Of two concurrent callers exactly one gets the challenge; the other waits
   * for the first to commit and gets null. Throws `InvalidTransitionError` (before touching the row)
   * if the state machine forbids `from → to`.
   */
  transitionChallenge(transition: ChallengeTransition): Promise<Challenge | null>;
  /**
   * Changes title, deadline or metadata if the challenge is in one of `expected` statuses; returns
   * the updated challenge, or null when it is not (or does not exist).
   */
  updateChallenge(
    id: ChallengeId,
    patch: ChallengePatch,
    expected: readonly ChallengeStatus[],
  ): Promise<Challenge | null>;

  // ── Payouts ───────────────────────────────────────────────────────────────

  /**
   * Inserts a `queued` job and all its entries (`pending`, attempts 0, available at `createdAt`) in
   * a constant number of statements. Entry ids are assigned ascending in the order given.
   * Throws `ConflictError` if the job id exists or a user id repeats within the job; nothing is
   * written then.
   */
  createPayoutJob(job: NewPayoutJob, entries: readonly NewPayoutEntry[]): Promise<PayoutJob>;
  /**
   * Locks up to `limit` `pending` entries with `availableAt ≤ now` of one `queued` or `running` job
   * (`FOR UPDATE SKIP LOCKED`): the job with the highest priority, then the oldest, that has an
   * unlocked claimable entry. Entries are returned unchanged, in id order; the locks last until this
   * transaction ends. Two concurrent claimers never get the same entry and never wait for each
   * other. Returns null when nothing is claimable.
   */
  claimPayoutBatch(options: ClaimPayoutBatchOptions): Promise<PayoutBatch | null>;
  /**
   * Like {@link claimPayoutBatch}, but also takes `processing` entries whose lease expired — of a
   * job in any status, even `paused` or `cancelled`, since the money may already have moved and only
   * a completion or a failure settles such an entry — and marks every returned entry `processing`
   * with `lockedUntil = leaseUntil`. The lease outlives this transaction: it is how an external
   * rail holds an entry across a network call.
   */
  leasePayoutBatch(options: LeasePayoutBatchOptions): Promise<PayoutBatch | null>;
  /**
   * Completes entries of a job in one go: each `pending` or `processing` entry becomes `completed`,
   * a ledger row keyed by its id is written (and, with `creditAccounts`, its user's balance grows
   * by its amount, users touched in ascending id order), then the job's counters and paid amount
   * advance — last, so the job row is locked only until commit. A `queued` job becomes `running`;
   * when every entry is finished the job becomes `completed` (no failures), `failed` (nothing
   * completed) or `completed_with_failures` — a `paused` job too, since nothing is left to resume.
   * Entries already finished are skipped, not counted.
   * Throws `ConflictError` if a ledger row for an entry already exists (nothing is written then).
   */
  completePayoutEntries(
    jobId: PayoutJobId,
    entryIds: readonly PayoutEntryId[],
    options: CompletePayoutEntriesOptions,
  ): Promise<PayoutJobProgress>;
  /**
   * Does in one go what {@link claimPayoutBatch} with `options` followed by
   * `completePayoutEntries(job, ids, { now, creditAccounts: true })` of the claimed entries does: same
   * job choice, same `FOR UPDATE SKIP LOCKED` claim, same ledger, account, counter and status rules
   * (and the same `ConflictError`). The default ledger mode's fast path: the entries themselves are
   * never returned. Returns null when nothing is claimable.
   */
  payPayoutBatch(options: ClaimPayoutBatchOptions): Promise<PaidPayoutBatch | null>;
  /**
   * Records failed attempts: each `pending` or `processing` entry (under the caller's lease, when
   * `leaseUntil` is given) gets `attempts + 1`, its error, no lease, and either `pending` with
   * `availableAt = retryAt` or `failed` (retryAt null), which advances the job's failed counter and
   * may finish the job as {@link completePayoutEntries} does. In a `cancelled` job an entry that
   * would be retried becomes `cancelled` instead (counted as such).
   * A job that finishes as `failed` here keeps the last entry's error as its own.
   */
  failPayoutEntries(jobId: PayoutJobId, failures: readonly PayoutEntryFailure[], now: Date): Promise<PayoutJobProgress>;
  /**
   * Moves every `failed` entry of the job back to `pending` (attempts 0, available now, error kept
   * until the next attempt) and reopens a finished job to `running`. `changed` is the number of
   * entries requeued. Throws `NotFoundError` for an unknown job and `InvalidTransitionError` for a
   * `cancelled` one (its entries are never paid again).
   */
  retryFailedPayoutEntries(jobId: PayoutJobId, now: Date): Promise<PayoutJobProgress>;
  /**
   * Conditional job status change (pause, resume, fail): applied only if the job is in one of
   * `from`; returns the updated job, or null. Throws `InvalidTransitionError` if the state machine
   * forbids any `from → to`.
   */
  transitionPayoutJob(jobId: PayoutJobId, transition: PayoutJobTransition): Promise<PayoutJob | null>;
  /**
   * Cancels a job that is `queued`, `running` or `paused`: its `pending` entries become `cancelled`
   * (entries being paid or already paid are untouched: a committed credit is never undone), the job
   * becomes `cancelled`. Returns the progress (`changed` = entries cancelled), or null when the job
   * was not cancellable.
   */
  cancelPayoutJob(jobId: PayoutJobId, now: Date): Promise<PayoutJobProgress | null>;
  /**
   * Deletes up to `limit` finished jobs whose `completedAt` is before `olderThan`, with their
   * entries; a job that still has a `processing` entry (a lease that may yet complete) is kept.
   * Ledger rows and balances are kept. Returns the number of jobs deleted.
   */
  prunePayoutJobs(olderThan: Date, limit: number): Promise<number>;

  // ── Notifications ─────────────────────────────────────────────────────────

  /**
   * Inserts `pending` notifications (available at `dueAt`), skipping any whose key already exists.
   * Returns how many were inserted. Concurrent callers with the same key insert it once.
   */
  enqueueNotifications(notifications: readonly NewNotification[]): Promise<number>;
  /**
   * Leases up to `limit` notifications that are `pending` with `availableAt ≤ now`, or `processing`
   * with an expired lease, earliest `dueAt` first: they become `processing` until `leaseUntil`.
   * Concurrent claimers never get the same row.
   */
  claimDueNotifications(options: ClaimNotificationsOptions): Promise<Notification[]>;
  /**
   * Records how notifications ended, all at `at`: a `sent` outcome applies to a `processing`
   * notification (one is claimed before it is sent), a `skipped` one, with its reason, to a `pending`
   * or `processing` one. Any other notification is left alone. Returns the ids changed, ascending:
   * a sender whose lease expired and was taken over learns here that its outcome was not recorded.
   */
  completeNotifications(outcomes: readonly NotificationOutcome[], at: Date): Promise<string[]>;
  /**
   * Records a failed attempt of a `processing` notification: attempts + 1 and either `pending` at
   * `retryAt` or `failed`. False when it was not `processing`.
   */
  failNotification(id: string, failure: NotificationFailure): Promise<boolean>;
  /** Moves `failed` notifications (all, or those of one challenge) back to `pending`, attempts 0; returns how many. */
  retryFailedNotifications(now: Date, challengeId?: ChallengeId): Promise<number>;

  // ── In-app inbox ──────────────────────────────────────────────────────────

  /**
   * Inserts in-app messages, skipping any whose `notificationId` is already in the inbox (a resent
   * notification never shows twice). Returns how many were inserted.
   */
  addInboxMessages(messages: readonly NewInboxMessage[]): Promise<number>;
  /**
   * Sets `readAt` on the user's unread messages (those with the given ids, or all of them with
   * `'all'`); ids of other users' messages are ignored. Returns how many changed.
   */
  markInboxRead(userId: string, ids: readonly string[] | 'all', at: Date): Promise<number>;

  // ── Events ────────────────────────────────────────────────────────────────

  /** Queues an event for {@link Store.subscribe} subscribers; delivered after commit, dropped on rollback. */
  publish(event: StoreEvent): Promise<void>;
}

/**
 * A Settle store: the one object core needs. Safe to share between many Scheduler, Notifier and
 * PayoutQueue instances, in one process or many.
 */
export interface Store extends StoreReads {
  readonly capabilities: StoreCapabilities;
  /** Applies pending migrations. Idempotent, and safe to call from many processes at once. */
  migrate(): Promise<MigrationResult>;
  /** The applied and latest schema versions. */
  migrationStatus(): Promise<MigrationStatus>;
  /** Resolves when the store answers a trivial query; throws `StoreError` otherwise. */
  ping(): Promise<void>;
  /**
   * Runs `fn` in a transaction: commits if it resolves, rolls back and rethrows if it throws.
   * A retryable failure (deadlock, serialization failure) reruns `fn` from the start a bounded
   * number of times, so `fn` must have no effects outside the transaction before it returns.
   */
  transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T>;
  /**
   * Delivers every committed {@link StoreEvent}, from this process and others, to `listener`.
   * Absent when the store cannot.
   */
  subscribe?(listener: StoreEventListener): Promise<Subscription>;
  /** Releases connections the store opened itself (a host's own pool is left open). */
  close(): Promise<void>;
}
