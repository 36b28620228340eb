-- Settle schema version 6: an index of the challenges waiting in pending_admin, which the Notifier
-- pages through by id when it catches up on admin notices (list-challenges.sql), instead of reading
-- every challenge. It holds only the challenges waiting for a result: a few rows, written when a
-- challenge enters or leaves pending_admin.
CREATE INDEX IF NOT EXISTS {{prefix}}challenges_pending_admin_idx
  ON {{schema}}.{{prefix}}challenges (id) WHERE status = 'pending_admin';
