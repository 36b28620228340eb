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
import type { DriverResult, PendingNotifications, PostgresQueryable } from './postgres-driver';
import { toSettleError } from './postgres-errors';
import { encodeEvent } from './postgres-event-payload';
import { PostgresReads } from './postgres-reads';
import type { ChallengeRow, Int8, NotificationRow, PayoutEntryRow, PayoutJobRow } from './postgres-rows';
import { idParam, idParams, toChallenge, toNotification, toPayoutEntry, toPayoutJob } from './postgres-rows';
import type { PostgresSql } from './postgres-sql';

/** Candidate jobs fetched per round trip while looking for one whose entries are not all locked by others. */
const CLAIM_JOB_PAGE = 8;

/**
 * A job row returned by a progress statement: the job after the write, and what changed
 * (`entry_ids` is null when nothing did).
 */
type ProgressRow = PayoutJobRow & { previous_status?: PayoutJobStatus; changed: number; entry_ids: string[] | null };

/** Where a page of claim candidates ended: the last job probed, and how many were. */
interface ClaimPageRow {
  page_jobs: number;
  page_priority: number;
  page_created_at: Date;
  page_seq: Int8;
}

/** The job's columns of a claim-batch.sql row, as `job_*`. */
type ClaimedJobColumns = { [K in Exclude<keyof PayoutJobRow, 'id'> as `job_${K}`]: PayoutJobRow[K] };

/**
 * A row of claim-batch.sql: an entry (the first with its job's columns), or only the page of
 * candidates, when none had a claimable entry.
 */
type ClaimedRow =
  | (PayoutEntryRow & ClaimedJobColumns & { [K in keyof ClaimPageRow]: null })
  | ({ [K in keyof PayoutEntryRow]: null } & ClaimPageRow);

/**
 * A row of pay-batch.sql: the paid job's progress, or only the page of candidates, when none had a
 * claimable entry (or, if nothing changed, only the job whose batch was claimed).
 */
type PaidRow =
  | (ProgressRow & PaidBatchColumns & { picked_job_id: PayoutJobId } & { [K in keyof ClaimPageRow]: null })
  | ({ [K in keyof ProgressRow | keyof PaidBatchColumns | keyof ClaimPageRow]: null } & { picked_job_id: PayoutJobId })
  | ({ [K in keyof ProgressRow | keyof PaidBatchColumns | 'picked_job_id']: null } & ClaimPageRow);

/** What pay-batch.sql adds to a paid job's progress: the batch's sum and its lowest and highest entry ids. */
interface PaidBatchColumns {
  amount: Int8;
  first_id: Int8;
  last_id: Int8;
}

/** What cancel-payout-job.sql returns: the job's columns are all null when it was not cancelled. */
type CancelRow = (PayoutJobRow | { [K in keyof PayoutJobRow]: null }) & Omit<ProgressRow, keyof PayoutJobRow>;

/**
 * The writes of one PostgresStore transaction, each one statement on the transaction's connection.
 * Events are buffered and sent with the COMMIT ({@link pendingNotifications}).
 *
 * @internal
 */
export class PostgresTransaction extends PostgresReads implements StoreTransaction {
  readonly dialect = 'postgres';
  /**
   * The first statement that failed. Postgres then refuses every later statement and answers
   * COMMIT with ROLLBACK, so the store rethrows this error even if `fn` swallowed it.
   */
  failure: SettleError | undefined;
  /** NOTIFY payloads of the events published so far, in order, not yet sent. */
  private readonly events: string[] = [];

  constructor(
    connection: PostgresQueryable,
    sql: PostgresSql,
    private readonly clock: Clock,
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
    const [row] = await this.rows<ChallengeRow>('createChallenge', [
      challenge.id,
      challenge.title,
      challenge.deadline,
      challenge.status,
      JSON.stringify(challenge.metadata),
      challenge.createdAt,
      ...participantColumns(participants),
    ]);
    return toChallenge(row!);
  }

