-- Inserts a chunk of a job's entries from one JSON parameter, an array of [user id, amount] pairs
-- (amounts as decimal strings, so none passes through a double): one parameter instead of five per
-- entry spares the server the parsing of a VALUES list as long as the job. JSON_TABLE yields the
-- array's elements in order and the insert takes them in that order, so AUTO_INCREMENT assigns
-- ids ascending in array order, and a later chunk gets higher ids (an ORDER BY on an ordinality
-- column would sort the rows first, a fifth of the insert's time). The user id column is wider
-- than the table's, so a user id that is too long fails as it would in a VALUES list instead of
-- being cut. A user id repeated within the job fails with ER_DUP_ENTRY (1062).
-- Returns: nothing.
-- Params: ? job id, ? available_at, ? the entries (JSON text).
INSERT INTO {{prefix}}payout_entries (job_id, user_id, amount, status, available_at)
SELECT ?, e.user_id, e.amount, 'pending', ?
FROM JSON_TABLE(?, '$[*]' COLUMNS (
  user_id VARCHAR(1024) PATH '$[0]' ERROR ON EMPTY ERROR ON ERROR,
  amount  BIGINT        PATH '$[1]' ERROR ON EMPTY ERROR ON ERROR
)) e
