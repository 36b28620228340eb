-- Settle schema version 2: the rule that moves a payout job after a write to its entries, as one
-- function that complete-entries.sql and fail-entries.sql both call, so the two cannot drift apart.
-- A LANGUAGE sql function of one expression is inlined by the planner: calling it costs nothing.

-- The status of a job whose counters a write just advanced (`status` is the job's status before
-- it): a queued, running or paused job whose entries are all finished becomes completed (no
-- failures), failed (nothing completed) or completed_with_failures; otherwise a queued job starts
-- running. Cancelled and finished jobs keep their status.
CREATE FUNCTION {{schema}}.{{prefix}}payout_job_next_status(
  status text,
  total_entries integer,
  completed_entries integer,
  failed_entries integer,
  cancelled_entries integer
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN status IN ('queued', 'running', 'paused')
      AND completed_entries + failed_entries + cancelled_entries >= total_entries THEN
      CASE
        WHEN failed_entries = 0 THEN 'completed'
        WHEN completed_entries = 0 THEN 'failed'
        ELSE 'completed_with_failures'
      END
    WHEN status = 'queued' THEN 'running'
    ELSE status
  END
$$;
