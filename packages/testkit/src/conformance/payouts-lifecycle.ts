import type { PayoutJobStatus } from '@settle/core';
import { InvalidTransitionError, NotFoundError } from '@settle/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { createDeferred } from './deferred';
import { expectSettleError } from './expect-settle-error';
import { at, HOUR, MINUTE, REFERENCE_TIME, SECOND } from './reference-time';
import { newPayoutEntries, newPayoutJob, sumAmounts, userIds } from './sample-data';
import { balancesOf, listAllPayoutEntries, payEntries, seedPayoutJob } from './seed';

const now = REFERENCE_TIME;

/**
 * Failures and retries of entries, job transitions (pause, resume, fail), cancellation, pruning
 * and stats.
 *
 * @internal
 */
export function registerPayoutLifecycleTests(ctx: ConformanceContext): void {
  describe('payouts: failures, transitions, cancel, prune, stats', () => {
    const bench = ctx.useStore();

    it('failPayoutEntries() schedules a retry: attempts + 1, error kept, pending until retryAt', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      const progress = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(job.id, [{ entryId: entries[0]!.id, error: 'rail timeout', retryAt: at(MINUTE) }], now),
      );
      expect(progress.changed).toBe(1);
      expect(progress.finished).toBe(false);
      expect(progress.job).toMatchObject({ failedEntries: 0, completedEntries: 0 });

      const [failed, untouched] = await listAllPayoutEntries(bench.store, job.id);
      expect(failed).toEqual({
        ...entries[0],
        status: 'pending',
        attempts: 1,
        availableAt: at(MINUTE),
        lockedUntil: null,
        error: 'rail timeout',
      });
      expect(untouched).toEqual(entries[1]);

      await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          [{ entryId: entries[0]!.id, error: 'again', retryAt: at(5 * MINUTE) }],
          at(MINUTE),
        ),
      );
      const [twice] = await listAllPayoutEntries(bench.store, job.id);
      expect(twice).toMatchObject({ status: 'pending', attempts: 2, availableAt: at(5 * MINUTE), error: 'again' });
    });

    it('failPayoutEntries() dead-letters an entry when retryAt is null and counts it on the job', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)));
      const progress = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(job.id, [{ entryId: entries[1]!.id, error: 'account closed', retryAt: null }], now),
      );
      expect(progress.changed).toBe(1);
      expect(progress.job.failedEntries).toBe(1);
      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored[1]).toMatchObject({ status: 'failed', attempts: 1, error: 'account closed', lockedUntil: null });
      expect((await bench.store.payoutStats()).entries).toEqual({ pending: 2, processing: 0, failed: 1 });
    });

    it('failPayoutEntries() finishes the job as failed when nothing completed', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      const progress = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          entries.map((e) => ({ entryId: e.id, error: 'rejected', retryAt: null })),
          at(MINUTE),
        ),
      );
      expect(progress.changed).toBe(2);
      expect(progress.finished).toBe(true);
      expect(progress.job).toMatchObject({
        status: 'failed',
        failedEntries: 2,
        paidAmount: 0n,
        completedAt: at(MINUTE),
      });
      expect(await bench.store.getPayoutJob(job.id)).toEqual(progress.job);
    });

    it('failPayoutEntries() gives a job that finishes as failed the last entry’s error', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      await bench.store.transaction((tx) =>
        tx.failPayoutEntries(job.id, [{ entryId: entries[0]!.id, error: 'first', retryAt: null }], now),
      );
      expect((await bench.store.getPayoutJob(job.id))?.error).toBeNull();
      const progress = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(job.id, [{ entryId: entries[1]!.id, error: 'last', retryAt: null }], at(MINUTE)),
      );
      expect(progress.job).toMatchObject({ status: 'failed', error: 'last' });
    });

    it('failPayoutEntries() finishes the job as completed_with_failures when some entries were paid', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)));
      await payEntries(bench.store, job.id, [entries[0]!.id, entries[1]!.id]);
      const progress = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(job.id, [{ entryId: entries[2]!.id, error: 'rejected', retryAt: null }], at(MINUTE)),
      );
      expect(progress.finished).toBe(true);
      expect(progress.job).toMatchObject({
        status: 'completed_with_failures',
        completedEntries: 2,
        failedEntries: 1,
        paidAmount: entries[0]!.amount + entries[1]!.amount,
        completedAt: at(MINUTE),
      });
    });

    it('failPayoutEntries() releases the lease of a processing entry', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now, limit: 1, jobId: job.id, leaseUntil: at(HOUR) }),
      );
      await bench.store.transaction((tx) =>
        tx.failPayoutEntries(job.id, [{ entryId: entries[0]!.id, error: '502', retryAt: at(MINUTE) }], now),
      );
      const [entry] = await listAllPayoutEntries(bench.store, job.id);
      expect(entry).toMatchObject({ status: 'pending', lockedUntil: null, attempts: 1, availableAt: at(MINUTE) });
      const batch = await bench.store.transaction((tx) =>
        tx.claimPayoutBatch({ now: at(MINUTE), limit: 1, jobId: job.id }),
      );
      expect(batch?.entries.map((e) => e.id)).toEqual([entries[0]!.id]);
    });

    it('failPayoutEntries() with leaseUntil leaves an entry whose lease was taken over to its new holder', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      const oldLease = at(MINUTE);
      const newLease = at(5 * MINUTE);
      await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now, limit: 10, jobId: job.id, leaseUntil: oldLease }),
      );
      const takenOver = await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now: at(MINUTE + SECOND), limit: 10, jobId: job.id, leaseUntil: newLease }),
      );
      expect(takenOver?.entries.map((e) => e.id)).toEqual(entries.map((e) => e.id));

      // The first worker comes back from its rail call after its lease expired.
      const stale = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          [
            { entryId: entries[0]!.id, error: 'late timeout', retryAt: at(HOUR), leaseUntil: oldLease },
            { entryId: entries[1]!.id, error: 'late rejection', retryAt: null, leaseUntil: oldLease },
          ],
          at(2 * MINUTE),
        ),
      );
      expect(stale).toMatchObject({ changed: 0, entryIds: [], started: false, finished: false });
      expect(stale.job).toEqual(await bench.store.getPayoutJob(job.id));
      expect(stale.job).toMatchObject({ status: 'queued', failedEntries: 0 });
      expect(await listAllPayoutEntries(bench.store, job.id)).toEqual(
        entries.map((e) => ({ ...e, status: 'processing', lockedUntil: newLease })),
      );

      // The new holder's own failure applies.
      const own = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          [{ entryId: entries[0]!.id, error: 'timeout', retryAt: at(HOUR), leaseUntil: newLease }],
          at(3 * MINUTE),
        ),
      );
      expect(own).toMatchObject({ changed: 1, entryIds: [entries[0]!.id] });
      const [retried, stillLeased] = await listAllPayoutEntries(bench.store, job.id);
      expect(retried).toEqual({
        ...entries[0],
        status: 'pending',
        attempts: 1,
        availableAt: at(HOUR),
        lockedUntil: null,
        error: 'timeout',
      });
      expect(stillLeased).toMatchObject({ status: 'processing', lockedUntil: newLease, attempts: 0, error: null });

      // An entry back to pending is under no lease at all: the stale failure still does nothing.
      const staleAgain = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          [{ entryId: entries[0]!.id, error: 'late timeout', retryAt: at(HOUR), leaseUntil: oldLease }],
          at(4 * MINUTE),
        ),
      );
      expect(staleAgain.changed).toBe(0);
      expect((await listAllPayoutEntries(bench.store, job.id))[0]).toEqual(retried);
    });

    it('failPayoutEntries() with leaseUntil applies to an expired lease nobody took over', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      const lease = at(MINUTE);
      await bench.store.transaction((tx) => tx.leasePayoutBatch({ now, limit: 1, jobId: job.id, leaseUntil: lease }));
      const progress = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          [{ entryId: entries[0]!.id, error: 'account closed', retryAt: null, leaseUntil: lease }],
          at(2 * MINUTE),
        ),
      );
      expect(progress).toMatchObject({ changed: 1, entryIds: [entries[0]!.id], finished: true });
      expect(progress.job).toMatchObject({ status: 'failed', failedEntries: 1, error: 'account closed' });
      const [failed] = await listAllPayoutEntries(bench.store, job.id);
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, lockedUntil: null, error: 'account closed' });
    });

    it('failPayoutEntries() reports the ids it changed, ascending, leaving out entries already finished', async () => {
      // Twelve entries: their ids cross a digit boundary, where ascending and lexicographic orders part.
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(12)));
      const [e0, e8, e9, e10] = [entries[0]!.id, entries[8]!.id, entries[9]!.id, entries[10]!.id];
      await payEntries(bench.store, job.id, [e0]);
      const progress = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          [
            { entryId: e10, error: 'timeout', retryAt: at(MINUTE) },
            { entryId: e0, error: 'late', retryAt: null },
            { entryId: e8, error: 'rejected', retryAt: null },
            { entryId: e9, error: 'timeout', retryAt: at(MINUTE) },
          ],
          now,
        ),
      );
      expect(progress.changed).toBe(3);
      expect(progress.entryIds).toEqual([e8, e9, e10]);
      expect(progress.job).toMatchObject({ completedEntries: 1, failedEntries: 1 });
    });

    it('failPayoutEntries() leaves finished entries alone', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      await payEntries(bench.store, job.id, [entries[0]!.id]);
      const progress = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(job.id, [{ entryId: entries[0]!.id, error: 'late failure', retryAt: null }], now),
      );
      expect(progress.changed).toBe(0);
      expect(progress.job).toMatchObject({ completedEntries: 1, failedEntries: 0 });
      const [paid] = await listAllPayoutEntries(bench.store, job.id);
      expect(paid).toMatchObject({ status: 'completed', error: null, attempts: 0 });
    });

    it('retryFailedPayoutEntries() requeues failed entries and reopens the job', async () => {
      const users = userIds(3);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      await payEntries(bench.store, job.id, [entries[0]!.id]);
      await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          entries.slice(1).map((e) => ({ entryId: e.id, error: 'rejected', retryAt: null })),
          now,
        ),
      );
      expect((await bench.store.getPayoutJob(job.id))?.status).toBe('completed_with_failures');

      const retried = await bench.store.transaction((tx) => tx.retryFailedPayoutEntries(job.id, at(HOUR)));
      expect(retried.changed).toBe(2);
      expect(retried.job).toMatchObject({ status: 'running', failedEntries: 0, completedEntries: 1 });
      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored.slice(1).map((e) => [e.status, e.attempts, e.availableAt, e.error])).toEqual([
        ['pending', 0, at(HOUR), 'rejected'],
        ['pending', 0, at(HOUR), 'rejected'],
      ]);

      const batch = await bench.store.transaction((tx) =>
        tx.claimPayoutBatch({ now: at(HOUR), limit: 10, jobId: job.id }),
      );
      expect(batch?.entries.map((e) => e.id)).toEqual(entries.slice(1).map((e) => e.id));
      const done = await payEntries(
        bench.store,
        job.id,
        entries.slice(1).map((e) => e.id),
        at(HOUR),
      );
      expect(done.finished).toBe(true);
      expect(done.job).toMatchObject({
        status: 'completed',
        completedEntries: 3,
        failedEntries: 0,
        paidAmount: job.totalAmount,
      });
      expect(await balancesOf(bench.store, users)).toEqual(entries.map((e) => e.amount));
    });

    it('retryFailedPayoutEntries() changes nothing when no entry failed', async () => {
      const { job } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      const retried = await bench.store.transaction((tx) => tx.retryFailedPayoutEntries(job.id, now));
      expect(retried.changed).toBe(0);
      expect(retried.job.status).toBe('queued');
    });

    it('retryFailedPayoutEntries() reports the ids it requeued, ascending', async () => {
      // Twelve entries: their ids cross a digit boundary, where ascending and lexicographic orders part.
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(12)));
      const failed = [entries[1]!, entries[9]!, entries[10]!, entries[11]!];
      await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          [...failed].reverse().map((e) => ({ entryId: e.id, error: 'rejected', retryAt: null })),
          now,
        ),
      );
      const retried = await bench.store.transaction((tx) => tx.retryFailedPayoutEntries(job.id, at(MINUTE)));
      expect(retried.changed).toBe(4);
      expect(retried.entryIds).toEqual(failed.map((e) => e.id));
      const again = await bench.store.transaction((tx) => tx.retryFailedPayoutEntries(job.id, at(MINUTE)));
      expect(again).toMatchObject({ changed: 0, entryIds: [] });
    });

    it('retryFailedPayoutEntries() throws InvalidTransitionError for a cancelled job and writes nothing', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)));
      const quiet = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      await bench.store.transaction(async (tx) => {
        await tx.failPayoutEntries(job.id, [{ entryId: entries[0]!.id, error: 'rejected', retryAt: null }], now);
        await tx.cancelPayoutJob(job.id, at(MINUTE));
        await tx.cancelPayoutJob(quiet.job.id, at(MINUTE));
      });
      const cancelled = await bench.store.getPayoutJob(job.id);
      expect(cancelled).toMatchObject({ status: 'cancelled', failedEntries: 1, cancelledEntries: 2 });
      const stored = await listAllPayoutEntries(bench.store, job.id);

      // With a failed entry to requeue, and without one: a cancelled job's entries are never paid again.
      for (const jobId of [job.id, quiet.job.id]) {
        await expectSettleError(
          bench.store.transaction((tx) => tx.retryFailedPayoutEntries(jobId, at(HOUR))),
          InvalidTransitionError,
          'invalid_transition',
        );
      }
      expect(await bench.store.getPayoutJob(job.id)).toEqual(cancelled);
      expect(await listAllPayoutEntries(bench.store, job.id)).toEqual(stored);
      expect((await bench.store.payoutStats()).entries).toEqual({ pending: 0, processing: 0, failed: 1 });
    });

    it('retryFailedPayoutEntries() throws NotFoundError for an unknown job', async () => {
      await expectSettleError(
        bench.store.transaction((tx) => tx.retryFailedPayoutEntries(newPayoutJob().id, now)),
        NotFoundError,
        'not_found',
      );
    });

    it('transitionPayoutJob() pauses and resumes a job', async () => {
      const { job } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      const paused = await bench.store.transaction((tx) =>
        tx.transitionPayoutJob(job.id, { from: ['queued', 'running'], to: 'paused', now: at(MINUTE) }),
      );
      expect(paused).toMatchObject({ id: job.id, status: 'paused', updatedAt: at(MINUTE) });
      expect(await bench.store.getPayoutJob(job.id)).toEqual(paused);
      expect(await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }))).toBeNull();

      const resumed = await bench.store.transaction((tx) =>
        tx.transitionPayoutJob(job.id, { from: ['paused'], to: 'queued', now: at(2 * MINUTE) }),
      );
      expect(resumed?.status).toBe('queued');
      const batch = await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }));
      expect(batch?.entries).toHaveLength(2);
    });

    it('completePayoutEntries() finishes a paused job whose last entries were in flight', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      await bench.store.transaction((tx) =>
        tx.transitionPayoutJob(job.id, { from: ['queued'], to: 'paused', now: at(MINUTE) }),
      );
      const progress = await bench.store.transaction((tx) =>
        tx.completePayoutEntries(
          job.id,
          entries.map((e) => e.id),
          { now: at(2 * MINUTE), creditAccounts: true },
        ),
      );
      expect(progress).toMatchObject({ changed: 2, finished: true });
      expect(progress.job).toMatchObject({ status: 'completed', completedEntries: 2, completedAt: at(2 * MINUTE) });
    });

    it('transitionPayoutJob() returns null when the job is not in from, or does not exist', async () => {
      const { job } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      expect(
        await bench.store.transaction((tx) => tx.transitionPayoutJob(job.id, { from: ['running'], to: 'paused', now })),
      ).toBeNull();
      expect(
        await bench.store.transaction((tx) =>
          tx.transitionPayoutJob(newPayoutJob().id, { from: ['queued'], to: 'paused', now }),
        ),
      ).toBeNull();
      expect(await bench.store.getPayoutJob(job.id)).toEqual(job);
    });

    it('transitionPayoutJob() throws InvalidTransitionError for a forbidden move, leaving the job untouched', async () => {
      const { job } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      const forbidden: [PayoutJobStatus[], PayoutJobStatus][] = [
        [['completed'], 'running'],
        [['queued', 'cancelled'], 'running'],
        [['queued'], 'completed'],
      ];
      for (const [from, to] of forbidden) {
        await expectSettleError(
          bench.store.transaction((tx) => tx.transitionPayoutJob(job.id, { from, to, now })),
          InvalidTransitionError,
          'invalid_transition',
        );
      }
      expect(await bench.store.getPayoutJob(job.id)).toEqual(job);
    });

    it('transitionPayoutJob() stores the error with failed and clears it otherwise', async () => {
      const { job } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      await bench.store.transaction((tx) => tx.transitionPayoutJob(job.id, { from: ['queued'], to: 'running', now }));
      const failed = await bench.store.transaction((tx) =>
        tx.transitionPayoutJob(job.id, { from: ['running'], to: 'failed', now, error: 'provider down' }),
      );
      expect(failed).toMatchObject({ status: 'failed', error: 'provider down' });
      const reopened = await bench.store.transaction((tx) =>
        tx.transitionPayoutJob(job.id, { from: ['failed'], to: 'running', now: at(MINUTE) }),
      );
      expect(reopened).toMatchObject({ status: 'running', error: null });
    });

    it('cancelPayoutJob() cancels pending entries and never undoes committed credits', async () => {
      const users = userIds(6);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      const paid = entries.slice(0, 2);
      await payEntries(
        bench.store,
        job.id,
        paid.map((e) => e.id),
      );

      const cancelled = await bench.store.transaction((tx) => tx.cancelPayoutJob(job.id, at(MINUTE)));
      expect(cancelled?.changed).toBe(4);
      expect(cancelled?.finished).toBe(true);
      expect(cancelled?.job).toMatchObject({
        status: 'cancelled',
        completedEntries: 2,
        cancelledEntries: 4,
        paidAmount: sumAmounts(paid),
        completedAt: at(MINUTE),
      });
      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored.map((e) => e.status)).toEqual([
        'completed',
        'completed',
        'cancelled',
        'cancelled',
        'cancelled',
        'cancelled',
      ]);
      expect(await balancesOf(bench.store, users)).toEqual([101n, 102n, 0n, 0n, 0n, 0n]);
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 2, total: sumAmounts(paid) });
      expect(await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }))).toBeNull();
    });

    it('cancelPayoutJob() leaves leased entries to finish and keeps the job cancelled', async () => {
      const users = userIds(3);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now, limit: 1, jobId: job.id, leaseUntil: at(HOUR) }),
      );

      const cancelled = await bench.store.transaction((tx) => tx.cancelPayoutJob(job.id, now));
      expect(cancelled?.changed).toBe(2);
      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored.map((e) => e.status)).toEqual(['processing', 'cancelled', 'cancelled']);

      // The external rail already moved the money: recording it must still work, and must not revive the job.
      const progress = await payEntries(bench.store, job.id, [entries[0]!.id], at(MINUTE));
      expect(progress.changed).toBe(1);
      expect(progress.job).toMatchObject({ status: 'cancelled', completedEntries: 1, paidAmount: entries[0]!.amount });
      expect(await balancesOf(bench.store, users)).toEqual([101n, 0n, 0n]);
    });

    it('cancelPayoutJob() reports the ids it cancelled, ascending, leaving out entries being paid, paid or failed', async () => {
      // Twelve entries: their ids cross a digit boundary, where ascending and lexicographic orders part.
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(12)));
      await payEntries(bench.store, job.id, [entries[0]!.id]);
      await bench.store.transaction(async (tx) => {
        await tx.leasePayoutBatch({ now, limit: 1, jobId: job.id, leaseUntil: at(HOUR) });
        await tx.failPayoutEntries(job.id, [{ entryId: entries[2]!.id, error: 'rejected', retryAt: null }], now);
      });
      const cancelled = await bench.store.transaction((tx) => tx.cancelPayoutJob(job.id, at(MINUTE)));
      expect(cancelled?.changed).toBe(9);
      expect(cancelled?.entryIds).toEqual(entries.slice(3).map((e) => e.id));
      expect(cancelled?.job).toMatchObject({ completedEntries: 1, failedEntries: 1, cancelledEntries: 9 });
    });

    it('failPayoutEntries() cancels, rather than retries, an in-flight entry of a cancelled job', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(4)));
      const lease = at(HOUR);
      await bench.store.transaction((tx) => tx.leasePayoutBatch({ now, limit: 2, jobId: job.id, leaseUntil: lease }));
      const cancelled = await bench.store.transaction((tx) => tx.cancelPayoutJob(job.id, at(MINUTE)));
      expect(cancelled?.job).toMatchObject({ status: 'cancelled', cancelledEntries: 2 });

      const progress = await bench.store.transaction((tx) =>
        tx.failPayoutEntries(
          job.id,
          [
            { entryId: entries[0]!.id, error: 'timeout', retryAt: at(2 * MINUTE), leaseUntil: lease },
            { entryId: entries[1]!.id, error: 'rejected', retryAt: null, leaseUntil: lease },
          ],
          at(2 * MINUTE),
        ),
      );
      expect(progress).toMatchObject({
        changed: 2,
        entryIds: [entries[0]!.id, entries[1]!.id],
        started: false,
        finished: false,
      });
      expect(progress.job).toMatchObject({
        status: 'cancelled',
        completedEntries: 0,
        failedEntries: 1,
        cancelledEntries: 3,
        paidAmount: 0n,
        completedAt: at(MINUTE),
      });
      expect(await bench.store.getPayoutJob(job.id)).toEqual(progress.job);
      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored.map((e) => [e.status, e.attempts, e.lockedUntil, e.error])).toEqual([
        ['cancelled', 1, null, 'timeout'],
        ['failed', 1, null, 'rejected'],
        ['cancelled', 0, null, null],
        ['cancelled', 0, null, null],
      ]);
      expect(
        await bench.store.transaction((tx) =>
          tx.leasePayoutBatch({ now: at(HOUR), limit: 10, jobId: job.id, leaseUntil: at(2 * HOUR) }),
        ),
      ).toBeNull();
    });

    it('cancelPayoutJob() returns null for a finished or unknown job', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      await payEntries(
        bench.store,
        job.id,
        entries.map((e) => e.id),
      );
      expect(await bench.store.transaction((tx) => tx.cancelPayoutJob(job.id, now))).toBeNull();
      expect(await bench.store.transaction((tx) => tx.cancelPayoutJob(newPayoutJob().id, now))).toBeNull();
      expect((await bench.store.getPayoutJob(job.id))?.status).toBe('completed');
    });

    it('cancelPayoutJob() while another transaction pays a batch keeps every committed credit', async () => {
      const users = userIds(8);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      const worker = bench.hold((tx) => tx.claimPayoutBatch({ now, limit: 3, jobId: job.id }));
      const batch = await worker.ready;
      expect(batch?.entries).toHaveLength(3);

      const cancelStarted = createDeferred();
      const cancel = bench.store.transaction(async (tx) => {
        const result = tx.cancelPayoutJob(job.id, at(MINUTE));
        cancelStarted.resolve();
        return result;
      });
      await cancelStarted.promise;
      await worker.commit((tx) =>
        tx.completePayoutEntries(
          job.id,
          batch!.entries.map((e) => e.id),
          { now, creditAccounts: true },
        ),
      );
      const cancelled = await cancel;
      expect(cancelled?.job.status).toBe('cancelled');

      // Whichever order the two committed in, every entry ended exactly one way and the books agree.
      const stored = await listAllPayoutEntries(bench.store, job.id);
      const completed = stored.filter((e) => e.status === 'completed');
      expect(stored.filter((e) => e.status === 'cancelled')).toHaveLength(stored.length - completed.length);
      const ledger = await bench.store.ledgerTotal({ jobId: job.id });
      expect(ledger).toEqual({ count: completed.length, total: sumAmounts(completed) });
      const finalJob = await bench.store.getPayoutJob(job.id);
      expect(finalJob).toMatchObject({
        status: 'cancelled',
        completedEntries: completed.length,
        cancelledEntries: entries.length - completed.length,
        paidAmount: ledger.total,
      });
      const balances = await balancesOf(bench.store, users);
      expect(balances.reduce((sum, b) => sum + b, 0n)).toBe(ledger.total);
    });

    it('prunePayoutJobs() deletes old finished jobs with their entries and keeps the ledger and balances', async () => {
      const users = userIds(2);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      await payEntries(
        bench.store,
        job.id,
        entries.map((e) => e.id),
        at(MINUTE),
      );

      expect(await bench.store.transaction((tx) => tx.prunePayoutJobs(at(MINUTE), 10))).toBe(0);
      const pruned = await bench.store.transaction((tx) => tx.prunePayoutJobs(at(MINUTE + 1_000), 10));
      expect(pruned).toBe(1);
      expect(await bench.store.getPayoutJob(job.id)).toBeNull();
      expect(await bench.store.listPayoutEntries(job.id, { limit: 10 })).toEqual([]);
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 2, total: job.totalAmount });
      expect(await balancesOf(bench.store, users)).toEqual([101n, 102n]);
    });

    it('prunePayoutJobs() keeps a cancelled job while an entry is still processing, and deletes it once that entry completes', async () => {
      const users = userIds(2);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now, limit: 1, jobId: job.id, leaseUntil: at(MINUTE) }),
      );
      await bench.store.transaction((tx) => tx.cancelPayoutJob(job.id, now));
      const stored = await listAllPayoutEntries(bench.store, job.id);

      // The lease expired long ago, but its worker may still report that the money moved.
      expect(await bench.store.transaction((tx) => tx.prunePayoutJobs(at(2 * HOUR), 10))).toBe(0);
      expect((await bench.store.getPayoutJob(job.id))?.status).toBe('cancelled');
      expect(await listAllPayoutEntries(bench.store, job.id)).toEqual(stored);

      await payEntries(bench.store, job.id, [entries[0]!.id], at(HOUR));
      expect(await bench.store.transaction((tx) => tx.prunePayoutJobs(at(2 * HOUR), 10))).toBe(1);
      expect(await bench.store.getPayoutJob(job.id)).toBeNull();
      expect(await bench.store.listPayoutEntries(job.id, { limit: 10 })).toEqual([]);
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 1, total: entries[0]!.amount });
      expect(await balancesOf(bench.store, users)).toEqual([101n, 0n]);
    });

    it('prunePayoutJobs() keeps unfinished jobs and respects limit', async () => {
      const finished = [];
      for (let i = 0; i < 3; i += 1) {
        const seeded = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
        await bench.store.transaction((tx) => tx.cancelPayoutJob(seeded.job.id, at(i * MINUTE)));
        finished.push(seeded.job.id);
      }
      const running = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      await payEntries(bench.store, running.job.id, [running.entries[0]!.id]);
      const queued = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));

      expect(await bench.store.transaction((tx) => tx.prunePayoutJobs(at(HOUR), 2))).toBe(2);
      expect(await bench.store.transaction((tx) => tx.prunePayoutJobs(at(HOUR), 2))).toBe(1);
      expect(await bench.store.transaction((tx) => tx.prunePayoutJobs(at(HOUR), 2))).toBe(0);
      for (const id of finished) expect(await bench.store.getPayoutJob(id)).toBeNull();
      expect((await bench.store.getPayoutJob(running.job.id))?.status).toBe('running');
      expect((await bench.store.getPayoutJob(queued.job.id))?.status).toBe('queued');
    });

    it('payoutStats() counts jobs by status and open entries', async () => {
      const empty = await bench.store.payoutStats();
      expect(empty).toEqual({
        jobs: {
          queued: 0,
          running: 0,
          paused: 0,
          completed: 0,
          completed_with_failures: 0,
          failed: 0,
          cancelled: 0,
        },
        entries: { pending: 0, processing: 0, failed: 0 },
        oldestPendingAt: null,
      });

      const older = await seedPayoutJob(bench.store, newPayoutEntries(userIds(4)), { createdAt: at(-HOUR) });
      await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { createdAt: at(-MINUTE) });
      const paused = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      await bench.store.transaction(async (tx) => {
        await tx.transitionPayoutJob(paused.job.id, { from: ['queued'], to: 'paused', now });
        await tx.completePayoutEntries(older.job.id, [older.entries[0]!.id], { now, creditAccounts: true });
        await tx.failPayoutEntries(older.job.id, [{ entryId: older.entries[1]!.id, error: 'x', retryAt: null }], now);
        await tx.leasePayoutBatch({ now, limit: 1, jobId: older.job.id, leaseUntil: at(HOUR) });
      });

      const stats = await bench.store.payoutStats();
      expect(stats.jobs).toEqual({
        queued: 1,
        running: 1,
        paused: 1,
        completed: 0,
        completed_with_failures: 0,
        failed: 0,
        cancelled: 0,
      });
      // older: 1 completed, 1 failed, 1 leased, 1 pending; the newer job: 2 pending; paused: 1 pending.
      expect(stats.entries).toEqual({ pending: 4, processing: 1, failed: 1 });
      expect(stats.oldestPendingAt).toEqual(at(-HOUR));

      // Cancelling the older job cancels its pending entry; its leased entry stays processing and its
      // dead letter stays failed, in a job that can no longer run.
      await bench.store.transaction((tx) => tx.cancelPayoutJob(older.job.id, now));
      const afterCancel = await bench.store.payoutStats();
      expect(afterCancel.jobs).toMatchObject({ queued: 1, paused: 1, running: 0, cancelled: 1 });
      expect(afterCancel.entries).toEqual({ pending: 3, processing: 1, failed: 1 });
      expect(afterCancel.oldestPendingAt).toEqual(at(-MINUTE));
    });
  });
}
