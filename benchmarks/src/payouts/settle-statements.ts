/** Names PostgresStore's statements on the payout path by a phrase of their SQL (the generated SQL carries no file names). */
export function classifySettleStatement(sql: string): string {
  const text = sql.trimStart();
  if (text.startsWith('BEGIN')) return 'BEGIN';
  if (text.startsWith('COMMIT')) return 'COMMIT';
  // A transaction's events travel with its COMMIT, in one simple query.
  if (text.includes('pg_notify')) return 'COMMIT with the events (pg_notify)';
  const claims = text.includes('FOR UPDATE OF e SKIP LOCKED');
  const completes = text.includes("SET status = 'completed'");
  if (claims && completes) return 'claim and complete batch (pay-batch.sql)';
  if (claims) return 'pick job, claim entries (claim-batch.sql)';
  if (completes) return 'complete batch (complete-entries.sql)';
  if (text.includes('INSERT INTO') && text.includes('payout_jobs') && text.includes('unnest('))
    return 'insert job and entries (create-payout-job.sql)';
  return 'other';
}
