-- Records how notifications ended, all at one instant: sent applies to a processing row (one is
-- claimed before it is sent), skipped to a pending or processing one; other rows are left alone.
-- Returns: id of each notification changed.
-- Params: $1 ids, $2 statuses (sent or skipped), $3 skip reasons or nulls (arrays of equal length), $4 at.
UPDATE {{schema}}.{{prefix}}notifications n
SET status = o.status, finished_at = $4, skip_reason = o.reason, locked_until = NULL
FROM unnest($1::bigint[], $2::text[], $3::text[]) AS o (id, status, reason)
WHERE n.id = o.id
  AND (n.status = 'processing' OR (n.status = 'pending' AND o.status = 'skipped'))
RETURNING n.id
