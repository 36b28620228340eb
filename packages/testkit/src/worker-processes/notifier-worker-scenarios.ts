import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Challenges, type Notification, type Store, verifyWebhookSignature } from '@settle/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { killWorkerProcesses, startWorkerProcess } from './worker-process';
import type { WorkerProcessHarness, WorkerProcessHarnessFactory } from './worker-process-harness';
import type { WorkerStore } from './worker-store';

const PARTICIPANTS = 1_000;
const MINUTE = 60_000;
const SECRET = 'settle-testkit-webhook-secret';

/** A real HTTP server that checks every signature and keeps the notification id of each valid request. */
interface WebhookReceiver {
  readonly url: string;
  /** `settle-id` of every request whose signature verified, in arrival order, repeats included. */
  readonly ids: string[];
  /** Requests refused for a bad signature. */
  rejected(): number;
  /** Resolves once `count` valid requests arrived. */
  whenReceived(count: number): Promise<void>;
  close(): Promise<void>;
}

async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const ids: string[] = [];
  let rejected = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const valid = verifyWebhookSignature({
        secret: SECRET,
        body: Buffer.concat(chunks),
        timestamp: req.headers['settle-timestamp'],
        signature: req.headers['settle-signature'],
      });
      if (valid) ids.push(String(req.headers['settle-id']));
      else rejected += 1;
      res.writeHead(valid ? 204 : 401).end();
      for (const waiter of waiters.filter((w) => ids.length >= w.count)) waiter.resolve();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/settle`,
    ids,
    rejected: () => rejected,
    whenReceived: (count) =>
      ids.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function allNotifications(store: Store, challengeId: string): Promise<Notification[]> {
  const all: Notification[] = [];
  for (;;) {
    const page = await store.listNotifications({ challengeId, limit: 1_000, after: all.at(-1)?.id });
    all.push(...page);
    if (page.length < 1_000) return all;
  }
}

/**
 * Registers the Notifier worker-process scenario (vitest): three Notifier processes on the real clock
 * deliver the reminders of 1,000 participants through the webhook channel to a real local HTTP
 * receiver, which verifies each signature and counts what it got: each reminder exactly once. One
 * challenge's hour reminder falls due seconds after the start; another challenge, closing ten
 * minutes later, has its hour reminder superseded and its ten-minute reminder due at that moment.
 *
 * @example
 * ```ts
 * runNotifierWorkerScenarios('MyStore', () => ({
 *   script: new URL('./fixtures/my-worker.ts', import.meta.url),
 *   env: { MY_DB_URL: url, SETTLE_PREFIX: freshPrefix() },
 *   createWorkerStore: createMyWorkerStore,
 * }));
 * ```
 */
export function runNotifierWorkerScenarios(name: string, makeHarness: WorkerProcessHarnessFactory): void {
  describe(`${name}: Notifier worker processes`, () => {
    let harness: WorkerProcessHarness;
    let worker: WorkerStore;
    let receiver: WebhookReceiver;

    beforeEach(async () => {
      harness = await makeHarness();
      worker = await harness.createWorkerStore(harness.env);
      await worker.store.migrate();
      receiver = await startWebhookReceiver();
    });
    afterEach(async () => {
      killWorkerProcesses();
      await receiver?.close();
      await worker?.close();
      await harness?.cleanup?.();
    });

    it('three notifier processes send each reminder of 1,000 participants exactly once', async () => {
      const { store } = worker;
      const env = {
        ...harness.env,
        SETTLE_WORKER_ROLE: 'notifier',
        SETTLE_RECEIVER_URL: receiver.url,
        SETTLE_WEBHOOK_SECRET: SECRET,
      };
      const workers = [0, 1, 2].map(() => startWorkerProcess(harness.script, env));
      for (const w of workers) w.child.stdin.write('go\n');
      await Promise.all(workers.map((w) => w.next('ready')));

      const participants = Array.from({ length: PARTICIPANTS }, (_, i) => ({
        userId: `user-${String(i).padStart(4, '0')}`,
        side: i % 2 === 0 ? 'yes' : 'no',
        stake: 100n,
      }));
      const challenges = new Challenges({ store });
      // Due seconds from now, so the processes, asleep, must wake on their own at that instant.
      const dueAt = Date.now() + 4_000;
      const hour = await challenges.create({
        id: 'hour-ahead',
        title: 'Hour ahead',
        deadline: new Date(dueAt + 60 * MINUTE),
        participants,
        status: 'active',
      });
      const tenMinutes = await challenges.create({
        id: 'ten-minutes-ahead',
        title: 'Ten minutes ahead',
        deadline: new Date(dueAt + 10 * MINUTE),
        participants,
        status: 'active',
      });

      await receiver.whenReceived(2 * PARTICIPANTS);
      // Once no row is left open nothing more can be sent: only then is the count final.
      while ((await store.listNotifications({ status: ['pending', 'processing'], limit: 1 })).length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const w of workers) w.child.stdin.end('stop\n');
      const done = await Promise.all(workers.map((w) => w.next('done')));
      expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);

      expect(receiver.rejected()).toBe(0);
      expect(receiver.ids).toHaveLength(2 * PARTICIPANTS);
      expect(new Set(receiver.ids).size).toBe(2 * PARTICIPANTS);
      const perWorker = done.map((m) => (m.done as { sent: number }).sent);
      expect(perWorker.reduce((a, b) => a + b, 0)).toBe(2 * PARTICIPANTS);
      expect(perWorker.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2); // they really shared the work
      expect(workers.flatMap((w) => w.messages.filter((m) => 'failed' in m || 'error' in m))).toEqual([]);

      const hourRows = await allNotifications(store, hour.id);
      expect(hourRows.map((r) => r.status)).toEqual(Array(PARTICIPANTS).fill('sent'));
      const tenRows = await allNotifications(store, tenMinutes.id);
      const byOffset = (offset: string) => tenRows.filter((r) => r.payload.offset === offset);
      expect(byOffset('PT10M').map((r) => r.status)).toEqual(Array(PARTICIPANTS).fill('sent'));
      expect(byOffset('PT1H').map((r) => [r.status, r.skipReason])).toEqual(
        Array(PARTICIPANTS).fill(['skipped', 'superseded']),
      );
      const sentIds = [...hourRows, ...byOffset('PT10M')].map((r) => r.id).sort();
      expect([...receiver.ids].sort()).toEqual(sentIds);
    }, 180_000);
  });
}
