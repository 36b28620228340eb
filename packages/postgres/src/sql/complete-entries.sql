-- Completes a batch in one statement: unfinished entries become completed, each gets a ledger row
-- keyed by its id (a second credit fails with unique_violation), with $4 each user's account grows
-- by the sum of their entries (users upserted in ascending id order, so concurrent batches lock
-- shared accounts in one order and cannot deadlock), and the job's counters advance last: the job
-- row is locked only after every other write, so it is held just until commit.
-- The job then moves as payout_job_next_status() (migration 0002) says, and its claim_floor
-- (migration 0003) rises to its lowest entry still pending or processing. That entry is looked up
-- in this statement's snapshot, from the floor on, leaving out the entries completed here: an
-- entry that another transaction holds still counts, an entry finished by a commit this snapshot
-- missed merely keeps the floor low. When the entries completed here are every id from the floor
-- to the last of them (the usual batch of a single worker), the floor moves just past them with no
-- lookup. Entries leave pending and processing only for good, except through a requeue of dead
-- letters, which bumps claim_epoch: when the epoch changed after the snapshot, the floor is left
-- as it is. The status test (NOT IN) keeps the lookup off the partial open index, whose scan would
-- have to sort all the job's open entries.
-- Returns: the job row after the update, with previous_status, changed (entries completed now) and
-- entry_ids (their ids as text, ascending); no row when nothing changed (or the job does not exist).
-- Params: $1 job id, $2 entry ids, $3 now, $4 credit accounts.
WITH seen AS (
  SELECT j.claim_epoch FROM {{schema}}.{{prefix}}payout_jobs j WHERE j.id = $1
), done AS (
  UPDATE {{schema}}.{{prefix}}payout_entries e
  SET status = 'completed', completed_at = $3, locked_until = NULL
  WHERE e.job_id = $1 AND e.id = ANY ($2::bigint[]) AND e.status IN ('pending', 'processing')
  RETURNING e.id, e.user_id, e.amount
), ledger AS (
  INSERT INTO {{schema}}.{{prefix}}ledger (entry_id, job_id, user_id, amount, created_at)
  SELECT done.id, $1, done.user_id, done.amount, $3
  FROM done
  ORDER BY done.id
  RETURNING entry_id
), credited AS (
  INSERT INTO {{schema}}.{{prefix}}accounts AS a (user_id, balance, updated_at)
  SELECT done.user_id, sum(done.amount), $3
  FROM done
  WHERE $4::boolean
  GROUP BY done.user_id
  ORDER BY done.user_id
  ON CONFLICT (user_id) DO UPDATE SET balance = a.balance + excluded.balance, updated_at = excluded.updated_at
  RETURNING user_id
), batch AS (
  -- Counting the ledger and account rows makes the job's lock below wait until those writes ran.
  SELECT count(*)::int AS changed,
         array_agg(done.id::text ORDER BY done.id) AS entry_ids,
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
         j.claim_floor, j.claim_epoch, batch.changed, batch.entry_ids, batch.first_id,
         batch.last_id
  FROM {{schema}}.{{prefix}}payout_jobs j, batch
  WHERE j.id = $1 AND batch.changed > 0 AND batch.written >= 0
  FOR UPDATE OF j
), next AS (
  SELECT job.*,
    {{schema}}.{{prefix}}payout_job_next_status(
      job.status, job.total_entries, job.completed_entries, job.failed_entries, job.cancelled_entries
    ) AS next_status,
    CASE WHEN job.claim_epoch <> (SELECT seen.claim_epoch FROM seen) THEN job.claim_floor
    -- Every id from the floor to the last one completed here was completed here: nothing pending
    -- can lie in between, so the lookup below, which steps over all those rows again, is not needed.
    WHEN job.first_id = job.claim_floor AND job.last_id - job.first_id + 1 = job.changed THEN job.last_id + 1
    ELSE greatest(job.claim_floor, coalesce(
      (SELECT e.id
       FROM {{schema}}.{{prefix}}payout_entries e
       WHERE e.job_id = $1 AND e.id >= job.claim_floor
         AND e.status NOT IN ('completed', 'cancelled', 'failed')
         AND e.id NOT IN (SELECT done.id FROM done)
       ORDER BY e.id
       LIMIT 1),
      job.last_id + 1))
    END AS next_floor
  FROM job
)
UPDATE {{schema}}.{{prefix}}payout_jobs j
SET completed_entries = next.completed_entries,
    paid_amount = next.paid_amount,
    status = next.next_status,
    claim_floor = next.next_floor,
    started_at = coalesce(j.started_at, $3),
    completed_at = CASE WHEN next.next_status IN ('completed', 'completed_with_failures', 'failed')
                         AND next.status IN ('queued', 'running', 'paused')
                        THEN $3 ELSE j.completed_at END,
    updated_at = $3
FROM next
WHERE j.id = next.id
RETURNING j.*, next.status AS previous_status, next.changed, next.entry_ids
