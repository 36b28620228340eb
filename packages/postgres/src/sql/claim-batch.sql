-- Picks the job and locks its batch in one statement. Candidate jobs are probed best first, each
-- by locking its lowest claimable entry (FOR UPDATE SKIP LOCKED), and probing stops at the first
-- job that has one: the nested loop under LIMIT 1 runs the probe once per job it reaches, so no
-- entry of a later job is locked. The batch is then up to $2 of that job's claimable entries from
-- the probed one on, skipping rows other transactions hold, so concurrent claimers get disjoint
-- batches without waiting. Every scan starts at the job's claim_floor (migration 0003), so it never
-- walks paid entries, whatever plan Postgres picks. The locks last until the transaction ends.
-- Returns: the batch's entry rows (unchanged, in id order), the first with the job's other columns
-- as job_* (null on the others; job_id is the entry's own column); when no candidate had a
-- claimable entry, one row of the page of candidates only (entry columns null): page_jobs
-- candidates, the last of them page_priority, page_created_at, page_seq; no row when no job can run.
-- Params: $1 now, $2 limit, $3 only this job id or null, $4 only these entry ids or null,
--         $5 cursor priority or null, $6 cursor created_at, $7 cursor seq, $8 jobs to probe.
WITH candidates AS MATERIALIZED (
  SELECT j.id, j.claim_floor, j.priority, j.created_at, j.seq
  FROM {{schema}}.{{prefix}}payout_jobs j
  WHERE j.status IN ('queued', 'running')
    AND ($3::text IS NULL OR j.id = $3)
    AND (
      $5::int IS NULL
      OR j.priority < $5
      OR (j.priority = $5 AND (j.created_at, j.seq) > ($6::timestamptz, $7::bigint))
    )
  ORDER BY j.priority DESC, j.created_at, j.seq
  LIMIT $8
), picked AS MATERIALIZED (
  SELECT c.id, probe.id AS first_id
  FROM candidates c
  CROSS JOIN LATERAL (
    SELECT e.id
    FROM {{schema}}.{{prefix}}payout_entries e
    WHERE e.job_id = c.id
      AND e.status = 'pending'
      AND e.available_at <= $1
      AND e.id >= c.claim_floor
      AND ($4::bigint[] IS NULL OR e.id = ANY ($4))
    ORDER BY e.id
    LIMIT 1
    FOR UPDATE OF e SKIP LOCKED
  ) probe
  LIMIT 1
), claimed AS MATERIALIZED (
  -- Scalar subqueries, not a join: their values bound every index scan Postgres may choose, where
  -- a join to picked let it walk the primary key from the job's first entry.
  SELECT e.*
  FROM {{schema}}.{{prefix}}payout_entries e
  WHERE e.job_id = (SELECT picked.id FROM picked)
    AND e.status = 'pending'
    AND e.available_at <= $1
    AND e.id >= (SELECT picked.first_id FROM picked)
    AND ($4::bigint[] IS NULL OR e.id = ANY ($4))
  ORDER BY e.id
  LIMIT $2
  FOR UPDATE OF e SKIP LOCKED
), page AS (
  -- How many candidates this page held and the last of them: where the next page starts.
  SELECT count(*) OVER ()::int AS jobs, c.priority, c.created_at, c.seq
  FROM candidates c
  ORDER BY c.priority, c.created_at DESC, c.seq DESC
  LIMIT 1
)
SELECT claimed.*,
       j.seq AS job_seq, j.challenge_id AS job_challenge_id, j.status AS job_status,
       j.priority AS job_priority, j.total_entries AS job_total_entries,
       j.completed_entries AS job_completed_entries, j.failed_entries AS job_failed_entries,
       j.cancelled_entries AS job_cancelled_entries, j.total_amount AS job_total_amount,
       j.paid_amount AS job_paid_amount, j.error AS job_error, j.metadata AS job_metadata,
       j.created_at AS job_created_at, j.started_at AS job_started_at, j.completed_at AS job_completed_at,
       j.updated_at AS job_updated_at,
       -- Only needed, and only sent, when nothing was claimed.
       CASE WHEN claimed.id IS NULL THEN page.jobs END AS page_jobs,
       CASE WHEN claimed.id IS NULL THEN page.priority END AS page_priority,
       CASE WHEN claimed.id IS NULL THEN page.created_at END AS page_created_at,
       CASE WHEN claimed.id IS NULL THEN page.seq END AS page_seq
FROM page
LEFT JOIN claimed ON true
-- The job's columns on the first row only: parsing its timestamps 500 times costs milliseconds.
LEFT JOIN {{schema}}.{{prefix}}payout_jobs j
  ON j.id = claimed.job_id AND claimed.id = (SELECT picked.first_id FROM picked)
ORDER BY claimed.id
