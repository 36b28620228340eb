-- Notifications by id, after a write the caller reads back.
-- Returns: notification rows, earliest due first.
-- Params: ? notification ids (a non-empty list).
SELECT * FROM {{prefix}}notifications WHERE id IN (?) ORDER BY due_at, id
