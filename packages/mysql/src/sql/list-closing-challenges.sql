-- A page of active challenges whose deadline is in (after, until], by deadline, then id: a range
-- of the (status, deadline, id) index that starts right after the cursor.
-- Returns: challenge rows, ordered by deadline, then id.
-- Params: ? after (exclusive), ? until (inclusive), ? cursor deadline (twice), ? cursor id (the
--         page starts strictly after the cursor: pass after and '' for the first page), ? limit.
SELECT *
FROM {{prefix}}challenges
WHERE status = 'active'
  AND deadline > ?
  AND deadline <= ?
  AND (deadline > ? OR (deadline = ? AND id > ?))
ORDER BY deadline, id
LIMIT ?
