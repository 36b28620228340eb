-- When the latest sent notification of a challenge reached a recipient.
-- Returns: one row, sent_at (null when none was sent).
-- Params: $1 challenge id, $2 recipient.
SELECT max(finished_at) AS sent_at
FROM {{schema}}.{{prefix}}notifications
WHERE challenge_id = $1 AND recipient = $2 AND status = 'sent'
