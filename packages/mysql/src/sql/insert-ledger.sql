-- Writes one ledger row per completed entry, keyed by the entry id: a second credit for the same
-- entry fails with ER_DUP_ENTRY (1062). Amounts are copied inside the server, never sent back.
-- Returns: nothing.
-- Params: ? created_at, ? entry ids (a non-empty list).
INSERT INTO {{prefix}}ledger (entry_id, job_id, user_id, amount, created_at)
SELECT e.id, e.job_id, e.user_id, e.amount, ?
FROM {{prefix}}payout_entries e
WHERE e.id IN (?)
ORDER BY e.id
