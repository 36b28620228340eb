-- Moves a job to another status if it is still in one of the expected ones; a finished status
-- stamps completed_at, any other clears it.
-- Returns: the updated job row, or no row.
-- Params: $1 job id, $2 expected statuses, $3 to status, $4 now, $5 error or null.
UPDATE {{schema}}.{{prefix}}payout_jobs
SET status = $3,
    error = $5,
    completed_at = CASE
      WHEN $3::text IN ('completed', 'completed_with_failures', 'failed', 'cancelled') THEN $4::timestamptz
      ELSE NULL
    END,
    updated_at = $4::timestamptz
WHERE id = $1 AND status = ANY ($2::text[])
RETURNING *
