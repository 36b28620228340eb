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
 * Rows as mysql2 returns them under the driver's query options, and their domain objects. BIGINT
 * and DECIMAL columns arrive as exact strings and go through `BigInt()` or `String()` here;
 * DATETIME(3) columns arrive as text holding UTC and are read as UTC here, so neither the host's
 * pool options nor any time zone can shift an instant or round an amount.
 */

/** A BIGINT or DECIMAL as the driver returns it. @internal */
export type Int8 = string | number | bigint;

/** A DATETIME(3) column as text, `YYYY-MM-DD hh:mm:ss.fff`, holding UTC. @internal */
export type SqlTime = string;

/** @internal */
export interface ChallengeRow {
  id: string;
  title: string;
  deadline: SqlTime;
  status: ChallengeStatus;
  metadata: string;
  created_at: SqlTime;
  updated_at: SqlTime;
}

/** @internal */
export interface ParticipantRow {
  challenge_id: string;
  user_id: string;
  side: string;
  stake: Int8;
  joined_at: SqlTime;
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
  metadata: string;
  created_at: SqlTime;
  started_at: SqlTime | null;
  completed_at: SqlTime | null;
  updated_at: SqlTime;
  /** A lower bound of the ids of the job's pending and processing entries (migration 0003). */
  claim_floor: Int8;
  /** The job's highest entry id: its claim window is [claim_floor, last_entry_id] (migration 0003). */
  last_entry_id: Int8;
}

/** @internal */
export interface PayoutEntryRow {
  id: Int8;
  job_id: string;
  user_id: string;
  amount: Int8;
  status: PayoutEntryStatus;
  attempts: number;
  available_at: SqlTime;
  locked_until: SqlTime | null;
  error: string | null;
  completed_at: SqlTime | null;
}

/** @internal */
export interface LedgerRow {
  entry_id: Int8;
  job_id: string;
  user_id: string;
  amount: Int8;
  created_at: SqlTime;
}

/** @internal */
export interface NotificationRow {
  id: Int8;
  key: string;
  challenge_id: string | null;
  recipient: string;
  kind: string;
  payload: string;
  due_at: SqlTime;
  status: NotificationStatus;
  attempts: number;
  available_at: SqlTime;
  locked_until: SqlTime | null;
  error: string | null;
  skip_reason: string | null;
  finished_at: SqlTime | null;
  created_at: SqlTime;
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
  created_at: SqlTime;
  read_at: SqlTime | null;
}

/**
 * An instant as a DATETIME(3) parameter: its UTC wall time, so the session's `time_zone` never applies.
 *
 * @internal
 */
export function sqlTime(instant: Date): SqlTime {
  return instant.toISOString().slice(0, 23).replace('T', ' ');
}

/** {@link sqlTime}, keeping null. @internal */
export function sqlTimeOrNull(instant: Date | null | undefined): SqlTime | null {
  return instant === null || instant === undefined ? null : sqlTime(instant);
}

/** A DATETIME(3) column read back as the UTC instant it holds. @internal */
export function toDate(value: SqlTime): Date {
  return new Date(`${value.replace(' ', 'T')}Z`);
}

function toDateOrNull(value: SqlTime | null): Date | null {
  return value === null ? null : toDate(value);
}

/** @internal */
export function toChallenge(row: ChallengeRow): Challenge {
  return {
    id: row.id,
    title: row.title,
    deadline: toDate(row.deadline),
    status: row.status,
    metadata: JSON.parse(row.metadata) as JsonObject,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

/** @internal */
export function toParticipant(row: ParticipantRow): Participant {
  return {
    challengeId: row.challenge_id,
    userId: row.user_id,
    side: row.side,
    stake: BigInt(row.stake),
    joinedAt: toDate(row.joined_at),
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
    metadata: JSON.parse(row.metadata) as JsonObject,
    createdAt: toDate(row.created_at),
    startedAt: toDateOrNull(row.started_at),
    completedAt: toDateOrNull(row.completed_at),
    updatedAt: toDate(row.updated_at),
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
    availableAt: toDate(row.available_at),
    lockedUntil: toDateOrNull(row.locked_until),
    error: row.error,
    completedAt: toDateOrNull(row.completed_at),
  };
}

/** @internal */
export function toLedgerEntry(row: LedgerRow): LedgerEntry {
  return {
    entryId: String(row.entry_id),
    jobId: row.job_id,
    userId: row.user_id,
    amount: BigInt(row.amount),
    createdAt: toDate(row.created_at),
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
    payload: JSON.parse(row.payload) as JsonObject,
    dueAt: toDate(row.due_at),
    status: row.status,
    attempts: row.attempts,
    availableAt: toDate(row.available_at),
    lockedUntil: toDateOrNull(row.locked_until),
    error: row.error,
    skipReason: row.skip_reason,
    finishedAt: toDateOrNull(row.finished_at),
    createdAt: toDate(row.created_at),
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
    createdAt: toDate(row.created_at),
    readAt: toDateOrNull(row.read_at),
  };
}

const MAX_BIGINT = 2n ** 63n - 1n;

/**
 * A store-assigned id (entry, notification, inbox message) as a BIGINT parameter, or null when the string cannot
 * be one (then no row has it, and the statement is skipped instead of failing on the conversion).
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
