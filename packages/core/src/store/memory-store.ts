import type { Challenge, ChallengeId, ChallengeStatus, NewChallenge, NewParticipant } from '../domain/challenge';
import { challengeStateMachine } from '../domain/challenge';
import type { NewInboxMessage } from '../domain/inbox-message';
import type { NewNotification, Notification } from '../domain/notification';
import { notificationStateMachine } from '../domain/notification';
import type {
  NewPayoutEntry,
  NewPayoutJob,
  PayoutEntry,
  PayoutEntryId,
  PayoutJob,
  PayoutJobId,
} from '../domain/payout';
import { finishedPayoutJobStatuses, payoutEntryStateMachine, payoutJobStateMachine } from '../domain/payout';
import type { StateMachine } from '../domain/state-machine';
import { assertTransition, canTransition } from '../domain/state-machine';
import { ConflictError, NotFoundError, StoreError, ValidationError } from '../errors';
import type { Clock } from '../time/clock';
import { systemClock } from '../time/clock';
import { compareIds } from './compare-ids';
import type { JobRow } from './memory/memory-database';
import { copy, MemoryDatabase, participantKey, TransactionState, toJob } from './memory/memory-database';
import { MemoryReads } from './memory/memory-reads';
import type { MemoryTable } from './memory/memory-table';
import { byId, compareStrings } from './memory/row-order';
import type {
  ChallengePatch,
  ChallengeTransition,
  ClaimNotificationsOptions,
  ClaimPayoutBatchOptions,
  CompletePayoutEntriesOptions,
  LeasePayoutBatchOptions,
  MigrationResult,
  MigrationStatus,
  NotificationFailure,
  NotificationOutcome,
  PaidPayoutBatch,
  PayoutBatch,
  PayoutEntryFailure,
  PayoutJobProgress,
  PayoutJobTransition,
  QueryResult,
  Store,
  StoreCapabilities,
  StoreEvent,
  StoreEventListener,
  StoreTransaction,
  Subscription,
} from './store';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How many times {@link MemoryStore.transaction} reruns `fn` after a retryable failure (a
   * deadlock), on top of the first attempt. Default: `3`.
   */
  readonly maxRetries?: number;
  /** Supplies `updatedAt` for writes that take no instant ({@link StoreTransaction.updateChallenge}). Default: `systemClock`. */
  readonly clock?: Clock;
}

/** The only schema version: the memory store has nothing to migrate, but reports like a real store. */
const LATEST_VERSION = 1;

/**
 * The complete in-memory {@link Store}, for tests and for hosts' own unit tests. It keeps the
 * concurrency semantics of Postgres: read committed transactions with private writes until commit,
 * row locks held until commit that make a second writer wait and re-check its condition,
 * `SKIP LOCKED` claims, unique keys that make a concurrent inserter wait, and deadlock detection
 * with retries. It runs no SQL: `tx.query()` throws.
 *
 * @example
 * ```ts
 * const store = new MemoryStore();
 * await store.migrate();
 * const job = await store.transaction((tx) =>
 *   tx.createPayoutJob({ id: 'j1', challengeId: null, priority: 0, metadata: {}, createdAt: new Date() }, [
 *     { userId: 'u1', amount: 500n },
 *   ]),
 * );
 * ```
 */
export class MemoryStore extends MemoryReads implements Store {
  readonly capabilities: StoreCapabilities = { dialect: 'memory', pushEvents: true };
  private readonly maxRetries: number;
  private readonly clock: Clock;
  private readonly subscriptions = new Set<StoreEventListener>();
  private version = 0;

  constructor(options: MemoryStoreOptions = {}) {
    super(new MemoryDatabase(), undefined);
    const maxRetries = options.maxRetries ?? 3;
    if (!Number.isInteger(maxRetries) || maxRetries < 0) {
      throw new ValidationError('maxRetries', 'must be a non-negative integer');
    }
    this.maxRetries = maxRetries;
    this.clock = options.clock ?? systemClock;
  }

  async migrate(): Promise<MigrationResult> {
    this.db.assertOpen();
    const applied: number[] = [];
    while (this.version < LATEST_VERSION) applied.push(++this.version);
    return { applied, version: this.version };
  }

