-- Deletes the oldest events up to an id (the newest expired one, found by last-expired-event.sql),
-- a bounded number at a time. Deleting by primary key range never waits on a recent uncommitted
-- event, as a range over created_at would (its scan stops on the first row past the range).
-- Returns: nothing; the affected row count is the number deleted.
-- Params: ? highest id to delete, ? limit.
DELETE FROM {{prefix}}events WHERE id <= ? ORDER BY id LIMIT ?
