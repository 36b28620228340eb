-- Inserts a queued job with its totals (its entries follow with create-payout-entries.sql).
-- Returns: nothing. A duplicate id fails with ER_DUP_ENTRY (1062).
-- Params: ? id, ? challenge id or null, ? priority, ? total entries, ? total amount, ? metadata
--         (JSON text), ? created_at (also updated_at).
INSERT INTO {{prefix}}payout_jobs
  (id, challenge_id, status, priority, total_entries, total_amount, metadata, created_at, updated_at)
VALUES (?, ?, 'queued', ?, ?, ?, ?, ?, ?)
