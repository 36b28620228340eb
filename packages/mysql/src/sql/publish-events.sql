-- Appends events to the outbox in the publishing transaction, in order, as one multi-row VALUES
-- list: AUTO_INCREMENT numbers them ascending in list order. Subscribers polling the table see them
-- once the transaction commits, never after a rollback.
-- Returns: nothing.
-- Params: ? rows of (name, payload (the event's data as JSON text), created_at).
INSERT INTO {{prefix}}events (name, payload, created_at) VALUES ?
