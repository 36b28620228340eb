import type {
  Challenge,
  ChallengeStatus,
  InboxMessage,
  JsonObject,
  LedgerEntry,
  Notification,
  NotificationStatus,
  Participant,
  PayoutEntry,
  PayoutEntryStatus,
  PayoutJob,
  PayoutJobStatus,
} from '@settle/core';

/*
 * Rows as the drivers return them, and their domain objects. BIGINT columns arrive as strings from
 * pg and as numbers or bigints from PGlite; every one goes through `BigInt()` or `String()` here, so
 * nothing depends on a driver's type parsers.
 */

/** A BIGINT as any driver returns it. @internal */
export type Int8 = string | number | bigint;

/** @internal */
export interface ChallengeRow {
  id: string;
  title: string;
  deadline: Date;
  status: ChallengeStatus;
  metadata: JsonObject;
  created_at: Date;
  updated_at: Date;
}

/** @internal */
export interface ParticipantRow {
  challenge_id: string;
  user_id: string;
  side: string;
  stake: Int8;
  joined_at: Date;
}

/** @internal */
export interface PayoutJobRow {
  id: string;
  seq: Int8;
  challenge_id: string | null;
  status: PayoutJobStatus;
  priority: number;
  total_entries: number;
  completed_entries: number;
  failed_entries: number;
  cancelled_entries: number;
  total_amount: Int8;
  paid_amount: Int8;
  error: string | null;
  metadata: JsonObject;
  created_at: Date;
  started_at: Date | null;
  completed_at: Date | null;
  updated_at: Date;
}

/** @internal */
export interface PayoutEntryRow {
  id: Int8;
  job_id: string;
  user_id: string;
  amount: Int8;
  status: PayoutEntryStatus;
  attempts: number;
  available_at: Date;
  locked_until: Date | null;
  error: string | null;
  completed_at: Date | null;
}

/** @internal */
export interface LedgerRow {
  entry_id: Int8;
  job_id: string;
  user_id: string;
  amount: Int8;
  created_at: Date;
}

/** @internal */
export interface NotificationRow {
  id: Int8;
  key: string;
  challenge_id: string | null;
  recipient: string;
  kind: string;
  payload: JsonObject;
  due_at: Date;
  status: NotificationStatus;
  attempts: number;
  available_at: Date;
  locked_until: Date | null;
  error: string | null;
  skip_reason: string | null;
  finished_at: Date | null;
  created_at: Date;
}

/** @internal */
export interface InboxRow {
  id: Int8;
  notification_id: string;
  user_id: string;
  kind: string;
  challenge_id: string | null;
  title: string;
  body: string;
  created_at: Date;
  read_at: Date | null;
}

/** @internal */
export function toChallenge(row: ChallengeRow): Challenge {
  return {
    id: row.id,
    title: row.title,
    deadline: row.deadline,
    status: row.status,
    metadata: row.metadata,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** @internal */
export function toParticipant(row: ParticipantRow): Participant {
  return {
    challengeId: row.challenge_id,
    userId: row.user_id,
    side: row.side,
    stake: BigInt(row.stake),
    joinedAt: row.joined_at,
  };
}

/** @internal */
export function toPayoutJob(row: PayoutJobRow): PayoutJob {
  return {
    id: row.id,
    challengeId: row.challenge_id,
    status: row.status,
    priority: row.priority,
    totalEntries: row.total_entries,
    completedEntries: row.completed_entries,
    failedEntries: row.failed_entries,
    cancelledEntries: row.cancelled_entries,
    totalAmount: BigInt(row.total_amount),
    paidAmount: BigInt(row.paid_amount),
    error: row.error,
    metadata: row.metadata,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    updatedAt: row.updated_at,
  };
}

/** @internal */
export function toPayoutEntry(row: PayoutEntryRow): PayoutEntry {
  return {
    id: String(row.id),
    jobId: row.job_id,
    userId: row.user_id,
    amount: BigInt(row.amount),
    status: row.status,
    attempts: row.attempts,
    availableAt: row.available_at,
    lockedUntil: row.locked_until,
    error: row.error,
    completedAt: row.completed_at,
  };
}

/** @internal */
export function toLedgerEntry(row: LedgerRow): LedgerEntry {
  return {
    entryId: String(row.entry_id),
    jobId: row.job_id,
    userId: row.user_id,
    amount: BigInt(row.amount),
    createdAt: row.created_at,
  };
}

/** @internal */
export function toNotification(row: NotificationRow): Notification {
  return {
    id: String(row.id),
    key: row.key,
    challengeId: row.challenge_id,
    recipient: row.recipient,
    kind: row.kind,
    payload: row.payload,
    dueAt: row.due_at,
    status: row.status,
    attempts: row.attempts,
    availableAt: row.available_at,
    lockedUntil: row.locked_until,
    error: row.error,
    skipReason: row.skip_reason,
    finishedAt: row.finished_at,
    createdAt: row.created_at,
  };
}

/** @internal */
export function toInboxMessage(row: InboxRow): InboxMessage {
  return {
    id: String(row.id),
    notificationId: row.notification_id,
    userId: row.user_id,
    kind: row.kind,
    challengeId: row.challenge_id,
    title: row.title,
    body: row.body,
    createdAt: row.created_at,
    readAt: row.read_at,
  };
}

const MAX_BIGINT = 2n ** 63n - 1n;

/**
 * A store-assigned id (entry, notification, inbox message) as a BIGINT parameter, or null when the string cannot
 * be one (then no row has it, and the statement is skipped instead of failing on the cast).
 *
 * @internal
 */
export function idParam(id: string): string | null {
  if (!/^-?[0-9]{1,19}$/.test(id)) return null;
  const value = BigInt(id);
  return value > MAX_BIGINT || value < -MAX_BIGINT ? null : value.toString();
}

/** Distinct valid ids of `ids` as BIGINT parameters, in their first order. @internal */
export function idParams(ids: readonly string[]): string[] {
  const params = new Set<string>();
  for (const id of ids) {
    const param = idParam(id);
    if (param !== null) params.add(param);
  }
  return [...params];
}
