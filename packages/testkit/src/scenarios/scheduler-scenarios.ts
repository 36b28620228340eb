import { randomUUID } from 'node:crypto';
import {
  Challenges,
  type ChallengeTransitionedEvent,
  ConflictError,
  type CreateChallengeInput,
  InvalidTransitionError,
  NotFoundError,
  type ParticipantInput,
  PayoutQueue,
  type PayoutQueuedEvent,
  refundUnopposed,
  Scheduler,
  type SchedulerOptions,
  type SchedulerRunSummary,
  type SettleError,
  type Store,
  type StoreTransaction,
  type UncommittedPayoutJob,
  ValidationError,
} from '@settle/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConformanceOptions } from '../conformance/conformance-options';
import type { StoreFactory } from '../conformance/store-harness';
import { createFakeClock, type FakeClock } from '../fake-clock';

/** Transitions seen by some schedulers, and a way to wait for the next ones. */
interface TransitionLog {
  readonly events: (ChallengeTransitionedEvent & { readonly instance: number })[];
  /** Resolves once `count` transitions were seen. */
  until(count: number): Promise<void>;
}

function recordTransitions(schedulers: readonly Scheduler[]): TransitionLog {
  const events: TransitionLog['events'] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  schedulers.forEach((scheduler, instance) => {
    scheduler.on('challenge.transitioned', (event) => {
      events.push({ ...event, instance });
      for (const waiter of waiters.filter((w) => events.length >= w.count)) waiter.resolve();
    });
  });
  return {
    events,
    until: (count) =>
      events.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve })),
  };
}

/** `payout.queued` events of some queues. */
function recordQueued(queues: readonly PayoutQueue[]): PayoutQueuedEvent[] {
  const events: PayoutQueuedEvent[] = [];
  for (const queue of queues) queue.on('payout.queued', (event) => events.push(event));
  return events;
}

/**
 * Registers the Scheduler and challenge lifecycle scenarios (vitest) against a store: a deadline
 * reached is transitioned once with its lag; several instances on staggered deadlines transition
 * each challenge exactly once; a restart catches up in bounded batches; a challenge cancelled or
 * extended before its deadline is left alone; invalid transitions and bad input are refused; the
 * `onDeadline` hook runs in the transition's transaction; the `refundUnopposed` auto-resolve policy
 * cancels a challenge without an opponent and refunds its stakes exactly once, atomically with the
 * cancellation. Time is a fake clock.
 *
 * `options.concurrentTransactions: false` (a store whose transactions take turns, such as PGlite)
 * skips the scenario that keeps one transaction open while the Scheduler runs another.
 */
