-- Records failed attempts of locked entries from one JSON document (JSON_TABLE, on MySQL 8 and
-- MariaDB 10.6 alike): attempts + 1, the entry's error, no lease, and the status and availability
-- the store decided.
-- Returns: nothing.
-- Params: ? JSON array of {id, error, status, availableAt} (availableAt as UTC text).
UPDATE {{prefix}}payout_entries e
JOIN JSON_TABLE(?, '$[*]' COLUMNS (
  id BIGINT PATH '$.id',
  error LONGTEXT PATH '$.error',
  status VARCHAR(16) PATH '$.status',
  available_at DATETIME(3) PATH '$.availableAt'
)) f ON e.id = f.id
SET e.attempts = e.attempts + 1,
    e.error = f.error,
    e.locked_until = NULL,
    e.status = f.status,
    e.available_at = f.available_at
