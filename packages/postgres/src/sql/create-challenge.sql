-- Inserts a challenge and all its participants in one statement.
-- Returns: the challenge row. A duplicate challenge id or user id fails with unique_violation.
-- Params: $1 id, $2 title, $3 deadline, $4 status, $5 metadata (JSON text), $6 created_at,
--         $7 participant user ids, $8 sides, $9 stakes, $10 joined_at (arrays of equal length).
WITH challenge AS (
  INSERT INTO {{schema}}.{{prefix}}challenges (id, title, deadline, status, metadata, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5::jsonb, $6, $6)
  RETURNING *
), participants AS (
  INSERT INTO {{schema}}.{{prefix}}participants (challenge_id, user_id, side, stake, joined_at)
  SELECT challenge.id, p.user_id, p.side, p.stake, p.joined_at
  FROM challenge, unnest($7::text[], $8::text[], $9::bigint[], $10::timestamptz[]) AS p (user_id, side, stake, joined_at)
)
SELECT * FROM challenge