  async migrationStatus(): Promise<MigrationStatus> {
    this.db.assertOpen();
    return { version: this.version, latest: LATEST_VERSION };
  }

  async ping(): Promise<void> {
    this.db.assertOpen();
  }

  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      this.db.assertOpen();
      const tx = new TransactionState();
      try {
        const result = await fn(new MemoryTransaction(this.db, tx, this.clock));
        // Like Postgres, a transaction in which a statement failed cannot commit, even if fn swallowed the error.
        if (tx.failure !== undefined) throw tx.failure.error;
        this.db.commit(tx);
        this.deliver(tx.events);
        return result;
      } catch (thrown) {
        if (!tx.ended) this.db.rollback(tx);
        // A deadlock reruns fn whatever fn made of it: a host hook may have wrapped it in its own error.
        const failed = tx.failure?.error;
        const error = failed instanceof StoreError && failed.retryable ? failed : thrown;
        if (error instanceof StoreError && error.retryable && attempt < this.maxRetries) continue;
        throw error;
      }
    }
  }

  /** Delivers events published by committed transactions of this instance, asynchronously and in commit order. */
  async subscribe(listener: StoreEventListener): Promise<Subscription> {
    this.db.assertOpen();
    // A wrapper per call, so that subscribing the same listener twice gives two independent subscriptions.
    const subscription: StoreEventListener = { event: (event) => listener.event(event) };
    this.subscriptions.add(subscription);
    return {
      close: async () => {
        this.subscriptions.delete(subscription);
      },
    };
  }

  /** Rejects every later call with a `StoreError`; idempotent. */
  async close(): Promise<void> {
    this.db.close();
    this.subscriptions.clear();
  }

  private deliver(events: readonly StoreEvent[]): void {
    for (const event of events) {
      for (const subscription of this.subscriptions) {
        // One microtask per delivery keeps commit order and lets a throwing listener hurt no other.
        queueMicrotask(() => {
          if (this.subscriptions.has(subscription)) subscription.event(copy(event));
        });
      }
    }
  }
}

/** The writes of one transaction, each mirroring the SQL statement a real store runs. */
class MemoryTransaction extends MemoryReads implements StoreTransaction {
  readonly dialect = 'memory';

  constructor(
    db: MemoryDatabase,
    protected override readonly tx: TransactionState,
    private readonly clock: Clock,
  ) {
    super(db, tx);
  }

  query<R = Record<string, unknown>>(): Promise<QueryResult<R>> {
    return this.statement(() => {
      throw new StoreError('MemoryStore runs no SQL: host queries need PostgresStore or MySqlStore');
    });
  }

  // ── Challenges ──────────────────────────────────────────────────────────

  createChallenge(challenge: NewChallenge, participants: readonly NewParticipant[]): Promise<Challenge> {
    return this.statement(async () => {
      const { id, title, deadline, status, metadata, createdAt } = challenge;
      const row = await this.insert(this.db.challenges, id, () => ({
        id,
        title,
        deadline,
        status,
        metadata,
        createdAt,
        updatedAt: createdAt,
      }));
      if (row === undefined) throw new ConflictError(`Challenge ${JSON.stringify(id)} already exists`);
      await this.insertParticipants(id, participants);
      return copy(row);
    });
  }

  addParticipants(challengeId: ChallengeId, participants: readonly NewParticipant[]): Promise<void> {
    return this.statement(async () => {
      if (this.db.challenges.get(this.tx, challengeId) === undefined) throw new NotFoundError('challenge', challengeId);
      await this.insertParticipants(challengeId, participants);
    });
  }

  removeParticipant(challengeId: ChallengeId, userId: string): Promise<boolean> {
    return this.statement(async () => {
      // DELETE FROM participants WHERE challenge_id = $1 AND user_id = $2
      const key = participantKey(challengeId, userId);
      if ((await this.lockRow(this.db.participants, key, () => true)) === undefined) return false;
      this.db.participants.delete(this.tx, key);
      return true;
    });
  }

  transitionChallenge({ id, from, to, at, dueBy }: ChallengeTransition): Promise<Challenge | null> {
    return this.statement(async () => {
      assertTransition(challengeStateMachine, from, to);
      // UPDATE challenges SET status = $to WHERE id = $1 AND status = $from [AND deadline <= $dueBy]
      const row = await this.update(
        this.db.challenges,
        id,
        (c) => c.status === from && (dueBy === undefined || c.deadline <= dueBy),
        (c) => ({ ...c, status: to, updatedAt: at }),
      );
      return row === undefined ? null : copy(row);
    });
  }

