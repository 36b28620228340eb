import { Challenges } from '@settle/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killWorkerProcesses, startWorkerProcess, type WorkerProcess } from './worker-process';
import type { WorkerProcessHarness, WorkerProcessHarnessFactory } from './worker-process-harness';
import type { WorkerStore } from './worker-store';

const CHALLENGES = 1_000;

/**
 * Registers the Scheduler worker-process scenario (vitest): three Scheduler processes on the real
 * clock close 1,000 challenges with staggered deadlines, each exactly once. Each closure also
 * writes a row in the host's own table from `onDeadline`, in the transition's transaction, so a
 * double transition would show there. The challenges are created by the test's own process, so
 * the schedulers learn of them through the store's `subscribe()` (or their capped poll).
 *
 * @example
 * ```ts
 * runSchedulerWorkerScenarios('MyStore', () => ({
 *   script: new URL('./fixtures/my-worker.ts', import.meta.url),
 *   env: { MY_DB_URL: url, SETTLE_PREFIX: freshPrefix() },
 *   createWorkerStore: createMyWorkerStore,
 * }));
 * ```
 */
export function runSchedulerWorkerScenarios(name: string, makeHarness: WorkerProcessHarnessFactory): void {
  describe(`${name}: Scheduler worker processes`, () => {
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

    it('three scheduler processes close 1,000 staggered challenges exactly once each', async () => {
      let seen = 0;
      let allSeen: () => void = () => {};
      const finished = new Promise<void>((resolve) => {
        allSeen = resolve;
      });
      const workers: WorkerProcess[] = [0, 1, 2].map(() =>
        startWorkerProcess(harness.script, { ...harness.env, SETTLE_WORKER_ROLE: 'scheduler' }, (message) => {
          if ('transitioned' in message && ++seen === CHALLENGES) allSeen();
        }),
      );
      for (const w of workers) w.child.stdin.write('go\n');
      await Promise.all(workers.map((w) => w.next('ready')));

      // Deadlines spread over three seconds, starting once every challenge should exist (created 25
      // at a time). On a machine too loaded for that, a late challenge gets a deadline just ahead of
      // its creation instead, and the schedulers close some while others are still being created.
      const challenges = new Challenges({ store: worker.store });
      const base = Date.now() + 6_000;
      const ids = Array.from({ length: CHALLENGES }, (_, i) => `challenge-${i}`);
      for (let start = 0; start < CHALLENGES; start += 25) {
        await Promise.all(
          ids.slice(start, start + 25).map((id, offset) => {
            const i = start + offset;
            return challenges.create({
              id,
              title: `Challenge ${i}`,
              deadline: new Date(Math.max(base + ((i * 7) % CHALLENGES) * 3, Date.now() + 1_000)),
              participants: [{ userId: `user-${i}`, side: 'yes', stake: 100n }],
              status: 'active',
            });
          }),
        );
      }
      await finished;
      for (const w of workers) w.child.stdin.end('stop\n');
      const summaries = await Promise.all(workers.map((w) => w.next('done')));
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);

      const transitioned = workers.flatMap((w) =>
        w.messages.filter((m) => 'transitioned' in m).map((m) => m.transitioned as string),
      );
      expect([...transitioned].sort()).toEqual([...ids].sort());
      const perWorker = summaries.map((s) => (s.done as { transitioned: number }).transitioned);
      expect(perWorker.reduce((a, b) => a + b, 0)).toBe(CHALLENGES);
      expect(perWorker.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2); // they really shared the work
      expect(workers.flatMap((w) => w.messages.filter((m) => 'error' in m))).toEqual([]);

      expect((await worker.host.closures()).sort()).toEqual([...ids].sort());
      const closed = await Promise.all(ids.map((id) => worker.store.getChallenge(id)));
      expect(closed.filter((c) => c?.status !== 'pending_admin')).toEqual([]);
    }, 120_000);
  });
}
