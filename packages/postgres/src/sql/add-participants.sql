-- Adds participants to an existing challenge.
-- Returns: one row, found (the challenge exists) and inserted. A user already taking part fails
-- with unique_violation, so nothing is added then.
-- Params: $1 challenge id, $2 user ids, $3 sides, $4 stakes, $5 joined_at (arrays of equal length).
WITH challenge AS (
  SELECT id FROM {{schema}}.{{prefix}}challenges WHERE id = $1
), inserted AS (
  INSERT INTO {{schema}}.{{prefix}}participants (challenge_id, user_id, side, stake, joined_at)
  SELECT challenge.id, p.user_id, p.side, p.stake, p.joined_at
  FROM challenge, unnest($2::text[], $3::text[], $4::bigint[], $5::timestamptz[]) AS p (user_id, side, stake, joined_at)
  RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM challenge) AS found, (SELECT count(*)::int FROM inserted) AS inserted
