-- Settle schema version 5: payout entries paid by heap-only-tuple (HOT) updates.
--
-- Paying an entry rewrites its row (status, completed_at). When no indexed column changes and the
-- row's page has room, Postgres writes the new version beside the old one and adds no index entry;
-- otherwise every index of the table gets one more entry per entry paid. Two things stood in the
-- way: the index of unfinished entries, whose predicate reads status, and pages filled to the brim
-- by the insert that created the job. Since version 3 every claim, lease and completion scans from
-- the job's claim_floor along (job_id, id), so that index only served payoutStats(), which now
-- reaches unfinished entries from their jobs' floors too (payout-stats.sql). Half of each new page
-- is left free for the paid versions of its rows; the old versions are pruned when the page is
-- next read, without a VACUUM. The table takes about twice the room while its entries are unpaid.
DROP INDEX IF EXISTS {{schema}}.{{prefix}}payout_entries_open_idx;

ALTER TABLE {{schema}}.{{prefix}}payout_entries SET (fillfactor = 50);
