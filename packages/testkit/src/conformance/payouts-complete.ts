import type { PaidPayoutBatch, PayoutBatch, PayoutEntryId, PayoutJobProgress, StoreTransaction } from '@settle/core';
import { ConflictError, NotFoundError, SettleError } from '@settle/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { createDeferred } from './deferred';
import { at, HOUR, MINUTE, REFERENCE_TIME } from './reference-time';
import { newPayoutEntries, sumAmounts, userIds } from './sample-data';
import { balancesOf, listAllPayoutEntries, payEntries, type SeededPayoutJob, seedPayoutJob } from './seed';

const now = REFERENCE_TIME;

/**
 * `completePayoutEntries()` and the ledger: credits, counters, exactly-once under retries,
 * rollbacks and concurrent workers.
 *
 * @internal
 */
export function registerPayoutCompleteTests(ctx: ConformanceContext): void {
  describe('payouts: complete and ledger', () => {
    const bench = ctx.useStore();

    it('completePayoutEntries() completes entries, writes ledger rows and credits balances', async () => {
      const users = userIds(4);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      const paid = entries.slice(0, 3);
      const progress = await payEntries(
        bench.store,
        job.id,
        paid.map((e) => e.id),
        at(MINUTE),
      );

      expect(progress.changed).toBe(3);
      expect(progress.started).toBe(true);
      expect(progress.finished).toBe(false);
      expect(progress.job).toMatchObject({
        id: job.id,
        status: 'running',
        completedEntries: 3,
        failedEntries: 0,
        paidAmount: sumAmounts(paid),
        startedAt: at(MINUTE),
        completedAt: null,
      });
      expect(await bench.store.getPayoutJob(job.id)).toEqual(progress.job);

      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored.map((e) => [e.status, e.completedAt])).toEqual([
        ['completed', at(MINUTE)],
        ['completed', at(MINUTE)],
        ['completed', at(MINUTE)],
        ['pending', null],
      ]);
      expect(await balancesOf(bench.store, users)).toEqual([101n, 102n, 103n, 0n]);
      expect(await bench.store.listLedger({ jobId: job.id }, { limit: 10 })).toEqual(
        paid.map((e) => ({ entryId: e.id, jobId: job.id, userId: e.userId, amount: e.amount, createdAt: at(MINUTE) })),
      );
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 3, total: sumAmounts(paid) });
    });

    it('completePayoutEntries() finishes the job as completed when the last entry is paid', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)));
      await payEntries(bench.store, job.id, [entries[0]!.id], at(MINUTE));
      const last = await payEntries(
        bench.store,
        job.id,
        entries.slice(1).map((e) => e.id),
        at(2 * MINUTE),
      );
      expect(last.started).toBe(false);
      expect(last.finished).toBe(true);
      expect(last.changed).toBe(2);
      expect(last.job).toMatchObject({
        status: 'completed',
        completedEntries: 3,
        paidAmount: job.totalAmount,
        startedAt: at(MINUTE),
        completedAt: at(2 * MINUTE),
      });
      expect(await bench.store.getPayoutJob(job.id)).toEqual(last.job);
    });

    it('completePayoutEntries() with creditAccounts false records ledger rows without touching balances', async () => {
      const users = userIds(2);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      const progress = await bench.store.transaction((tx) =>
        tx.completePayoutEntries(
          job.id,
          entries.map((e) => e.id),
          { now, creditAccounts: false },
        ),
      );
      expect(progress.job.status).toBe('completed');
      expect(progress.job.paidAmount).toBe(job.totalAmount);
      expect(await balancesOf(bench.store, users)).toEqual([0n, 0n]);
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 2, total: job.totalAmount });
    });

    it('completePayoutEntries() twice on the same entry credits once', async () => {
      const users = userIds(3);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      const all = entries.map((e) => e.id);
      await payEntries(bench.store, job.id, all.slice(0, 2));

      const again = await payEntries(bench.store, job.id, all);
      expect(again.changed).toBe(1);
      expect(again.entryIds).toEqual([all[2]]);
      const once = await payEntries(bench.store, job.id, all);
      expect(once.changed).toBe(0);
      expect(once.entryIds).toEqual([]);
      expect(once.started).toBe(false);
      expect(once.finished).toBe(false);

      expect(await balancesOf(bench.store, users)).toEqual([101n, 102n, 103n]);
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 3, total: job.totalAmount });
      expect(await bench.store.getPayoutJob(job.id)).toMatchObject({
        status: 'completed',
        completedEntries: 3,
        paidAmount: job.totalAmount,
      });
    });

    it('completePayoutEntries() reports the ids it completed, ascending, leaving out entries already finished', async () => {
      // Twelve entries: their ids cross a digit boundary, where ascending and lexicographic orders part.
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(12)));
      const [e2, e9, e10, e11] = [entries[2]!.id, entries[9]!.id, entries[10]!.id, entries[11]!.id];
      await payEntries(bench.store, job.id, [e9]);

      const progress = await payEntries(bench.store, job.id, [e11, e9, e2, e10]);
      expect(progress.changed).toBe(3);
      expect(progress.entryIds).toEqual([e2, e10, e11]);
      expect(progress.job).toMatchObject({ completedEntries: 4 });

      const again = await payEntries(bench.store, job.id, [e11, e9, e2, e10]);
      expect(again).toMatchObject({ changed: 0, entryIds: [], started: false, finished: false });
    });

    it('completePayoutEntries() credits once when two transactions complete the same entries concurrently', async () => {
      const users = userIds(3);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      const all = entries.map((e) => e.id);
      const complete = (tx: Parameters<Parameters<typeof bench.store.transaction>[0]>[0]) =>
        tx.completePayoutEntries(job.id, all, { now, creditAccounts: true });

      const first = bench.hold(complete);
      expect((await first.ready).changed).toBe(3);
      const secondStarted = createDeferred();
      const second = bench.store.transaction(async (tx) => {
        const progress = complete(tx);
        secondStarted.resolve();
        return progress;
      });
      await secondStarted.promise;
      await first.commit();

      // The second either finds the entries completed and skips them, or hits the ledger's unique key.
      const outcome = await second.then(
        (progress) => progress,
        (error: unknown) => error,
      );
      if (outcome instanceof SettleError) {
        expect(outcome).toBeInstanceOf(ConflictError);
        expect(outcome.code).toBe('conflict');
      } else {
        expect((outcome as PayoutJobProgress).changed).toBe(0);
      }
      expect(await balancesOf(bench.store, users)).toEqual([101n, 102n, 103n]);
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 3, total: job.totalAmount });
      expect(await bench.store.getPayoutJob(job.id)).toMatchObject({
        completedEntries: 3,
        paidAmount: job.totalAmount,
      });
    });

    it('completePayoutEntries() of two jobs crediting the same users concurrently neither deadlocks nor loses a credit', async () => {
      const users = userIds(100);
      const first = await seedPayoutJob(
        bench.store,
        newPayoutEntries(users, (i) => BigInt(1_000 + i)),
      );
      // The second job lists the users the other way round: a store that credited balances in entry
      // order rather than ascending user order would lock them crosswise and deadlock.
      const second = await seedPayoutJob(
        bench.store,
        newPayoutEntries([...users].reverse(), (i) => 2n ** 53n + BigInt(i)),
      );
      const attempts = [0, 0];
      const worker = (index: number, jobId: string) =>
        bench.hold(async (tx) => {
          attempts[index]! += 1;
          return tx.claimPayoutBatch({ now, limit: users.length, jobId });
        });
      const a = worker(0, first.job.id);
      const b = worker(1, second.job.id);
      const batches = await Promise.all([a.ready, b.ready]);
      expect(batches.map((batch) => batch?.entries.length)).toEqual([users.length, users.length]);

      // Both batches are released at once, so their credits to the same balances overlap.
      const complete = (jobId: string) => (tx: StoreTransaction, batch: PayoutBatch | null) =>
        tx.completePayoutEntries(jobId, batch?.entries.map((e) => e.id) ?? [], { now, creditAccounts: true });
      const progresses = await Promise.all([a.commit(complete(first.job.id)), b.commit(complete(second.job.id))]);

      expect(attempts).toEqual([1, 1]);
      expect(progresses.map((p) => [p.changed, p.job.status])).toEqual([
        [users.length, 'completed'],
        [users.length, 'completed'],
      ]);
      // User i gets 1000 + i from the first job and 2^53 + 99 - i from the second.
      expect(await balancesOf(bench.store, users)).toEqual(users.map(() => 2n ** 53n + 1_099n));
      expect(await bench.store.ledgerTotal({ jobId: first.job.id })).toEqual({
        count: users.length,
        total: first.job.totalAmount,
      });
      expect(await bench.store.ledgerTotal({ jobId: second.job.id })).toEqual({
        count: users.length,
        total: second.job.totalAmount,
      });
    });

    it('completePayoutEntries() leaves nothing written when its transaction rolls back', async () => {
      const users = userIds(5);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      const failure = new Error('host credit hook failed');

      const outcome = bench.store.transaction(async (tx) => {
        const batch = await tx.claimPayoutBatch({ now, limit: 10, jobId: job.id });
        const progress = await tx.completePayoutEntries(job.id, batch?.entries.map((e) => e.id) ?? [], {
          now,
          creditAccounts: true,
        });
        expect(progress.changed).toBe(5);
        expect(await tx.getBalance(users[0]!)).toBe(101n);
        throw failure;
      });

      await expect(outcome).rejects.toBe(failure);
      expect(await bench.store.getPayoutJob(job.id)).toEqual(job);
      expect(await listAllPayoutEntries(bench.store, job.id)).toEqual(entries);
      expect(await balancesOf(bench.store, users)).toEqual([0n, 0n, 0n, 0n, 0n]);
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 0, total: 0n });

      const retried = await payEntries(
        bench.store,
        job.id,
        entries.map((e) => e.id),
      );
      expect(retried.changed).toBe(5);
      expect(await balancesOf(bench.store, users)).toEqual([101n, 102n, 103n, 104n, 105n]);
    });

    it('completePayoutEntries() accumulates credits to one user across jobs', async () => {
      const [user] = userIds(1);
      const first = await seedPayoutJob(bench.store, [{ userId: user!, amount: 250n }]);
      const second = await seedPayoutJob(bench.store, [{ userId: user!, amount: 750n }]);
      await payEntries(bench.store, first.job.id, [first.entries[0]!.id]);
      await payEntries(bench.store, second.job.id, [second.entries[0]!.id]);
      expect(await bench.store.getBalance(user!)).toBe(1_000n);
      expect(await bench.store.ledgerTotal({ userId: user! })).toEqual({ count: 2, total: 1_000n });
    });

    it('completePayoutEntries() completes leased entries and clears the lease', async () => {
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)));
      await bench.store.transaction((tx) =>
        tx.leasePayoutBatch({ now, limit: 10, jobId: job.id, leaseUntil: at(MINUTE) }),
      );
      const progress = await payEntries(
        bench.store,
        job.id,
        entries.map((e) => e.id),
        at(30_000),
      );
      expect(progress.changed).toBe(2);
      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored.map((e) => [e.status, e.lockedUntil, e.completedAt])).toEqual([
        ['completed', null, at(30_000)],
        ['completed', null, at(30_000)],
      ]);
    });

    it('completePayoutEntries() never credits an entry through another job', async () => {
      const mine = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      const other = await seedPayoutJob(bench.store, newPayoutEntries(userIds(1)));
      const outcome = await payEntries(bench.store, mine.job.id, [other.entries[0]!.id]).then(
        (progress) => progress,
        (error: unknown) => error,
      );
      if (outcome instanceof SettleError) {
        expect(outcome).toBeInstanceOf(NotFoundError);
        expect(outcome.code).toBe('not_found');
      } else {
        expect((outcome as PayoutJobProgress).changed).toBe(0);
      }
      expect(await bench.store.getBalance(other.entries[0]!.userId)).toBe(0n);
      expect(await bench.store.getPayoutJob(mine.job.id)).toMatchObject({ completedEntries: 0, paidAmount: 0n });
      expect(await bench.store.getPayoutJob(other.job.id)).toEqual(other.job);
    });

    it('claimPayoutBatch() and completePayoutEntries() pay every entry exactly once when workers drain a job concurrently', async () => {
      const count = ctx.options.drainEntries;
      const users = userIds(count);
      // Uneven amounts, some beyond 2^53, so a lost or repeated entry always changes the totals.
      const entries = newPayoutEntries(users, (i) => BigInt(i * 7 + 1) + (i % 50 === 0 ? 2n ** 53n : 0n));
      const total = sumAmounts(entries);
      const { job } = await seedPayoutJob(bench.store, entries);

      const progresses: PayoutJobProgress[] = [];
      const worker = async (): Promise<PayoutEntryId[]> => {
        const claimed: PayoutEntryId[] = [];
        for (;;) {
          const result = await bench.store.transaction(async (tx) => {
            const batch = await tx.claimPayoutBatch({ now, limit: 7, jobId: job.id });
            if (batch === null) return null;
            const entryIds = batch.entries.map((e) => e.id);
            const progress = await tx.completePayoutEntries(job.id, entryIds, { now, creditAccounts: true });
            return { entryIds, progress };
          });
          if (result === null) return claimed;
          // Recorded after commit only: a retried transaction must not count twice.
          claimed.push(...result.entryIds);
          progresses.push(result.progress);
        }
      };
      const claimedByWorker = await Promise.all(Array.from({ length: ctx.options.drainWorkers }, worker));
      const claimed = claimedByWorker.flat();

      expect(claimed).toHaveLength(count);
      expect(new Set(claimed).size).toBe(count);
      expect(progresses.reduce((sum, p) => sum + p.changed, 0)).toBe(count);
      expect(progresses.filter((p) => p.started)).toHaveLength(1);
      expect(progresses.filter((p) => p.finished)).toHaveLength(1);

      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count, total });
      const balances = await balancesOf(bench.store, users);
      expect(balances).toEqual(entries.map((e) => e.amount));
      expect(balances.reduce((sum, b) => sum + b, 0n)).toBe(total);
      expect(await bench.store.getPayoutJob(job.id)).toMatchObject({
        status: 'completed',
        completedEntries: count,
        failedEntries: 0,
        paidAmount: total,
      });
      const stored = await listAllPayoutEntries(bench.store, job.id);
      expect(stored.filter((e) => e.status === 'completed')).toHaveLength(count);
    });

    it('payPayoutBatch() pays what claimPayoutBatch() then completePayoutEntries() pays', async () => {
      const amounts = (i: number) => BigInt(i * 7 + 1) + (i === 2 ? 2n ** 53n : 0n);
      const twoStep = await seedPayoutJob(bench.store, newPayoutEntries(userIds(5), amounts));
      const oneStep = await seedPayoutJob(bench.store, newPayoutEntries(userIds(5), amounts));
      const viaClaim = (jobId: string, nowAt: Date, limit: number) =>
        bench.store.transaction(async (tx) => {
          const batch = await tx.claimPayoutBatch({ now: nowAt, limit, jobId });
          if (batch === null) return null;
          const ids = batch.entries.map((e) => e.id);
          const progress = await tx.completePayoutEntries(jobId, ids, { now: nowAt, creditAccounts: true });
          return { progress, amount: sumAmounts(batch.entries.filter((e) => progress.entryIds.includes(e.id))) };
        });
      const viaPay = (jobId: string, nowAt: Date, limit: number) =>
        bench.store.transaction((tx) => tx.payPayoutBatch({ now: nowAt, limit, jobId }));
      // What a step did, with the job's own ids replaced by positions, so the two jobs compare equal.
      const shape = async (seeded: SeededPayoutJob, paid: PaidPayoutBatch | null) => {
        const position = (id: string) => seeded.entries.findIndex((e) => e.id === id);
        const { job, changed, started, finished, entryIds } = paid!.progress;
        const stored = await listAllPayoutEntries(bench.store, seeded.job.id);
        const ledger = await bench.store.listLedger({ jobId: seeded.job.id }, { limit: 10 });
        return {
          amount: paid!.amount,
          progress: { changed, started, finished, entryIds: entryIds.map(position) },
          job: {
            status: job.status,
            completedEntries: job.completedEntries,
            failedEntries: job.failedEntries,
            paidAmount: job.paidAmount,
            startedAt: job.startedAt,
            completedAt: job.completedAt,
            updatedAt: job.updatedAt,
          },
          stored: await bench.store.getPayoutJob(seeded.job.id).then((j) => j?.status),
          entries: stored.map((e) => [e.status, e.completedAt]),
          ledger: ledger.map((l) => [
            position(l.entryId),
            l.userId === seeded.entries[position(l.entryId)]!.userId,
            l.amount,
            l.createdAt,
          ]),
          balances: await balancesOf(
            bench.store,
            seeded.entries.map((e) => e.userId),
          ),
        };
      };

      const first = await shape(oneStep, await viaPay(oneStep.job.id, at(MINUTE), 3));
      expect(first).toEqual(await shape(twoStep, await viaClaim(twoStep.job.id, at(MINUTE), 3)));
      expect(first.amount).toBe(sumAmounts(oneStep.entries.slice(0, 3)));
      expect(first.progress).toEqual({ changed: 3, started: true, finished: false, entryIds: [0, 1, 2] });
      expect(first.job).toMatchObject({ status: 'running', completedEntries: 3, startedAt: at(MINUTE) });
      expect(first.balances).toEqual([...oneStep.entries.slice(0, 3).map((e) => e.amount), 0n, 0n]);

      const last = await shape(oneStep, await viaPay(oneStep.job.id, at(2 * MINUTE), 10));
      expect(last).toEqual(await shape(twoStep, await viaClaim(twoStep.job.id, at(2 * MINUTE), 10)));
      expect(last.progress).toEqual({ changed: 2, started: false, finished: true, entryIds: [3, 4] });
      expect(last.job).toMatchObject({
        status: 'completed',
        paidAmount: oneStep.job.totalAmount,
        completedAt: at(2 * MINUTE),
      });
      expect(last.balances).toEqual(oneStep.entries.map((e) => e.amount));
      expect(await bench.store.ledgerTotal({ jobId: oneStep.job.id })).toEqual({
        count: 5,
        total: oneStep.job.totalAmount,
      });

      expect(await viaPay(oneStep.job.id, at(3 * MINUTE), 10)).toBeNull();
    });

    it('payPayoutBatch() picks the job claimPayoutBatch() would, by priority then age', async () => {
      const low = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 1 });
      const high = await seedPayoutJob(bench.store, newPayoutEntries(userIds(2)), { priority: 5 });
      const paid = await bench.store.transaction((tx) => tx.payPayoutBatch({ now, limit: 10 }));
      expect(paid?.progress.job).toMatchObject({ id: high.job.id, status: 'completed' });
      expect(paid?.progress.entryIds).toEqual(high.entries.map((e) => e.id));
      expect(paid?.amount).toBe(high.job.totalAmount);
      const next = await bench.store.transaction((tx) => tx.payPayoutBatch({ now, limit: 10 }));
      expect(next?.progress.job.id).toBe(low.job.id);
      expect(await bench.store.transaction((tx) => tx.payPayoutBatch({ now, limit: 10 }))).toBeNull();
    });

    it('payPayoutBatch() skips entries another transaction holds', async () => {
      const users = userIds(10);
      const { job, entries } = await seedPayoutJob(bench.store, newPayoutEntries(users));
      // A lease, so the held entries stay unclaimable after the commit too: whenever the claim runs,
      // only the other entries can be paid.
      const leaseUntil = at(HOUR);
      const held = bench.hold((tx) => tx.leasePayoutBatch({ now, limit: 3, jobId: job.id, leaseUntil }));
      expect((await held.ready)?.entries.map((e) => e.id)).toEqual(entries.slice(0, 3).map((e) => e.id));

      const paying = bench.store.transaction((tx) => tx.payPayoutBatch({ now, limit: 3, jobId: job.id }));
      // The claim never waits; MySQL's completion may still wait for the held entries' locks.
      const waits = bench.store.capabilities.dialect === 'mysql';
      if (!waits) await bench.notBlocked(paying, 'a paid batch while another transaction holds a batch');
      await held.commit();
      const paid = await paying;
      expect(paid?.progress.entryIds).toEqual(entries.slice(3, 6).map((e) => e.id));
      expect(paid?.amount).toBe(sumAmounts(entries.slice(3, 6)));
      expect(paid?.progress.job).toMatchObject({ status: 'running', completedEntries: 3 });

      const rest = await bench.store.transaction((tx) => tx.payPayoutBatch({ now, limit: 10, jobId: job.id }));
      expect(rest?.progress.entryIds).toEqual(entries.slice(6).map((e) => e.id));
      expect(rest?.progress.job).toMatchObject({ status: 'running', completedEntries: 7 });
      expect(await balancesOf(bench.store, users)).toEqual([0n, 0n, 0n, ...entries.slice(3).map((e) => e.amount)]);
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({
        count: 7,
        total: sumAmounts(entries.slice(3)),
      });
      expect(await bench.store.transaction((tx) => tx.payPayoutBatch({ now, limit: 10, jobId: job.id }))).toBeNull();
    });

    it('payPayoutBatch() returns null when nothing is claimable', async () => {
      expect(await bench.store.transaction((tx) => tx.payPayoutBatch({ now, limit: 10 }))).toBeNull();
      const { job } = await seedPayoutJob(bench.store, newPayoutEntries(userIds(3)), { createdAt: at(MINUTE) });
      // Not yet available.
      expect(await bench.store.transaction((tx) => tx.payPayoutBatch({ now, limit: 10 }))).toBeNull();
      const held = bench.hold((tx) => tx.claimPayoutBatch({ now: at(MINUTE), limit: 10, jobId: job.id }));
      expect((await held.ready)?.entries).toHaveLength(3);
      const paid = await bench.notBlocked(
        bench.store.transaction((tx) => tx.payPayoutBatch({ now: at(MINUTE), limit: 10 })),
        'a paid batch of a job whose entries are all locked',
      );
      expect(paid).toBeNull();
      await held.rollback();
      expect(await bench.store.getPayoutJob(job.id)).toMatchObject({ status: 'queued', completedEntries: 0 });
      expect(await bench.store.ledgerTotal({ jobId: job.id })).toEqual({ count: 0, total: 0n });
    });

    it('getBalance() returns 0 for a user never credited', async () => {
      const [user] = userIds(1);
      expect(await bench.store.getBalance(user!)).toBe(0n);
    });

    it('listLedger() and ledgerTotal() filter by job and by user, ordered and paged by entry id', async () => {
      const [shared, ...others] = userIds(4);
      const first = await seedPayoutJob(bench.store, [
        { userId: others[0]!, amount: 10n },
        { userId: shared!, amount: 20n },
        { userId: others[1]!, amount: 30n },
      ]);
      const second = await seedPayoutJob(bench.store, [
        { userId: shared!, amount: 40n },
        { userId: others[2]!, amount: 50n },
      ]);
      await payEntries(
        bench.store,
        first.job.id,
        first.entries.map((e) => e.id),
        at(MINUTE),
      );
      await payEntries(
        bench.store,
        second.job.id,
        second.entries.map((e) => e.id),
        at(2 * MINUTE),
      );

      const firstPage = await bench.store.listLedger({ jobId: first.job.id }, { limit: 2 });
      expect(firstPage.map((row) => row.amount)).toEqual([10n, 20n]);
      const rest = await bench.store.listLedger({ jobId: first.job.id }, { limit: 2, after: firstPage[1]!.entryId });
      expect(rest.map((row) => row.amount)).toEqual([30n]);

      // Entry ids only promise an order within one job, so rows of two jobs are compared as a set.
      const sharedRows = await bench.store.listLedger({ userId: shared! }, { limit: 10 });
      expect([...sharedRows].sort((a, b) => Number(a.amount - b.amount))).toEqual([
        { entryId: first.entries[1]!.id, jobId: first.job.id, userId: shared, amount: 20n, createdAt: at(MINUTE) },
        {
          entryId: second.entries[0]!.id,
          jobId: second.job.id,
          userId: shared,
          amount: 40n,
          createdAt: at(2 * MINUTE),
        },
      ]);
      expect(await bench.store.ledgerTotal({ userId: shared! })).toEqual({ count: 2, total: 60n });
      expect(await bench.store.ledgerTotal({ jobId: second.job.id, userId: shared! })).toEqual({
        count: 1,
        total: 40n,
      });
      expect(await bench.store.ledgerTotal({ jobId: second.job.id })).toEqual({ count: 2, total: 90n });
    });
  });
}
