-- Events after the subscriber's high-water mark, plus those whose ids it saw skipped (a gap is an
-- id taken by a transaction not committed yet, or rolled back).
-- Returns: rows (id, name, payload), in id order.
-- Params: ? high-water mark, ? gap ids or null, ? limit.
SELECT id, name, payload FROM {{prefix}}events WHERE id > ? OR id IN (?) ORDER BY id LIMIT ?
