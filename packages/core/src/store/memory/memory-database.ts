import type { Challenge, Participant } from '../../domain/challenge';
import type { InboxMessage } from '../../domain/inbox-message';
import type { Notification } from '../../domain/notification';
import type { LedgerEntry, PayoutEntry, PayoutJob } from '../../domain/payout';
import { StoreError } from '../../errors';
import type { StoreEvent } from '../store';
import { LockManager } from './lock-manager';
import { MemoryTable } from './memory-table';

/** A stored job: the domain row plus its insertion sequence, which orders jobs created at the same instant. @internal */
export type JobRow = PayoutJob & { readonly seq: number };

/** The store's sequences: job insertion order, entry ids, notification ids, inbox message ids. @internal */
export type Sequence = 'job' | 'entry' | 'notification' | 'inbox';

/** A user's built-in account. @internal */
export interface BalanceRow {
  readonly userId: string;
  readonly balance: bigint;
}

/** One transaction's private state; it owns the transaction's locks and keys its table overlays. @internal */
export class TransactionState {
  /** Events published in this transaction, delivered after commit. */
  readonly events: StoreEvent[] = [];
  /** The error a statement threw; the transaction can then only roll back. */
  failure: { readonly error: unknown } | undefined;
  /** Committed or rolled back: the handle must not be used any more. */
  ended = false;
}

/**
 * What a database server holds for the memory store: the tables, the sequences (which, like
 * Postgres sequences, are not rolled back) and the row locks.
 *
 * @internal
 */
export class MemoryDatabase {
  readonly challenges = new MemoryTable<Challenge>('challenges');
  /** Keyed by {@link participantKey}. */
  readonly participants = new MemoryTable<Participant>('participants', (row) => row.challengeId);
  readonly jobs = new MemoryTable<JobRow>('payout_jobs');
  readonly entries = new MemoryTable<PayoutEntry>('payout_entries', (row) => row.jobId);
  /** Keyed by entry id: the unique key that refuses a second credit. */
  readonly ledger = new MemoryTable<LedgerEntry>('ledger', (row) => row.jobId);
  readonly balances = new MemoryTable<BalanceRow>('balances');
  readonly notifications = new MemoryTable<Notification>('notifications');
  /** The unique index on notification keys: key → notification id. */
  readonly notificationKeys = new MemoryTable<string>('notification_keys');
  /** Keyed by message id. */
  readonly inbox = new MemoryTable<InboxMessage>('inbox', (row) => row.userId);
  /** The unique index on the inbox's notification ids: notification id → message id. */
  readonly inboxNotifications = new MemoryTable<string>('inbox_notifications');
  readonly locks = new LockManager<TransactionState>();

  private readonly tables = [
    this.challenges,
    this.participants,
    this.jobs,
    this.entries,
    this.ledger,
    this.balances,
    this.notifications,
    this.notificationKeys,
    this.inbox,
    this.inboxNotifications,
  ];
  private readonly sequences: Record<Sequence, number> = { job: 0, entry: 0, notification: 0, inbox: 0 };
  private closed = false;

  /** The next value of a sequence. */
  next(sequence: Sequence): number {
    return ++this.sequences[sequence];
  }

  /** Publishes `tx`'s writes at once and releases its locks. */
  commit(tx: TransactionState): void {
    for (const table of this.tables) table.commit(tx);
    this.end(tx);
  }

  /** Discards `tx`'s writes and releases its locks. */
  rollback(tx: TransactionState): void {
    for (const table of this.tables) table.discard(tx);
    this.end(tx);
  }

  /** Refuses every later use. */
  close(): void {
    this.closed = true;
  }

  /** Throws a `StoreError` once the store is closed. */
  assertOpen(): void {
    if (this.closed) throw new StoreError('MemoryStore is closed');
  }

  private end(tx: TransactionState): void {
    tx.ended = true;
    this.locks.releaseAll(tx);
  }
}

/** A frozen deep copy: rows enter and leave the database only as copies, so no caller shares an object (or a Date) with it. @internal */
export function copy<T>(value: T): T {
  return Object.freeze(structuredClone(value));
}

/** A stored job as callers see it. @internal */
export function toJob({ seq: _seq, ...job }: JobRow): PayoutJob {
  return copy(job);
}

/** The participants table's key: unique per (challenge, user). @internal */
export function participantKey(challengeId: string, userId: string): string {
  return JSON.stringify([challengeId, userId]);
}
