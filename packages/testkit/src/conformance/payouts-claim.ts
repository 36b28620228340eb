import type { PayoutBatch } from '@settle/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { at, HOUR, MINUTE, REFERENCE_TIME, SECOND } from './reference-time';
import { newPayoutEntries, userIds } from './sample-data';
import { listAllPayoutEntries, payEntries, seedPayoutJob } from './seed';

const now = REFERENCE_TIME;

function ids(batch: PayoutBatch | null): string[] {
  return batch?.entries.map((e) => e.id) ?? [];
}

/**
 * `claimPayoutBatch()` and `leasePayoutBatch()`: which entries, which job, and `SKIP LOCKED`
 * between concurrent transactions.
 *
 * @internal
 */
export function registerPayoutClaimTests(ctx: ConformanceContext): void {
  describe('payouts: claim and lease', () => {
    const bench = ctx.useStore();

    it('claimPayoutBatch() returns up to limit pending entries of the job in id order, unchanged', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(10).reverse()));
      const batch = await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 4, jobId: job.id }));
      expect(batch?.job.id).toBe(job.id);
      expect(batch?.job.status).toBe('queued');
      expect(batch?.entries).toEqual(entries.slice(0, 4));
      expect(await listAllPayoutEntries(bench.store, job.id)).toEqual(entries);
    });

    it('claimPayoutBatch() returns null when nothing is claimable', async () => {
      expect(await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10 }))).toBeNull();
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), {
        createdAt: at(MINUTE),
      });
      // Entries become available at the job's createdAt, which is still in the future.
      expect(await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }))).toBeNull();
      await payEntries(
        bench.store,
        job.id,
        entries.map((e) => e.id),
        at(MINUTE),
      );
      expect(
        await bench.store.transaction((tx) => tx.claimPayoutBatch({ now: at(2 * MINUTE), limit: 10, jobId: job.id })),
      ).toBeNull();
    });

    it('claimPayoutBatch() skips entries whose availableAt is after now (retry backoff)', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)));
      await bench.store.transaction((tx) =>
        tx.failPayoutEntries(job.id, [{ entryId: entries[0]!.id, error: 'timeout', retryAt: at(MINUTE) }], now),
      );

      const early = await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }));
      expect(ids(early)).toEqual([entries[1]!.id, entries[2]!.id]);

      const due = await bench.store.transaction((tx) =>
        tx.claimPayoutBatch({ now: at(MINUTE), limit: 10, jobId: job.id }),
      );
      expect(ids(due)).toEqual(entries.map((e) => e.id));
      expect(due?.entries[0]).toMatchObject({ status: 'pending', attempts: 1, error: 'timeout' });
    });

    it('claimPayoutBatch() with entryIds claims only those entries that are still claimable', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(6)));
      const wanted = [entries[4]!.id, entries[1]!.id, entries[3]!.id, entries[5]!.id];
      await payEntries(bench.store, job.id, [entries[3]!.id]);
      const other = bench.hold((tx) =>
        tx.claimPayoutBatch({ now, limit: 1, jobId: job.id, entryIds: [entries[5]!.id] }),
      );
      expect(ids(await other.ready)).toEqual([entries[5]!.id]);

      const batch = await bench.notBlocked(
        bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id, entryIds: wanted })),
        'a claim of given entries while another transaction holds one of them',
      );
      // entries[3] is paid and entries[5] is locked: what is left, in id order.
      expect(ids(batch)).toEqual([entries[1]!.id, entries[4]!.id]);
      const limited = await bench.store.transaction((tx) =>
        tx.claimPayoutBatch({ now, limit: 1, jobId: job.id, entryIds: wanted }),
      );
      expect(ids(limited)).toEqual([entries[1]!.id]);
      await other.commit();
    });

    it('claimPayoutBatch() picks the highest priority job, then the oldest', async () => {
      const seed = (priority: number, createdAt: Date) =>
        seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority, createdAt });
      const lowOld = await seed(0, at(-2 * MINUTE));
      const highNew = await seed(10, at(-1 * MINUTE));
      const highOld = await seed(10, at(-3 * MINUTE));
      const lowNew = await seed(0, now);
      const negative = await seed(-5, at(-10 * MINUTE));

      const order: string[] = [];
      for (;;) {
        const batch = await bench.store.transaction(async (tx) => {
          const claimed = await tx.claimPayoutBatch({ now, limit: 10 });
          if (claimed !== null) {
            const entryIds = claimed.entries.map((e) => e.id);
            await tx.completePayoutEntries(claimed.job.id, entryIds, { now, creditAccounts: true });
          }
          return claimed;
        });
        if (batch === null) break;
        expect(new Set(batch.entries.map((e) => e.jobId))).toEqual(new Set([batch.job.id]));
        order.push(batch.job.id);
      }
      expect(order).toEqual([highOld.job.id, highNew.job.id, lowOld.job.id, lowNew.job.id, negative.job.id]);
    });

    it('claimPayoutBatch() ignores paused, cancelled and finished jobs', async () => {
      const paused = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 100 });
      const cancelled = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 99 });
      const failed = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 98 });
      const open = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 0 });
      await bench.store.transaction(async (tx) => {
        await tx.transitionPayoutJob(paused.job.id, { from: ['queued'], to: 'paused', now });
        await tx.cancelPayoutJob(cancelled.job.id, now);
        await tx.transitionPayoutJob(failed.job.id, { from: ['queued'], to: 'running', now });
        await tx.transitionPayoutJob(failed.job.id, { from: ['running'], to: 'failed', now, error: 'gave up' });
      });

      const batch = await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10 }));
      expect(batch?.job.id).toBe(open.job.id);
      for (const skipped of [paused, cancelled, failed]) {
        const direct = await bench.store.transaction((tx) =>
          tx.claimPayoutBatch({ now, limit: 10, jobId: skipped.job.id }),
        );
        expect(direct).toBeNull();
      }

      await bench.store.transaction((tx) =>
        tx.transitionPayoutJob(paused.job.id, { from: ['paused'], to: 'queued', now }),
      );
      const resumed = await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10 }));
      expect(resumed?.job.id).toBe(paused.job.id);
    });

    it('claimPayoutBatch() skips entries locked by another transaction', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(10)));
      const first = bench.hold((tx) => tx.claimPayoutBatch({ now, limit: 3, jobId: job.id }));
      const firstIds = ids(await first.ready);
      expect(firstIds).toEqual(entries.slice(0, 3).map((e) => e.id));

      const second = await bench.notBlocked(
        bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 3, jobId: job.id })),
        'a claim while another transaction holds a batch',
      );
      expect(ids(second)).toEqual(entries.slice(3, 6).map((e) => e.id));
      await first.commit();
    });

    it('claimPayoutBatch() returns null without waiting when another transaction holds every claimable entry', async () => {
      const { job } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(4)));
      const first = bench.hold((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }));
      expect(ids(await first.ready)).toHaveLength(4);

      const second = await bench.notBlocked(
        bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id })),
        'a claim of a job whose entries are all locked',
      );
      expect(second).toBeNull();
      await first.commit();
    });

    it('claimPayoutBatch() moves on to the next job when another transaction holds the best job’s entries', async () => {
      const best = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)), { priority: 5 });
      const next = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)), { priority: 1 });
      const first = bench.hold((tx) => tx.claimPayoutBatch({ now, limit: 10 }));
      expect((await first.ready)?.job.id).toBe(best.job.id);

      const second = await bench.notBlocked(
        bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10 })),
        'a claim while the best job is locked',
      );
      expect(second?.job.id).toBe(next.job.id);
      expect(ids(second)).toEqual(next.entries.map((e) => e.id));
      await first.commit();
    });

    it('claimPayoutBatch() releases its locks when the transaction ends', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)));
      const all = entries.map((e) => e.id);

      const committed = bench.hold((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }));
      expect(ids(await committed.ready)).toEqual(all);
      await committed.commit();
      const afterCommit = await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }));
      expect(ids(afterCommit)).toEqual(all);

      const rolledBack = bench.hold((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }));
      expect(ids(await rolledBack.ready)).toEqual(all);
      await rolledBack.rollback();
      const afterRollback = await bench.store.transaction((tx) =>
        tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }),
      );
      expect(ids(afterRollback)).toEqual(all);
    });

    it('leasePayoutBatch() marks entries processing until leaseUntil, and the lease outlives the transaction', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(5)));
      const leaseUntil = at(MINUTE);
      const leased = await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now, limit: 3, jobId: job.id, leaseUntil }),
      );
      expect(leased?.job.id).toBe(job.id);
      expect(leased?.entries).toEqual(
        entries.slice(0, 3).map((e) => ({ ...e, status: 'processing', lockedUntil: leaseUntil })),
      );

      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored.map((e) => [e.status, e.lockedUntil])).toEqual([
        ['processing', leaseUntil],
        ['processing', leaseUntil],
        ['processing', leaseUntil],
        ['pending', null],
        ['pending', null],
      ]);

      // While the lease is live neither a claim nor another lease gets those entries.
      const claimed = await bench.store.transaction((tx) => tx.claimPayoutBatch({ now, limit: 10, jobId: job.id }));
      expect(ids(claimed)).toEqual(entries.slice(3).map((e) => e.id));
      const leasedAgain = await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now: at(30 * SECOND), limit: 10, jobId: job.id, leaseUntil: at(2 * MINUTE) }),
      );
      expect(ids(leasedAgain)).toEqual(entries.slice(3).map((e) => e.id));
      expect((await bench.store.payoutStats()).entries.processing).toBe(5);
    });

    it('leasePayoutBatch() re-leases entries whose lease expired', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now, limit: 10, jobId: job.id, leaseUntil: at(MINUTE) }),
      );

      const live = await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now: at(MINUTE - SECOND), limit: 10, jobId: job.id, leaseUntil: at(5 * MINUTE) }),
      );
      expect(live).toBeNull();

      const expired = await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now: at(MINUTE + SECOND), limit: 10, jobId: job.id, leaseUntil: at(5 * MINUTE) }),
      );
      expect(expired?.entries).toEqual(
        entries.map((e) => ({ ...e, status: 'processing', lockedUntil: at(5 * MINUTE) })),
      );
    });

    it('leasePayoutBatch() with entryIds leases only those entries that are still leasable', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(6)));
      const other = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      const lease = (options: { now: Date; limit: number; entryIds: string[]; leaseUntil: Date }) =>
        bench.store.transaction((tx) => tx.leasePayoutBatch({ ...options, jobId: job.id }));
      expect(ids(await lease({ now, limit: 10, entryIds: [entries[1]!.id], leaseUntil: at(MINUTE) }))).toEqual([
        entries[1]!.id,
      ]);
      expect(ids(await lease({ now, limit: 10, entryIds: [entries[5]!.id], leaseUntil: at(HOUR) }))).toEqual([
        entries[5]!.id,
      ]);
      await payEntries(bench.store, job.id, [entries[3]!.id]);

      // entries[1]'s lease expired, entries[3] is paid, entries[5]'s lease is live, the last id is another job's.
      const wanted = [entries[4]!.id, entries[1]!.id, entries[3]!.id, entries[5]!.id, other.entries[0]!.id];
      const first = await lease({ now: at(2 * MINUTE), limit: 1, entryIds: wanted, leaseUntil: at(3 * MINUTE) });
      expect(first?.entries).toEqual([{ ...entries[1], status: 'processing', lockedUntil: at(3 * MINUTE) }]);
      const rest = await lease({ now: at(4 * MINUTE), limit: 10, entryIds: wanted, leaseUntil: at(5 * MINUTE) });
      expect(ids(rest)).toEqual([entries[1]!.id, entries[4]!.id]);

      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored.map((e) => [e.status, e.lockedUntil])).toEqual([
        ['pending', null],
        ['processing', at(5 * MINUTE)],
        ['pending', null],
        ['completed', null],
        ['processing', at(5 * MINUTE)],
        ['processing', at(HOUR)],
      ]);
      expect(await listAllPayoutEntries(bench.store, other.job.id)).toEqual(other.entries);
    });

    it('leasePayoutBatch() re-leases an expired processing entry of a paused job and of a cancelled job', async () => {
      const paused = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)));
      const cancelled = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)));
      await bench.store.transaction(async (tx) => {
        for (const { job } of [paused, cancelled]) {
          await tx.leasePayoutBatch({ now, limit: 1, jobId: job.id, leaseUntil: at(MINUTE) });
        }
        await tx.transitionPayoutJob(paused.job.id, { from: ['queued'], to: 'paused', now });
        await tx.cancelPayoutJob(cancelled.job.id, now);
      });

      // The worker holding those leases vanished; the money may have moved, so someone must settle them.
      for (const [{ job, entries }, status] of [
        [paused, 'paused'],
        [cancelled, 'cancelled'],
      ] as const) {
        const batch = await bench.store.transaction((tx) =>
          tx.leasePayoutBatch({ now: at(2 * MINUTE), limit: 10, jobId: job.id, leaseUntil: at(10 * MINUTE) }),
        );
        expect(batch?.job).toMatchObject({ id: job.id, status });
        expect(batch?.entries).toEqual([{ ...entries[0], status: 'processing', lockedUntil: at(10 * MINUTE) }]);
      }
      expect((await listAllPayoutEntries(bench.store, paused.job.id)).map((e) => e.status)).toEqual([
        'processing',
        'pending',
        'pending',
      ]);
      expect((await listAllPayoutEntries(bench.store, cancelled.job.id)).map((e) => e.status)).toEqual([
        'processing',
        'cancelled',
        'cancelled',
      ]);
    });

    it('leasePayoutBatch() never leases pending entries of a paused job, nor cancelled entries', async () => {
      const paused = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 10 });
      const cancelled = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 10 });
      const open = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      await bench.store.transaction(async (tx) => {
        await tx.transitionPayoutJob(paused.job.id, { from: ['queued'], to: 'paused', now });
        await tx.cancelPayoutJob(cancelled.job.id, now);
      });
      const lease = (jobId?: string) =>
        bench.store.transaction((tx) => tx.leasePayoutBatch({ now, limit: 10, jobId, leaseUntil: at(MINUTE) }));

      expect(await lease(paused.job.id)).toBeNull();
      expect(await lease(cancelled.job.id)).toBeNull();
      const best = await lease();
      expect(best?.job.id).toBe(open.job.id);
      expect(ids(best)).toEqual(open.entries.map((e) => e.id));
      expect(await lease()).toBeNull();
      expect(await listAllPayoutEntries(bench.store, paused.job.id)).toEqual(paused.entries);
    });

    it('leasePayoutBatch() without a job id also finds expired leases of paused and cancelled jobs, best job first', async () => {
      const paused = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 5 });
      const cancelled = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 3 });
      const open = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      await bench.store.transaction(async (tx) => {
        for (const { job } of [paused, cancelled]) {
          await tx.leasePayoutBatch({ now, limit: 1, jobId: job.id, leaseUntil: at(MINUTE) });
        }
        await tx.transitionPayoutJob(paused.job.id, { from: ['queued'], to: 'paused', now });
        await tx.cancelPayoutJob(cancelled.job.id, now);
      });

      const leased: [string, string[]][] = [];
      for (;;) {
        const batch = await bench.store.transaction((tx) =>
          tx.leasePayoutBatch({ now: at(2 * MINUTE), limit: 10, leaseUntil: at(10 * MINUTE) }),
        );
        if (batch === null) break;
        leased.push([batch.job.id, ids(batch)]);
      }
      expect(leased).toEqual([
        [paused.job.id, [paused.entries[0]!.id]],
        [cancelled.job.id, [cancelled.entries[0]!.id]],
        [open.job.id, open.entries.map((e) => e.id)],
      ]);
    });

    it('leasePayoutBatch() never hands the same entry to two concurrent leasers', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(6)));
      const leaseUntil = at(MINUTE);
      const first = bench.hold((tx) => tx.leasePayoutBatch({ now, limit: 4, jobId: job.id, leaseUntil }));
      expect(ids(await first.ready)).toEqual(entries.slice(0, 4).map((e) => e.id));

      const second = await bench.notBlocked(
        bench.store.transaction((tx) => tx.leasePayoutBatch({ now, limit: 4, jobId: job.id, leaseUntil })),
        'a lease while another transaction holds a batch',
      );
      expect(ids(second)).toEqual(entries.slice(4).map((e) => e.id));
      await first.commit();

      const third = await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now, limit: 10, jobId: job.id, leaseUntil }),
      );
      expect(third).toBeNull();
    });
  });
}
