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
import type { DriverResult, MySqlQueryable } from './mysql-driver';
import { toSettleError } from './mysql-errors';
import type {
  ChallengeRow,
  InboxRow,
  Int8,
  LedgerRow,
  NotificationRow,
  ParticipantRow,
  PayoutEntryRow,
  PayoutJobRow,
  SqlTime,
} from './mysql-rows';
import {
  idParam,
  sqlTime,
  sqlTimeOrNull,
  toChallenge,
  toDate,
  toInboxMessage,
  toLedgerEntry,
  toNotification,
  toParticipant,
  toPayoutEntry,
  toPayoutJob,
} from './mysql-rows';
import type { MySqlSql } from './mysql-sql';

/**
 * The reads of MySqlStore, each one statement. Outside a transaction they run on any pooled
 * connection and see committed data; inside one they run on its connection and also see its writes.
 *
 * @internal
 */
export class MySqlReads implements StoreReads {
  constructor(
    protected readonly connection: MySqlQueryable,
    protected readonly sql: MySqlSql,
  ) {}

  async getChallenge(id: ChallengeId): Promise<Challenge | null> {
    const [row] = await this.rows<ChallengeRow>('getChallenge', [id]);
    return row === undefined ? null : toChallenge(row);
  }

  async listParticipants(
    challengeId: ChallengeId,
    { limit, after, joinedAfter }: ParticipantPage,
  ): Promise<Participant[]> {
    const joined = sqlTimeOrNull(joinedAfter);
    const rows = await this.rows<ParticipantRow>('listParticipants', [
      challengeId,
      after ?? null,
      after ?? null,
      joined,
      joined,
      limit,
    ]);
    return rows.map(toParticipant);
  }

  async nextDeadline(after?: Date): Promise<Date | null> {
    const bound = sqlTimeOrNull(after);
    const [row] = await this.rows<{ deadline: SqlTime | null }>('nextDeadline', [bound, bound]);
    return row?.deadline == null ? null : toDate(row.deadline);
  }

  async findDueChallenges(now: Date, limit: number): Promise<Challenge[]> {
    return (await this.rows<ChallengeRow>('findDueChallenges', [sqlTime(now), limit])).map(toChallenge);
  }

  async listClosingChallenges({ after, until, limit, cursor }: ClosingChallengesQuery): Promise<Challenge[]> {
    // Without a cursor the page starts right after `after` (every id sorts after ''), which keeps
    // the statement one index range whatever the page.
    const from = sqlTime(cursor?.deadline ?? after);
    const rows = await this.rows<ChallengeRow>('listClosingChallenges', [
      sqlTime(after),
      sqlTime(until),
      from,
      from,
      cursor?.id ?? '',
      limit,
    ]);
    return rows.map(toChallenge);
  }

  async listChallenges({ status, limit, after }: ChallengeFilter): Promise<Challenge[]> {
    const rows = await this.rows<ChallengeRow>('listChallenges', [status, after ?? null, after ?? null, limit]);
    return rows.map(toChallenge);
  }

  async getPayoutJob(id: PayoutJobId): Promise<PayoutJob | null> {
    const [row] = await this.rows<PayoutJobRow>('getPayoutJob', [id]);
    return row === undefined ? null : toPayoutJob(row);
  }

  async listPayoutJobs({ status, challengeId, limit }: PayoutJobFilter): Promise<PayoutJob[]> {
    if (status !== undefined && status.length === 0) return [];
    const rows = await this.rows<PayoutJobRow>('listPayoutJobs', [
      ...listFilter(status),
      challengeId ?? null,
      challengeId ?? null,
      limit,
    ]);
    return rows.map(toPayoutJob);
  }

  async listPayoutEntries(jobId: PayoutJobId, { status, limit, after }: PayoutEntryFilter): Promise<PayoutEntry[]> {
    const afterId = after === undefined ? null : idParam(after);
    // An `after` that is no entry id orders after nothing (as in the memory store).
    if (after !== undefined && afterId === null) return [];
    if (status !== undefined && status.length === 0) return [];
    const rows = await this.rows<PayoutEntryRow>('listPayoutEntries', [
      jobId,
      ...listFilter(status),
      afterId,
      afterId,
      limit,
    ]);
    return rows.map(toPayoutEntry);
  }