  updateChallenge(
    id: ChallengeId,
    patch: ChallengePatch,
    expected: readonly ChallengeStatus[],
  ): Promise<Challenge | null> {
    return this.statement(async () => {
      const row = await this.update(
        this.db.challenges,
        id,
        (c) => expected.includes(c.status),
        (c) => ({
          ...c,
          title: patch.title ?? c.title,
          deadline: patch.deadline ?? c.deadline,
          metadata: patch.metadata ?? c.metadata,
          updatedAt: this.clock.now(),
        }),
      );
      return row === undefined ? null : copy(row);
    });
  }

  // ── Payouts ─────────────────────────────────────────────────────────────

  createPayoutJob(job: NewPayoutJob, entries: readonly NewPayoutEntry[]): Promise<PayoutJob> {
    return this.statement(async () => {
      const users = new Set<string>();
      for (const { userId } of entries) {
        if (users.has(userId)) throw new ConflictError(`User ${JSON.stringify(userId)} appears twice in payout job`);
        users.add(userId);
      }
      const { id, challengeId, priority, metadata, createdAt } = job;
      const row = await this.insert(this.db.jobs, id, () => ({
        id,
        challengeId,
        priority,
        metadata,
        createdAt,
        status: 'queued' as const,
        totalEntries: entries.length,
        completedEntries: 0,
        failedEntries: 0,
        cancelledEntries: 0,
        totalAmount: entries.reduce((sum, e) => sum + e.amount, 0n),
        paidAmount: 0n,
        error: null,
        startedAt: null,
        completedAt: null,
        updatedAt: createdAt,
        seq: this.db.next('job'),
      }));
      if (row === undefined) throw new ConflictError(`Payout job ${JSON.stringify(id)} already exists`);
      for (const { userId, amount } of entries) {
        const entryId = String(this.db.next('entry'));
        this.write(this.db.entries, entryId, {
          id: entryId,
          jobId: id,
          userId,
          amount,
          status: 'pending' as const,
          attempts: 0,
          availableAt: createdAt,
          lockedUntil: null,
          error: null,
          completedAt: null,
        });
      }
      return toJob(row);
    });
  }

  claimPayoutBatch(options: ClaimPayoutBatchOptions): Promise<PayoutBatch | null> {
    return this.statement(() => this.claimPending(options));
  }

  leasePayoutBatch(options: LeasePayoutBatchOptions): Promise<PayoutBatch | null> {
    const { now, leaseUntil } = options;
    return this.statement(() =>
      this.claimBatch(
        options,
        // An expired lease is taken over whatever the job's status: only an outcome settles it.
        (e, job) =>
          (isOpen(job) && e.status === 'pending' && e.availableAt <= now) ||
          (e.status === 'processing' && e.lockedUntil !== null && e.lockedUntil <= now),
        (e) =>
          this.write(this.db.entries, e.id, {
            ...e,
            status: move(payoutEntryStateMachine, e.status, 'processing'),
            lockedUntil: leaseUntil,
          }),
      ),
    );
  }

  completePayoutEntries(
    jobId: PayoutJobId,
    entryIds: readonly PayoutEntryId[],
    options: CompletePayoutEntriesOptions,
  ): Promise<PayoutJobProgress> {
    return this.statement(async () => (await this.completeEntries(jobId, entryIds, options)).progress);
  }

  payPayoutBatch(options: ClaimPayoutBatchOptions): Promise<PaidPayoutBatch | null> {
    return this.statement(async () => {
      const batch = await this.claimPending(options);
      if (batch === null) return null;
      const ids = batch.entries.map((e) => e.id);
      return this.completeEntries(batch.job.id, ids, { now: options.now, creditAccounts: true });
    });
  }

