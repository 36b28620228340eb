-- Inserts a queued job with its totals, after create-payout-entries.sql inserted its entries: its
-- claim window (migration 0003) runs from its lowest entry id to its highest, read through the
-- index of a job's entries by status (two index lookups).
-- Returns: nothing. A duplicate id fails with ER_DUP_ENTRY (1062).
-- Params: ? id, ? challenge id or null, ? priority, ? total entries, ? total amount, ? metadata
--         (JSON text), ? created_at, ? updated_at (the same instant), ? id.
INSERT INTO {{prefix}}payout_jobs
  (id, challenge_id, status, priority, total_entries, total_amount, metadata, created_at, updated_at,
   claim_floor, last_entry_id)
SELECT ?, ?, 'queued', ?, ?, ?, ?, ?, ?, coalesce(min(e.id), 0), coalesce(max(e.id), 0)
FROM {{prefix}}payout_entries e
WHERE e.job_id = ? AND e.status = 'pending'
