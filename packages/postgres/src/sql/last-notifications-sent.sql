-- When the latest sent notification of each challenge reached each recipient.
-- Returns: one row per pair, in input order: sent_at (null when none was sent).
-- Params: $1 challenge ids, $2 recipients (arrays of equal length).
SELECT (
  SELECT max(n.finished_at)
  FROM {{schema}}.{{prefix}}notifications n
  WHERE n.challenge_id = p.challenge_id AND n.recipient = p.recipient AND n.status = 'sent'
) AS sent_at
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS p (challenge_id, recipient, ord)
ORDER BY p.ord