  failPayoutEntries(
    jobId: PayoutJobId,
    failures: readonly PayoutEntryFailure[],
    now: Date,
  ): Promise<PayoutJobProgress> {
    return this.statement(async () => {
      this.requireJob(jobId);
      const byEntry = new Map<PayoutEntryId, PayoutEntryFailure>();
      for (const failure of failures) if (!byEntry.has(failure.entryId)) byEntry.set(failure.entryId, failure);
      const cancelled = this.requireJob(jobId).status === 'cancelled';
      const changed: PayoutEntryId[] = [];
      const deadLettered = new Set<PayoutEntryId>();
      let cancelledNow = 0;
      for (const [id, { error, retryAt, leaseUntil }] of [...byEntry].sort(([a], [b]) => compareIds(a, b))) {
        // … WHERE status IN (pending, processing) [AND status = 'processing' AND locked_until = $lease]
        const stillOurs = (e: PayoutEntry) =>
          leaseUntil === undefined ||
          leaseUntil === null ||
          (e.status === 'processing' && e.lockedUntil?.getTime() === leaseUntil.getTime());
        const next = retryAt === null ? 'failed' : cancelled ? 'cancelled' : 'pending';
        const entry = await this.update(
          this.db.entries,
          id,
          (e) => e.jobId === jobId && (e.status === 'pending' || e.status === 'processing') && stillOurs(e),
          (e) => ({
            ...e,
            status: move(payoutEntryStateMachine, e.status, next),
            attempts: e.attempts + 1,
            availableAt: retryAt ?? e.availableAt,
            lockedUntil: null,
            error,
          }),
        );
        if (entry === undefined) continue;
        changed.push(id);
        if (entry.status === 'failed') deadLettered.add(id);
        if (entry.status === 'cancelled') cancelledNow++;
      }
      const lastError = [...byEntry.values()].filter((f) => deadLettered.has(f.entryId)).at(-1)?.error;
      return this.advanceJob(jobId, now, changed, {
        completed: 0,
        failed: deadLettered.size,
        cancelled: cancelledNow,
        paid: 0n,
        lastError,
      });
    });
  }

  retryFailedPayoutEntries(jobId: PayoutJobId, now: Date): Promise<PayoutJobProgress> {
    return this.statement(async () => {
      const current = this.requireJob(jobId);
      if (current.status === 'cancelled') assertTransition(payoutJobStateMachine, current.status, 'running');
      const requeued: PayoutEntryId[] = [];
      const changed = await this.updateAll(
        this.db.entries.rows(this.tx, jobId).sort(byId),
        this.db.entries,
        (e) => e.status === 'failed',
        (e) => {
          requeued.push(e.id);
          return { ...e, status: move(payoutEntryStateMachine, e.status, 'pending'), attempts: 0, availableAt: now };
        },
      );
      if (changed === 0) return { job: toJob(current), changed, entryIds: [], started: false, finished: false };
      const job = await this.update(
        this.db.jobs,
        jobId,
        () => true,
        (j) => {
          const reopen =
            finishedPayoutJobStatuses.includes(j.status) && canTransition(payoutJobStateMachine, j.status, 'running');
          const counters = { ...j, failedEntries: j.failedEntries - changed, updatedAt: now };
          return reopen ? { ...counters, status: 'running' as const, completedAt: null, error: null } : counters;
        },
      );
      if (job === undefined) throw new NotFoundError('payout_job', jobId);
      return { job: toJob(job), changed, entryIds: requeued.sort(compareIds), started: false, finished: false };
    });
  }

  transitionPayoutJob(jobId: PayoutJobId, { from, to, now, error }: PayoutJobTransition): Promise<PayoutJob | null> {
    return this.statement(async () => {
      for (const status of from) assertTransition(payoutJobStateMachine, status, to);
      // UPDATE payout_jobs SET status = $to WHERE id = $1 AND status = ANY($from)
      const job = await this.update(
        this.db.jobs,
        jobId,
        (j) => from.includes(j.status),
        (j) => ({
          ...j,
          status: to,
          error: error ?? null,
          completedAt: finishedPayoutJobStatuses.includes(to) ? now : null,
          updatedAt: now,
        }),
      );
      return job === undefined ? null : toJob(job);
    });
  }

