-- A page of ledger rows by entry id, of one job and/or one user.
-- Returns: ledger rows, in entry id order.
-- Params: ? job id or null (twice), ? user id or null (twice), ? exclusive lower bound of entry id
--         or null (twice), ? limit.
SELECT *
FROM {{prefix}}ledger
WHERE (? IS NULL OR job_id = ?)
  AND (? IS NULL OR user_id = ?)
  AND (? IS NULL OR entry_id > ?)
ORDER BY entry_id
LIMIT ?
