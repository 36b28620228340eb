import type {
  Challenge,
  ChallengeId,
  ChallengePatch,
  ChallengeStatus,
  ChallengeTransition,
  ClaimNotificationsOptions,
  ClaimPayoutBatchOptions,
  Clock,
  CompletePayoutEntriesOptions,
  LeasePayoutBatchOptions,
  NewChallenge,
  NewInboxMessage,
  NewNotification,
  NewParticipant,
  NewPayoutEntry,
  NewPayoutJob,
  Notification,
  NotificationFailure,
  NotificationOutcome,
  PaidPayoutBatch,
  PayoutBatch,
  PayoutEntryFailure,
  PayoutEntryId,
  PayoutEntryStatus,
  PayoutJob,
  PayoutJobId,
  PayoutJobProgress,
  PayoutJobStatus,
  PayoutJobTransition,
  QueryResult,
  StoreEvent,
  StoreTransaction,
} from '@settle/core';
import {
  assertTransition,
  challengeStateMachine,
  compareIds,
  finishedPayoutJobStatuses,
  InvalidTransitionError,
  NotFoundError,
  payoutJobStateMachine,
  type SettleError,
  StoreError,
} from '@settle/core';
import type { StatementName } from './generated/sql';
import type { DriverResult, MySqlQueryable } from './mysql-driver';
import { toSettleError } from './mysql-errors';
import { jobProgress, nextPayoutJobStatus } from './mysql-job-progress';
import type { LastPaidJobSlot } from './mysql-last-paid-job';
import { listFilter, MySqlReads } from './mysql-reads';
import { chunkJsonArray, chunkRows } from './mysql-row-chunks';
import type { Int8, NotificationRow, PayoutEntryRow, PayoutJobRow } from './mysql-rows';
import {
  idParam,
  idParams,
  sqlTime,
  sqlTimeOrNull,
  toDate,
  toNotification,
  toPayoutEntry,
  toPayoutJob,
} from './mysql-rows';
import type { MySqlSql } from './mysql-sql';

/** Candidate jobs fetched per round trip while looking for one whose entries are not all locked by others. */
const CLAIM_JOB_PAGE = 8;

const OPEN_JOB_STATUSES: readonly PayoutJobStatus[] = ['queued', 'running', 'paused'];

/**
 * The writes of one MySqlStore transaction on the transaction's connection. MySQL has no
 * `UPDATE … RETURNING` and no data-modifying CTEs, so a write is a few set-based statements: lock
 * the rows (`FOR UPDATE`, in id order), change them, and lock and update the job's row last.
 *
 * @internal
 */
export class MySqlTransaction extends MySqlReads implements StoreTransaction {
  readonly dialect = 'mysql';
  /**
   * The first statement that failed. MySQL rolls back only that statement (or, after a deadlock,
   * the whole transaction), so the store rethrows this error and rolls back even if `fn` swallowed
   * it: a half-applied write must never commit.
   */
  failure: SettleError | undefined;
  /** Whether an event was published: the store prunes old events after such a transaction commits. */
  published = false;
  /** Events published and not yet inserted: name, payload (JSON) and created_at of each, in order. */
  private readonly events: (readonly [string, string, string])[] = [];

  constructor(
    connection: MySqlQueryable,
    sql: MySqlSql,
    private readonly clock: Clock,
    private readonly maxAllowedPacket: () => Promise<number>,
    private readonly lastPaid: LastPaidJobSlot,
  ) {
    super(connection, sql);
  }

