-- A page of notifications by id, optionally of one challenge, recipient, kind or some statuses.
-- Returns: notification rows, in id order.
-- Params: $1 challenge id or null, $2 recipient or null, $3 kind or null, $4 statuses or null,
--         $5 exclusive lower bound of id or null, $6 limit.
SELECT *
FROM {{schema}}.{{prefix}}notifications
WHERE ($1::text IS NULL OR challenge_id = $1)
  AND ($2::text IS NULL OR recipient = $2)
  AND ($3::text IS NULL OR kind = $3)
  AND ($4::text[] IS NULL OR status = ANY ($4))
  AND ($5::bigint IS NULL OR id > $5)
ORDER BY id
LIMIT $6
