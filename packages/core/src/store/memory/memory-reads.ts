import type { Challenge, ChallengeId, Participant } from '../../domain/challenge';
import type { InboxMessage } from '../../domain/inbox-message';
import type { Notification } from '../../domain/notification';
import type { LedgerEntry, PayoutEntry, PayoutJob, PayoutJobId, PayoutJobStatus } from '../../domain/payout';
import { payoutJobStateMachine } from '../../domain/payout';
import { StoreError } from '../../errors';
import { compareIds } from '../compare-ids';
import type {
  ChallengeFilter,
  ClosingChallengesQuery,
  InboxFilter,
  LedgerFilter,
  LedgerTotal,
  NotificationFilter,
  NotificationRecipient,
  PageRequest,
  ParticipantPage,
  PayoutEntryFilter,
  PayoutJobFilter,
  PayoutStats,
  StoreReads,
} from '../store';
import type { MemoryDatabase, TransactionState } from './memory-database';
import { copy, participantKey, toJob } from './memory-database';
import { byId, compareStrings, isAfter } from './row-order';

/**
 * The reads of the memory store, each a statement over committed data plus the transaction's own
 * writes (committed data only, outside a transaction).
 *
 * @internal
 */
export class MemoryReads implements StoreReads {
  constructor(
    protected readonly db: MemoryDatabase,
    protected readonly tx: TransactionState | undefined,
  ) {}

  getChallenge(id: ChallengeId): Promise<Challenge | null> {
    return this.statement(() => {
      const row = this.db.challenges.get(this.tx, id);
      return row === undefined ? null : copy(row);
    });
  }

  listParticipants(challengeId: ChallengeId, { limit, after, joinedAfter }: ParticipantPage): Promise<Participant[]> {
    return this.statement(() =>
      this.db.participants
        .rows(this.tx, challengeId)
        .filter((p) => after === undefined || p.userId > after)
        .filter((p) => joinedAfter === undefined || p.joinedAt > joinedAfter)
        .sort((a, b) => compareStrings(a.userId, b.userId))
        .slice(0, limit)
        .map(copy),
    );
  }

  nextDeadline(after?: Date): Promise<Date | null> {
    return this.statement(() => {
      const next = this.activeByDeadline().find((c) => after === undefined || c.deadline > after);
      return next === undefined ? null : new Date(next.deadline);
    });
  }

  findDueChallenges(now: Date, limit: number): Promise<Challenge[]> {
    return this.statement(() =>
      this.activeByDeadline()
        .filter((c) => c.deadline <= now)
        .slice(0, limit)
        .map(copy),
    );
  }

  listClosingChallenges({ after, until, limit, cursor }: ClosingChallengesQuery): Promise<Challenge[]> {
    return this.statement(() =>
      this.activeByDeadline()
        .filter(
          (c) =>
            c.deadline > after &&
            c.deadline <= until &&
            (cursor === undefined ||
              c.deadline > cursor.deadline ||
              (c.deadline.getTime() === cursor.deadline.getTime() && compareStrings(c.id, cursor.id) > 0)),
        )
        .slice(0, limit)
        .map(copy),
    );
  }

  listChallenges({ status, limit, after }: ChallengeFilter): Promise<Challenge[]> {
    return this.statement(() =>
      this.db.challenges
        .rows(this.tx)
        .filter((c) => c.status === status && (after === undefined || compareStrings(c.id, after) > 0))
        .sort((a, b) => compareStrings(a.id, b.id))
        .slice(0, limit)
        .map(copy),
    );
  }

  getPayoutJob(id: PayoutJobId): Promise<PayoutJob | null> {
    return this.statement(() => {
      const row = this.db.jobs.get(this.tx, id);
      return row === undefined ? null : toJob(row);
    });
  }

