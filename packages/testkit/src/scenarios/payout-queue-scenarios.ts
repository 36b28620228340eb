import { randomUUID } from 'node:crypto';
import {
  ConflictError,
  InvalidTransitionError,
  type PayoutEvent,
  PayoutQueue,
  type PayoutQueueOptions,
  type Store,
  ValidationError,
} from '@settle/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoreFactory } from '../conformance/store-harness';
import { createFakeClock, type FakeClock } from '../fake-clock';

/** A participant of a scenario challenge. */
export interface ScenarioParticipant {
  readonly userId: string;
  readonly side: string;
  readonly stake: bigint;
}

/**
 * Creates a challenge that is `pending_admin` (its deadline passed), ready to be resolved, with
 * ids made unique per call so scenarios can share a database.
 */
export async function createResolvableChallenge(
  store: Store,
  now: Date,
  participants: readonly ScenarioParticipant[],
): Promise<string> {
  const id = `challenge-${randomUUID()}`;
  await store.transaction(async (tx) => {
    await tx.createChallenge(
      {
        id,
        title: 'Scenario',
        deadline: new Date(now.getTime() + 60_000),
        status: 'active',
        metadata: {},
        createdAt: now,
      },
      participants.map((p) => ({ ...p, joinedAt: now })),
    );
    await tx.transitionChallenge({ id, from: 'active', to: 'pending_admin', at: now });
  });
  return id;
}

/** `n` participants with ids unique to this call, alternating sides `win`/`lose`, stakes 100, 101, 102… */
export function makeParticipants(n: number, sides: readonly string[] = ['win', 'lose']): ScenarioParticipant[] {
  const run = randomUUID().slice(0, 8);
  return Array.from({ length: n }, (_, i) => ({
    userId: `u-${run}-${String(i).padStart(6, '0')}`,
    side: sides[i % sides.length] ?? 'win',
    stake: 100n + BigInt(i),
  }));
}

function recordEvents(queue: PayoutQueue): PayoutEvent[] {
  const events: PayoutEvent[] = [];
  const names = [
    'payout.queued',
    'payout.started',
    'payout.batch',
    'payout.progress',
    'payout.completed',
    'payout.failed',
    'payout.cancelled',
    'payout.entry_failed',
  ] as const;
  for (const name of names) {
    queue.on(name, (data: unknown) => {
      events.push({ name, data } as PayoutEvent);
    });
  }
  return events;
}

/**
 * Registers the PayoutQueue scenarios (vitest) against a store: resolve and pay winners exactly,
 * progress that matches the database, several jobs, draws, retries with backoff, dead letters and
 * `retryFailed`, a restart mid-job, pause/resume/cancel, priorities, the external rail with lease
 * expiry, `watch`, and input validation. Every scenario asserts on ledger rows, balances and counts.
 */
