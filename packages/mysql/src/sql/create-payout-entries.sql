-- Inserts a chunk of a job's entries as one multi-row VALUES list: AUTO_INCREMENT assigns their
-- ids ascending in list order, and a later chunk gets higher ids. A user id repeated within the job
-- fails with ER_DUP_ENTRY (1062).
-- Returns: nothing.
-- Params: ? rows of (job id, user id, amount, status 'pending', available_at).
INSERT INTO {{prefix}}payout_entries (job_id, user_id, amount, status, available_at) VALUES ?
