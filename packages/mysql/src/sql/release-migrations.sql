-- Releases the lock of lock-migrations.sql.
-- Returns: one row.
-- Params: ? prefix.
SELECT RELEASE_LOCK(concat('settle:migrate:', sha1(concat(database(), '.', ?)))) AS released