export function runPayoutQueueScenarios(name: string, makeStore: StoreFactory): void {
  describe(`${name}: PayoutQueue scenarios`, () => {
    let store: Store;
    let cleanup: (() => Promise<void> | void) | undefined;
    let clock: FakeClock;
    const queues: PayoutQueue[] = [];
    const newQueue = (options: Omit<PayoutQueueOptions, 'store' | 'clock'> = {}) => {
      const queue = new PayoutQueue({ store, clock, random: () => 0.5, ...options });
      queues.push(queue);
      return queue;
    };

    beforeEach(async () => {
      const harness = await makeStore();
      store = harness.store;
      cleanup = harness.cleanup;
      clock = createFakeClock('2030-01-01T00:00:00.000Z');
    });
    afterEach(async () => {
      await Promise.all(queues.splice(0).map((q) => q.stop()));
      await cleanup?.();
    });

    async function expectExactlyOnce(jobId: string, expectedTotal: bigint, entries: number) {
      const ledger = await store.ledgerTotal({ jobId });
      expect(ledger).toEqual({ count: entries, total: expectedTotal });
      const job = await store.getPayoutJob(jobId);
      expect(job?.paidAmount).toBe(expectedTotal);
      expect(job?.completedEntries).toBe(entries);
    }

    it('resolve() pays 10 winners the pool minus the fee, pro rata, exactly once', async () => {
      const participants = makeParticipants(20);
      const challengeId = await createResolvableChallenge(store, clock.now(), participants);
      const queue = newQueue({ feeBps: 500 });
      const events = recordEvents(queue);

      const result = await queue.resolve(challengeId, { winningSide: 'win' });
      expect(result.kind).toBe('payout');
      expect(result.entries).toBe(10);
      const pool = participants.reduce((s, p) => s + p.stake, 0n);
      expect(result.pool).toBe(pool);
      expect(result.fee).toBe((pool * 500n) / 10_000n);
      expect((await queue.status(result.jobId!)).status).toBe('queued');

      expect(await queue.drain()).toEqual({ batches: 1, completed: 10, failed: 0 });
      const status = await queue.status(result.jobId!);
      expect(status).toMatchObject({
        status: 'completed',
        totalWinners: 10,
        processedWinners: 10,
        progressPercent: 100,
      });
      await expectExactlyOnce(result.jobId!, pool - result.fee, 10);

      const winners = participants.filter((p) => p.side === 'win');
      const winStake = winners.reduce((s, p) => s + p.stake, 0n);
      let credited = 0n;
      for (const w of winners) {
        const balance = await store.getBalance(w.userId);
        const exact = ((pool - result.fee) * w.stake * 1_000n) / winStake; // thousandths of a unit
        expect(balance * 1_000n - exact).toBeGreaterThan(-1_000n);
        expect(balance * 1_000n - exact).toBeLessThan(1_000n);
        credited += balance;
      }
      expect(credited).toBe(pool - result.fee);
      for (const loser of participants.filter((p) => p.side === 'lose')) {
        expect(await store.getBalance(loser.userId)).toBe(0n);
      }
      expect(events.map((e) => e.name)).toEqual([
        'payout.queued',
        'payout.started',
        'payout.batch',
        'payout.progress',
        'payout.completed',
      ]);
    });

    it('pays 1,000 winners in two batches with progress 0 → 50 → 100 matching the database', async () => {
      const challengeId = await createResolvableChallenge(store, clock.now(), makeParticipants(1_000, ['win']));
      const queue = newQueue({ batchSize: 500 });
      const { jobId } = await queue.resolve(challengeId, { winningSide: 'win' });
      const seen: number[] = [(await queue.status(jobId!)).progressPercent];
      const checks: Promise<void>[] = [];
      queue.on('payout.progress', (p) => {
        seen.push(p.percent);
        checks.push(
          store.getPayoutJob(jobId!).then((job) => {
            expect(job?.completedEntries).toBe(p.processed);
          }),
        );
      });
      await queue.runOnce();
      await queue.runOnce();
      expect(await queue.runOnce()).toEqual({ batches: 0, completed: 0, failed: 0 });
      await Promise.all(checks);
      expect(seen).toEqual([0, 50, 100]);
      const job = await store.getPayoutJob(jobId!);
      await expectExactlyOnce(jobId!, job!.totalAmount, 1_000);
    });

    it('runs several jobs at once with concurrency, each paid exactly once', async () => {
      const queue = newQueue({ batchSize: 50, concurrency: 3 });
      const jobs: string[] = [];
      for (let i = 0; i < 3; i++) {
        const challengeId = await createResolvableChallenge(store, clock.now(), makeParticipants(300));
        jobs.push((await queue.resolve(challengeId, { winningSide: 'win' })).jobId!);
      }
      const run = await queue.drain();
      expect(run.completed).toBe(450);
      for (const jobId of jobs) {
        const job = await store.getPayoutJob(jobId);
        expect(job?.status).toBe('completed');
        await expectExactlyOnce(jobId, job!.totalAmount, 150);
      }
      const listed = await queue.listJobs({ status: ['completed'] });
      expect(listed.map((j) => j.jobId).sort()).toEqual([...jobs].sort());
      const stats = await queue.stats();
      expect(stats.jobs).toMatchObject({ completed: 3, queued: 0, running: 0 });
      expect(stats.entries).toEqual({ pending: 0, processing: 0, failed: 0 });
      expect(stats.oldestPendingAt).toBeNull();
    });

    it('a draw creates no job by default, and refunds every stake under drawPolicy refund', async () => {
      const participants = makeParticipants(6);
      const none = await newQueue().resolve(await createResolvableChallenge(store, clock.now(), participants), {
        winningSide: null,
      });
      expect(none).toMatchObject({ jobId: null, kind: 'none', entries: 0 });

      const refundQueue = newQueue({ drawPolicy: 'refund', feeBps: 1_000 });
      const refunded = makeParticipants(6);
      const refund = await refundQueue.resolve(await createResolvableChallenge(store, clock.now(), refunded), {
        winningSide: 'nobody-backed-this',
      });
      expect(refund).toMatchObject({ kind: 'refund', fee: 0n, entries: 6 });
      await refundQueue.drain();
      for (const p of refunded) expect(await store.getBalance(p.userId)).toBe(p.stake);
    });

    it('resolving twice is a ConflictError and creates no second job', async () => {
      const challengeId = await createResolvableChallenge(store, clock.now(), makeParticipants(4));
      const queue = newQueue();
      const [a, b] = await Promise.allSettled([
        queue.resolve(challengeId, { winningSide: 'win' }),
        queue.resolve(challengeId, { winningSide: 'win' }),
      ]);
      const outcomes = [a, b].map((r) => r.status).sort();
      expect(outcomes).toEqual(['fulfilled', 'rejected']);
      const rejected = [a, b].find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toBeInstanceOf(ConflictError);
      await expect(queue.resolve(challengeId, { winningSide: 'win' })).rejects.toMatchObject({ code: 'conflict' });
      expect(await store.listPayoutJobs({ challengeId, limit: 10 })).toHaveLength(1);
    });

    it('a failing batch is retried after its backoff and then succeeds', async () => {
      let calls = 0;
      const queue = newQueue({
        backoff: { base: 'PT10S', max: 'PT1M', jitter: 0 },
        mode: {
          kind: 'hook',
          async credit() {
            calls += 1;
            if (calls === 1) throw new Error('payments ledger unavailable');
          },
        },
      });
      const errors: unknown[] = [];
      queue.on('error', (e) => errors.push(e));
      const { jobId } = await queue.enqueue({ entries: [{ userId: 'solo', amount: 700n }] });

      await queue.drain();
      const [entry] = await store.listPayoutEntries(jobId, { limit: 10 });
      expect(entry).toMatchObject({ status: 'pending', attempts: 1, error: 'payments ledger unavailable' });
      expect(entry?.availableAt.getTime()).toBe(clock.now().getTime() + 10_000);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ code: 'payment_failed', context: { jobId, attempt: 1 } });

      await clock.advance(9_999);
      expect((await queue.drain()).batches).toBe(0);
      await clock.advance(1);
      expect(await queue.drain()).toMatchObject({ completed: 1 });
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 1, total: 700n });
    });

    it('one bad entry is isolated, dead-lettered after maxAttempts, and paid after retryFailed()', async () => {
      let broken = true;
      const credited: string[] = [];
      const queue = newQueue({
        maxAttempts: 3,
        backoff: { base: 'PT1S', max: 'PT10S', jitter: 0 },
        mode: {
          kind: 'hook',
          async credit(_tx, batch) {
            if (broken && batch.entries.some((e) => e.userId === 'bad')) throw new Error('account closed');
            credited.push(...batch.entries.map((e) => e.userId));
          },
        },
      });
      const events = recordEvents(queue);
      queue.on('error', () => {});
      const entries = Array.from({ length: 8 }, (_, i) => ({ userId: i === 5 ? 'bad' : `ok-${i}`, amount: 10n }));
      const { jobId } = await queue.enqueue({ entries });

      await queue.drain();
      for (let i = 0; i < 3; i++) {
        await clock.advance('PT10S');
        await queue.drain();
      }
      const status = await queue.status(jobId);
      expect(status).toMatchObject({ status: 'completed_with_failures', processedWinners: 7, failedWinners: 1 });
      const [dead] = await store.listPayoutEntries(jobId, { limit: 10, status: ['failed'] });
      expect(dead).toMatchObject({ userId: 'bad', attempts: 3, error: 'account closed' });
      expect(events.filter((e) => e.name === 'payout.entry_failed')).toHaveLength(1);
      expect(credited.sort()).toEqual(
        entries
          .filter((e) => e.userId !== 'bad')
          .map((e) => e.userId)
          .sort(),
      );

      broken = false;
      expect(await queue.retryFailed(jobId)).toBe(1);
      expect((await queue.status(jobId)).status).toBe('running');
      await queue.drain();
      expect((await queue.status(jobId)).status).toBe('completed');
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 8, total: 80n });
    });

    it('a hook that fails for every entry costs three attempts, not one per entry', async () => {
      let calls = 0;
      const queue = newQueue({
        backoff: { base: 'PT5S', jitter: 0 },
        mode: {
          kind: 'hook',
          async credit() {
            calls += 1;
            throw new Error('host database is read-only');
          },
        },
      });
      queue.on('error', () => {});
      const { jobId } = await queue.enqueue({
        entries: Array.from({ length: 8 }, (_, i) => ({ userId: `r-${i}`, amount: 3n })),
      });
      expect(await queue.drain()).toMatchObject({ completed: 0, failed: 0 });
      expect(calls).toBe(3); // the batch, then each half: both failing means the cause is not one entry
      const entries = await store.listPayoutEntries(jobId, { limit: 10 });
      expect(entries.map((e) => [e.status, e.attempts])).toEqual(Array(8).fill(['pending', 1]));
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 0, total: 0n });
    });

    it('a listener that throws changes nothing that was paid and is reported as listener_failed', async () => {
      const queue = newQueue();
      const errors: { code: string }[] = [];
      queue.on('error', (e) => errors.push(e));
      queue.on('payout.batch', () => {
        throw new Error('dashboard is down');
      });
      const { jobId } = await queue.enqueue({ entries: [{ userId: 'l-1', amount: 4n }] });
      expect(await queue.drain()).toEqual({ batches: 1, completed: 1, failed: 0 });
      expect(await queue.status(jobId)).toMatchObject({ status: 'completed', processedWinners: 1, failedWinners: 0 });
      expect(errors.map((e) => e.code)).toEqual(['listener_failed']);
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 1, total: 4n });
    });

    it('external rail: a worker whose lease expired cannot fail an entry another worker re-leased', async () => {
      let takenOver: Date | null = null;
      const queue = newQueue({
        maxAttempts: 1,
        mode: {
          kind: 'external',
          lease: 'PT30S',
          async pay() {
            // The provider hangs past the lease; meanwhile another worker takes the entry over.
            await clock.advance('PT31S');
            takenOver = clock.now();
            const lease = await store.transaction((tx) =>
              tx.leasePayoutBatch({ now: clock.now(), limit: 1, leaseUntil: new Date(clock.now().getTime() + 30_000) }),
            );
            expect(lease?.entries).toHaveLength(1);
            throw new Error('provider timeout');
          },
        },
      });
      const events = recordEvents(queue);
      queue.on('error', () => {});
      const { jobId } = await queue.enqueue({ entries: [{ userId: 'e-1', amount: 8n }] });
      expect(await queue.drain()).toMatchObject({ completed: 0, failed: 0 });
      const [entry] = await store.listPayoutEntries(jobId, { limit: 1 });
      expect(entry).toMatchObject({ status: 'processing', attempts: 0 });
      expect(entry?.lockedUntil?.getTime()).toBe(takenOver!.getTime() + 30_000);
      expect(events.filter((e) => e.name === 'payout.entry_failed')).toEqual([]);
      expect((await queue.status(jobId)).failedWinners).toBe(0);
    });

    it('a new PayoutQueue on the same store finishes a job another one started', async () => {
      const challengeId = await createResolvableChallenge(store, clock.now(), makeParticipants(250, ['win']));
      const first = newQueue({ batchSize: 100 });
      const { jobId } = await first.resolve(challengeId, { winningSide: 'win' });
      await first.runOnce();
      expect((await first.status(jobId!)).processedWinners).toBe(100);

      const second = newQueue({ batchSize: 100 });
      expect(await second.drain()).toMatchObject({ batches: 2, completed: 150 });
      const job = await store.getPayoutJob(jobId!);
      expect(job?.status).toBe('completed');
      await expectExactlyOnce(jobId!, job!.totalAmount, 250);
    });

    it('pause() holds a job, resume() continues it, cancel() stops the rest but keeps paid credits', async () => {
      const queue = newQueue({ batchSize: 10 });
      const entries = Array.from({ length: 30 }, (_, i) => ({ userId: `p-${i}`, amount: 5n }));
      const { jobId } = await queue.enqueue({ entries });

      expect((await queue.pause(jobId)).status).toBe('paused');
      expect((await queue.drain()).batches).toBe(0);
      await expect(queue.pause(jobId)).rejects.toBeInstanceOf(InvalidTransitionError);
      expect((await queue.resume(jobId)).status).toBe('queued');
      await queue.runOnce();

      const cancelled = await queue.cancel(jobId);
      expect(cancelled).toMatchObject({ status: 'cancelled', processedWinners: 10, cancelledWinners: 20 });
      expect((await queue.drain()).batches).toBe(0);
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 10, total: 50n });
      await expect(queue.cancel(jobId)).rejects.toMatchObject({ code: 'invalid_transition' });
      await expect(queue.resume(jobId)).rejects.toMatchObject({ code: 'invalid_transition' });
    });

    it('claims a higher-priority job first, FIFO within a priority', async () => {
      const queue = newQueue({ batchSize: 100 });
      const order: string[] = [];
      queue.on('payout.batch', (b) => order.push(b.jobId));
      const low = await queue.enqueue({ entries: [{ userId: 'a', amount: 1n }] });
      const lowLater = await queue.enqueue({ entries: [{ userId: 'b', amount: 1n }] });
      const high = await queue.enqueue({ entries: [{ userId: 'c', amount: 1n }], priority: 10 });
      await queue.drain();
      expect(order).toEqual([high.jobId, low.jobId, lowLater.jobId]);
    });

    it('external rail: idempotency key per entry, retried failures, expired leases taken over', async () => {
      const effects = new Map<string, bigint>();
      const calls: string[] = [];
      let failOnce = true;
      const pay = async (p: { idempotencyKey: string; amount: bigint; userId: string }) => {
        calls.push(p.idempotencyKey);
        if (failOnce && p.userId === 'x-2') {
          failOnce = false;
          throw new Error('provider timeout');
        }
        effects.set(p.idempotencyKey, p.amount); // the provider dedupes on the key
      };
      const queue = newQueue({
        mode: { kind: 'external', pay, concurrency: 2, lease: 'PT30S' },
        backoff: { base: 'PT1S', jitter: 0 },
      });
      queue.on('error', () => {});
      const { jobId } = await queue.enqueue({
        entries: Array.from({ length: 5 }, (_, i) => ({ userId: `x-${i}`, amount: 100n + BigInt(i) })),
      });

      // A worker that leases and dies before completing: its lease must expire first.
      const lost = await store.transaction((tx) =>
        tx.leasePayoutBatch({ now: clock.now(), limit: 2, leaseUntil: new Date(clock.now().getTime() + 30_000) }),
      );
      expect(lost?.entries).toHaveLength(2);
      await queue.drain();
      expect((await queue.status(jobId)).processedWinners).toBe(2); // x-2 failed once, x-3 and x-4 paid
      await clock.advance('PT30S');
      await queue.drain();

      const status = await queue.status(jobId);
      expect(status).toMatchObject({ status: 'completed', processedWinners: 5 });
      expect(effects.size).toBe(5);
      expect(new Set(calls).size).toBe(5);
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 5, total: 510n });
      expect(await store.getBalance('x-0')).toBe(0n); // the rail moved the money, not the built-in accounts
    });

    it('watch() yields the job events until it completes', async () => {
      const queue = newQueue({ batchSize: 2 });
      const { jobId } = await queue.enqueue({
        entries: Array.from({ length: 4 }, (_, i) => ({ userId: `w-${i}`, amount: 1n })),
      });
      const iterator = queue.watch(jobId);
      const first = await iterator.next();
      expect(first.value).toMatchObject({ name: 'payout.progress', data: { jobId, processed: 0, total: 4 } });
      const collected: string[] = [];
      const done = (async () => {
        for await (const event of iterator)
          collected.push(`${event.name}${event.name === 'payout.progress' ? `:${event.data.percent}` : ''}`);
      })();
      await queue.drain();
      await done;
      expect(collected).toContain('payout.progress:50');
      expect(collected.at(-1)).toBe('payout.completed');
    });

    it('start() pays in the background, woken by enqueue, and stop() waits for the batch in flight', async () => {
      const queue = newQueue({ batchSize: 3, concurrency: 2 });
      const completed = new Promise<string>((resolve) => queue.on('payout.completed', (e) => resolve(e.jobId)));
      queue.start();
      expect((await queue.health()).worker).toBe('running');
      const { jobId } = await queue.enqueue({
        entries: Array.from({ length: 10 }, (_, i) => ({ userId: `s-${i}`, amount: 2n })),
      });
      expect(await completed).toBe(jobId);
      await queue.stop();
      const health = await queue.health();
      expect(health).toMatchObject({ worker: 'stopped', store: 'up', oldestPendingAgeMs: null });
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 10, total: 20n });
    });

    it('rejects bad input with a ValidationError naming the field, writing nothing', async () => {
      const queue = newQueue();
      const cases: [unknown, string][] = [
        [{ entries: [] }, 'input.entries'],
        [{ entries: [{ userId: 'a', amount: -1 }] }, 'input.entries[0].amount'],
        [{ entries: [{ userId: 'a', amount: '1.5' }] }, 'input.entries[0].amount'],
        [{ entries: [{ userId: 'a', amount: 0 }] }, 'input.entries[0].amount'],
        [
          {
            entries: [
              { userId: 'a', amount: 1 },
              { userId: 'a', amount: 2 },
            ],
          },
          'input.entries[1].userId',
        ],
        [{ entries: [{ userId: '', amount: 1 }] }, 'input.entries[0].userId'],
      ];
      for (const [input, field] of cases) {
        const error = await queue.enqueue(input as never).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ code: 'validation', field });
      }
      expect(await store.listPayoutJobs({ limit: 10 })).toEqual([]);
      expect(() => newQueue({ batchSize: 0 })).toThrow(ValidationError);
      expect(() => newQueue({ feeBps: 10_001 })).toThrow(ValidationError);
    });

    it('retention prunes finished jobs on its schedule while the worker runs', async () => {
      // A long poll keeps the idle lane from waking once a second through the simulated day.
      const queue = newQueue({ pollInterval: 'PT12H', retention: { olderThan: 'P1D', every: 'PT1H' } });
      const { jobId } = await queue.enqueue({ entries: [{ userId: 'kept-in-ledger', amount: 6n }] });
      await queue.drain();
      queue.start();
      await clock.advance('PT1H');
      expect((await queue.status(jobId)).status).toBe('completed'); // not a day old yet
      await clock.advance('P1D');
      // A real database answers in real time while the fake clock stands still: a prune may still be
      // running when the clock moves. Give it real time between tries, and move the clock by the
      // retention period each try (waking the pruner if it sleeps), until the job is gone.
      await vi.waitFor(
        async () => {
          await clock.advance('PT1H');
          await expect(queue.status(jobId)).rejects.toMatchObject({ code: 'not_found' });
        },
        { timeout: 15_000, interval: 20 },
      );
      await queue.stop();
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 1, total: 6n });
    });

    it('stop() returns while a retention prune is still running, without the clock moving', async () => {
      const queue = newQueue({ retention: { olderThan: 'P1D', every: 'PT1H' } });
      queue.start(); // the first prune starts at once and is still in flight when stop() is called
      await queue.stop();
      expect(clock.pendingSleeps).toBe(0);
      expect((await queue.health()).worker).toBe('stopped');
    });

    it('prune() deletes finished jobs older than the cutoff and keeps the ledger', async () => {
      const queue = newQueue();
      const { jobId } = await queue.enqueue({ entries: [{ userId: 'old', amount: 9n }] });
      await queue.drain();
      expect(await queue.prune({ olderThan: 'P1D' })).toBe(0);
      await clock.advance('P2D');
      expect(await queue.prune({ olderThan: 'P1D' })).toBe(1);
      await expect(queue.status(jobId)).rejects.toMatchObject({ code: 'not_found' });
      expect(await store.ledgerTotal({ jobId })).toEqual({ count: 1, total: 9n });
      expect(await store.getBalance('old')).toBe(9n);
    });
  });
}
