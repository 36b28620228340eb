-- Serializes migrations of one database and prefix across processes: a named lock of this session,
-- held until release-migrations.sql (DDL commits implicitly, so a transaction cannot hold it).
-- The name is hashed to stay within the 64 characters GET_LOCK accepts.
-- Returns: one row, locked (1 when taken, 0 on timeout).
-- Params: ? prefix, ? timeout in seconds.
SELECT GET_LOCK(concat('settle:migrate:', sha1(concat(database(), '.', ?))), ?) AS locked
