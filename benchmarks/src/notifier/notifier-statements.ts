import type { StatementTiming } from '../statement-profile';

/** Labels of the statements the notifier report reasons about. */
export const NOTIFIER_STATEMENTS = {
  begin: 'BEGIN',
  commit: 'COMMIT',
  rollback: 'ROLLBACK',
  claim: 'claim due notifications',
  lastSent: 'last notifications sent',
  complete: 'complete notifications',
  fail: 'fail notification',
  getChallenge: 'read challenge',
  closing: 'list closing challenges',
  participants: 'list participants',
  enqueue: 'enqueue reminders',
  nextDeadline: 'next deadline',
  listen: 'LISTEN',
  other: 'other',
} as const;

/** Statements that run beside the delivery loop (the LISTEN connection), not in it. */
export const BESIDE_THE_LOOP: readonly string[] = [NOTIFIER_STATEMENTS.listen];

/** Statements that only delimit a transaction: round trips, but no work of their own. */
export const TRANSACTION_CONTROL: readonly string[] = [
  NOTIFIER_STATEMENTS.begin,
  NOTIFIER_STATEMENTS.commit,
  NOTIFIER_STATEMENTS.rollback,
];

/** A kind of statement's round trips, with the rows they returned or changed in total. */
export interface NotifierStatementTiming extends StatementTiming {
  readonly rows: number;
}

/**
 * Names the statements of a Notifier's loop on Postgres by a phrase of their SQL (the store's
 * statements in `packages/postgres/src/sql`, with the schema and prefix spliced in). A COMMIT may
 * carry the transaction's `pg_notify` calls in front of it, in the same round trip.
 */
export function classifyNotifierStatement(sql: string): string {
  const text = sql.trim();
  const s = NOTIFIER_STATEMENTS;
  if (text.startsWith('BEGIN')) return s.begin;
  if (/(^|;)\s*COMMIT$/.test(text)) return s.commit;
  if (text.startsWith('ROLLBACK')) return s.rollback;
  if (/FOR UPDATE SKIP LOCKED/.test(text) && /notifications/.test(text)) return s.claim;
  if (/^UPDATE \S*notifications n\s+SET status = o\.status/.test(text)) return s.complete;
  if (/^UPDATE \S*notifications\s+SET attempts = attempts \+ 1/.test(text)) return s.fail;
  if (/max\(n?\.?finished_at\)/.test(text)) return s.lastSent;
  if (/^SELECT \* FROM \S*challenges WHERE id = \$1/.test(text)) return s.getChallenge;
  if (/min\(deadline\)/.test(text)) return s.nextDeadline;
  if (/FROM \S*challenges\s+WHERE status = 'active'\s+AND deadline > \$1/.test(text)) return s.closing;
  if (/FROM \S*participants/.test(text)) return s.participants;
  if (/^INSERT INTO \S*notifications/.test(text)) return s.enqueue;
  if (/^(LISTEN|UNLISTEN)/.test(text)) return s.listen;
  return s.other;
}
