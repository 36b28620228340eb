import { PayoutQueue } from '@settle/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killWorkerProcesses, startWorkerProcess, type WorkerProcess } from './worker-process';
import type { WorkerProcessHarness, WorkerProcessHarnessFactory } from './worker-process-harness';
import type { WorkerStore } from './worker-store';

/** A 20,000-entry job split among three processes takes a while on a loaded machine; nothing here measures time. */
const PROCESS_TEST_TIMEOUT_MS = 180_000;

/**
 * Registers the PayoutQueue worker-process scenarios (vitest): exactly once across real
 * processes on one database. Three worker processes share one 20,000-entry job; a worker killed
 * with SIGKILL while its batch's transaction is open loses and doubles nothing once another
 * finishes the job. Each worker pays through a hook that credits the host's own balances table
 * in the batch's transaction, so a double payment shows as a wrong balance; the ledger, the job's
 * counters and every balance are checked to the last minor unit.
 *
 * @example
 * ```ts
 * runPayoutWorkerScenarios('MyStore', () => ({
 *   script: new URL('./fixtures/my-worker.ts', import.meta.url),
 *   env: { MY_DB_URL: url, SETTLE_PREFIX: freshPrefix() },
 *   createWorkerStore: createMyWorkerStore,
 * }));
 * ```
 */
export function runPayoutWorkerScenarios(name: string, makeHarness: WorkerProcessHarnessFactory): void {
  describe(`${name}: PayoutQueue worker processes`, () => {
    let harness: WorkerProcessHarness;
    let worker: WorkerStore;

    beforeEach(async () => {
      harness = await makeHarness();
      worker = await harness.createWorkerStore(harness.env);
      await worker.store.migrate();
      await worker.host.create();
    });
    afterEach(async () => {
      killWorkerProcesses();
      await worker?.close();
      await harness?.cleanup?.();
    });

    const startWorker = (env: Record<string, string>): WorkerProcess =>
      startWorkerProcess(harness.script, { ...harness.env, SETTLE_WORKER_ROLE: 'payout', ...env });

    async function enqueueJob(count: number) {
      const entries = Array.from({ length: count }, (_, i) => ({ userId: `user-${i}`, amount: BigInt(1 + (i % 997)) }));
      const { jobId } = await new PayoutQueue({ store: worker.store }).enqueue({ entries });
      const total = entries.reduce((sum, e) => sum + e.amount, 0n);
      return { jobId, entries, total };
    }

    /** Users whose host balance is not exactly their one entry's amount. */
    async function wrongBalances(entries: readonly { userId: string; amount: bigint }[]): Promise<string[]> {
      const balances = await worker.host.balances();
      const wrong = entries.filter((e) => balances.get(e.userId) !== e.amount).map((e) => e.userId);
      const expected = new Set(entries.map((e) => e.userId));
      return [...wrong, ...[...balances.keys()].filter((userId) => !expected.has(userId))];
    }

    it(
      'three worker processes on one 20,000-entry job pay every entry exactly once',
      async () => {
        const { jobId, entries, total } = await enqueueJob(20_000);
        const workers = [0, 1, 2].map(() => startWorker({ SETTLE_BATCH_SIZE: '250' }));
        for (const w of workers) w.child.stdin.end('go\n');
        const summaries = await Promise.all(workers.map((w) => w.next('done')));
        expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);

        const completed = summaries.map((s) => (s.done as { completed: number }).completed);
        expect(completed.reduce((a, b) => a + b, 0)).toBe(20_000);
        expect(completed.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2); // they really shared the job
        expect(workers.flatMap((w) => w.messages.filter((m) => 'error' in m))).toEqual([]);

        expect(await worker.store.getPayoutJob(jobId)).toMatchObject({
          status: 'completed',
          completedEntries: 20_000,
          failedEntries: 0,
          paidAmount: total,
        });
        expect(await worker.store.ledgerTotal({ jobId })).toEqual({ count: 20_000, total });
        expect(await wrongBalances(entries)).toEqual([]);
      },
      PROCESS_TEST_TIMEOUT_MS,
    );

    it(
      'a worker killed with SIGKILL mid-batch loses nothing and doubles nothing after a restart',
      async () => {
        const { jobId, entries, total } = await enqueueJob(3_000);
        const doomed = startWorker({ SETTLE_BATCH_SIZE: '500', SETTLE_HANG_ON_BATCH: '3' });
        doomed.child.stdin.end('go\n');
        expect(await doomed.next('inBatch')).toEqual({ inBatch: 3, entries: 500 });
        // Two batches committed; the third's credits are written but not committed.
        expect((await worker.store.getPayoutJob(jobId))?.completedEntries).toBe(1_000);
        expect((await worker.host.balances()).size).toBe(1_000);

        doomed.child.kill('SIGKILL');
        expect(await doomed.exited).toBe('SIGKILL');

        const restarted = startWorker({ SETTLE_BATCH_SIZE: '500' });
        restarted.child.stdin.end('go\n');
        const done = await restarted.next('done');
        expect(await restarted.exited).toBe(0);
        expect((done.done as { completed: number }).completed).toBe(2_000);

        expect(await worker.store.getPayoutJob(jobId)).toMatchObject({ status: 'completed', completedEntries: 3_000 });
        expect(await worker.store.ledgerTotal({ jobId })).toEqual({ count: 3_000, total });
        expect(await wrongBalances(entries)).toEqual([]);
      },
      PROCESS_TEST_TIMEOUT_MS,
    );
  });
}
