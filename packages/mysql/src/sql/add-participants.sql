-- Inserts participants of one challenge: one multi-row VALUES list (a chunk of them, sized to
-- max_allowed_packet). A user already taking part fails with ER_DUP_ENTRY (1062); the statement
-- is atomic, so nothing of it is added then.
-- Returns: nothing.
-- Params: ? rows of (challenge id, user id, side, stake, joined_at).
INSERT INTO {{prefix}}participants (challenge_id, user_id, side, stake, joined_at) VALUES ?
