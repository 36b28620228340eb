/**
 * Names the statements of a Scheduler's loop on Postgres or MySQL by a phrase of their SQL, and a
 * conditional transition by whether it won: `rows` is what it changed (Postgres returns the row,
 * MySQL reports affected rows). A lost transition is one that waited for another instance's row
 * lock and then matched nothing.
 */
export function classifySchedulerStatement(sql: string, rows: number | null): string {
  const text = sql.trimStart();
  if (/^(BEGIN|START TRANSACTION)/.test(text)) return 'begin';
  if (text.startsWith('SET TRANSACTION')) return 'SET TRANSACTION (MySQL)';
  if (text.startsWith('COMMIT')) return 'COMMIT';
  if (text.startsWith('ROLLBACK')) return 'ROLLBACK';
  if (/^UPDATE \S*challenges\b/.test(text)) {
    return rows === 0 ? 'transition lost (another instance won)' : 'transition won';
  }
  if (/min\(deadline\)/.test(text)) return 'next deadline';
  if (/challenges\s+WHERE status = 'active' AND deadline <=/.test(text)) return 'find due challenges';
  if (/^SELECT \* FROM \S*challenges WHERE id = \?/.test(text)) return 'read transitioned challenge (MySQL)';
  if (text.includes('closures')) return 'onDeadline hook insert';
  if (text.includes('pg_notify')) return 'publish event (pg_notify)';
  if (/INSERT INTO \S*events\b/.test(text)) return 'publish event (outbox insert, MySQL)';
  if (/FROM \S*events\b/.test(text)) return 'poll events (MySQL subscribe)';
  if (/^(LISTEN|UNLISTEN)/.test(text)) return 'LISTEN';
  return 'other';
}