  async query<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
    try {
      const { rows, affectedRows } = await this.connection.query<R>(sql, params);
      return { rows, affectedRows };
    } catch (error) {
      throw this.failed(toSettleError(error, { statement: 'host query' }));
    }
  }

  protected override async run<R>(name: StatementName, params: readonly unknown[]): Promise<DriverResult<R>> {
    try {
      return await super.run<R>(name, params);
    } catch (error) {
      throw this.failed(error as SettleError);
    }
  }

  // ── Challenges ──────────────────────────────────────────────────────────

  async createChallenge(challenge: NewChallenge, participants: readonly NewParticipant[]): Promise<Challenge> {
    const createdAt = sqlTime(challenge.createdAt);
    await this.run('createChallenge', [
      challenge.id,
      challenge.title,
      sqlTime(challenge.deadline),
      challenge.status,
      JSON.stringify(challenge.metadata),
      createdAt,
      createdAt,
    ]);
    await this.insertParticipants(challenge.id, participants);
    return {
      id: challenge.id,
      title: challenge.title,
      deadline: new Date(challenge.deadline.getTime()),
      status: challenge.status,
      metadata: JSON.parse(JSON.stringify(challenge.metadata)),
      createdAt: new Date(challenge.createdAt.getTime()),
      updatedAt: new Date(challenge.createdAt.getTime()),
    };
  }

  async addParticipants(challengeId: ChallengeId, participants: readonly NewParticipant[]): Promise<void> {
    const [found] = await this.rows<{ id: string }>('challengeExists', [challengeId]);
    if (found === undefined) throw new NotFoundError('challenge', challengeId);
    await this.insertParticipants(challengeId, participants);
  }

  async removeParticipant(challengeId: ChallengeId, userId: string): Promise<boolean> {
    return (await this.run('removeParticipant', [challengeId, userId])).affectedRows > 0;
  }

  async transitionChallenge({ id, from, to, at, dueBy }: ChallengeTransition): Promise<Challenge | null> {
    assertTransition(challengeStateMachine, from, to);
    const due = sqlTimeOrNull(dueBy);
    const { affectedRows } = await this.run('transitionChallenge', [to, sqlTime(at), id, from, due, due]);
    return affectedRows === 0 ? null : this.getChallenge(id);
  }

  async updateChallenge(
    id: ChallengeId,
    patch: ChallengePatch,
    expected: readonly ChallengeStatus[],
  ): Promise<Challenge | null> {
    if (expected.length === 0) return null;
    const { affectedRows } = await this.run('updateChallenge', [
      patch.title ?? null,
      sqlTimeOrNull(patch.deadline),
      patch.metadata === undefined ? null : JSON.stringify(patch.metadata),
      sqlTime(this.clock.now()),
      id,
      [...expected],
    ]);
    return affectedRows === 0 ? null : this.getChallenge(id);
  }

  // ── Payouts ─────────────────────────────────────────────────────────────

  async createPayoutJob(job: NewPayoutJob, entries: readonly NewPayoutEntry[]): Promise<PayoutJob> {
    const createdAt = sqlTime(job.createdAt);
    const totalAmount = entries.reduce((sum, e) => sum + e.amount, 0n);
    const metadata = JSON.stringify(job.metadata);
    // Entries first: the job row's claim window is read from their ids.
    const pairs = entries.map((e) => [e.userId, e.amount.toString()]);
    for (const json of chunkJsonArray(pairs, await this.maxAllowedPacket())) {
      await this.run('createPayoutEntries', [job.id, createdAt, json]);
    }
    await this.run('createPayoutJob', [
      job.id,
      job.challengeId,
      job.priority,
      entries.length,
      totalAmount,
      metadata,
      createdAt,
      createdAt,
      job.id,
    ]);
    const at = new Date(job.createdAt.getTime());
    return {
      id: job.id,
      challengeId: job.challengeId,
      status: 'queued',
      priority: job.priority,
      totalEntries: entries.length,
      completedEntries: 0,
      failedEntries: 0,
      cancelledEntries: 0,
      totalAmount,
      paidAmount: 0n,
      error: null,
      metadata: JSON.parse(metadata),
      createdAt: at,
      startedAt: null,
      completedAt: null,
      updatedAt: new Date(at.getTime()),
    };
  }

  claimPayoutBatch(options: ClaimPayoutBatchOptions): Promise<PayoutBatch | null> {
    return this.claim(options, undefined);
  }

  leasePayoutBatch(options: LeasePayoutBatchOptions): Promise<PayoutBatch | null> {
    return this.claim(options, options.leaseUntil);
  }

  async payPayoutBatch(options: ClaimPayoutBatchOptions): Promise<PaidPayoutBatch | null> {
    let claimed: { jobId: PayoutJobId; rows: PaidEntryRow[] } | null = await this.claimFromLastPaid(options);
    if (claimed === null) {
      const found = await this.claimRows<PaidEntryRow>(options, 'claimBatchToPay');
      if (found === null) return null;
      const { job } = found;
      this.lastPaid.current = {
        id: job.id,
        priority: job.priority,
        createdAt: job.created_at,
        seq: String(job.seq),
        lastEntryId: String(job.last_entry_id),
      };
      claimed = { jobId: job.id, rows: found.rows };
    }
    // The claim locked these rows reading their latest version, so they are pending, and stay so
    // until this transaction ends: no second locking read is needed before completing them.
    const progress = await this.completeLocked(claimed.jobId, claimed.rows, options.now, true);
    return { progress, amount: sumAmounts(claimed.rows) };
  }

  async completePayoutEntries(
    jobId: PayoutJobId,
    entryIds: readonly PayoutEntryId[],
    { now, creditAccounts }: CompletePayoutEntriesOptions,
  ): Promise<PayoutJobProgress> {
    const ids = idParams(entryIds);
    if (ids.length === 0) return this.unchanged(jobId);
    const open = await this.rows<PayoutEntryRow>('lockOpenEntries', [jobId, ids]);
    if (open.length === 0) return this.unchanged(jobId);
    return this.completeLocked(jobId, open, now, creditAccounts);
  }

  async failPayoutEntries(
    jobId: PayoutJobId,
    failures: readonly PayoutEntryFailure[],
    now: Date,
  ): Promise<PayoutJobProgress> {
    // The first failure listed for an entry is the one recorded.
    const byEntry = new Map<string, PayoutEntryFailure>();
    for (const failure of failures) {
      const id = idParam(failure.entryId);
      if (id !== null && !byEntry.has(id)) byEntry.set(id, failure);
    }
    const seen = await this.getPayoutJob(jobId);
    if (seen === null) throw new NotFoundError('payout_job', jobId);
    if (byEntry.size === 0) return this.unchanged(jobId);
    const open = await this.rows<PayoutEntryRow>('lockOpenEntries', [jobId, [...byEntry.keys()]]);
    const changes: { id: string; error: string; status: PayoutEntryStatus; availableAt: string }[] = [];
    for (const row of open) {
      const id = String(row.id);
      const failure = byEntry.get(id)!;
      const lease = failure.leaseUntil ?? null;
      // A lease compares at millisecond precision, the precision DATETIME(3) keeps.
      if (lease !== null && (row.status !== 'processing' || row.locked_until !== sqlTime(lease))) continue;
      const status: PayoutEntryStatus =
        failure.retryAt === null ? 'failed' : seen.status === 'cancelled' ? 'cancelled' : 'pending';
      const availableAt = failure.retryAt === null ? row.available_at : sqlTime(failure.retryAt);
      changes.push({ id, error: failure.error, status, availableAt });
    }
    if (changes.length === 0) return this.unchanged(jobId);
    await this.run('failEntries', [JSON.stringify(changes)]);
    const dead = changes.filter((c) => c.status === 'failed');
    const cancelled = changes.filter((c) => c.status === 'cancelled').length;
    const requeued = changes.filter((c) => c.status === 'pending').length;
    const ids = changes.map((c) => c.id);
    return this.advanceJob(jobId, ids, now, (job) => {
      if (job.status === 'cancelled' && requeued > 0) {
        // A cancel committed after the job was read: the entries put back to pending must be
        // cancelled instead, which a second run of the transaction does.
        throw this.failed(
          new StoreError(`Payout job ${JSON.stringify(jobId)} was cancelled while failures were being recorded`, {
            retryable: true,
            context: { jobId },
          }),
        );
      }
      return {
        failed_entries: job.failed_entries + dead.length,
        cancelled_entries: job.cancelled_entries + cancelled,
        lastError: dead.at(-1)?.error ?? null,
      };
    });
  }

  async retryFailedPayoutEntries(jobId: PayoutJobId, now: Date): Promise<PayoutJobProgress> {
    const seen = await this.rows<PayoutJobRow>('getPayoutJob', [jobId]);
    const before = seen[0];
    if (before === undefined) throw new NotFoundError('payout_job', jobId);
    const refused = () => new InvalidTransitionError(payoutJobStateMachine.name, 'cancelled', 'running');
    if (before.status === 'cancelled') throw refused();
    // In id order: dead[0] is the lowest, which the job's claim floor must not stay above.
    const dead = (await this.rows<{ id: Int8 }>('lockFailedEntries', [jobId])).map((row) => String(row.id));
    if (dead.length === 0) {
      return { job: toPayoutJob(before), changed: 0, entryIds: [], started: false, finished: false };
    }
    const at = sqlTime(now);
    await this.run('requeueEntries', [at, dead]);
    const [job] = await this.rows<PayoutJobRow>('lockPayoutJob', [jobId]);
    if (job === undefined) throw this.failed(new NotFoundError('payout_job', jobId));
    // Entries requeued before the cancel's commit became visible must not stay: roll them back.
    if (job.status === 'cancelled') throw this.failed(refused());
    const reopen = job.status === 'completed_with_failures' || job.status === 'failed';
    const after: PayoutJobRow = {
      ...job,
      failed_entries: job.failed_entries - dead.length,
      status: reopen ? 'running' : job.status,
      completed_at: reopen ? null : job.completed_at,
      error: reopen ? null : job.error,
      updated_at: at,
    };
    const lowest = BigInt(dead[0]!);
    await this.writeJob(after, lowest < BigInt(job.claim_floor) ? lowest : job.claim_floor);
    return { job: toPayoutJob(after), changed: dead.length, entryIds: dead, started: false, finished: false };
  }

  async transitionPayoutJob(
    jobId: PayoutJobId,
    { from, to, now, error }: PayoutJobTransition,
  ): Promise<PayoutJob | null> {
    for (const status of from) assertTransition(payoutJobStateMachine, status, to);
    if (from.length === 0) return null;
    const completedAt = finishedPayoutJobStatuses.includes(to) ? sqlTime(now) : null;
    const { affectedRows } = await this.run('transitionPayoutJob', [
      to,
      error ?? null,
      completedAt,
      sqlTime(now),
      jobId,
      [...from],
    ]);
    return affectedRows === 0 ? null : this.getPayoutJob(jobId);
  }

  async cancelPayoutJob(jobId: PayoutJobId, now: Date): Promise<PayoutJobProgress | null> {
    const seen = await this.getPayoutJob(jobId);
    if (seen === null || !OPEN_JOB_STATUSES.includes(seen.status)) return null;
    // Entries first and the job row last, the order a batch takes them in, so a cancel cannot
    // deadlock with a batch. Locking reads see the latest committed version: an entry a batch
    // paid meanwhile is no longer pending, one a failure put back to pending is.
    const unfinished = await this.rows<{ id: Int8; status: PayoutEntryStatus }>('lockUnfinishedEntries', [jobId]);
    const pending = unfinished.filter((row) => row.status === 'pending').map((row) => String(row.id));
    if (pending.length > 0) await this.run('cancelEntries', [pending]);
    const [job] = await this.rows<PayoutJobRow>('lockPayoutJob', [jobId]);
    if (job === undefined || !OPEN_JOB_STATUSES.includes(job.status)) {
      if (pending.length === 0) return null;
      // The job stopped being cancellable after its entries were cancelled: a second run of the
      // transaction sees its new status.
      throw this.failed(
        new StoreError(`Payout job ${JSON.stringify(jobId)} changed while it was being cancelled`, {
          retryable: true,
          context: { jobId },
        }),
      );
    }
    const at = sqlTime(now);
    const after: PayoutJobRow = {
      ...job,
      status: 'cancelled',
      cancelled_entries: job.cancelled_entries + pending.length,
      completed_at: at,
      updated_at: at,
    };
    await this.writeJob(after, job.claim_floor);
    return { job: toPayoutJob(after), changed: pending.length, entryIds: pending, started: false, finished: true };
  }

  async prunePayoutJobs(olderThan: Date, limit: number): Promise<number> {
    const jobs = await this.rows<{ id: string }>('findPrunableJobs', [sqlTime(olderThan), limit]);
    if (jobs.length === 0) return 0;
    const ids = jobs.map((job) => job.id);
    await this.run('prunePayoutEntries', [ids]);
    return (await this.run('prunePayoutJobs', [ids])).affectedRows;
  }

  // ── Notifications ───────────────────────────────────────────────────────

  async enqueueNotifications(notifications: readonly NewNotification[]): Promise<number> {
    const rows = notifications.map((n) => {
      const dueAt = sqlTime(n.dueAt);
      return [
        n.key,
        n.challengeId,
        n.recipient,
        n.kind,
        JSON.stringify(n.payload),
        dueAt,
        'pending',
        dueAt,
        sqlTime(n.createdAt),
      ] as const;
    });
    let inserted = 0;
    for (const chunk of chunkRows(rows, await this.maxAllowedPacket())) {
      inserted += (await this.run('enqueueNotifications', [chunk])).affectedRows;
    }
    return inserted;
  }

  async claimDueNotifications({ now, limit, leaseUntil }: ClaimNotificationsOptions): Promise<Notification[]> {
    const at = sqlTime(now);
    const rows = await this.rows<NotificationRow>('claimDueNotifications', [at, at, limit]);
    if (rows.length === 0) return [];
    const lease = sqlTime(leaseUntil);
    await this.run('markNotificationsProcessing', [lease, rows.map((row) => String(row.id))]);
    return rows.map((row) => toNotification({ ...row, status: 'processing', locked_until: lease }));
  }

  async completeNotifications(outcomes: readonly NotificationOutcome[], at: Date): Promise<string[]> {
    const ids = idParams(outcomes.map((o) => o.id));
    if (ids.length === 0) return [];
    const open = new Map(
      (await this.rows<{ id: string; status: string }>('lockOpenNotifications', [ids])).map((row) => [
        String(row.id),
        row.status,
      ]),
    );
    // One UPDATE per (status, reason): a batch's outcomes come in a handful of kinds.
    const groups = new Map<string, { status: string; reason: string | null; ids: string[] }>();
    const changed = new Set<string>();
    for (const { id, status, reason } of outcomes) {
      const current = open.get(id);
      if (current !== 'processing' && !(current === 'pending' && status === 'skipped')) continue;
      if (changed.has(id)) continue;
      changed.add(id);
      const skipReason = status === 'skipped' ? (reason ?? null) : null;
      const key = JSON.stringify([status, skipReason]);
      const group = groups.get(key) ?? { status, reason: skipReason, ids: [] };
      group.ids.push(id);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      await this.run('completeNotifications', [group.status, sqlTime(at), group.reason, group.ids]);
    }
    return [...changed].sort(compareIds);
  }

  async failNotification(id: string, { error, retryAt }: NotificationFailure): Promise<boolean> {
    const notificationId = idParam(id);
    if (notificationId === null) return false;
    const retry = sqlTimeOrNull(retryAt);
    return (await this.run('failNotification', [error, retry, retry, notificationId])).affectedRows > 0;
  }

  async retryFailedNotifications(now: Date, challengeId?: ChallengeId): Promise<number> {
    return (await this.run('retryFailedNotifications', [sqlTime(now), challengeId ?? null, challengeId ?? null]))
      .affectedRows;
  }

  // ── In-app inbox ────────────────────────────────────────────────────────

  async addInboxMessages(messages: readonly NewInboxMessage[]): Promise<number> {
    const rows = messages.map(
      (m) => [m.notificationId, m.userId, m.kind, m.challengeId, m.title, m.body, sqlTime(m.createdAt)] as const,
    );
    let inserted = 0;
    for (const chunk of chunkRows(rows, await this.maxAllowedPacket())) {
      inserted += (await this.run('addInboxMessages', [chunk])).affectedRows;
    }
    return inserted;
  }

  async markInboxRead(userId: string, ids: readonly string[] | 'all', at: Date): Promise<number> {
    const messageIds = ids === 'all' ? null : idParams(ids);
    if (messageIds !== null && messageIds.length === 0) return 0;
    const [filtered, list] = listFilter(messageIds);
    return (await this.run('markInboxRead', [sqlTime(at), userId, filtered, list])).affectedRows;
  }

  // ── Events ──────────────────────────────────────────────────────────────

  async publish(event: StoreEvent): Promise<void> {
    this.published = true;
    this.events.push([event.name, JSON.stringify(event.data), sqlTime(this.clock.now())]);
  }

  /**
   * Inserts the events published so far, in order, with one multi-row INSERT (more only past
   * `max_allowed_packet`). The store calls it just before COMMIT: rows of the events table are
   * visible to subscribers only from the commit on, so writing them then changes nothing but the
   * round trips (one per transaction instead of one per event).
   */
  async flushEvents(): Promise<void> {
    if (this.events.length === 0) return;
    const rows = this.events.splice(0);
    for (const chunk of chunkRows(rows, await this.maxAllowedPacket())) {
      await this.run('publishEvents', [chunk]);
    }
  }

  // ── Building blocks ─────────────────────────────────────────────────────

  private async insertParticipants(challengeId: ChallengeId, participants: readonly NewParticipant[]): Promise<void> {
    const rows = participants.map((p) => [challengeId, p.userId, p.side, p.stake, sqlTime(p.joinedAt)] as const);
    for (const chunk of chunkRows(rows, await this.maxAllowedPacket())) {
      await this.run('addParticipants', [chunk]);
    }
  }

  /**
   * The next batch of the job the store paid last, in one statement (claim-next-batch-to-pay.sql),
   * when no job ranks before it; null (and the job forgotten) when it has none to give, or when the
   * claim names a job or entries: the caller then searches.
   */
  private async claimFromLastPaid({
    now,
    limit,
    jobId,
    entryIds,
  }: ClaimPayoutBatchOptions): Promise<{ jobId: PayoutJobId; rows: PaidEntryRow[] } | null> {
    const last = this.lastPaid.current;
    if (last === null || jobId !== undefined || entryIds !== undefined) return null;
    const rows = await this.rows<PaidEntryRow>('claimNextBatchToPay', [
      last.id,
      last.lastEntryId,
      last.id,
      sqlTime(now),
      last.id,
      last.priority,
      last.priority,
      last.createdAt,
      last.seq,
      limit,
    ]);
    if (rows.length > 0) return { jobId: last.id, rows };
    if (this.lastPaid.current === last) this.lastPaid.current = null;
    return null;
  }

  /** Claims (or, with `leaseUntil`, leases) a batch: {@link claimRows} as domain objects. */
  private async claim(options: ClaimPayoutBatchOptions, leaseUntil: Date | undefined): Promise<PayoutBatch | null> {
    const claimed = await this.claimRows<PayoutEntryRow>(options, leaseUntil ?? 'claimBatch');
    if (claimed === null) return null;
    let entries = claimed.rows.map(toPayoutEntry);
    if (leaseUntil !== undefined) {
      const lockedUntil = toDate(sqlTime(leaseUntil));
      entries = entries.map((e) => ({ ...e, status: 'processing', lockedUntil: new Date(lockedUntil.getTime()) }));
    }
    return { job: toPayoutJob(claimed.job), entries: entries.sort((a, b) => compareIds(a.id, b.id)) };
  }

  /**
   * Claims a batch with `statement` (claim-batch.sql, or claim-batch-to-pay.sql whose rows hold
   * only id and amount), or leases one until the given instant: candidate jobs best first, then
   * the first whose entries are not all locked by other claimers, each scanned over its claim
   * window. Usually two round trips (three for a lease). The rows are as read by the claim, in id
   * order, before a lease marked them processing.
   */
  private async claimRows<R>(
    { now, limit, jobId, entryIds }: ClaimPayoutBatchOptions,
    how: 'claimBatch' | 'claimBatchToPay' | Date,
  ): Promise<{ job: PayoutJobRow; rows: R[] } | null> {
    const onlyEntries = entryIds === undefined ? null : idParams(entryIds);
    if (onlyEntries !== null && onlyEntries.length === 0) return null;
    const at = sqlTime(now);
    const leasing = how instanceof Date ? 1 : 0;
    const [filtered, ids] = listFilter(onlyEntries);
    let after: PayoutJobRow | undefined;
    for (;;) {
      const cursor = after?.priority ?? null;
      const jobs = await this.rows<PayoutJobRow>('findClaimableJobs', [
        leasing,
        jobId ?? null,
        jobId ?? null,
        cursor,
        cursor,
        cursor,
        after?.created_at ?? null,
        after === undefined ? null : String(after.seq),
        filtered,
        ids,
        at,
        leasing,
        at,
        CLAIM_JOB_PAGE,
      ]);
      for (const job of jobs) {
        const window = [String(job.claim_floor), String(job.last_entry_id), job.id];
        const rows =
          how instanceof Date
            ? await this.rows<R & { id: Int8 }>('leaseBatch', [...window, at, job.id, at, filtered, ids, limit])
            : await this.rows<R & { id: Int8 }>(how, [...window, at, filtered, ids, job.id, limit]);
        if (rows.length === 0) continue;
        if (how instanceof Date) {
          await this.run('markEntriesProcessing', [sqlTime(how), rows.map((row) => String(row.id))]);
        }
        return { job, rows };
      }
      if (jobs.length < CLAIM_JOB_PAGE) return null;
      after = jobs.at(-1);
    }
  }

  /**
   * Completes entries this transaction holds locked, as read under the lock (pending or
   * processing): marks them completed, writes their ledger rows, credits the accounts if asked,
   * then advances the job.
   */
  private async completeLocked(
    jobId: PayoutJobId,
    open: readonly PaidEntryRow[],
    now: Date,
    creditAccounts: boolean,
  ): Promise<PayoutJobProgress> {
    const done = open.map((row) => String(row.id));
    const at = sqlTime(now);
    await this.run('completeEntries', [at, done]);
    await this.run('insertLedger', [at, done]);
    if (creditAccounts) await this.run('creditAccounts', [at, done]);
    const amount = sumAmounts(open);
    return this.advanceJob(jobId, done, now, (job) => ({
      completed_entries: job.completed_entries + done.length,
      paid_amount: (BigInt(job.paid_amount) + amount).toString(),
    }));
  }

  /**
   * Locks the job's row (last, after every entry, ledger and account write, so it is held only
   * until commit), applies `change` to its counters, moves it as {@link nextPayoutJobStatus} says
   * and writes it back. `entryIds` come in ascending order, as every caller read them.
   */
  private async advanceJob(
    jobId: PayoutJobId,
    entryIds: readonly string[],
    now: Date,
    change: (job: PayoutJobRow) => Partial<
      Pick<PayoutJobRow, 'completed_entries' | 'failed_entries' | 'cancelled_entries' | 'paid_amount'>
    > & {
      lastError?: string | null;
    },
  ): Promise<PayoutJobProgress> {
    const [job] = await this.rows<PayoutJobRow>('lockPayoutJob', [jobId]);
    if (job === undefined) throw this.failed(new NotFoundError('payout_job', jobId));
    const { lastError, ...counters } = change(job);
    const at = sqlTime(now);
    const advanced: PayoutJobRow = { ...job, ...counters };
    const status = nextPayoutJobStatus(advanced);
    const wasOpen = OPEN_JOB_STATUSES.includes(job.status);
    const finishesNow = wasOpen && status !== job.status && finishedPayoutJobStatuses.includes(status);
    const after: PayoutJobRow = {
      ...advanced,
      status,
      error: finishesNow && status === 'failed' ? (lastError ?? job.error) : job.error,
      started_at: job.started_at ?? at,
      completed_at: finishesNow ? at : job.completed_at,
      updated_at: at,
    };
    await this.writeJob(after, job.claim_floor);
    return jobProgress(job, after, entryIds);
  }

  /**
   * Writes a job row locked by lock-payout-job.sql and moves its claim floor to the first open
   * entry from `floorFrom` on (past the last entry when none is open): the floor read with the
   * lock, or lower when this write made entries below it pending again.
   */
  private async writeJob(job: PayoutJobRow, floorFrom: Int8): Promise<void> {
    await this.run('updatePayoutJob', [
      job.status,
      job.completed_entries,
      job.failed_entries,
      job.cancelled_entries,
      BigInt(job.paid_amount),
      job.error,
      job.started_at,
      job.completed_at,
      job.updated_at,
      String(floorFrom),
      String(job.last_entry_id),
      job.id,
      String(BigInt(job.last_entry_id) + 1n),
      job.id,
    ]);
  }

  private failed(error: SettleError): SettleError {
    this.failure ??= error;
    return error;
  }

  /** The progress of a write that changed nothing; `NotFoundError` for an unknown job. */
  private async unchanged(jobId: PayoutJobId): Promise<PayoutJobProgress> {
    const job = await this.getPayoutJob(jobId);
    if (job === null) throw new NotFoundError('payout_job', jobId);
    return { job, changed: 0, entryIds: [], started: false, finished: false };
  }
}

/** What completing an entry needs of its row. */
type PaidEntryRow = Pick<PayoutEntryRow, 'id' | 'amount'>;

/** Sum of the rows' amounts. */
function sumAmounts(rows: readonly PaidEntryRow[]): bigint {
  return rows.reduce((sum, row) => sum + BigInt(row.amount), 0n);
}
