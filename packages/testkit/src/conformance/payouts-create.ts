import type { PayoutJob } from '@settle/core';
import { ConflictError } from '@settle/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { expectSettleError } from './expect-settle-error';
import { at, MINUTE, REFERENCE_TIME } from './reference-time';
import { newChallenge, newPayoutEntries, newPayoutJob, sumAmounts, userIds } from './sample-data';
import { listAllPayoutEntries, payEntries, seedChallenge, seedPayoutJob } from './seed';

/**
 * Creating payout jobs and reading jobs and entries back.
 *
 * @internal
 */
export function registerPayoutCreateTests(ctx: ConformanceContext): void {
  describe('payouts: create and read', () => {
    const bench = ctx.useStore();

    it('createPayoutJob() inserts a queued job with totals and zeroed counters', async () => {
      const challenge = await seedChallenge(bench.store);
      const input = newPayoutJob({ challengeId: challenge.id, priority: 7, metadata: { reason: 'winners', n: 2 } });
      const entries = newPayoutEntries(userIds(3), (i) => BigInt(1_000 * (i + 1)));

      const job = await bench.store.transaction((tx) => tx.createPayoutJob(input, entries));
      const expected: PayoutJob = {
        id: input.id,
        challengeId: challenge.id,
        status: 'queued',
        priority: 7,
        totalEntries: 3,
        completedEntries: 0,
        failedEntries: 0,
        cancelledEntries: 0,
        totalAmount: 6_000n,
        paidAmount: 0n,
        error: null,
        metadata: { reason: 'winners', n: 2 },
        createdAt: REFERENCE_TIME,
        startedAt: null,
        completedAt: null,
        updatedAt: REFERENCE_TIME,
      };
      expect(job).toEqual(expected);
      expect(await bench.store.getPayoutJob(input.id)).toEqual(expected);
    });

    it('createPayoutJob() inserts every entry pending, available at createdAt, with ids ascending in the order given', async () => {
      // Users deliberately not in id order, so "ordered by entry id" cannot be mistaken for "ordered by user".
      const users = userIds(12).reverse();
      const entries = newPayoutEntries(users);
      const { job, entries: stored } = await seedPayoutJob(bench.store, entries, { createdAt: at(-MINUTE) });

      expect(stored.map((e) => [e.userId, e.amount])).toEqual(entries.map((e) => [e.userId, e.amount]));
      for (const entry of stored) {
        expect(entry).toEqual({
          id: entry.id,
          jobId: job.id,
          userId: entry.userId,
          amount: entry.amount,
          status: 'pending',
          attempts: 0,
          availableAt: at(-MINUTE),
          lockedUntil: null,
          error: null,
          completedAt: null,
        });
      }
      expect(new Set(stored.map((e) => e.id)).size).toBe(12);
    });

    it('createPayoutJob() keeps amounts beyond 2^53 exact', async () => {
      const huge = 2n ** 63n - 1n;
      const entries = newPayoutEntries(userIds(2), (i) => (i === 0 ? huge - 1n : 1n));
      const { job, entries: stored } = await seedPayoutJob(bench.store, entries);
      expect(job.totalAmount).toBe(huge);
      expect(stored.map((e) => e.amount)).toEqual([huge - 1n, 1n]);

      await payEntries(
        bench.store,
        job.id,
        stored.map((e) => e.id),
      );
      expect((await bench.store.getPayoutJob(job.id))?.paidAmount).toBe(huge);
      expect(await bench.store.getBalance(entries[0]!.userId)).toBe(huge - 1n);
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 2, total: huge });
    });

    it('createPayoutJob() throws ConflictError for an existing job id and writes nothing', async () => {
      const { job } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      const again = newPayoutEntries(userIds(3));
      await expectSettleError(
        bench.store.transaction((tx) => tx.createPayoutJob(newPayoutJob({ id: job.id }), again)),
        ConflictError,
        'conflict',
      );
      expect(await bench.store.getPayoutJob(job.id)).toEqual(job);
      expect(await listAllPayoutEntries(bench.store, job.id)).toHaveLength(2);
    });

    it('createPayoutJob() throws ConflictError for a user repeated within the job and writes nothing', async () => {
      const [user, other] = userIds(2);
      const input = newPayoutJob();
      await expectSettleError(
        bench.store.transaction((tx) =>
          tx.createPayoutJob(input, [
            { userId: user!, amount: 1n },
            { userId: other!, amount: 2n },
            { userId: user!, amount: 3n },
          ]),
        ),
        ConflictError,
        'conflict',
      );
      expect(await bench.store.getPayoutJob(input.id)).toBeNull();
      expect(await bench.store.listPayoutEntries(input.id, { limit: 10 })).toEqual([]);
    });

    it('getPayoutJob() returns null for an unknown id', async () => {
      expect(await bench.store.getPayoutJob(newPayoutJob().id)).toBeNull();
    });

    it('listPayoutEntries() pages by entry id with after and limit', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(7)));
      const pages = [];
      let after: string | undefined;
      for (;;) {
        const page = await bench.store.listPayoutEntries(job.id, { limit: 3, after });
        if (page.length === 0) break;
        pages.push(page.map((e) => e.id));
        after = page.at(-1)!.id;
      }
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(pages.flat()).toEqual(entries.map((e) => e.id));
    });

    it('listPayoutEntries() filters by status', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(4)));
      await payEntries(bench.store, job.id, [entries[1]!.id, entries[3]!.id]);

      const completed = await bench.store.listPayoutEntries(job.id, { limit: 10, status: ['completed'] });
      expect(completed.map((e) => e.id)).toEqual([entries[1]!.id, entries[3]!.id]);
      const open = await bench.store.listPayoutEntries(job.id, { limit: 10, status: ['pending', 'processing'] });
      expect(open.map((e) => e.id)).toEqual([entries[0]!.id, entries[2]!.id]);
      expect(await bench.store.listPayoutEntries(job.id, { limit: 10, status: ['failed'] })).toEqual([]);
    });

    it('listPayoutJobs() returns jobs newest first, filtered by status and challenge, up to limit', async () => {
      const challenge = await seedChallenge(bench.store, newChallenge());
      const other = await seedChallenge(bench.store, newChallenge());
      const oldest = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)), {
        challengeId: challenge.id,
        createdAt: at(-3 * MINUTE),
      });
      const middle = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)), {
        challengeId: challenge.id,
        createdAt: at(-2 * MINUTE),
      });
      const newest = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)), {
        challengeId: challenge.id,
        createdAt: at(-1 * MINUTE),
      });
      await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)), { challengeId: other.id });
      await payEntries(bench.store, middle.job.id, [middle.entries[0]!.id]);

      const ids = async (filter: Parameters<typeof bench.store.listPayoutJobs>[0]) =>
        (await bench.store.listPayoutJobs(filter)).map((job) => job.id);

      expect(await ids({ challengeId: challenge.id, limit: 10 })).toEqual([
        newest.job.id,
        middle.job.id,
        oldest.job.id,
      ]);
      expect(await ids({ challengeId: challenge.id, limit: 2 })).toEqual([newest.job.id, middle.job.id]);
      expect(await ids({ challengeId: challenge.id, status: ['completed'], limit: 10 })).toEqual([middle.job.id]);
      expect(await ids({ challengeId: challenge.id, status: ['queued', 'running'], limit: 10 })).toEqual([
        newest.job.id,
        oldest.job.id,
      ]);
      expect(await ids({ status: ['completed'], limit: 10 })).toEqual([middle.job.id]);
    });

    it('createPayoutJob() writes a large job in one call', async () => {
      const count = 5_000;
      const entries = newPayoutEntries(userIds(count), (i) => BigInt(1 + (i % 97)));
      const { job, entries: stored } = await seedPayoutJob(bench.store, entries);
      expect(job.totalEntries).toBe(count);
      expect(job.totalAmount).toBe(sumAmounts(entries));
      expect(stored.map((e) => e.userId)).toEqual(entries.map((e) => e.userId));
      expect((await bench.store.payoutStats()).entries.pending).toBe(count);
    });
  });
}
