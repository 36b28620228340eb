-- Dashboard counts: jobs per status, unfinished entries per status, and the oldest pending entry
-- of a job that can run. Pending and processing entries lie at or above their job's claim_floor,
-- so each job's rows are read from there along (job_id, id): the unpaid entries of a running job;
-- nothing of a job that completed (its floor passed its last entry) or was cancelled (its floor
-- rose to its first leased entry); the rows a failed job left above its floor, until it is pruned. Dead-lettered entries are counted
-- by the jobs' failed_entries, which fail-entries.sql raises and retry-failed-entries.sql lowers
-- with them.
-- Returns: one row, job_counts (JSON object status → count), pending, processing, failed, oldest_pending_at.
-- Params: none.
SELECT
  (SELECT coalesce(jsonb_object_agg(s.status, s.count), '{}'::jsonb)
   FROM (SELECT status, count(*) AS count FROM {{schema}}.{{prefix}}payout_jobs GROUP BY status) s) AS job_counts,
  coalesce(sum(open.pending), 0)::int AS pending,
  coalesce(sum(open.processing), 0)::int AS processing,
  coalesce(sum(j.failed_entries), 0)::int AS failed,
  min(open.oldest_pending_at) FILTER (WHERE j.status IN ('queued', 'running')) AS oldest_pending_at
FROM {{schema}}.{{prefix}}payout_jobs j
CROSS JOIN LATERAL (
  SELECT count(*) FILTER (WHERE e.status = 'pending') AS pending,
         count(*) FILTER (WHERE e.status = 'processing') AS processing,
         min(e.available_at) FILTER (WHERE e.status = 'pending') AS oldest_pending_at
  FROM {{schema}}.{{prefix}}payout_entries e
  WHERE e.job_id = j.id AND e.id >= j.claim_floor AND e.status IN ('pending', 'processing')
) open
