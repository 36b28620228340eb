-- Moves a job to another status if it is still in one of the expected ones; a finished status
-- stamps completed_at, any other clears it. The caller reads the row back.
-- Returns: nothing; the affected row count says whether the job was in one of them.
-- Params: ? to status, ? error or null, ? completed_at or null, ? now, ? job id, ? expected statuses (a list).
UPDATE {{prefix}}payout_jobs
SET status = ?, error = ?, completed_at = ?, updated_at = ?
WHERE id = ? AND status IN (?)