  cancelPayoutJob(jobId: PayoutJobId, now: Date): Promise<PayoutJobProgress | null> {
    return this.statement(async () => {
      const cancellable = (j: JobRow) => j.status === 'queued' || j.status === 'running' || j.status === 'paused';
      const current = this.db.jobs.get(this.tx, jobId);
      if (current === undefined || !cancellable(current)) return null;
      // Entries first and the job row last, the order a batch takes them in, so a cancel cannot deadlock with it.
      const cancelledIds: PayoutEntryId[] = [];
      const changed = await this.updateAll(
        this.db.entries.rows(this.tx, jobId).sort(byId),
        this.db.entries,
        (e) => e.status === 'pending',
        (e) => {
          cancelledIds.push(e.id);
          return { ...e, status: move(payoutEntryStateMachine, e.status, 'cancelled') };
        },
      );
      const job = await this.update(this.db.jobs, jobId, cancellable, (j) => ({
        ...j,
        status: move(payoutJobStateMachine, j.status, 'cancelled'),
        cancelledEntries: j.cancelledEntries + changed,
        completedAt: now,
        updatedAt: now,
      }));
      return job === undefined
        ? null
        : { job: toJob(job), changed, entryIds: cancelledIds, started: false, finished: true };
    });
  }

  prunePayoutJobs(olderThan: Date, limit: number): Promise<number> {
    return this.statement(async () => {
      // A job with a leased entry is kept: that lease may still complete (money may have moved).
      const prunable = (j: JobRow) =>
        finishedPayoutJobStatuses.includes(j.status) &&
        j.completedAt !== null &&
        j.completedAt < olderThan &&
        !this.db.entries.rows(this.tx, j.id).some((e) => e.status === 'processing');
      const candidates = this.db.jobs
        .rows(this.tx)
        .filter(prunable)
        .sort((a, b) => a.completedAt!.getTime() - b.completedAt!.getTime() || a.seq - b.seq)
        .slice(0, limit);
      let deleted = 0;
      for (const { id } of candidates) {
        // DELETE FROM payout_jobs WHERE id = $1 AND <still prunable>, entries cascading; the ledger stays
        if ((await this.lockRow(this.db.jobs, id, prunable)) === undefined) continue;
        this.db.jobs.delete(this.tx, id);
        for (const entry of this.db.entries.rows(this.tx, id)) {
          await this.lock(this.db.entries, entry.id);
          this.db.entries.delete(this.tx, entry.id);
        }
        deleted++;
      }
      return deleted;
    });
  }

  // ── Notifications ───────────────────────────────────────────────────────

  enqueueNotifications(notifications: readonly NewNotification[]): Promise<number> {
    return this.statement(async () => {
      // INSERT INTO notifications … ON CONFLICT (key) DO NOTHING
      let inserted = 0;
      for (const { key, challengeId, recipient, kind, payload, dueAt, createdAt } of notifications) {
        const id = await this.insert(this.db.notificationKeys, key, () => String(this.db.next('notification')));
        if (id === undefined) continue;
        this.write(this.db.notifications, id, {
          id,
          key,
          challengeId,
          recipient,
          kind,
          payload,
          dueAt,
          status: 'pending',
          attempts: 0,
          availableAt: dueAt,
          lockedUntil: null,
          error: null,
          skipReason: null,
          finishedAt: null,
          createdAt,
        });
        inserted++;
      }
      return inserted;
    });
  }

