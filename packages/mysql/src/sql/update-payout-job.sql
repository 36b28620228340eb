-- Writes a locked job's counters and status, computed by the store from the row lock-payout-job.sql
-- returned (MySQL evaluates SET assignments left to right, so the rule is kept out of SQL), and
-- moves its claim floor (migration 0003) to the job's first open entry from a given id on: the
-- floor read with the lock, or a lower id when this write made entries below it pending again;
-- past the job's last entry when none is open. The search scans the primary key from there, in a
-- snapshot taken after the job's lock was granted, so every write that reopened entries and
-- committed before is in it; one that has not committed yet takes the job's lock after this
-- transaction and lowers the floor itself.
-- Returns: nothing.
-- Params: ? status, ? completed, ? failed, ? cancelled entries, ? paid amount, ? error, ? started_at,
--         ? completed_at, ? updated_at, ? where the floor search starts, ? last entry id, ? id,
--         ? last entry id + 1, ? id.
UPDATE {{prefix}}payout_jobs
SET status = ?, completed_entries = ?, failed_entries = ?, cancelled_entries = ?, paid_amount = ?, error = ?,
    started_at = ?, completed_at = ?, updated_at = ?,
    claim_floor = coalesce(
      (SELECT e.id
       FROM {{prefix}}payout_entries e FORCE INDEX (PRIMARY)
       WHERE e.id BETWEEN ? AND ? AND e.job_id = ? AND e.status IN ('pending', 'processing')
       ORDER BY e.id
       LIMIT 1),
      ?)
WHERE id = ?
