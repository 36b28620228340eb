import type {
  Challenge,
  ChallengeFilter,
  ChallengeId,
  ClosingChallengesQuery,
  InboxFilter,
  InboxMessage,
  LedgerEntry,
  LedgerFilter,
  LedgerTotal,
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
  PayoutJobStatus,
  PayoutStats,
  StoreReads,
} from '@settle/core';
import { payoutJobStateMachine } from '@settle/core';
import type { StatementName } from './generated/sql';
import type { DriverResult, PostgresQueryable } from './postgres-driver';
import { toSettleError } from './postgres-errors';
import type {
  ChallengeRow,
  InboxRow,
  Int8,
  LedgerRow,
  NotificationRow,
  ParticipantRow,
  PayoutEntryRow,
  PayoutJobRow,
} from './postgres-rows';
import {
  idParam,
  toChallenge,
  toInboxMessage,
  toLedgerEntry,
  toNotification,
  toParticipant,
  toPayoutEntry,
  toPayoutJob,
} from './postgres-rows';
import type { PostgresSql } from './postgres-sql';

/**
 * The reads of PostgresStore, each one statement. Outside a transaction they run on any pooled
 * connection and see committed data; inside one they run on its connection and also see its writes.
 *
 * @internal
 */
export class PostgresReads implements StoreReads {
  constructor(
    protected readonly connection: PostgresQueryable,
    protected readonly sql: PostgresSql,
  ) {}

  async getChallenge(id: ChallengeId): Promise<Challenge | null> {
    const [row] = await this.rows<ChallengeRow>('getChallenge', [id]);
    return row === undefined ? null : toChallenge(row);
  }

  async listParticipants(
    challengeId: ChallengeId,
    { limit, after, joinedAfter }: ParticipantPage,
  ): Promise<Participant[]> {
    const rows = await this.rows<ParticipantRow>('listParticipants', [
      challengeId,
      after ?? null,
      limit,
      joinedAfter ?? null,
    ]);
    return rows.map(toParticipant);
  }

  async nextDeadline(after?: Date): Promise<Date | null> {
    const [row] = await this.rows<{ deadline: Date | null }>('nextDeadline', [after ?? null]);
    return row?.deadline ?? null;
  }

  async findDueChallenges(now: Date, limit: number): Promise<Challenge[]> {
    return (await this.rows<ChallengeRow>('findDueChallenges', [now, limit])).map(toChallenge);
  }

  async listClosingChallenges({ after, until, limit, cursor }: ClosingChallengesQuery): Promise<Challenge[]> {
    // Without a cursor the page starts right after `after` (every id sorts after ''), which keeps
    // the statement one index range whatever the page.
    const rows = await this.rows<ChallengeRow>('listClosingChallenges', [
      after,
      until,
      cursor?.deadline ?? after,
      cursor?.id ?? '',
      limit,
    ]);
    return rows.map(toChallenge);
  }

  async listChallenges({ status, limit, after }: ChallengeFilter): Promise<Challenge[]> {
    return (await this.rows<ChallengeRow>('listChallenges', [status, after ?? null, limit])).map(toChallenge);
  }

  async getPayoutJob(id: PayoutJobId): Promise<PayoutJob | null> {
    const [row] = await this.rows<PayoutJobRow>('getPayoutJob', [id]);
    return row === undefined ? null : toPayoutJob(row);
  }

  async listPayoutJobs({ status, challengeId, limit }: PayoutJobFilter): Promise<PayoutJob[]> {
    const rows = await this.rows<PayoutJobRow>('listPayoutJobs', [
      status === undefined ? null : [...status],
      challengeId ?? null,
      limit,
    ]);
    return rows.map(toPayoutJob);
  }

  async listPayoutEntries(jobId: PayoutJobId, { status, limit, after }: PayoutEntryFilter): Promise<PayoutEntry[]> {
    const afterId = after === undefined ? null : idParam(after);
    // An `after` that is no entry id orders after nothing (as in the memory store).
    if (after !== undefined && afterId === null) return [];
    const rows = await this.rows<PayoutEntryRow>('listPayoutEntries', [
      jobId,
      status === undefined ? null : [...status],
      afterId,
      limit,
    ]);
    return rows.map(toPayoutEntry);
  }

