-- Inserts a queued job and all its entries in one statement: the entries come from two arrays and
-- take their ids from the identity in input order (ORDER BY ordinality), so ids ascend as given.
-- Returns: the job row. A duplicate job id or user id fails with unique_violation.
-- Params: $1 id, $2 challenge id or null, $3 priority, $4 metadata (JSON text), $5 created_at,
--         $6 user ids, $7 amounts (arrays of equal length, in entry order).
WITH input AS (
  SELECT e.user_id, e.amount, e.ord
  FROM unnest($6::text[], $7::bigint[]) WITH ORDINALITY AS e (user_id, amount, ord)
), job AS (
  INSERT INTO {{schema}}.{{prefix}}payout_jobs
    (id, challenge_id, status, priority, total_entries, total_amount, metadata, created_at, updated_at)
  SELECT $1, $2, 'queued', $3, count(*), coalesce(sum(input.amount), 0), $4::jsonb, $5, $5
  FROM input
  RETURNING *
), entries AS (
  INSERT INTO {{schema}}.{{prefix}}payout_entries (job_id, user_id, amount, status, available_at)
  SELECT job.id, input.user_id, input.amount, 'pending', job.created_at
  FROM job, input
  ORDER BY input.ord
)
SELECT * FROM job
