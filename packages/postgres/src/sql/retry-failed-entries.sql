-- Requeues a job's dead-lettered entries (pending, attempts 0, available at $2, error kept until
-- the next attempt), then, last, lowers the job's failed counter and reopens a job that ended
-- completed_with_failures or failed to running. A cancelled job is left alone: as the snapshot
-- shows it, nothing is requeued; if a cancel commits while this statement waits for the job's
-- lock, the job is returned unchanged with changed > 0, and the caller rolls the requeue back.
-- Entries are locked in id order, as a cancel locks them, so the two cannot deadlock. The job's
-- claim_floor drops to the first requeued entry and claim_epoch grows, so that no completion whose
-- snapshot still shows them as failed raises the floor past them (see complete-entries.sql).
-- Returns: one row: the job (after the update; as locked when it turned out cancelled; as seen
-- when nothing was requeued) with changed (entries requeued) and entry_ids (their ids as text,
-- ascending; null when none); no row when the job does not exist.
-- Params: $1 job id, $2 now.
WITH seen AS (
  SELECT j.* FROM {{schema}}.{{prefix}}payout_jobs j WHERE j.id = $1
), dead AS (
  SELECT e.id
  FROM {{schema}}.{{prefix}}payout_entries e, seen
  WHERE e.job_id = seen.id AND e.status = 'failed' AND seen.status <> 'cancelled'
  ORDER BY e.id
  FOR UPDATE OF e
), requeued AS (
  UPDATE {{schema}}.{{prefix}}payout_entries e
  SET status = 'pending', attempts = 0, available_at = $2
  FROM dead
  WHERE e.id = dead.id
  RETURNING e.id
), batch AS (
  SELECT count(*)::int AS changed, array_agg(requeued.id::text ORDER BY requeued.id) AS entry_ids,
         min(requeued.id) AS first_id
  FROM requeued
), job AS (
  SELECT j.*
  FROM {{schema}}.{{prefix}}payout_jobs j, batch
  WHERE j.id = $1 AND batch.changed > 0
  FOR UPDATE OF j
), reopened AS (
  UPDATE {{schema}}.{{prefix}}payout_jobs j
  SET failed_entries = j.failed_entries - batch.changed,
      status = CASE WHEN job.status IN ('completed_with_failures', 'failed') THEN 'running' ELSE j.status END,
      completed_at = CASE WHEN job.status IN ('completed_with_failures', 'failed') THEN NULL ELSE j.completed_at END,
      error = CASE WHEN job.status IN ('completed_with_failures', 'failed') THEN NULL ELSE j.error END,
      claim_floor = least(j.claim_floor, batch.first_id),
      claim_epoch = j.claim_epoch + 1,
      updated_at = $2
  FROM job, batch
  WHERE j.id = job.id AND job.status <> 'cancelled'
  RETURNING j.*
)
SELECT outcome.*, batch.changed, batch.entry_ids
FROM (
  SELECT * FROM reopened
  UNION ALL
  SELECT * FROM job WHERE NOT EXISTS (SELECT 1 FROM reopened)
  UNION ALL
  SELECT * FROM seen WHERE NOT EXISTS (SELECT 1 FROM job)
) AS outcome, batch
