-- Claims a batch and completes it in one statement, crediting the accounts: claim-batch.sql's
-- claim (same candidate page, same probe under LIMIT 1, same FOR UPDATE SKIP LOCKED, every scan
-- from the job's claim_floor of migration 0003) feeding complete-entries.sql's completion (ledger
-- rows keyed by entry id, accounts upserted in ascending user id order, the job's counters, status
-- per payout_job_next_status() of migration 0002 and claim floor advanced last, so the job row is
-- locked only until commit). The claimed rows never leave the server. The entries' rows are
-- updated while this statement holds their locks, so nothing can change them in between. The
-- floor is kept, as complete-entries.sql does, when a requeue bumped claim_epoch after the
-- snapshot the candidates were read in.
-- Returns: when a batch was paid, one row: the job after the update, with previous_status, changed
-- (entries completed), their ids from first_id to last_id, entry_ids (the ids as text, ascending;
-- null when they are every id from first_id to last_id) and amount (their sum); when no
-- candidate had a claimable entry, one row of the page of candidates only (job columns null):
-- page_jobs candidates, the last of them page_priority, page_created_at, page_seq; picked_job_id
-- is the job whose batch was claimed, if one was; no row when no job can run.
-- Params: $1 now, $2 limit, $3 only this job id or null, $4 only these entry ids or null,
--         $5 cursor priority or null, $6 cursor created_at, $7 cursor seq, $8 jobs to probe.
WITH candidates AS MATERIALIZED (
  SELECT j.id, j.claim_floor, j.claim_epoch, j.priority, j.created_at, j.seq
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
  SELECT c.id, c.claim_epoch, probe.id AS first_id
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
  -- Scalar subqueries, not a join: their values bound every index scan Postgres may choose.
  SELECT e.id
  FROM {{schema}}.{{prefix}}payout_entries e
  WHERE e.job_id = (SELECT picked.id FROM picked)
    AND e.status = 'pending'
    AND e.available_at <= $1
    AND e.id >= (SELECT picked.first_id FROM picked)
    AND ($4::bigint[] IS NULL OR e.id = ANY ($4))
  ORDER BY e.id
  LIMIT $2
  FOR UPDATE OF e SKIP LOCKED
), done AS (
  UPDATE {{schema}}.{{prefix}}payout_entries e
  SET status = 'completed', completed_at = $1, locked_until = NULL
  WHERE e.job_id = (SELECT picked.id FROM picked)
    AND e.id = ANY (ARRAY(SELECT claimed.id FROM claimed))
    AND e.status IN ('pending', 'processing')
  RETURNING e.id, e.job_id, e.user_id, e.amount
), ledger AS (
  INSERT INTO {{schema}}.{{prefix}}ledger (entry_id, job_id, user_id, amount, created_at)
  SELECT done.id, done.job_id, done.user_id, done.amount, $1
  FROM done
  ORDER BY done.id
  RETURNING entry_id
), credited AS (
  INSERT INTO {{schema}}.{{prefix}}accounts AS a (user_id, balance, updated_at)
  SELECT done.user_id, sum(done.amount), $1
  FROM done
  GROUP BY done.user_id
  ORDER BY done.user_id
  ON CONFLICT (user_id) DO UPDATE SET balance = a.balance + excluded.balance, updated_at = excluded.updated_at
  RETURNING user_id
), batch AS (
  -- Counting the ledger and account rows makes the job's lock below wait until those writes ran.
  SELECT count(*)::int AS changed,
         -- A batch of consecutive ids (the usual one) goes back as its bounds, not 500 ids: the
         -- subquery runs only for the other kind.
         CASE WHEN max(done.id) - min(done.id) + 1 = count(*) THEN NULL
              ELSE (SELECT array_agg(d.id::text ORDER BY d.id) FROM done d) END AS entry_ids,
         coalesce(sum(done.amount), 0)::bigint AS amount,
         min(done.id) AS first_id,
         max(done.id) AS last_id,
         (SELECT count(*) FROM ledger) + (SELECT count(*) FROM credited) AS written
  FROM done
), job AS (
  -- FOR UPDATE reads the latest committed version of the row, so the counters build on every
  -- batch that committed before this one.
  SELECT j.id, j.status, j.total_entries, j.failed_entries, j.cancelled_entries,
         j.completed_entries + batch.changed AS completed_entries,
         j.paid_amount + batch.amount AS paid_amount,
         j.claim_floor, j.claim_epoch, batch.changed, batch.entry_ids, batch.amount, batch.first_id,
         batch.last_id
  FROM {{schema}}.{{prefix}}payout_jobs j, batch
  WHERE j.id = (SELECT picked.id FROM picked) AND batch.changed > 0 AND batch.written >= 0
  FOR UPDATE OF j
), next AS (
  SELECT job.*,
    {{schema}}.{{prefix}}payout_job_next_status(
      job.status, job.total_entries, job.completed_entries, job.failed_entries, job.cancelled_entries
    ) AS next_status,
    CASE WHEN job.claim_epoch <> (SELECT picked.claim_epoch FROM picked) THEN job.claim_floor
    -- Every id from the floor to the last one completed here was completed here: nothing pending
    -- can lie in between, so the lookup below, which steps over all those rows again, is not needed.
    WHEN job.first_id = job.claim_floor AND job.last_id - job.first_id + 1 = job.changed THEN job.last_id + 1
    ELSE greatest(job.claim_floor, coalesce(
      (SELECT e.id
       FROM {{schema}}.{{prefix}}payout_entries e
       WHERE e.job_id = job.id AND e.id >= job.claim_floor
         AND e.status NOT IN ('completed', 'cancelled', 'failed')
         AND e.id NOT IN (SELECT done.id FROM done)
       ORDER BY e.id
       LIMIT 1),
      job.last_id + 1))
    END AS next_floor
  FROM job
), paid AS (
  UPDATE {{schema}}.{{prefix}}payout_jobs j
  SET completed_entries = next.completed_entries,
      paid_amount = next.paid_amount,
      status = next.next_status,
      claim_floor = next.next_floor,
      started_at = coalesce(j.started_at, $1),
      completed_at = CASE WHEN next.next_status IN ('completed', 'completed_with_failures', 'failed')
                           AND next.status IN ('queued', 'running', 'paused')
                          THEN $1 ELSE j.completed_at END,
      updated_at = $1
  FROM next
  WHERE j.id = next.id
  -- The job's columns by name: a column added later must not change this statement's result.
  RETURNING j.id, j.seq, j.challenge_id, j.status, j.priority, j.total_entries, j.completed_entries,
            j.failed_entries, j.cancelled_entries, j.total_amount, j.paid_amount, j.error, j.metadata,
            j.created_at, j.started_at, j.completed_at, j.updated_at,
            next.status AS previous_status, next.changed, next.first_id, next.last_id, next.entry_ids,
            next.amount
), page AS (
  -- How many candidates this page held and the last of them: where the next page starts.
  SELECT count(*) OVER ()::int AS jobs, c.priority, c.created_at, c.seq
  FROM candidates c
  ORDER BY c.priority, c.created_at DESC, c.seq DESC
  LIMIT 1
)
SELECT paid.*,
       (SELECT picked.id FROM picked) AS picked_job_id,
       -- Only needed, and only sent, when nothing was claimed.
       CASE WHEN NOT EXISTS (SELECT FROM picked) THEN page.jobs END AS page_jobs,
       CASE WHEN NOT EXISTS (SELECT FROM picked) THEN page.priority END AS page_priority,
       CASE WHEN NOT EXISTS (SELECT FROM picked) THEN page.created_at END AS page_created_at,
       CASE WHEN NOT EXISTS (SELECT FROM picked) THEN page.seq END AS page_seq
FROM page
LEFT JOIN paid ON true
