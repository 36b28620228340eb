-- A page of notifications by id, optionally of one challenge, recipient, kind or some statuses.
-- Returns: notification rows, in id order.
-- Params: ? challenge id or null (twice), ? recipient or null (twice), ? kind or null (twice),
--         ? filter on status (0/1), ? statuses or null, ? exclusive lower bound of id or null (twice), ? limit.
SELECT *
FROM {{prefix}}notifications
WHERE (? IS NULL OR challenge_id = ?)
  AND (? IS NULL OR recipient = ?)
  AND (? IS NULL OR kind = ?)
  AND (? = 0 OR status IN (?))
  AND (? IS NULL OR id > ?)
ORDER BY id
LIMIT ?
