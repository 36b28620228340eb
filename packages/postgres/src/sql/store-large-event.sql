-- Keeps an event too large for NOTIFY, so the notification can carry only its id, and removes
-- such events older than an hour (a subscriber has long read them by then).
-- Returns: one row, id.
-- Params: $1 payload (the event's JSON).
WITH expired AS (
  DELETE FROM {{schema}}.{{prefix}}events WHERE created_at < statement_timestamp() - interval '1 hour'
)
INSERT INTO {{schema}}.{{prefix}}events (payload) VALUES ($1)
RETURNING id