  listPayoutJobs({ status, challengeId, limit }: PayoutJobFilter): Promise<PayoutJob[]> {
    return this.statement(() =>
      this.db.jobs
        .rows(this.tx)
        .filter((j) => (status === undefined || status.includes(j.status)) && matches(j.challengeId, challengeId))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.seq - a.seq)
        .slice(0, limit)
        .map(toJob),
    );
  }

  listPayoutEntries(jobId: PayoutJobId, { status, limit, after }: PayoutEntryFilter): Promise<PayoutEntry[]> {
    return this.statement(() =>
      this.db.entries
        .rows(this.tx, jobId)
        .filter((e) => (status === undefined || status.includes(e.status)) && isAfter(e.id, after))
        .sort(byId)
        .slice(0, limit)
        .map(copy),
    );
  }

  payoutStats(): Promise<PayoutStats> {
    return this.statement(() => {
      const statuses = Object.keys(payoutJobStateMachine.transitions) as PayoutJobStatus[];
      const jobs = Object.fromEntries(statuses.map((status) => [status, 0])) as Record<PayoutJobStatus, number>;
      const claimableJobs = new Set<PayoutJobId>();
      for (const job of this.db.jobs.rows(this.tx)) {
        jobs[job.status]++;
        if (job.status === 'queued' || job.status === 'running') claimableJobs.add(job.id);
      }
      const entries = { pending: 0, processing: 0, failed: 0 };
      let oldestPendingAt: Date | null = null;
      for (const entry of this.db.entries.rows(this.tx)) {
        if (entry.status === 'pending' || entry.status === 'processing' || entry.status === 'failed') {
          entries[entry.status]++;
        }
        if (entry.status === 'pending' && claimableJobs.has(entry.jobId)) {
          if (oldestPendingAt === null || entry.availableAt < oldestPendingAt) oldestPendingAt = entry.availableAt;
        }
      }
      return { jobs, entries, oldestPendingAt: oldestPendingAt && new Date(oldestPendingAt) };
    });
  }

  getBalance(userId: string): Promise<bigint> {
    return this.statement(() => this.db.balances.get(this.tx, userId)?.balance ?? 0n);
  }

  listLedger(filter: LedgerFilter, { limit, after }: PageRequest): Promise<LedgerEntry[]> {
    return this.statement(() =>
      this.ledgerRows(filter)
        .filter((l) => isAfter(l.entryId, after))
        .sort((a, b) => compareIds(a.entryId, b.entryId))
        .slice(0, limit)
        .map(copy),
    );
  }

  ledgerTotal(filter: LedgerFilter): Promise<LedgerTotal> {
    return this.statement(() => {
      const rows = this.ledgerRows(filter);
      return { count: rows.length, total: rows.reduce((sum, l) => sum + l.amount, 0n) };
    });
  }

  listNotifications({
    challengeId,
    recipient,
    kind,
    status,
    limit,
    after,
  }: NotificationFilter): Promise<Notification[]> {
    return this.statement(() =>
      this.db.notifications
        .rows(this.tx)
        .filter(
          (n) =>
            matches(n.challengeId, challengeId) &&
            matches(n.recipient, recipient) &&
            matches(n.kind, kind) &&
            (status === undefined || status.includes(n.status)) &&
            isAfter(n.id, after),
        )
        .sort(byId)
        .slice(0, limit)
        .map(copy),
    );
  }

  lastNotificationsSent(pairs: readonly NotificationRecipient[]): Promise<(Date | null)[]> {
    return this.statement(() => {
      const last = new Map<string, Date>();
      for (const n of this.db.notifications.rows(this.tx)) {
        if (n.status !== 'sent' || n.challengeId === null || n.finishedAt === null) continue;
        const key = participantKey(n.challengeId, n.recipient);
        const seen = last.get(key);
        if (seen === undefined || n.finishedAt > seen) last.set(key, n.finishedAt);
      }
      return pairs.map(({ challengeId, recipient }) => {
        const sent = last.get(participantKey(challengeId, recipient));
        return sent === undefined ? null : new Date(sent);
      });
    });
  }

  listInbox(userId: string, { limit, before, unreadOnly }: InboxFilter): Promise<InboxMessage[]> {
    // Like the SQL stores, a `before` that is no message id matches nothing.
    if (before !== undefined && !/^\d+$/.test(before)) return this.statement(() => []);
    return this.statement(() =>
      this.db.inbox
        .rows(this.tx, userId)
        .filter((m) => (before === undefined || compareIds(m.id, before) < 0) && (!unreadOnly || m.readAt === null))
        .sort((a, b) => byId(b, a))
        .slice(0, limit)
        .map(copy),
    );
  }

  /**
   * Runs one statement. Like Postgres, a transaction whose statement failed refuses every later
   * one until it rolls back.
   */
  protected async statement<T>(body: () => T | Promise<T>): Promise<T> {
    this.db.assertOpen();
    const tx = this.tx;
    if (tx?.ended) throw new StoreError('This transaction has already ended');
    if (tx?.failure !== undefined) {
      throw new StoreError('This transaction is aborted after a failed statement', { cause: tx.failure.error });
    }
    try {
      return await body();
    } catch (error) {
      if (tx !== undefined) tx.failure = { error };
      throw error;
    }
  }

  private activeByDeadline(): Challenge[] {
    return this.db.challenges
      .rows(this.tx)
      .filter((c) => c.status === 'active')
      .sort((a, b) => a.deadline.getTime() - b.deadline.getTime() || compareStrings(a.id, b.id));
  }

  private ledgerRows({ jobId, userId }: LedgerFilter): LedgerEntry[] {
    return this.db.ledger.rows(this.tx, jobId).filter((l) => matches(l.userId, userId));
  }
}

function matches<T>(value: T, wanted: T | undefined): boolean {
  return wanted === undefined || value === wanted;
}
