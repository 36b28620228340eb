-- Appends an event to the outbox in the publishing transaction: subscribers polling the table see
-- it once the transaction commits, never after a rollback.
-- Returns: nothing.
-- Params: ? name, ? payload (the event's data as JSON text), ? created_at.
INSERT INTO {{prefix}}events (name, payload, created_at) VALUES (?, ?, ?)