  async addParticipants(challengeId: ChallengeId, participants: readonly NewParticipant[]): Promise<void> {
    const [row] = await this.rows<{ found: boolean }>('addParticipants', [
      challengeId,
      ...participantColumns(participants),
    ]);
    if (row?.found !== true) throw new NotFoundError('challenge', challengeId);
  }

  async removeParticipant(challengeId: ChallengeId, userId: string): Promise<boolean> {
    return (await this.run('removeParticipant', [challengeId, userId])).affectedRows > 0;
  }

  async transitionChallenge({ id, from, to, at, dueBy }: ChallengeTransition): Promise<Challenge | null> {
    assertTransition(challengeStateMachine, from, to);
    const [row] = await this.rows<ChallengeRow>('transitionChallenge', [id, from, to, at, dueBy ?? null]);
    return row === undefined ? null : toChallenge(row);
  }

  async updateChallenge(
    id: ChallengeId,
    patch: ChallengePatch,
    expected: readonly ChallengeStatus[],
  ): Promise<Challenge | null> {
    const [row] = await this.rows<ChallengeRow>('updateChallenge', [
      id,
      patch.title ?? null,
      patch.deadline ?? null,
      patch.metadata === undefined ? null : JSON.stringify(patch.metadata),
      [...expected],
      this.clock.now(),
    ]);
    return row === undefined ? null : toChallenge(row);
  }

  // ── Payouts ─────────────────────────────────────────────────────────────

