-- Locks up to a limit of due notifications (pending and available, or processing with an expired
-- lease), earliest due first, skipping rows other transactions hold. The scan walks the index of
-- open rows in due order, so it locks only the rows it returns. mark-notifications-processing.sql
-- then leases them.
-- Returns: notification rows, earliest due first.
-- Params: ? now, ? now, ? limit.
SELECT id, `key`, challenge_id, recipient, kind, payload, due_at, status, attempts, available_at, locked_until,
       error, skip_reason, finished_at, created_at
FROM {{prefix}}notifications FORCE INDEX ({{prefix}}notifications_open_due_idx)
WHERE open_due_at IS NOT NULL
  AND ((status = 'pending' AND available_at <= ?) OR (status = 'processing' AND locked_until <= ?))
ORDER BY open_due_at, id
LIMIT ?
FOR UPDATE SKIP LOCKED