  async payoutStats(): Promise<PayoutStats> {
    const counts = await this.rows<{ status: PayoutJobStatus; count: Int8 }>('countPayoutJobs', []);
    const [row] = await this.rows<{
      pending: Int8;
      processing: Int8;
      failed: Int8;
      oldest_pending_at: SqlTime | null;
    }>('payoutStats', []);
    const statuses = Object.keys(payoutJobStateMachine.transitions) as PayoutJobStatus[];
    const jobs = Object.fromEntries(statuses.map((status) => [status, 0])) as Record<PayoutJobStatus, number>;
    for (const { status, count } of counts) jobs[status] = Number(count);
    return {
      jobs,
      entries: {
        pending: Number(row?.pending ?? 0),
        processing: Number(row?.processing ?? 0),
        failed: Number(row?.failed ?? 0),
      },
      oldestPendingAt: row?.oldest_pending_at == null ? null : toDate(row.oldest_pending_at),
    };
  }

  async getBalance(userId: string): Promise<bigint> {
    const [row] = await this.rows<{ balance: Int8 }>('getBalance', [userId]);
    return row === undefined ? 0n : BigInt(row.balance);
  }

  async listLedger({ jobId, userId }: LedgerFilter, { limit, after }: PageRequest): Promise<LedgerEntry[]> {
    const afterId = after === undefined ? null : idParam(after);
    if (after !== undefined && afterId === null) return [];
    const rows = await this.rows<LedgerRow>('listLedger', [
      jobId ?? null,
      jobId ?? null,
      userId ?? null,
      userId ?? null,
      afterId,
      afterId,
      limit,
    ]);
    return rows.map(toLedgerEntry);
  }

  async ledgerTotal({ jobId, userId }: LedgerFilter): Promise<LedgerTotal> {
    const [row] = await this.rows<{ count: Int8; total: string }>('ledgerTotal', [
      jobId ?? null,
      jobId ?? null,
      userId ?? null,
      userId ?? null,
    ]);
    return { count: Number(row?.count ?? 0), total: BigInt(row?.total ?? 0) };
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
    if (status !== undefined && status.length === 0) return [];
    const rows = await this.rows<NotificationRow>('listNotifications', [
      challengeId ?? null,
      challengeId ?? null,
      recipient ?? null,
      recipient ?? null,
      kind ?? null,
      kind ?? null,
      ...listFilter(status),
      afterId,
      afterId,
      limit,
    ]);
    return rows.map(toNotification);
  }

  async lastNotificationsSent(pairs: readonly NotificationRecipient[]): Promise<(Date | null)[]> {
    if (pairs.length === 0) return [];
    const rows = await this.rows<{ challenge_id: string; recipient: string; sent_at: SqlTime }>(
      'lastNotificationsSent',
      [pairs.map((p) => [p.challengeId, p.recipient])],
    );
    const sent = new Map(rows.map((row) => [JSON.stringify([row.challenge_id, row.recipient]), toDate(row.sent_at)]));
    return pairs.map((p) => sent.get(JSON.stringify([p.challengeId, p.recipient])) ?? null);
  }

  async listInbox(userId: string, { limit, before, unreadOnly }: InboxFilter): Promise<InboxMessage[]> {
    const beforeId = before === undefined ? null : idParam(before);
    // A `before` that is no message id bounds nothing a message could be below.
    if (before !== undefined && beforeId === null) return [];
    const rows = await this.rows<InboxRow>('listInbox', [
      userId,
      beforeId,
      beforeId,
      unreadOnly === true ? 1 : 0,
      userId,
      limit,
    ]);
    return rows.map(toInboxMessage);
  }

  /** Runs one of the store's statements, translating driver errors into `SettleError`s. */
  protected async run<R>(name: StatementName, params: readonly unknown[]): Promise<DriverResult<R>> {
    try {
      return await this.connection.query<R>(this.sql.statement(name), params);
    } catch (error) {
      throw toSettleError(error, { statement: name });
    }
  }

  /** {@link run}, keeping only the rows. */
  protected async rows<R>(name: StatementName, params: readonly unknown[]): Promise<R[]> {
    return (await this.run<R>(name, params)).rows;
  }
}

/**
 * The parameters of an optional `IN (?)` filter: a flag, then the list (null when absent, since
 * mysql2 renders an empty list as nothing, which is not SQL). Callers skip an empty filter.
 *
 * @internal
 */
export function listFilter(values: readonly string[] | null | undefined): [number, string[] | null] {
  return values === undefined || values === null ? [0, null] : [1, [...values]];
}
