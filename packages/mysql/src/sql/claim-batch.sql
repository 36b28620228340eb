-- Locks up to a limit of claimable entries of one job, skipping rows other transactions hold, so
-- that concurrent claimers get disjoint batches without waiting. The scan walks the primary key
-- over the job's claim window (migration 0003) in id order: it never passes an entry paid before
-- the floor, stops at the limit, and locks only the rows it returns (READ COMMITTED unlocks the
-- rows that do not match; a range of a secondary index would also keep the first row past its
-- end locked). The index is forced: left to its statistics, the optimizer may walk the whole
-- primary key, or a secondary index, instead. The locks last until the transaction ends. The
-- job's status is checked without locking its row (a subquery of a locking read is a plain read),
-- so a batch committing the job's counters never hides the job.
-- Returns: entry rows (unchanged), in id order.
-- Params: ? claim floor, ? last entry id, ? job id, ? now, ? filter on entry ids (0/1), ? entry ids
--         or null, ? job id, ? limit.
SELECT e.*
FROM {{prefix}}payout_entries e FORCE INDEX (PRIMARY)
WHERE e.id BETWEEN ? AND ?
  AND e.job_id = ?
  AND e.status = 'pending'
  AND e.available_at <= ?
  AND (? = 0 OR e.id IN (?))
  AND EXISTS (SELECT 1 FROM {{prefix}}payout_jobs j WHERE j.id = ? AND j.status IN ('queued', 'running'))
ORDER BY e.id
LIMIT ?
FOR UPDATE SKIP LOCKED
