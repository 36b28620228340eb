-- Writes a locked job's counters and status, computed by the store from the row lock-payout-job.sql
-- returned (MySQL evaluates SET assignments left to right, so the rule is kept out of SQL).
-- Returns: nothing.
-- Params: ? status, ? completed, ? failed, ? cancelled entries, ? paid amount, ? error, ? started_at,
--         ? completed_at, ? updated_at, ? id.
UPDATE {{prefix}}payout_jobs
SET status = ?, completed_entries = ?, failed_entries = ?, cancelled_entries = ?, paid_amount = ?, error = ?,
    started_at = ?, completed_at = ?, updated_at = ?
WHERE id = ?
