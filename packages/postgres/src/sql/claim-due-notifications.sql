-- Leases up to $2 due notifications (pending and available, or processing with an expired lease),
-- earliest due first, skipping rows other transactions hold: they become processing until $3.
-- Returns: the leased notification rows, in no particular order.
-- Params: $1 now, $2 limit, $3 lease until.
WITH due AS (
  SELECT n.id
  FROM {{schema}}.{{prefix}}notifications n
  WHERE (n.status = 'pending' AND n.available_at <= $1)
     OR (n.status = 'processing' AND n.locked_until <= $1)
  ORDER BY n.due_at, n.id
  LIMIT $2
  FOR UPDATE SKIP LOCKED
)
UPDATE {{schema}}.{{prefix}}notifications n
SET status = 'processing', locked_until = $3
FROM due
WHERE n.id = due.id
RETURNING n.*
