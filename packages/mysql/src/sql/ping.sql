-- Proves the database answers.
-- Returns: one row, one = 1.
-- Params: none.
SELECT 1 AS one
