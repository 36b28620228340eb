/**
 * Names MySqlStore's statements on the payout path by a phrase of their SQL (the generated SQL
 * carries no file names); anything else is `other`.
 */
export function classifyMySqlSettleStatement(sql: string): string {
  const text = sql.trimStart();
  if (text.startsWith('SET TRANSACTION')) return 'SET TRANSACTION ISOLATION LEVEL';
  if (text.startsWith('START TRANSACTION')) return 'START TRANSACTION';
  if (text.startsWith('COMMIT')) return 'COMMIT';
  if (text.includes('FOR UPDATE SKIP LOCKED')) {
    if (!/^SELECT e\.id, e\.amount\b/.test(text)) return 'claim entries (claim-batch.sql)';
    return text.includes('NOT EXISTS')
      ? 'claim entries of the last job (claim-next-batch-to-pay.sql)'
      : 'claim entries (claim-batch-to-pay.sql)';
  }
  if (/FROM \w*payout_jobs j\b/.test(text) && text.includes('EXISTS'))
    return 'find claimable jobs (find-claimable-jobs.sql)';
  if (/FROM \w*payout_entries\s+WHERE job_id = \? AND id IN/.test(text))
    return 'lock claimed entries (lock-open-entries.sql)';
  if (/UPDATE \w*payout_entries\s+SET status = 'completed'/.test(text)) return 'mark completed (complete-entries.sql)';
  if (/INSERT INTO \w*ledger\b/.test(text)) return 'ledger rows (insert-ledger.sql)';
  if (/INSERT INTO \w*accounts\b/.test(text)) return 'credit accounts (credit-accounts.sql)';
  if (/FROM \w*payout_jobs WHERE id = \? FOR UPDATE/.test(text)) return 'lock job (lock-payout-job.sql)';
  if (/UPDATE \w*payout_jobs\b/.test(text)) return 'job counters (update-payout-job.sql)';
  if (/INSERT INTO \w*events\b/.test(text)) return 'publish events (publish-events.sql)';
  if (/INSERT INTO \w*payout_jobs\b/.test(text)) return 'insert job (create-payout-job.sql)';
  if (/INSERT INTO \w*payout_entries\b/.test(text)) return 'insert entries (create-payout-entries.sql)';
  if (/FROM \w*events WHERE created_at/.test(text) || /DELETE FROM \w*events\b/.test(text)) {
    return 'prune old events (background, once a minute)';
  }
  if (text.includes('@@max_allowed_packet')) return 'read max_allowed_packet (once per store)';
  return 'other';
}
