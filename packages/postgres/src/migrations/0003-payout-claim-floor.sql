-- Settle schema version 3: a claim floor per payout job, and entries without a foreign key to
-- their job.
--
-- claim_floor is a lower bound of the ids of the job's pending and processing entries. Claims,
-- leases and completions start their index scans there, so they never walk the entries already
-- paid, whichever plan the statistics (fresh, stale or absent: autovacuum may be off) lead
-- Postgres to: a job's paid rows and their dead index entries pile up below the floor and are
-- never visited again. Completions raise it (complete-entries.sql); requeueing dead-lettered
-- entries lowers it and bumps claim_epoch (retry-failed-entries.sql), which tells a concurrent
-- completion that its snapshot missed entries that became pending, so it must not raise it.
ALTER TABLE {{schema}}.{{prefix}}payout_jobs
  ADD COLUMN claim_floor bigint  NOT NULL DEFAULT 0,
  ADD COLUMN claim_epoch integer NOT NULL DEFAULT 0;

-- A job and its entries are only ever written together: the entries by the statement that inserts
-- the job, and prune-payout-jobs.sql deletes both. The foreign key added nothing to that but a
-- trigger call per inserted entry, about a third of the time it takes to create a large job.
DO $$
DECLARE
  fk name;
BEGIN
  FOR fk IN
    SELECT c.conname FROM pg_constraint c
    WHERE c.conrelid = '{{schema}}.{{prefix}}payout_entries'::regclass AND c.contype = 'f'
  LOOP
    EXECUTE format('ALTER TABLE {{schema}}.{{prefix}}payout_entries DROP CONSTRAINT %I', fk);
  END LOOP;
END
$$;