  claimDueNotifications({ now, limit, leaseUntil }: ClaimNotificationsOptions): Promise<Notification[]> {
    return this.statement(() => {
      // SELECT … ORDER BY due_at LIMIT $limit FOR UPDATE SKIP LOCKED, then UPDATE … SET status = 'processing'
      const due = this.db.notifications
        .rows(this.tx)
        .filter(
          (n) =>
            (n.status === 'pending' && n.availableAt <= now) ||
            (n.status === 'processing' && n.lockedUntil !== null && n.lockedUntil <= now),
        )
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || byId(a, b));
      const claimed: Notification[] = [];
      for (const n of due) {
        if (claimed.length >= limit) break;
        if (!this.tryLock(this.db.notifications, n.id)) continue;
        const status = move(notificationStateMachine, n.status, 'processing');
        claimed.push(copy(this.write(this.db.notifications, n.id, { ...n, status, lockedUntil: leaseUntil })));
      }
      return claimed;
    });
  }

  completeNotifications(outcomes: readonly NotificationOutcome[], at: Date): Promise<string[]> {
    return this.statement(async () => {
      // UPDATE notifications SET … FROM unnest(outcomes) WHERE status allows the outcome RETURNING id
      const allows = (status: NotificationOutcome['status']) => (n: Notification) =>
        n.status === 'processing' || (n.status === 'pending' && status === 'skipped');
      const changed: string[] = [];
      const known = outcomes.filter((o) => this.db.notifications.get(this.tx, o.id) !== undefined);
      for (const { id, status, reason } of known.sort(byId)) {
        const row = await this.update(this.db.notifications, id, allows(status), (n) => ({
          ...n,
          status: move(notificationStateMachine, n.status, status),
          skipReason: status === 'skipped' ? (reason ?? null) : null,
          lockedUntil: null,
          finishedAt: at,
        }));
        if (row !== undefined && changed.at(-1) !== id) changed.push(id);
      }
      return changed;
    });
  }

  failNotification(id: string, { error, retryAt }: NotificationFailure): Promise<boolean> {
    return this.statement(async () => {
      const row = await this.update(
        this.db.notifications,
        id,
        (n) => n.status === 'processing',
        (n) => ({
          ...n,
          status: move(notificationStateMachine, n.status, retryAt === null ? 'failed' : 'pending'),
          attempts: n.attempts + 1,
          availableAt: retryAt ?? n.availableAt,
          lockedUntil: null,
          error,
        }),
      );
      return row !== undefined;
    });
  }

  retryFailedNotifications(now: Date, challengeId?: ChallengeId): Promise<number> {
    return this.statement(() =>
      this.updateAll(
        this.db.notifications.rows(this.tx).sort(byId),
        this.db.notifications,
        (n) => n.status === 'failed' && (challengeId === undefined || n.challengeId === challengeId),
        (n) => ({ ...n, status: move(notificationStateMachine, n.status, 'pending'), attempts: 0, availableAt: now }),
      ),
    );
  }

  // ── In-app inbox ────────────────────────────────────────────────────────

  addInboxMessages(messages: readonly NewInboxMessage[]): Promise<number> {
    return this.statement(async () => {
      // INSERT INTO inbox … ON CONFLICT (notification_id) DO NOTHING
      let inserted = 0;
      for (const message of messages) {
        const id = await this.insert(this.db.inboxNotifications, message.notificationId, () =>
          String(this.db.next('inbox')),
        );
        if (id === undefined) continue;
        this.write(this.db.inbox, id, { ...message, id, readAt: null });
        inserted++;
      }
      return inserted;
    });
  }

  markInboxRead(userId: string, ids: readonly string[] | 'all', at: Date): Promise<number> {
    return this.statement(() => {
      const wanted = ids === 'all' ? null : new Set(ids);
      return this.updateAll(
        this.db.inbox.rows(this.tx, userId).sort(byId),
        this.db.inbox,
        (m) => m.readAt === null && (wanted === null || wanted.has(m.id)),
        (m) => ({ ...m, readAt: at }),
      );
    });
  }

  // ── Events ──────────────────────────────────────────────────────────────

  publish(event: StoreEvent): Promise<void> {
    return this.statement(() => {
      this.tx.events.push(copy(event));
    });
  }

  // ── Statement building blocks ───────────────────────────────────────────

  /** The completion statement's body, shared by {@link completePayoutEntries} and {@link payPayoutBatch}. */
  private async completeEntries(
    jobId: PayoutJobId,
    entryIds: readonly PayoutEntryId[],
    { now, creditAccounts }: CompletePayoutEntriesOptions,
  ): Promise<PaidPayoutBatch> {
    this.requireJob(jobId);
    // UPDATE payout_entries SET status = 'completed' WHERE job_id = $1 AND id = ANY($2) AND status IN (pending, processing)
    const completed: PayoutEntry[] = [];
    for (const id of [...new Set(entryIds)].sort(compareIds)) {
      const entry = await this.update(
        this.db.entries,
        id,
        (e) => e.jobId === jobId && (e.status === 'pending' || e.status === 'processing'),
        (e) => ({
          ...e,
          status: move(payoutEntryStateMachine, e.status, 'completed'),
          lockedUntil: null,
          completedAt: now,
        }),
      );
      if (entry !== undefined) completed.push(entry);
    }
    // INSERT INTO ledger …: the unique entry id refuses a second credit
    for (const { id: entryId, userId, amount } of completed) {
      const row = await this.insert(this.db.ledger, entryId, () => ({
        entryId,
        jobId,
        userId,
        amount,
        createdAt: now,
      }));
      if (row === undefined) throw new ConflictError(`Payout entry ${entryId} was already credited`);
    }
    if (creditAccounts) {
      // INSERT INTO balances … ON CONFLICT DO UPDATE, users in ascending order so concurrent batches cannot deadlock
      const credits = new Map<string, bigint>();
      for (const { userId, amount } of completed) credits.set(userId, (credits.get(userId) ?? 0n) + amount);
      for (const userId of [...credits.keys()].sort(compareStrings)) {
        await this.lock(this.db.balances, userId);
        const balance = this.db.balances.get(this.tx, userId)?.balance ?? 0n;
        this.write(this.db.balances, userId, { userId, balance: balance + credits.get(userId)! });
      }
    }
    const paid = completed.reduce((sum, e) => sum + e.amount, 0n);
    const progress = await this.advanceJob(
      jobId,
      now,
      completed.map((e) => e.id),
      { completed: completed.length, failed: 0, paid },
    );
    return { progress, amount: paid };
  }

  /** The claim statement's body: available `pending` entries of an open job, left unchanged. */
  private claimPending(options: ClaimPayoutBatchOptions): Promise<PayoutBatch | null> {
    return this.claimBatch(
      options,
      (e, job) => isOpen(job) && e.status === 'pending' && e.availableAt <= options.now,
      (e) => e,
    );
  }

  /** `SELECT … FOR UPDATE SKIP LOCKED` over the entries of the best job that has any, then `mark` each. */
  private async claimBatch(
    { limit, jobId, entryIds }: ClaimPayoutBatchOptions,
    claimable: (entry: PayoutEntry, job: JobRow) => boolean,
    mark: (entry: PayoutEntry) => PayoutEntry,
  ): Promise<PayoutBatch | null> {
    const only = entryIds === undefined ? undefined : new Set(entryIds);
    const jobs = this.db.jobs
      .rows(this.tx)
      .filter((j) => jobId === undefined || j.id === jobId)
      .sort((a, b) => b.priority - a.priority || a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq);
    for (const job of jobs) {
      const entries: PayoutEntry[] = [];
      const wanted = (e: PayoutEntry) => claimable(e, job) && (only === undefined || only.has(e.id));
      for (const entry of this.db.entries.rows(this.tx, job.id).filter(wanted).sort(byId)) {
        if (entries.length >= limit) break;
        if (this.tryLock(this.db.entries, entry.id)) entries.push(copy(mark(entry)));
      }
      if (entries.length > 0) return { job: toJob(job), entries };
    }
    return null;
  }

  /**
   * Job progress, written last: counters advance, a queued job starts, a running or paused job
   * whose entries are all finished ends (a `failed` one with the last dead-lettered entry's error).
   * Cancelled and finished jobs keep their status.
   */
  private async advanceJob(
    jobId: PayoutJobId,
    now: Date,
    entryIds: readonly PayoutEntryId[],
    delta: { completed: number; failed: number; cancelled?: number; paid: bigint; lastError?: string | undefined },
  ): Promise<PayoutJobProgress> {
    const changed = entryIds.length;
    if (changed === 0) {
      return { job: toJob(this.requireJob(jobId)), changed, entryIds: [], started: false, finished: false };
    }
    let started = false;
    let finished = false;
    const job = await this.update(
      this.db.jobs,
      jobId,
      () => true,
      (j) => {
        const completedEntries = j.completedEntries + delta.completed;
        const failedEntries = j.failedEntries + delta.failed;
        const cancelledEntries = j.cancelledEntries + (delta.cancelled ?? 0);
        let status = j.status;
        if (status === 'queued') [status, started] = [move(payoutJobStateMachine, status, 'running'), true];
        if (
          (status === 'running' || status === 'paused') &&
          completedEntries + failedEntries + cancelledEntries === j.totalEntries
        ) {
          const end = failedEntries === 0 ? 'completed' : completedEntries === 0 ? 'failed' : 'completed_with_failures';
          [status, finished] = [move(payoutJobStateMachine, status, end), true];
        }
        return {
          ...j,
          status,
          completedEntries,
          failedEntries,
          cancelledEntries,
          paidAmount: j.paidAmount + delta.paid,
          startedAt: j.startedAt ?? now,
          completedAt: finished ? now : j.completedAt,
          error: status === 'failed' && finished ? (delta.lastError ?? j.error) : j.error,
          updatedAt: now,
        };
      },
    );
    if (job === undefined) throw new NotFoundError('payout_job', jobId);
    return { job: toJob(job), changed, entryIds: [...entryIds].sort(compareIds), started, finished };
  }

  private requireJob(jobId: PayoutJobId): JobRow {
    const job = this.db.jobs.get(this.tx, jobId);
    if (job === undefined) throw new NotFoundError('payout_job', jobId);
    return job;
  }

  private async insertParticipants(challengeId: ChallengeId, participants: readonly NewParticipant[]): Promise<void> {
    for (const { userId, side, stake, joinedAt } of participants) {
      const key = participantKey(challengeId, userId);
      const row = await this.insert(this.db.participants, key, () => ({ challengeId, userId, side, stake, joinedAt }));
      if (row === undefined) {
        throw new ConflictError(`User ${JSON.stringify(userId)} already takes part in ${challengeId}`);
      }
    }
  }

  /**
   * `INSERT` under a unique key. A key another transaction is inserting is locked: wait for it to
   * end, then fail if it committed. Returns the stored row, or undefined when the key exists.
   */
  private async insert<R>(table: MemoryTable<R>, key: string, row: () => R): Promise<R | undefined> {
    if (table.get(this.tx, key) !== undefined) return undefined;
    await this.lock(table, key);
    if (table.get(this.tx, key) !== undefined) return undefined;
    return this.write(table, key, row());
  }

  /** `UPDATE … WHERE` on one row: {@link lockRow}, then write `set(row)`. Returns the new row, or undefined. */
  private async update<R>(
    table: MemoryTable<R>,
    key: string,
    where: (row: R) => boolean,
    set: (row: R) => R,
  ): Promise<R | undefined> {
    const row = await this.lockRow(table, key, where);
    return row === undefined ? undefined : this.write(table, key, set(row));
  }

  /** {@link update} over `rows` in their order; returns how many changed. */
  private async updateAll<R extends { readonly id: string }>(
    rows: readonly R[],
    table: MemoryTable<R>,
    where: (row: R) => boolean,
    set: (row: R) => R,
  ): Promise<number> {
    let changed = 0;
    for (const row of rows.filter(where)) if ((await this.update(table, row.id, where, set)) !== undefined) changed++;
    return changed;
  }

  /**
   * What Postgres does for an `UPDATE`/`DELETE … WHERE` under read committed: a row that does not
   * match is skipped without a lock; a matching row is locked, waiting for a concurrent writer to
   * end, and `where` is checked again against what that writer committed. Returns the locked row.
   */
  private async lockRow<R>(table: MemoryTable<R>, key: string, where: (row: R) => boolean): Promise<R | undefined> {
    const seen = table.get(this.tx, key);
    if (seen === undefined || !where(seen)) return undefined;
    await this.lock(table, key);
    const row = table.get(this.tx, key);
    return row !== undefined && where(row) ? row : undefined;
  }

  private lock<R>(table: MemoryTable<R>, key: string): Promise<void> {
    return this.db.locks.acquire(this.tx, table.lockKey(key));
  }

  /** `SKIP LOCKED`: takes the row's lock only if no other transaction holds it. */
  private tryLock<R>(table: MemoryTable<R>, key: string): boolean {
    return this.db.locks.tryAcquire(this.tx, table.lockKey(key));
  }

  /** Stores a private copy, so that later changes to the caller's objects (or Dates) never reach the store. */
  private write<R>(table: MemoryTable<R>, key: string, row: R): R {
    const stored = copy(row);
    table.put(this.tx, key, stored);
    return stored;
  }
}

/** Asserts `from → to` unless the status stays the same (a renewed lease, a retry that stays pending). */
function move<S extends string>(machine: StateMachine<S>, from: S, to: S): S {
  if (from !== to) assertTransition(machine, from, to);
  return to;
}

/** Jobs whose pending entries may be claimed. */
function isOpen(job: JobRow): boolean {
  return job.status === 'queued' || job.status === 'running';
}
