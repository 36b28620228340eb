-- Settle schema version 3 for MySQL 8.0+ and MariaDB 10.6+: a claim window per payout job, and
-- entries without the index of open entries and without a foreign key to their job.
--
-- A job's claimable entries lie in [claim_floor, last_entry_id] of the entries' primary key:
-- last_entry_id is the job's highest entry id, claim_floor a lower bound of the ids of its pending
-- and processing entries. Claims, leases and the search for a claimable job scan that range of the
-- primary key, so they never walk the entries already paid. A range of the primary key, unlike
-- one of a secondary index, neither holds delete-marked records that InnoDB purges only once no
-- read view needs them (a long transaction anywhere on the server holds all of them back), nor
-- leaves a lock on the first row past its end (which a claim of another job would then skip).
-- Every write of a job's counters raises the floor to the job's first open entry, under the job's
-- row lock (update-payout-job.sql); requeueing dead-lettered entries lowers it there too.
--
-- MySQL 8 has no ADD COLUMN IF NOT EXISTS nor DROP … IF EXISTS in ALTER TABLE: each ALTER below
-- makes one change, and the migrator takes "duplicate column" (1060) and "cannot drop, check that
-- it exists" (1091) as that change being there already, so a migration cut short is finished by
-- the next migrate().
ALTER TABLE {{prefix}}payout_jobs ADD COLUMN claim_floor BIGINT NOT NULL DEFAULT 0;

ALTER TABLE {{prefix}}payout_jobs ADD COLUMN last_entry_id BIGINT NOT NULL DEFAULT 0;

-- Jobs created before this version. SET assigns left to right: the floor of a job with nothing
-- open lies past its last entry.
UPDATE {{prefix}}payout_jobs j
SET j.last_entry_id = coalesce(
      (SELECT max(e.id) FROM {{prefix}}payout_entries e WHERE e.job_id = j.id), 0),
    j.claim_floor = coalesce(
      (SELECT min(e.id) FROM {{prefix}}payout_entries e
       WHERE e.job_id = j.id AND e.status IN ('pending', 'processing')),
      j.last_entry_id + 1)
WHERE j.last_entry_id = 0;

-- A job and its entries are only ever written together: the entries by the call that inserts the
-- job, and prune-payout-entries.sql deletes them with it. The foreign key added nothing to that but
-- a lookup and a shared lock of the job row per inserted entry.
ALTER TABLE {{prefix}}payout_entries DROP FOREIGN KEY {{prefix}}payout_entries_job_fk;

-- Claims and leases now scan the primary key; the index of open entries only cost every insert
-- and every status change an index entry.
ALTER TABLE {{prefix}}payout_entries DROP INDEX {{prefix}}payout_entries_open_idx;

ALTER TABLE {{prefix}}payout_entries DROP COLUMN open_job_id;
