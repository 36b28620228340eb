-- Dashboard counts: jobs per status, unfinished entries per status, and the oldest pending entry
-- of a job that can run.
-- Returns: one row, job_counts (JSON object status → count), pending, processing, failed, oldest_pending_at.
-- Params: none.
SELECT
  (SELECT coalesce(jsonb_object_agg(s.status, s.count), '{}'::jsonb)
   FROM (SELECT status, count(*) AS count FROM {{schema}}.{{prefix}}payout_jobs GROUP BY status) s) AS job_counts,
  count(*) FILTER (WHERE e.status = 'pending')::int AS pending,
  count(*) FILTER (WHERE e.status = 'processing')::int AS processing,
  count(*) FILTER (WHERE e.status = 'failed')::int AS failed,
  (SELECT min(p.available_at)
   FROM {{schema}}.{{prefix}}payout_entries p
   JOIN {{schema}}.{{prefix}}payout_jobs j ON j.id = p.job_id
   WHERE p.status = 'pending' AND j.status IN ('queued', 'running')) AS oldest_pending_at
FROM {{schema}}.{{prefix}}payout_entries e
WHERE e.status IN ('pending', 'processing', 'failed')
