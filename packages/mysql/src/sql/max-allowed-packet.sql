-- The largest statement the server accepts, which bulk inserts size their chunks to.
-- Returns: one row, bytes.
-- Params: none.
SELECT @@max_allowed_packet AS bytes