  async createPayoutJob(job: NewPayoutJob, entries: readonly NewPayoutEntry[]): Promise<PayoutJob> {
    const userIds = new Array<string>(entries.length);
    const amounts = new Array<string>(entries.length);
    let total = 0n;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      userIds[i] = entry.userId;
      amounts[i] = entry.amount.toString();
      total += entry.amount;
    }
    const [row] = await this.rows<PayoutJobRow>('createPayoutJob', [
      job.id,
      job.challengeId,
      job.priority,
      JSON.stringify(job.metadata),
      job.createdAt,
      userIds,
      amounts,
      entries.length,
      total.toString(),
    ]);
    return toPayoutJob(row!);
  }

  claimPayoutBatch(options: ClaimPayoutBatchOptions): Promise<PayoutBatch | null> {
    return this.claim(options);
  }

  leasePayoutBatch(options: LeasePayoutBatchOptions): Promise<PayoutBatch | null> {
    return this.lease(options, options.leaseUntil);
  }

  async payPayoutBatch({ now, limit, jobId, entryIds }: ClaimPayoutBatchOptions): Promise<PaidPayoutBatch | null> {
    const onlyEntries = entryIds === undefined ? null : idParams(entryIds);
    if (onlyEntries !== null && onlyEntries.length === 0) return null;
    let after: ClaimPageRow | undefined;
    for (;;) {
      const [row] = await this.rows<PaidRow>('payBatch', [
        now,
        limit,
        jobId ?? null,
        onlyEntries,
        after?.page_priority ?? null,
        after?.page_created_at ?? null,
        after === undefined ? null : String(after.page_seq),
        CLAIM_JOB_PAGE,
      ]);
      if (row === undefined) return null;
      if (row.id !== null) {
        row.entry_ids ??= idRange(row.first_id, row.last_id);
        return { progress: progress(row), amount: BigInt(row.amount) };
      }
      if (row.picked_job_id !== null) return { progress: await this.unchanged(row.picked_job_id), amount: 0n };
      if (row.page_jobs < CLAIM_JOB_PAGE) return null;
      after = row;
    }
  }

  async completePayoutEntries(
    jobId: PayoutJobId,
    entryIds: readonly PayoutEntryId[],
    { now, creditAccounts }: CompletePayoutEntriesOptions,
  ): Promise<PayoutJobProgress> {
    const [row] = await this.rows<ProgressRow>('completeEntries', [jobId, idParams(entryIds), now, creditAccounts]);
    return row === undefined ? this.unchanged(jobId) : progress(row);
  }

  async failPayoutEntries(
    jobId: PayoutJobId,
    failures: readonly PayoutEntryFailure[],
    now: Date,
  ): Promise<PayoutJobProgress> {
    // The first failure listed for an entry is the one recorded; rows go in id order, the order
    // every other writer locks entries in.
    const byEntry = new Map<string, PayoutEntryFailure>();
    for (const failure of failures) {
      const id = idParam(failure.entryId);
      if (id !== null && !byEntry.has(id)) byEntry.set(id, failure);
    }
    const ids = [...byEntry.keys()].sort(compareIds);
    const listed = ids.map((id) => byEntry.get(id)!);
    const [row] = await this.rows<ProgressRow & { requeued: number }>('failEntries', [
      jobId,
      ids,
      listed.map((f) => f.error),
      listed.map((f) => f.retryAt?.toISOString() ?? null),
      listed.map((f) => f.leaseUntil?.toISOString() ?? null),
      now,
    ]);
    if (row === undefined) return this.unchanged(jobId);
    if (row.status === 'cancelled' && row.requeued > 0) {
      // A cancel committed after the statement read the job: the entries it put back to pending
      // must be cancelled instead, which a second run of the transaction does.
      throw this.failed(
        new StoreError(`Payout job ${JSON.stringify(jobId)} was cancelled while failures were being recorded`, {
          retryable: true,
          context: { jobId },
        }),
      );
    }
    return progress(row);
  }

  async retryFailedPayoutEntries(jobId: PayoutJobId, now: Date): Promise<PayoutJobProgress> {
    const [row] = await this.rows<ProgressRow>('retryFailedEntries', [jobId, now]);
    if (row === undefined) throw new NotFoundError('payout_job', jobId);
    if (row.status === 'cancelled') {
      const refused = new InvalidTransitionError(payoutJobStateMachine.name, 'cancelled', 'running');
      // Entries requeued before the cancel's commit became visible must not stay: roll them back.
      throw row.changed > 0 ? this.failed(refused) : refused;
    }
    return {
      job: toPayoutJob(row),
      changed: row.changed,
      entryIds: row.entry_ids ?? [],
      started: false,
      finished: false,
    };
  }

  async transitionPayoutJob(
    jobId: PayoutJobId,
    { from, to, now, error }: PayoutJobTransition,
  ): Promise<PayoutJob | null> {
    for (const status of from) assertTransition(payoutJobStateMachine, status, to);
    const [row] = await this.rows<PayoutJobRow>('transitionPayoutJob', [jobId, [...from], to, now, error ?? null]);
    return row === undefined ? null : toPayoutJob(row);
  }

  async cancelPayoutJob(jobId: PayoutJobId, now: Date): Promise<PayoutJobProgress | null> {
    const [row] = await this.rows<CancelRow>('cancelPayoutJob', [jobId, now]);
    if (row === undefined) return null;
    if (row.id === null) {
      if (row.changed === 0) return null;
      // The job stopped being cancellable between reading it and locking it, after its entries
      // were cancelled: a second run of the transaction sees its new status.
      throw this.failed(
        new StoreError(`Payout job ${JSON.stringify(jobId)} changed while it was being cancelled`, {
          retryable: true,
          context: { jobId },
        }),
      );
    }
    return {
      job: toPayoutJob(row),
      changed: row.changed,
      entryIds: row.entry_ids ?? [],
      started: false,
      finished: true,
    };
  }

  async prunePayoutJobs(olderThan: Date, limit: number): Promise<number> {
    return (await this.run('prunePayoutJobs', [olderThan, limit])).affectedRows;
  }

  // ── Notifications ───────────────────────────────────────────────────────

  async enqueueNotifications(notifications: readonly NewNotification[]): Promise<number> {
    if (notifications.length === 0) return 0;
    const { affectedRows } = await this.run('enqueueNotifications', [
      notifications.map((n) => n.key),
      notifications.map((n) => n.challengeId),
      notifications.map((n) => n.recipient),
      notifications.map((n) => n.kind),
      notifications.map((n) => JSON.stringify(n.payload)),
      notifications.map((n) => n.dueAt.toISOString()),
      notifications.map((n) => n.createdAt.toISOString()),
    ]);
    return affectedRows;
  }

  async claimDueNotifications({ now, limit, leaseUntil }: ClaimNotificationsOptions): Promise<Notification[]> {
    const rows = await this.rows<NotificationRow>('claimDueNotifications', [now, limit, leaseUntil]);
    return rows.map(toNotification).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || compareIds(a.id, b.id));
  }

  async completeNotifications(outcomes: readonly NotificationOutcome[], at: Date): Promise<string[]> {
    // An id that is no store id names no row: it cannot change anything.
    const known = outcomes.flatMap((o) => {
      const id = idParam(o.id);
      return id === null ? [] : [{ ...o, id }];
    });
    if (known.length === 0) return [];
    const rows = await this.rows<{ id: string }>('completeNotifications', [
      known.map((o) => o.id),
      known.map((o) => o.status),
      known.map((o) => (o.status === 'skipped' ? (o.reason ?? null) : null)),
      at,
    ]);
    return rows.map((row) => String(row.id)).sort(compareIds);
  }

  async failNotification(id: string, { error, retryAt }: NotificationFailure): Promise<boolean> {
    const notificationId = idParam(id);
    if (notificationId === null) return false;
    return (await this.run('failNotification', [notificationId, error, retryAt])).affectedRows > 0;
  }

  async retryFailedNotifications(now: Date, challengeId?: ChallengeId): Promise<number> {
    return (await this.run('retryFailedNotifications', [now, challengeId ?? null])).affectedRows;
  }

  // ── In-app inbox ────────────────────────────────────────────────────────

  async addInboxMessages(messages: readonly NewInboxMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    const { affectedRows } = await this.run('addInboxMessages', [
      messages.map((m) => m.notificationId),
      messages.map((m) => m.userId),
      messages.map((m) => m.kind),
      messages.map((m) => m.challengeId),
      messages.map((m) => m.title),
      messages.map((m) => m.body),
      messages.map((m) => m.createdAt.toISOString()),
    ]);
    return affectedRows;
  }

  async markInboxRead(userId: string, ids: readonly string[] | 'all', at: Date): Promise<number> {
    const messageIds = ids === 'all' ? null : idParams(ids);
    if (messageIds !== null && messageIds.length === 0) return 0;
    return (await this.run('markInboxRead', [userId, messageIds, at])).affectedRows;
  }

  // ── Events ──────────────────────────────────────────────────────────────

  async publish(event: StoreEvent): Promise<void> {
    const payload = await encodeEvent(event, async (json) => {
      const [row] = await this.rows<{ id: Int8 }>('storeLargeEvent', [json]);
      return String(row!.id);
    });
    this.events.push(payload);
  }

  /**
   * The events published so far, in order, for the store to send with the COMMIT: Postgres
   * delivers notifications only at commit, so sending them then changes nothing but the round
   * trips (none of their own, where one statement before COMMIT cost 0.3–0.5 ms per batch).
   */
  pendingNotifications(): PendingNotifications | undefined {
    return this.events.length === 0 ? undefined : { channel: this.sql.channel, payloads: this.events.splice(0) };
  }

  // ── Building blocks ─────────────────────────────────────────────────────

  /**
   * Claims a batch: one statement probes a page of candidate jobs best first and locks the batch of
   * the first that has an unlocked claimable entry. Another page only when every job of a full page
   * had none (all locked by other claimers, or not yet available).
   */
  private async claim({ now, limit, jobId, entryIds }: ClaimPayoutBatchOptions): Promise<PayoutBatch | null> {
    const onlyEntries = entryIds === undefined ? null : idParams(entryIds);
    if (onlyEntries !== null && onlyEntries.length === 0) return null;
    let after: ClaimPageRow | undefined;
    for (;;) {
      const rows = await this.rows<ClaimedRow>('claimBatch', [
        now,
        limit,
        jobId ?? null,
        onlyEntries,
        after?.page_priority ?? null,
        after?.page_created_at ?? null,
        after === undefined ? null : String(after.page_seq),
        CLAIM_JOB_PAGE,
      ]);
      const [first] = rows;
      if (first === undefined) return null;
      if (first.id !== null) {
        return {
          job: toPayoutJob(claimedJob(first)),
          entries: rows.map((row) => toPayoutEntry(row as PayoutEntryRow)),
        };
      }
      if (first.page_jobs < CLAIM_JOB_PAGE) return null;
      after = first;
    }
  }

  /**
   * Leases a batch: candidate jobs best first, then the first whose entries are not all locked by
   * other claimers. Usually two round trips.
   */
  private async lease(
    { now, limit, jobId, entryIds }: ClaimPayoutBatchOptions,
    leaseUntil: Date,
  ): Promise<PayoutBatch | null> {
    const onlyEntries = entryIds === undefined ? null : idParams(entryIds);
    if (onlyEntries !== null && onlyEntries.length === 0) return null;
    let after: PayoutJobRow | undefined;
    for (;;) {
      const jobs = await this.rows<PayoutJobRow>('findClaimableJobs', [
        now,
        true,
        jobId ?? null,
        onlyEntries,
        after?.priority ?? null,
        after?.created_at ?? null,
        after === undefined ? null : String(after.seq),
        CLAIM_JOB_PAGE,
      ]);
      for (const job of jobs) {
        const rows = await this.rows<PayoutEntryRow>('leaseBatch', [job.id, now, limit, leaseUntil, onlyEntries]);
        if (rows.length > 0) {
          const entries = rows.map(toPayoutEntry).sort((a, b) => compareIds(a.id, b.id));
          return { job: toPayoutJob(job), entries };
        }
      }
      if (jobs.length < CLAIM_JOB_PAGE) return null;
      after = jobs.at(-1);
    }
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

/** The column arrays of participants (user ids, sides, stakes, join instants), as the statements take them. */
function participantColumns(participants: readonly NewParticipant[]): [string[], string[], string[], string[]] {
  return [
    participants.map((p) => p.userId),
    participants.map((p) => p.side),
    participants.map((p) => p.stake.toString()),
    participants.map((p) => p.joinedAt.toISOString()),
  ];
}

/** The job row inside a claimed entry's row. */
function claimedJob(row: PayoutEntryRow & ClaimedJobColumns): PayoutJobRow {
  return {
    id: row.job_id,
    seq: row.job_seq,
    challenge_id: row.job_challenge_id,
    status: row.job_status,
    priority: row.job_priority,
    total_entries: row.job_total_entries,
    completed_entries: row.job_completed_entries,
    failed_entries: row.job_failed_entries,
    cancelled_entries: row.job_cancelled_entries,
    total_amount: row.job_total_amount,
    paid_amount: row.job_paid_amount,
    error: row.job_error,
    metadata: row.job_metadata,
    created_at: row.job_created_at,
    started_at: row.job_started_at,
    completed_at: row.job_completed_at,
    updated_at: row.job_updated_at,
  };
}

/** The ids from `first` to `last`, ascending, as text: a batch of consecutive ids comes back as its bounds. */
function idRange(first: Int8, last: Int8): string[] {
  const from = BigInt(first);
  const ids = new Array<string>(Number(BigInt(last) - from) + 1);
  for (let i = 0; i < ids.length; i++) ids[i] = String(from + BigInt(i));
  return ids;
}

/** What a completion or failure did to its job, from the row its statement returned. */
function progress(row: ProgressRow): PayoutJobProgress {
  const job = toPayoutJob(row);
  const before = row.previous_status ?? job.status;
  const finished = (status: PayoutJobStatus) => finishedPayoutJobStatuses.includes(status);
  return {
    job,
    changed: row.changed,
    entryIds: row.entry_ids ?? [],
    started: before === 'queued' && job.status !== 'queued',
    finished: !finished(before) && finished(job.status),
  };
}
