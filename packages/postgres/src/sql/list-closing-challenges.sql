-- A page of active challenges whose deadline is in (after, until], by deadline, then id: a range
-- scan of the active-deadline index that starts right after the cursor.
-- Returns: challenge rows, ordered by deadline, then id.
-- Params: $1 after (exclusive), $2 until (inclusive), $3 cursor deadline, $4 cursor id (the page
--         starts strictly after them: pass after and '' for the first page), $5 limit.
SELECT *
FROM {{schema}}.{{prefix}}challenges
WHERE status = 'active'
  AND deadline > $1
  AND deadline <= $2
  AND (deadline, id) > ($3, $4::text)
ORDER BY deadline, id
LIMIT $5