export function runSchedulerScenarios(
  name: string,
  makeStore: StoreFactory,
  options: Pick<ConformanceOptions, 'concurrentTransactions'> = {},
): void {
  const concurrentTransactions = options.concurrentTransactions ?? true;
  describe(`${name}: Scheduler scenarios`, () => {
    let store: Store;
    let cleanup: (() => Promise<void> | void) | undefined;
    let clock: FakeClock;
    let challenges: Challenges;
    const schedulers: Scheduler[] = [];
    const newScheduler = (options: Omit<SchedulerOptions, 'store' | 'clock'> = {}, on: Store = store) => {
      const scheduler = new Scheduler({ store: on, clock, ...options });
      schedulers.push(scheduler);
      return scheduler;
    };
    const at = (ms: number) => new Date(clock.now().getTime() + ms);
    const create = (input: Partial<CreateChallengeInput> & { deadline: Date | string }) =>
      challenges.create({
        id: `c-${randomUUID()}`,
        title: 'Scenario',
        status: 'active',
        participants: [{ userId: 'ann', side: 'yes', stake: 100n }],
        ...input,
      });

    beforeEach(async () => {
      const harness = await makeStore();
      store = harness.store;
      cleanup = harness.cleanup;
      clock = createFakeClock('2030-01-01T00:00:00.000Z');
      challenges = new Challenges({ store, clock });
    });
    afterEach(async () => {
      await Promise.all(schedulers.splice(0).map((s) => s.stop()));
      await cleanup?.();
    });

    it('transitions a challenge at its deadline, once, with the lag in the event', async () => {
      // A poll of an hour: only sleeping until the deadline can make the transition on time.
      const scheduler = newScheduler({ pollInterval: 'PT1H' });
      const log = recordTransitions([scheduler]);
      const challenge = await create({ deadline: at(607_000) });
      scheduler.start();

      await clock.advance(606_999);
      expect((await store.getChallenge(challenge.id))?.status).toBe('active');
      await clock.advance(1);
      await log.until(1);
      expect(log.events).toEqual([
        {
          instance: 0,
          challengeId: challenge.id,
          from: 'active',
          to: 'pending_admin',
          deadline: challenge.deadline.toISOString(),
          transitionedAt: challenge.deadline.toISOString(),
          lagMs: 0,
        },
      ]);
      expect((await store.getChallenge(challenge.id))?.status).toBe('pending_admin');
      expect(await scheduler.runDue()).toEqual({ transitioned: 0, lost: 0, failed: 0 });
      expect(log.events).toHaveLength(1);
    });

    it('wakes at once for a deadline created while it sleeps, and for one brought forward', async () => {
      const scheduler = newScheduler({ pollInterval: 'PT1H' });
      const log = recordTransitions([scheduler]);
      scheduler.start();
      const soon = await create({ deadline: at(10_000) });
      await clock.advance(10_000);
      await log.until(1);
      const later = await create({ deadline: at(3_600_000) });
      await challenges.reschedule(later.id, at(5_000));
      await clock.advance(5_000);
      await log.until(2);
      expect(log.events.map((e) => [e.challengeId, e.lagMs])).toEqual([
        [soon.id, 0],
        [later.id, 0],
      ]);
    });

    it('three schedulers on one store transition 60 staggered challenges exactly once each', async () => {
      const three = [0, 1, 2].map(() => newScheduler({ batchSize: 7 }));
      const log = recordTransitions(three);
      const created = [];
      for (let i = 0; i < 60; i++) created.push(await create({ deadline: at(1_000 + (i % 20) * 500) }));
      for (const s of three) s.start();
      await clock.advance(20_000);
      await log.until(60);
      await Promise.all(three.map((s) => s.stop()));

      const ids = log.events.map((e) => e.challengeId);
      expect(new Set(ids).size).toBe(60);
      expect(ids.sort()).toEqual(created.map((c) => c.id).sort());
      for (const c of created) expect((await store.getChallenge(c.id))?.status).toBe('pending_admin');
      expect(await store.nextDeadline()).toBeNull();
    });

    it('concurrent runDue() calls on the same due challenges: each transitioned once', async () => {
      const created = [];
      for (let i = 0; i < 30; i++) created.push(await create({ deadline: at(1_000) }));
      await clock.advance(1_000);
      const runs = await Promise.all([0, 1, 2].map(() => newScheduler({ batchSize: 10 }).runDue()));
      expect(runs.reduce((sum, r) => sum + r.transitioned, 0)).toBe(30);
      expect(runs.every((r) => r.failed === 0)).toBe(true);
      expect(await store.findDueChallenges(clock.now(), 100)).toEqual([]);
    });

    it('after downtime, start() catches up every overdue challenge in bounded batches', async () => {
      const created = [];
      for (let i = 0; i < 25; i++) created.push(await create({ deadline: at(60_000 + i * 1_000) }));
      await clock.advance('PT1H'); // nothing runs meanwhile
      const reads: number[] = [];
      const counting = new Proxy(store, {
        get(target, property) {
          if (property === 'findDueChallenges') {
            return async (now: Date, limit: number) => {
              const due = await target.findDueChallenges(now, limit);
              reads.push(due.length);
              return due;
            };
          }
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const scheduler = newScheduler({ batchSize: 10 }, counting);
      const log = recordTransitions([scheduler]);
      scheduler.start();
      await log.until(25);
      await scheduler.stop();

      expect(reads.slice(0, 3)).toEqual([10, 10, 5]);
      expect(Math.max(...reads)).toBeLessThanOrEqual(10);
      const lag = new Map(log.events.map((e) => [e.challengeId, e.lagMs]));
      created.forEach((c, i) => {
        expect(lag.get(c.id)).toBe(3_600_000 - 60_000 - i * 1_000);
      });
    });

    it('a challenge cancelled or extended just before its deadline is not transitioned then', async () => {
      const scheduler = newScheduler();
      const log = recordTransitions([scheduler]);
      const cancelled = await create({ deadline: at(60_000) });
      const extended = await create({ deadline: at(60_000) });
      const kept = await create({ deadline: at(60_000) });
      await clock.advance(59_999);
      await challenges.cancel(cancelled.id);
      await challenges.reschedule(extended.id, at(3_600_000));
      await clock.advance(1);
      expect(await scheduler.runDue()).toEqual({ transitioned: 1, lost: 0, failed: 0 });
      expect(log.events.map((e) => e.challengeId)).toEqual([kept.id]);
      expect((await store.getChallenge(cancelled.id))?.status).toBe('cancelled');
      expect((await store.getChallenge(extended.id))?.status).toBe('active');

      scheduler.start();
      await clock.advance(3_600_000 - 1);
      await log.until(2);
      expect(log.events.map((e) => e.challengeId)).toEqual([kept.id, extended.id]);
      expect((await store.getChallenge(cancelled.id))?.status).toBe('cancelled');
    });

    it('a deadline extended between the read and the update is left active (dueBy)', async () => {
      const challenge = await create({ deadline: at(1_000) });
      await clock.advance(1_000);
      // The scheduler reads the challenge as due; another writer extends it before the scheduler's update.
      const stale = new Proxy(store, {
        get(target, property) {
          if (property === 'findDueChallenges') {
            return async (now: Date, limit: number) => {
              const due = await target.findDueChallenges(now, limit);
              if (due.length > 0) {
                await target.transaction((tx) =>
                  tx.updateChallenge(challenge.id, { deadline: at(60_000) }, ['active']),
                );
              }
              return due;
            };
          }
          const value: unknown = Reflect.get(target, property);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const scheduler = newScheduler({ batchSize: 1 }, stale);
      expect(await scheduler.runDue()).toEqual({ transitioned: 0, lost: 1, failed: 0 });
      expect((await store.getChallenge(challenge.id))?.status).toBe('active');
    });

    it('refuses invalid transitions and closed challenges with typed errors', async () => {
      const pending = await create({ deadline: at(60_000), status: 'pending' });
      const events: ChallengeTransitionedEvent[] = [];
      challenges.on('challenge.transitioned', (e) => events.push(e));
      await expect(challenges.cancel('no-such-challenge')).rejects.toBeInstanceOf(NotFoundError);
      await expect(challenges.join('no-such-challenge', { userId: 'x', side: 'a', stake: 1n })).rejects.toMatchObject({
        code: 'not_found',
        entity: 'challenge',
      });

      expect((await challenges.activate(pending.id)).status).toBe('active');
      await expect(challenges.activate(pending.id)).rejects.toMatchObject({
        code: 'invalid_transition',
        from: 'active',
        to: 'active',
      });
      await challenges.join(pending.id, { userId: 'bob', side: 'no', stake: '250' });
      await expect(challenges.join(pending.id, { userId: 'bob', side: 'no', stake: 1n })).rejects.toBeInstanceOf(
        ConflictError,
      );
      await challenges.leave(pending.id, 'ann');
      await expect(challenges.leave(pending.id, 'ann')).rejects.toMatchObject({ entity: 'participant' });
      expect(await store.listParticipants(pending.id, { limit: 10 })).toMatchObject([{ userId: 'bob', stake: 250n }]);

      await clock.advance(60_000);
      await expect(challenges.join(pending.id, { userId: 'cy', side: 'no', stake: 1n })).rejects.toBeInstanceOf(
        ConflictError,
      );
      await expect(challenges.reschedule(pending.id, at(60_000))).rejects.toBeInstanceOf(ConflictError);
      await newScheduler().runDue();
      await expect(challenges.cancel(pending.id)).rejects.toBeInstanceOf(InvalidTransitionError);
      await expect(challenges.activate(pending.id)).rejects.toMatchObject({ from: 'pending_admin', to: 'active' });
      await expect(challenges.leave(pending.id, 'bob')).rejects.toBeInstanceOf(ConflictError);

      const cancelled = await create({ deadline: at(60_000) });
      await challenges.cancel(cancelled.id);
      await expect(challenges.activate(cancelled.id)).rejects.toBeInstanceOf(InvalidTransitionError);
      await expect(challenges.cancel(cancelled.id)).rejects.toBeInstanceOf(InvalidTransitionError);
      expect(events.map((e) => `${e.from}→${e.to}:${e.lagMs}`)).toEqual(['pending→active:0', 'active→cancelled:0']);
    });

    it('rejects bad input with a ValidationError naming the field, writing nothing', async () => {
      const base = {
        id: 'bad-input',
        title: 'Bad',
        deadline: at(60_000),
        participants: [{ userId: 'ann', side: 'yes', stake: 100n }],
      };
      const cases: [unknown, string][] = [
        [{ ...base, deadline: clock.now() }, 'input.deadline'],
        [{ ...base, deadline: at(-1) }, 'input.deadline'],
        [{ ...base, deadline: '2030-01-02T00:00:00' }, 'input.deadline'],
        [{ ...base, participants: [{ userId: 'ann', side: 'yes', stake: 0n }] }, 'input.participants[0].stake'],
        [{ ...base, participants: [{ userId: 'ann', side: 'yes', stake: -5 }] }, 'input.participants[0].stake'],
        [{ ...base, participants: [{ userId: 'ann', side: 'yes', stake: 1.5 }] }, 'input.participants[0].stake'],
        [{ ...base, participants: [{ userId: 'ann', side: 'yes', stake: '1.50' }] }, 'input.participants[0].stake'],
        [
          {
            ...base,
            participants: [
              { userId: 'ann', side: 'yes', stake: 1n },
              { userId: 'ann', side: 'no', stake: 1n },
            ],
          },
          'input.participants[1].userId',
        ],
        [{ ...base, id: '' }, 'input.id'],
        [{ ...base, title: ' ' }, 'input.title'],
        [{ ...base, status: 'completed' }, 'input.status'],
        [{ ...base, metadata: { n: 1n } }, 'input.metadata.n'],
      ];
      for (const [input, field] of cases) {
        const error = await challenges.create(input as CreateChallengeInput).catch((e: unknown) => e);
        expect(error, field).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ code: 'validation', field });
      }
      expect(await store.getChallenge('bad-input')).toBeNull();

      const open = await create({ deadline: at(60_000) });
      await expect(challenges.join(open.id, { userId: 'bob', side: 'no', stake: 0 })).rejects.toMatchObject({
        field: 'participant.stake',
      });
      await expect(challenges.reschedule(open.id, clock.now())).rejects.toMatchObject({ field: 'deadline' });
      expect(await store.listParticipants(open.id, { limit: 10 })).toHaveLength(1);
      expect((await store.getChallenge(open.id))?.deadline).toEqual(open.deadline);
      expect(() => newScheduler({ batchSize: 0 })).toThrow(ValidationError);
      expect(() => newScheduler({ pollInterval: 'soon' })).toThrow(ValidationError);
    });

    it('onDeadline runs in the transition transaction; a throwing hook rolls it back until a retry succeeds', async () => {
      let calls = 0;
      const seenInside: string[] = [];
      const scheduler = newScheduler({
        retryDelay: 'PT5S',
        async onDeadline(tx, challenge) {
          calls += 1;
          seenInside.push((await tx.getChallenge(challenge.id))?.status ?? 'missing');
          if (calls === 1) throw new Error('host table is locked');
        },
      });
      const log = recordTransitions([scheduler]);
      const errors: SettleError[] = [];
      scheduler.on('error', (e) => errors.push(e));
      const challenge = await create({ deadline: at(1_000) });
      await clock.advance(1_000);

      expect(await scheduler.runDue()).toEqual({ transitioned: 0, lost: 0, failed: 1 });
      expect((await store.getChallenge(challenge.id))?.status).toBe('active');
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ context: { challengeId: challenge.id, phase: 'onDeadline' } });
      expect(errors[0]?.cause).toMatchObject({ message: 'host table is locked' });
      expect(log.events).toEqual([]);
      // Not retried before its retry delay.
      expect(await scheduler.runDue()).toEqual({ transitioned: 0, lost: 0, failed: 0 });
      expect(calls).toBe(1);

      scheduler.start();
      // A real database answers in real time while the fake clock moves on: keep moving time by the
      // retry delay until the retry has happened.
      for (let i = 0; i < 20 && log.events.length === 0; i++) await clock.advance('PT5S');
      await log.until(1);
      expect(calls).toBe(2);
      expect(seenInside).toEqual(['pending_admin', 'pending_admin']);
      expect((await store.getChallenge(challenge.id))?.status).toBe('pending_admin');
      expect(log.events[0]).toMatchObject({ challengeId: challenge.id, lagMs: expect.any(Number) });
    });

    describe('autoResolve: refundUnopposed', () => {
      const stakes = (side: string, list: Record<string, bigint>): ParticipantInput[] =>
        Object.entries(list).map(([userId, stake]) => ({ userId, side, stake }));

      it('cancels a challenge without an opponent and refunds every stake exactly once', async () => {
        const payouts = new PayoutQueue({ store, clock });
        const queued = recordQueued([payouts]);
        const scheduler = newScheduler({ autoResolve: refundUnopposed({ payouts, metadata: { source: 'test' } }) });
        const log = recordTransitions([scheduler]);
        const lonely = await create({
          deadline: at(1_000),
          participants: stakes('yes', { ann: 100n, bob: 250n, cy: 7n }),
        });
        await clock.advance(1_000);
        expect(await scheduler.runDue()).toEqual({ transitioned: 1, lost: 0, failed: 0 });

        expect((await store.getChallenge(lonely.id))?.status).toBe('cancelled');
        const jobs = await store.listPayoutJobs({ challengeId: lonely.id, limit: 10 });
        expect(jobs).toHaveLength(1);
        const job = jobs[0]!;
        expect(job).toMatchObject({
          status: 'queued',
          totalEntries: 3,
          totalAmount: 357n,
          metadata: { source: 'test', autoResolve: 'refundUnopposed' },
        });
        const entries = await store.listPayoutEntries(job.id, { limit: 10 });
        expect(entries.map((e) => [e.userId, e.amount])).toEqual([
          ['ann', 100n],
          ['bob', 250n],
          ['cy', 7n],
        ]);
        expect(log.events).toEqual([
          {
            instance: 0,
            challengeId: lonely.id,
            from: 'active',
            to: 'cancelled',
            deadline: lonely.deadline.toISOString(),
            transitionedAt: lonely.deadline.toISOString(),
            lagMs: 0,
            refundJobId: job.id,
          },
        ]);
        expect(queued).toEqual([{ jobId: job.id, challengeId: lonely.id, totalEntries: 3, totalAmount: '357' }]);

        expect(await payouts.drain()).toEqual({ batches: 1, completed: 3, failed: 0 });
        expect(await store.getBalance('ann')).toBe(100n);
        expect(await store.getBalance('bob')).toBe(250n);
        expect(await store.getBalance('cy')).toBe(7n);
        expect(await store.ledgerTotal({ jobId: job.id })).toEqual({ count: 3, total: 357n });
        expect((await store.getPayoutJob(job.id))?.status).toBe('completed');

        // Nothing happens twice: nothing is due any more and nothing is left to pay.
        expect(await scheduler.runDue()).toEqual({ transitioned: 0, lost: 0, failed: 0 });
        expect(await payouts.drain()).toEqual({ batches: 0, completed: 0, failed: 0 });
        expect(await store.ledgerTotal({ userId: 'bob' })).toEqual({ count: 1, total: 250n });
        expect(await store.listPayoutJobs({ limit: 10 })).toHaveLength(1);
        expect(queued).toHaveLength(1);
        expect(log.events).toHaveLength(1);
      });

      it('closes a challenge with two sides as usual: pending_admin, no job', async () => {
        const payouts = new PayoutQueue({ store, clock });
        const queued = recordQueued([payouts]);
        const scheduler = newScheduler({ autoResolve: refundUnopposed({ payouts }) });
        const log = recordTransitions([scheduler]);
        const contested = await create({
          deadline: at(1_000),
          participants: [...stakes('yes', { ann: 100n }), ...stakes('no', { bob: 100n })],
        });
        await clock.advance(1_000);
        expect(await scheduler.runDue()).toEqual({ transitioned: 1, lost: 0, failed: 0 });

        expect((await store.getChallenge(contested.id))?.status).toBe('pending_admin');
        expect(await store.listPayoutJobs({ limit: 10 })).toEqual([]);
        expect(log.events).toHaveLength(1);
        expect(log.events[0]).toMatchObject({ challengeId: contested.id, from: 'active', to: 'pending_admin' });
        expect(log.events[0]).not.toHaveProperty('refundJobId');
        expect(queued).toEqual([]);
      });

      it('cancels a challenge without participants, with no job', async () => {
        const payouts = new PayoutQueue({ store, clock });
        const queued = recordQueued([payouts]);
        const scheduler = newScheduler({ autoResolve: refundUnopposed({ payouts }) });
        const log = recordTransitions([scheduler]);
        const empty = await create({ deadline: at(1_000), participants: [] });
        await clock.advance(1_000);
        expect(await scheduler.runDue()).toEqual({ transitioned: 1, lost: 0, failed: 0 });

        expect((await store.getChallenge(empty.id))?.status).toBe('cancelled');
        expect(await store.listPayoutJobs({ limit: 10 })).toEqual([]);
        expect(log.events).toHaveLength(1);
        expect(log.events[0]).toMatchObject({ challengeId: empty.id, from: 'active', to: 'cancelled' });
        expect(log.events[0]).not.toHaveProperty('refundJobId');
        expect(queued).toEqual([]);
      });

      it('reads participants page by page: 1,200 on one side are refunded, a second side on the last page closes', async () => {
        const payouts = new PayoutQueue({ store, clock });
        const scheduler = newScheduler({ autoResolve: refundUnopposed({ payouts }) });
        const many = Array.from({ length: 1_200 }, (_, i) => ({
          userId: `u-${String(i).padStart(4, '0')}`,
          side: 'yes',
          stake: 1n + BigInt(i % 5),
        }));
        const total = many.reduce((sum, p) => sum + p.stake, 0n);
        const lonely = await create({ deadline: at(1_000), participants: many });
        const contested = await create({
          deadline: at(1_000),
          participants: many.map((p, i) => (i === many.length - 1 ? { ...p, side: 'no' } : p)),
        });
        await clock.advance(1_000);
        expect(await scheduler.runDue()).toEqual({ transitioned: 2, lost: 0, failed: 0 });

        expect((await store.getChallenge(lonely.id))?.status).toBe('cancelled');
        expect((await store.getChallenge(contested.id))?.status).toBe('pending_admin');
        const jobs = await store.listPayoutJobs({ limit: 10 });
        expect(jobs.map((j) => [j.challengeId, j.totalEntries, j.totalAmount])).toEqual([[lonely.id, 1_200, total]]);
        await payouts.drain();
        expect(await store.ledgerTotal({ jobId: jobs[0]!.id })).toEqual({ count: 1_200, total });
        expect(await store.getBalance('u-0000')).toBe(1n);
        expect(await store.getBalance('u-1199')).toBe(5n);
      });

      it('a throwing onDeadline rolls back the cancellation and its refund job; the retry commits both once', async () => {
        const payouts = new PayoutQueue({ store, clock });
        const queued = recordQueued([payouts]);
        const seenInside: string[] = [];
        const scheduler = newScheduler({
          retryDelay: 'PT5S',
          autoResolve: refundUnopposed({ payouts }),
          async onDeadline(tx, challenge) {
            const jobs = await tx.listPayoutJobs({ challengeId: challenge.id, limit: 10 });
            seenInside.push(`${challenge.status}, ${jobs.length} job`);
            if (seenInside.length === 1) throw new Error('host table is locked');
          },
        });
        const log = recordTransitions([scheduler]);
        const errors: SettleError[] = [];
        scheduler.on('error', (e) => errors.push(e));
        const lonely = await create({ deadline: at(1_000), participants: stakes('yes', { ann: 100n, bob: 50n }) });
        await clock.advance(1_000);

        expect(await scheduler.runDue()).toEqual({ transitioned: 0, lost: 0, failed: 1 });
        expect((await store.getChallenge(lonely.id))?.status).toBe('active');
        expect(await store.listPayoutJobs({ limit: 10 })).toEqual([]);
        expect((await store.payoutStats()).entries.pending).toBe(0);
        expect(queued).toEqual([]);
        expect(log.events).toEqual([]);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({ context: { challengeId: lonely.id, phase: 'onDeadline' } });
        expect(errors[0]?.cause).toMatchObject({ message: 'host table is locked' });

        await clock.advance('PT5S');
        expect(await scheduler.runDue()).toEqual({ transitioned: 1, lost: 0, failed: 0 });
        expect(seenInside).toEqual(['cancelled, 1 job', 'cancelled, 1 job']);
        expect((await store.getChallenge(lonely.id))?.status).toBe('cancelled');
        const jobs = await store.listPayoutJobs({ limit: 10 });
        expect(jobs).toHaveLength(1);
        expect(queued.map((e) => e.jobId)).toEqual([jobs[0]!.id]);
        expect(log.events.map((e) => [e.to, e.refundJobId])).toEqual([['cancelled', jobs[0]!.id]]);
        await payouts.drain();
        expect(await store.ledgerTotal({ jobId: jobs[0]!.id })).toEqual({ count: 2, total: 150n });
        expect(await store.getBalance('ann')).toBe(100n);
      });

      it('three schedulers racing, each with its own queue, write one refund job per challenge', async () => {
        const queues = [0, 1, 2].map(() => new PayoutQueue({ store, clock }));
        const queued = recordQueued(queues);
        const three = queues.map((payouts) =>
          newScheduler({ batchSize: 4, autoResolve: refundUnopposed({ payouts }) }),
        );
        const log = recordTransitions(three);
        const lonely = [];
        for (let i = 0; i < 12; i++) {
          lonely.push(
            await create({
              deadline: at(1_000),
              participants: stakes('yes', { [`a${i}`]: 10n + BigInt(i), [`b${i}`]: 20n }),
            }),
          );
        }
        for (let i = 0; i < 3; i++) {
          await create({
            deadline: at(1_000),
            participants: [...stakes('yes', { ann: 1n }), ...stakes('no', { bob: 1n })],
          });
        }
        await clock.advance(1_000);
        const runs = await Promise.all(three.map((s) => s.runDue()));

        expect(runs.reduce((sum, r) => sum + r.transitioned, 0)).toBe(15);
        expect(runs.every((r) => r.failed === 0)).toBe(true);
        expect(new Set(log.events.map((e) => e.challengeId)).size).toBe(15);
        const jobs = await store.listPayoutJobs({ limit: 100 });
        expect(jobs.map((j) => j.challengeId).sort()).toEqual(lonely.map((c) => c.id).sort());
        const jobIds = jobs.map((j) => j.id).sort();
        expect(queued.map((e) => e.jobId).sort()).toEqual(jobIds);
        const refunds = log.events.filter((e) => e.to === 'cancelled').map((e) => e.refundJobId);
        expect(refunds.sort()).toEqual(jobIds);

        await queues[0]!.drain();
        for (const [i, c] of lonely.entries()) {
          const job = jobs.find((j) => j.challengeId === c.id)!;
          expect(await store.ledgerTotal({ jobId: job.id })).toEqual({ count: 2, total: 30n + BigInt(i) });
          expect(await store.getBalance(`a${i}`)).toBe(10n + BigInt(i));
          expect(await store.getBalance(`b${i}`)).toBe(20n);
        }
        expect(await store.getBalance('ann')).toBe(0n);
      });

      it('a custom policy: its enqueueIn job is announced once, after the commit', async () => {
        const payouts = new PayoutQueue({ store, clock });
        const queued = recordQueued([payouts]);
        let handle: UncommittedPayoutJob | undefined;
        let queuedInside = -1;
        const scheduler = newScheduler({
          // Void challenges are cancelled and only their host-chosen user is paid back.
          async autoResolve(tx, challenge) {
            if (challenge.metadata.void !== true) return { action: 'close' };
            handle = await payouts.enqueueIn(tx, {
              challengeId: challenge.id,
              entries: [{ userId: 'ann', amount: '40' }],
            });
            queuedInside = queued.length;
            return { action: 'cancel', refund: handle };
          },
        });
        const log = recordTransitions([scheduler]);
        const voided = await create({ deadline: at(1_000), metadata: { void: true } });
        const kept = await create({ deadline: at(1_000) });
        await clock.advance(1_000);
        expect(await scheduler.runDue()).toEqual({ transitioned: 2, lost: 0, failed: 0 });

        expect(queuedInside).toBe(0);
        expect(queued.map((e) => e.jobId)).toEqual([handle?.job.id]);
        handle?.committed();
        expect(queued).toHaveLength(1);
        expect(new Map(log.events.map((e) => [e.challengeId, [e.to, e.refundJobId]]))).toEqual(
          new Map([
            [voided.id, ['cancelled', handle?.job.id]],
            [kept.id, ['pending_admin', undefined]],
          ]),
        );
        await payouts.drain();
        expect(await store.getBalance('ann')).toBe(40n);
        await expect(
          payouts.enqueueIn({} as never, { entries: [{ userId: 'ann', amount: 1n }] }),
        ).rejects.toMatchObject({
          field: 'tx',
        });
      });

      it('a throwing or malformed policy rolls everything back and is reported with phase autoResolve', async () => {
        const payouts = new PayoutQueue({ store, clock });
        const queued = recordQueued([payouts]);
        const throwing = newScheduler({
          async autoResolve(tx, challenge) {
            await payouts.enqueueIn(tx, { challengeId: challenge.id, entries: [{ userId: 'ann', amount: 100n }] });
            throw new Error('policy bug');
          },
        });
        const malformed = newScheduler({ autoResolve: () => ({ action: 'refund' }) as never });
        const errors: SettleError[] = [];
        throwing.on('error', (e) => errors.push(e));
        malformed.on('error', (e) => errors.push(e));
        const challenge = await create({ deadline: at(1_000) });
        await clock.advance(1_000);

        expect(await throwing.runDue()).toEqual({ transitioned: 0, lost: 0, failed: 1 });
        expect(await malformed.runDue()).toEqual({ transitioned: 0, lost: 0, failed: 1 });
        expect((await store.getChallenge(challenge.id))?.status).toBe('active');
        expect(await store.listPayoutJobs({ limit: 10 })).toEqual([]);
        expect(queued).toEqual([]);
        expect(errors.map((e) => e.context)).toEqual([
          { challengeId: challenge.id, phase: 'autoResolve' },
          { challengeId: challenge.id, phase: 'autoResolve' },
        ]);
        expect(errors[0]?.cause).toMatchObject({ message: 'policy bug' });
        expect(errors[1]).toMatchObject({ code: 'validation', field: 'options.autoResolve' });
      });

      it.skipIf(!concurrentTransactions)(
        'a join committing as the deadline passes is seen by the policy: the row is locked before participants are read',
        async () => {
          const payouts = new PayoutQueue({ store, clock });
          const lonely = await create({ deadline: at(1_000), participants: stakes('yes', { ann: 100n }) });
          await clock.advance(1_000);
          // The scheduler's store tells when its transaction first takes the challenge's row lock.
          let locking: () => void = () => {};
          const schedulerLocks = new Promise<void>((resolve) => {
            locking = resolve;
          });
          const lockTaking = new Set<PropertyKey>(['updateChallenge', 'transitionChallenge']);
          const watched = new Proxy(store, {
            get(target, property) {
              if (property === 'transaction') {
                return <T>(fn: (tx: StoreTransaction) => Promise<T>) =>
                  target.transaction((tx) =>
                    fn(
                      new Proxy(tx, {
                        get(inner, name) {
                          const value: unknown = Reflect.get(inner, name);
                          if (typeof value !== 'function') return value;
                          if (lockTaking.has(name)) locking();
                          return value.bind(inner);
                        },
                      }),
                    ),
                  );
              }
              const value: unknown = Reflect.get(target, property);
              return typeof value === 'function' ? value.bind(target) : value;
            },
          });
          const scheduler = newScheduler({ autoResolve: refundUnopposed({ payouts }) }, watched);

          let run: Promise<SchedulerRunSummary> | undefined;
          // A join that locked the row before the deadline and commits only once the scheduler runs.
          await store.transaction(async (tx) => {
            await tx.updateChallenge(lonely.id, {}, ['active']);
            await tx.addParticipants(lonely.id, [{ userId: 'bob', side: 'no', stake: 100n, joinedAt: clock.now() }]);
            run = scheduler.runDue();
            await schedulerLocks;
          });

          expect(await run).toEqual({ transitioned: 1, lost: 0, failed: 0 });
          expect((await store.getChallenge(lonely.id))?.status).toBe('pending_admin');
          expect(await store.listPayoutJobs({ limit: 10 })).toEqual([]);
        },
      );

      it('refuses bad policy options with a ValidationError naming the option', () => {
        const payouts = new PayoutQueue({ store, clock });
        const cases: [() => unknown, string][] = [
          [() => newScheduler({ autoResolve: 'refund' as never }), 'options.autoResolve'],
          [() => refundUnopposed(undefined as never), 'options'],
          [() => refundUnopposed({ payouts: {} as never }), 'options.payouts'],
          [() => refundUnopposed({ payouts, priority: 1.5 }), 'options.priority'],
          [() => refundUnopposed({ payouts, metadata: { n: 1n } as never }), 'options.metadata.n'],
        ];
        for (const [make, field] of cases) {
          expect(make, field).toThrow(ValidationError);
          expect(make).toThrow(expect.objectContaining({ field }));
        }
      });
    });
  });
}
