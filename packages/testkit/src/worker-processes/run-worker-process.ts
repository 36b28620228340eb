import { createInterface, type Interface } from 'node:readline';
import { Notifier, PayoutQueue, Scheduler, ValidationError, webhookChannel } from '@settle/core';
import type { WorkerStore, WorkerStoreFactory } from './worker-store';

type Say = (message: Record<string, unknown>) => void;

/**
 * The body of a worker process that the worker-process scenarios start: call it at the top level
 * of your adapter's worker script. It builds its store with `createWorkerStore(process.env)`, plays
 * the role `SETTLE_WORKER_ROLE` names, writes one JSON object per stdout line, and closes the store
 * when done.
 *
 * - `payout`: on the stdin line `go`, a `PayoutQueue` drains every job, paying through a hook that
 *   credits {@link HostTables.credit} in the batch's transaction, in batches of `SETTLE_BATCH_SIZE`
 *   (default 500). With `SETTLE_HANG_ON_BATCH=n` the n-th batch hangs after crediting, its
 *   transaction open, until the test kills the process. Prints `{ ready }`, `{ inBatch, entries }`,
 *   `{ error }` and finally `{ done: { batches, completed, failed } }`.
 * - `scheduler`: on `go` a `Scheduler` starts on the system clock, recording each closure with
 *   {@link HostTables.recordClosure} in the transition's transaction; on `stop` it stops. Prints
 *   `{ ready }`, `{ transitioned: challengeId }` per transition, `{ error }` and finally
 *   `{ done: { transitioned } }`.
 * - `notifier`: on `go` a `Notifier` starts on the system clock, delivering through a webhook
 *   channel to `SETTLE_RECEIVER_URL`, signed with `SETTLE_WEBHOOK_SECRET`; on `stop` it stops.
 *   Prints `{ ready }`, `{ failed, error }` per failed attempt, `{ error }` and finally
 *   `{ done: { sent } }`.
 *
 * @example
 * ```ts
 * // test/fixtures/my-worker.ts
 * import { runWorkerProcess } from '@settle/testkit';
 * import { createMyWorkerStore } from './my-worker-store';
 *
 * await runWorkerProcess(createMyWorkerStore);
 * ```
 */
export async function runWorkerProcess(createWorkerStore: WorkerStoreFactory): Promise<void> {
  const role = process.env.SETTLE_WORKER_ROLE;
  if (role !== 'payout' && role !== 'scheduler' && role !== 'notifier') {
    throw new ValidationError('SETTLE_WORKER_ROLE', 'must be "payout", "scheduler" or "notifier"');
  }
  const say: Say = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
  const worker = await createWorkerStore(process.env);
  const lines = createInterface({ input: process.stdin });
  try {
    if (role === 'payout') await payOut(worker, lines, say);
    else if (role === 'scheduler') await closeChallenges(worker, lines, say);
    else await sendReminders(worker, lines, say);
  } finally {
    lines.close();
    await worker.close();
  }
}

async function payOut({ store, host }: WorkerStore, lines: Interface, say: Say): Promise<void> {
  const hangOnBatch = Number(process.env.SETTLE_HANG_ON_BATCH ?? 0);
  let batches = 0;
  const queue = new PayoutQueue({
    store,
    batchSize: Number(process.env.SETTLE_BATCH_SIZE ?? 500),
    mode: {
      kind: 'hook',
      async credit(tx, batch) {
        batches += 1;
        await host.credit(tx, batch.entries);
        if (batches === hangOnBatch) {
          say({ inBatch: batches, entries: batch.entries.length });
          await new Promise(() => {}); // holds the transaction open until the test kills this process
        }
      },
    },
  });
  queue.on('error', (err) => say({ error: err.message }));
  for await (const line of lines) {
    if (line !== 'go') continue;
    say({ ready: process.pid });
    say({ done: await queue.drain() });
    return;
  }
}

async function closeChallenges({ store, host }: WorkerStore, lines: Interface, say: Say): Promise<void> {
  const scheduler = new Scheduler({
    store,
    onDeadline: (tx, challenge) => host.recordClosure(tx, challenge.id),
  });
  let transitioned = 0;
  scheduler.on('challenge.transitioned', (event) => {
    transitioned += 1;
    say({ transitioned: event.challengeId });
  });
  scheduler.on('error', (err) => say({ error: err.message }));
  for await (const line of lines) {
    if (line === 'go') {
      scheduler.start();
      say({ ready: process.pid });
    } else if (line === 'stop') {
      await scheduler.stop();
      say({ done: { transitioned } });
      return;
    }
  }
}

async function sendReminders({ store }: WorkerStore, lines: Interface, say: Say): Promise<void> {
  const notifier = new Notifier({
    store,
    channels: [
      webhookChannel({ url: process.env.SETTLE_RECEIVER_URL ?? '', secret: process.env.SETTLE_WEBHOOK_SECRET ?? '' }),
    ],
    // Small claims, so the processes interleave on the same rows.
    batchSize: 25,
    pollInterval: 'PT1S',
  });
  let sent = 0;
  notifier.on('notification.sent', () => {
    sent += 1;
  });
  notifier.on('notification.failed', (event) => say({ failed: event.key, error: event.error }));
  notifier.on('error', (err) => say({ error: err.message }));
  for await (const line of lines) {
    if (line === 'go') {
      notifier.start();
      say({ ready: process.pid });
    } else if (line === 'stop') {
      await notifier.stop();
      say({ done: { sent } });
      return;
    }
  }
}
