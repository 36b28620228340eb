-- Dashboard counts: unfinished entries per status, and the oldest pending entry of a job that can
-- run (job counts per status come from count-payout-jobs.sql). Entries are reached through their
-- jobs, one range of the (job_id, status, id) index per job and status, so paid entries are never
-- read; the cost grows with the jobs kept and the entries not yet paid.
-- Returns: one row, pending, processing, failed, oldest_pending_at.
-- Params: none.
SELECT
  coalesce(sum(e.status = 'pending'), 0) AS pending,
  coalesce(sum(e.status = 'processing'), 0) AS processing,
  coalesce(sum(e.status = 'failed'), 0) AS failed,
  min(CASE WHEN e.status = 'pending' AND j.status IN ('queued', 'running') THEN e.available_at END)
    AS oldest_pending_at
FROM {{prefix}}payout_jobs j
JOIN {{prefix}}payout_entries e FORCE INDEX ({{prefix}}payout_entries_job_status_idx)
  ON e.job_id = j.id AND e.status IN ('pending', 'processing', 'failed')