  async payoutStats(): Promise<PayoutStats> {
    const [row] = await this.rows<{
      job_counts: Partial<Record<PayoutJobStatus, number>>;
      pending: number;
      processing: number;
      failed: number;
      oldest_pending_at: Date | null;
    }>('payoutStats', []);
    const statuses = Object.keys(payoutJobStateMachine.transitions) as PayoutJobStatus[];
    const jobs = Object.fromEntries(statuses.map((status) => [status, Number(row?.job_counts[status] ?? 0)]));
    return {
      jobs: jobs as Record<PayoutJobStatus, number>,
      entries: { pending: row?.pending ?? 0, processing: row?.processing ?? 0, failed: row?.failed ?? 0 },
      oldestPendingAt: row?.oldest_pending_at ?? null,
    };
  }

  async getBalance(userId: string): Promise<bigint> {
    const [row] = await this.rows<{ balance: Int8 }>('getBalance', [userId]);
    return row === undefined ? 0n : BigInt(row.balance);
  }

  async listLedger({ jobId, userId }: LedgerFilter, { limit, after }: PageRequest): Promise<LedgerEntry[]> {
    const afterId = after === undefined ? null : idParam(after);
    if (after !== undefined && afterId === null) return [];
    const rows = await this.rows<LedgerRow>('listLedger', [jobId ?? null, userId ?? null, afterId, limit]);
    return rows.map(toLedgerEntry);
  }

  async ledgerTotal({ jobId, userId }: LedgerFilter): Promise<LedgerTotal> {
    const [row] = await this.rows<{ count: number; total: string }>('ledgerTotal', [jobId ?? null, userId ?? null]);
    return { count: row?.count ?? 0, total: BigInt(row?.total ?? 0) };
  }

  async listNotifications({
    challengeId,
    recipient,
    kind,
    status,
    limit,
    after,
  }: NotificationFilter): Promise<Notification[]> {
    const afterId = after === undefined ? null : idParam(after);
    if (after !== undefined && afterId === null) return [];
    const rows = await this.rows<NotificationRow>('listNotifications', [
      challengeId ?? null,
      recipient ?? null,
      kind ?? null,
      status === undefined ? null : [...status],
      afterId,
      limit,
    ]);
    return rows.map(toNotification);
  }

  async lastNotificationsSent(pairs: readonly NotificationRecipient[]): Promise<(Date | null)[]> {
    if (pairs.length === 0) return [];
    const rows = await this.rows<{ sent_at: Date | null }>('lastNotificationsSent', [
      pairs.map((p) => p.challengeId),
      pairs.map((p) => p.recipient),
    ]);
    return rows.map((row) => row.sent_at);
  }

  async listInbox(userId: string, { limit, before, unreadOnly }: InboxFilter): Promise<InboxMessage[]> {
    const beforeId = before === undefined ? null : idParam(before);
    // A `before` that is no message id bounds nothing a message could be below.
    if (before !== undefined && beforeId === null) return [];
    const rows = await this.rows<InboxRow>('listInbox', [userId, beforeId, unreadOnly === true, limit]);
    return rows.map(toInboxMessage);
  }

  /** Runs one of the store's statements, translating driver errors into `SettleError`s. */
  protected async run<R>(name: StatementName, params: readonly unknown[]): Promise<DriverResult<R>> {
    try {
      return await this.connection.query<R>(this.sql.statement(name), params, this.sql.preparedName(name));
    } catch (error) {
      throw toSettleError(error, { statement: name });
    }
  }

  /** {@link run}, keeping only the rows. */
  protected async rows<R>(name: StatementName, params: readonly unknown[]): Promise<R[]> {
    return (await this.run<R>(name, params)).rows;
  }
}
