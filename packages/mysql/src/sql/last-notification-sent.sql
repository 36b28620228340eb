-- When the latest sent notification of a challenge reached a recipient.
-- Returns: one row, sent_at (null when none was sent).
-- Params: ? challenge id, ? recipient.
SELECT max(finished_at) AS sent_at
FROM {{prefix}}notifications
WHERE challenge_id = ? AND recipient = ? AND status = 'sent'
