-- When the latest sent notification of each challenge reached each recipient.
-- Returns: one row per pair that has a sent notification: challenge_id, recipient, sent_at.
-- Params: ? (challenge id, recipient) pairs (a non-empty list).
SELECT challenge_id, recipient, max(finished_at) AS sent_at
FROM {{prefix}}notifications
WHERE (challenge_id, recipient) IN (?) AND status = 'sent'
GROUP BY challenge_id, recipient
