-- Dashboard counts: unfinished entries per status, and the oldest pending entry of a job that can
-- run (job counts per status come from count-payout-jobs.sql). Entries are reached through their
-- jobs and the (job_id, status, id) index, and only unfinished ones are read from the table (MariaDB
-- walks each job's index records with the status test pushed into the index; MySQL 8 reads one
-- range per status). A dashboard read: its cost grows with the entries the jobs kept hold.
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
