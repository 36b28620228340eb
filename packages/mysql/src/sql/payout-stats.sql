-- Dashboard counts: unfinished entries per status, and the oldest pending entry of a job that can
-- run (job counts per status come from count-payout-jobs.sql).
-- Returns: one row, pending, processing, failed, oldest_pending_at.
-- Params: none.
SELECT
  coalesce(sum(e.status = 'pending'), 0) AS pending,
  coalesce(sum(e.status = 'processing'), 0) AS processing,
  coalesce(sum(e.status = 'failed'), 0) AS failed,
  (SELECT min(p.available_at)
   FROM {{prefix}}payout_entries p
   JOIN {{prefix}}payout_jobs j ON j.id = p.job_id
   WHERE p.status = 'pending' AND j.status IN ('queued', 'running')) AS oldest_pending_at
FROM {{prefix}}payout_entries e
WHERE e.status IN ('pending', 'processing', 'failed')
