import { randomUUID } from 'node:crypto';
import {
  Challenges,
  type CreateChallengeInput,
  DeliveryError,
  type NotificationFailedEvent,
  type NotificationSentEvent,
  type NotificationSkippedEvent,
  Notifier,
  type NotifierOptions,
  PayoutQueue,
  Scheduler,
  type Store,
} from '@settle/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreFactory } from '../conformance/store-harness';
import { createFakeClock, type FakeClock } from '../fake-clock';
import { createRecordingChannel, type RecordingChannel } from '../recording-channel';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Every event of some notifiers, and a way to wait for a count of one kind. */
interface NotifierLog {
  readonly sent: NotificationSentEvent[];
  readonly skipped: NotificationSkippedEvent[];
  readonly failed: NotificationFailedEvent[];
  until(kind: 'sent' | 'skipped' | 'failed', count: number): Promise<void>;
}

function recordNotifier(notifiers: readonly Notifier[]): NotifierLog {
  const log = { sent: [], skipped: [], failed: [] } as Omit<NotifierLog, 'until'>;
  const waiters: { kind: keyof typeof log; count: number; resolve: () => void }[] = [];
  const check = () => {
    for (const waiter of waiters.splice(0)) {
      if (log[waiter.kind].length >= waiter.count) waiter.resolve();
      else waiters.push(waiter);
    }
  };
  for (const notifier of notifiers) {
    notifier.on('notification.sent', (e) => {
      log.sent.push(e);
      check();
    });
    notifier.on('notification.skipped', (e) => {
      log.skipped.push(e);
      check();
    });
    notifier.on('notification.failed', (e) => {
      log.failed.push(e);
      check();
    });
  }
  return {
    ...log,
    until: (kind, count) =>
      log[kind].length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ kind, count, resolve })),
  };
}

/**
 * Registers the Notifier scenarios (vitest) against a store, on a fake clock: both reminders of an
 * ordinary challenge at their instants; late joiners and challenges created close to their deadline
 * following the policy (superseded reminders recorded as skipped); restarts and several instances
 * never sending twice; cancelled challenges and passed deadlines skipped; a channel failing twice
 * then succeeding, failing for good then retried, or refusing for good; per-recipient channels,
 * zone and locale; admins told when a challenge needs a result and winners when they are paid.
 */
export function runNotifierScenarios(name: string, makeStore: StoreFactory): void {
  describe(`${name}: Notifier scenarios`, () => {
    let store: Store;
    let cleanup: (() => Promise<void> | void) | undefined;
    let clock: FakeClock;
    let challenges: Challenges;
    const running: { stop(): Promise<void> }[] = [];
    const newNotifier = (options: Partial<Omit<NotifierOptions, 'store' | 'clock'>> & { store?: Store } = {}) => {
      const notifier = new Notifier({
        store,
        clock,
        channels: [createRecordingChannel()],
        backoff: { base: 'PT5S', jitter: 0 },
        ...options,
      });
      running.push(notifier);
      return notifier;
    };
    const at = (ms: number) => new Date(clock.now().getTime() + ms);
    const create = (deadlineIn: number, users: readonly string[], input: Partial<CreateChallengeInput> = {}) =>
      challenges.create({
        id: `c-${randomUUID()}`,
        title: 'Chess open',
        status: 'active',
        deadline: at(deadlineIn),
        participants: users.map((userId) => ({ userId, side: 'solo', stake: 100n })),
        ...input,
      });
    const rows = (challengeId: string) => store.listNotifications({ challengeId, limit: 10_000 });
    const summary = async (challengeId: string) =>
      (await rows(challengeId))
        .map((n) => `${n.recipient} ${n.payload.offset ?? n.kind} ${n.status}${n.skipReason ? ` ${n.skipReason}` : ''}`)
        .sort();
    const sentAt = (channel: RecordingChannel) =>
      channel.sent.map((m) => `${m.notification.recipient} ${m.notification.payload.offset} ${m.title}`);

    beforeEach(async () => {
      const harness = await makeStore();
      store = harness.store;
      cleanup = harness.cleanup;
      clock = createFakeClock('2030-01-01T00:00:00.000Z');
      challenges = new Challenges({ store, clock });
    });
    afterEach(async () => {
      await Promise.all(running.splice(0).map((r) => r.stop()));
      await cleanup?.();
    });

    it('sends both reminders of an ordinary challenge at their instants, once each', async () => {
      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel], pollInterval: 'PT6H' });
      const log = recordNotifier([notifier]);
      const challenge = await create(3 * HOUR, ['ann', 'bob']);
      notifier.start();

      await clock.advance(2 * HOUR);
      await log.until('sent', 2);
      expect(log.sent.map((e) => [e.recipient, e.sentAt])).toEqual(
        expect.arrayContaining(
          [
            ['ann', challenge.deadline.getTime() - HOUR],
            ['bob', challenge.deadline.getTime() - HOUR],
          ].map(([user, instant]) => [user, new Date(instant!).toISOString()]),
        ),
      );
      await clock.advance(50 * MINUTE);
      await log.until('sent', 4);
      await clock.advance(10 * MINUTE);
      await notifier.stop();

      expect(log.sent.slice(2).map((e) => e.sentAt)).toEqual([
        new Date(challenge.deadline.getTime() - 10 * MINUTE).toISOString(),
        new Date(challenge.deadline.getTime() - 10 * MINUTE).toISOString(),
      ]);
      expect(sentAt(channel).sort()).toEqual([
        'ann PT10M 10 minutes left',
        'ann PT1H 1 hour left',
        'bob PT10M 10 minutes left',
        'bob PT1H 1 hour left',
      ]);
      expect(await summary(challenge.id)).toEqual([
        'ann PT10M sent',
        'ann PT1H sent',
        'bob PT10M sent',
        'bob PT1H sent',
      ]);
      expect(log.skipped).toEqual([]);
    });

    it('plans nothing before a reminder is due, and the reminder the moment it is', async () => {
      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel] });
      const challenge = await create(2 * HOUR, ['ann']);
      await clock.advance(HOUR - 1);
      expect(await notifier.runOnce()).toEqual({ planned: 0, sent: 0, skipped: 0, failed: 0 });
      await clock.advance(1);
      expect(await notifier.runOnce()).toEqual({ planned: 1, sent: 1, skipped: 0, failed: 0 });
      expect(await notifier.runOnce()).toEqual({ planned: 0, sent: 0, skipped: 0, failed: 0 });
      expect(await summary(challenge.id)).toEqual(['ann PT1H sent']);
    });

    it('a late joiner: the overdue reminder goes late when the next is beyond the window, is skipped when within', async () => {
      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel] });
      const challenge = await create(2 * HOUR, ['ann']);
      await clock.advance(HOUR);
      await notifier.runOnce();
      // 45 minutes before the deadline: the 10-minute reminder is 35 minutes away, beyond the 30-minute window.
      await clock.advance(15 * MINUTE);
      await challenges.join(challenge.id, { userId: 'bob', side: 'solo', stake: 100n });
      expect(await notifier.runOnce()).toMatchObject({ planned: 1, sent: 1, skipped: 0 });
      // 20 minutes before: the 10-minute reminder is 10 minutes away, so the hour reminder gives way.
      await clock.advance(25 * MINUTE);
      await challenges.join(challenge.id, { userId: 'cat', side: 'solo', stake: 100n });
      expect(await notifier.runOnce()).toMatchObject({ planned: 1, sent: 0, skipped: 1 });
      await clock.advance(10 * MINUTE);
      expect(await notifier.runOnce()).toMatchObject({ planned: 3, sent: 3, skipped: 0 });

      expect(await summary(challenge.id)).toEqual([
        'ann PT10M sent',
        'ann PT1H sent',
        'bob PT10M sent',
        'bob PT1H sent',
        'cat PT10M sent',
        'cat PT1H skipped superseded',
      ]);
      expect(sentAt(channel)).toContain('bob PT1H 45 minutes left');
    });

    it('a running notifier finds a late joiner on its next poll', async () => {
      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel], pollInterval: 'PT1M' });
      const log = recordNotifier([notifier]);
      const challenge = await create(2 * HOUR, ['ann']);
      notifier.start();
      await clock.advance(HOUR);
      await log.until('sent', 1);
      // Joining wakes nobody: only the poll, a minute later, can find bob.
      await clock.advance(15 * MINUTE);
      await challenges.join(challenge.id, { userId: 'bob', side: 'solo', stake: 100n });
      await clock.advance(MINUTE);
      await log.until('sent', 2);
      await notifier.stop();
      expect(log.sent.map((e) => [e.recipient, e.sentAt])).toEqual([
        ['ann', new Date(challenge.deadline.getTime() - HOUR).toISOString()],
        ['bob', new Date(challenge.deadline.getTime() - 44 * MINUTE).toISOString()],
      ]);
      expect(await summary(challenge.id)).toEqual(['ann PT1H sent', 'bob PT1H sent']);
    });

    it('a challenge created 15 minutes before its deadline gets only the 10-minute reminder', async () => {
      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel] });
      const log = recordNotifier([notifier]);
      const challenge = await create(15 * MINUTE, ['ann']);
      expect(await notifier.runOnce()).toMatchObject({ planned: 1, sent: 0, skipped: 1 });
      expect(log.skipped).toEqual([expect.objectContaining({ recipient: 'ann', reason: 'superseded' })]);
      await clock.advance(5 * MINUTE);
      expect(await notifier.runOnce()).toMatchObject({ planned: 1, sent: 1 });
      expect(await summary(challenge.id)).toEqual(['ann PT10M sent', 'ann PT1H skipped superseded']);
      expect(sentAt(channel)).toEqual(['ann PT10M 10 minutes left']);
    });

    it('a challenge created 5 minutes before its deadline gets one reminder at once', async () => {
      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel] });
      const challenge = await create(5 * MINUTE, ['ann']);
      expect(await notifier.runOnce()).toMatchObject({ planned: 2, sent: 1, skipped: 1 });
      expect(await summary(challenge.id)).toEqual(['ann PT10M sent', 'ann PT1H skipped superseded']);
      expect(sentAt(channel)).toEqual(['ann PT10M 5 minutes left']);
    });

    it('never sends a reminder after its deadline, nor for a cancelled challenge', async () => {
      const channel = createRecordingChannel('down', { fail: () => true });
      // One offset, so no reminder gives way to a more urgent one: only the deadline and the status decide.
      const notifier = newNotifier({
        channels: [channel],
        reminders: ['PT1H'],
        backoff: { base: 'PT20M', max: 'PT1H', jitter: 0 },
      });
      const passing = await create(61 * MINUTE, ['ann']);
      const cancelled = await create(90 * MINUTE, ['bob']);
      await clock.advance(MINUTE);
      expect(await notifier.runOnce()).toMatchObject({ planned: 1, failed: 1 });
      await clock.advance(30 * MINUTE);
      expect(await notifier.runOnce()).toMatchObject({ planned: 1, failed: 2 });
      await challenges.cancel(cancelled.id);
      await clock.advance(HOUR);
      expect(await notifier.runOnce()).toMatchObject({ planned: 0, sent: 0, skipped: 2 });
      expect(await summary(passing.id)).toEqual(['ann PT1H skipped deadline_passed']);
      expect(await summary(cancelled.id)).toEqual(['bob PT1H skipped challenge_not_active']);
      expect(channel.sent).toEqual([]);
    });

    it('a restarted notifier never re-sends, and goes on with the next reminder', async () => {
      const first = createRecordingChannel();
      const challenge = await create(2 * HOUR, ['ann', 'bob']);
      await clock.advance(HOUR);
      await newNotifier({ channels: [first] }).runOnce();
      const second = createRecordingChannel();
      const restarted = newNotifier({ channels: [second] });
      expect(await restarted.runOnce()).toEqual({ planned: 0, sent: 0, skipped: 0, failed: 0 });
      await clock.advance(50 * MINUTE);
      expect(await restarted.runOnce()).toMatchObject({ planned: 2, sent: 2 });
      expect(sentAt(first).sort()).toEqual(['ann PT1H 1 hour left', 'bob PT1H 1 hour left']);
      expect(sentAt(second).sort()).toEqual(['ann PT10M 10 minutes left', 'bob PT10M 10 minutes left']);
      expect(await summary(challenge.id)).toHaveLength(4);
    });

    it('a deadline moved after the first reminder: the text follows it, and no reminder is sent twice', async () => {
      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel] });
      const challenge = await create(2 * HOUR, ['ann']);
      await clock.advance(HOUR);
      await notifier.runOnce();
      await challenges.reschedule(challenge.id, at(3 * HOUR));
      await clock.advance(HOUR);
      expect(await notifier.runOnce()).toMatchObject({ planned: 0, sent: 0 });
      await clock.advance(110 * MINUTE);
      expect(await notifier.runOnce()).toMatchObject({ planned: 1, sent: 1 });
      expect(sentAt(channel)).toEqual(['ann PT1H 1 hour left', 'ann PT10M 10 minutes left']);
      expect(channel.sent[1]?.notification.payload.deadline).toBe(
        new Date(clock.now().getTime() + 10 * MINUTE).toISOString(),
      );
    });

    it('three notifiers on one store send each of 120 reminders exactly once', async () => {
      const users = Array.from({ length: 60 }, (_, i) => `u${String(i).padStart(2, '0')}`);
      const channels = [0, 1, 2].map((i) => createRecordingChannel(`shared-${i}`));
      const notifiers = channels.map((channel) =>
        newNotifier({ channels: [channel], batchSize: 7, pollInterval: 'PT6H' }),
      );
      const log = recordNotifier(notifiers);
      const challenge = await create(2 * HOUR, users);
      for (const notifier of notifiers) notifier.start();
      await clock.advance(HOUR);
      await log.until('sent', 60);
      await clock.advance(50 * MINUTE);
      await log.until('sent', 120);
      await Promise.all(notifiers.map((n) => n.stop()));

      const keys = channels.flatMap((c) => c.sent.map((m) => m.notification.key));
      expect(keys).toHaveLength(120);
      expect(new Set(keys).size).toBe(120);
      expect((await rows(challenge.id)).filter((n) => n.status === 'sent')).toHaveLength(120);
    });

    it('a channel failing twice then succeeding: two failed events with retries, then sent on the third attempt', async () => {
      const channel = createRecordingChannel().failTimes(2);
      const notifier = newNotifier({ channels: [channel] });
      const log = recordNotifier([notifier]);
      const challenge = await create(HOUR, ['ann']);
      expect(await notifier.runOnce()).toMatchObject({ planned: 1, failed: 1 });
      await clock.advance(4_999);
      expect(await notifier.runOnce()).toMatchObject({ sent: 0, failed: 0 });
      await clock.advance(1);
      expect(await notifier.runOnce()).toMatchObject({ failed: 1 });
      await clock.advance(10_000);
      expect(await notifier.runOnce()).toMatchObject({ sent: 1 });

      expect(log.failed.map((e) => [e.attempt, e.willRetry])).toEqual([
        [1, true],
        [2, true],
      ]);
      expect(log.sent.map((e) => e.attempt)).toEqual([3]);
      expect(channel.attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      const [row] = await rows(challenge.id);
      expect(row).toMatchObject({ status: 'sent', attempts: 2, error: 'recording: scripted failure' });
    });

    it('a channel failing for good dead-letters the notification; retryFailed() sends it again', async () => {
      let healthy = false;
      const channel = createRecordingChannel('flaky', { fail: () => !healthy });
      const notifier = newNotifier({ channels: [channel], maxAttempts: 3 });
      const log = recordNotifier([notifier]);
      const challenge = await create(HOUR, ['ann']);
      await notifier.runOnce();
      await clock.advance(5_000);
      await notifier.runOnce();
      await clock.advance(10_000);
      await notifier.runOnce();
      expect(log.failed.map((e) => e.willRetry)).toEqual([true, true, false]);
      expect((await rows(challenge.id))[0]).toMatchObject({ status: 'failed', attempts: 3 });
      await clock.advance(MINUTE);
      expect(await notifier.runOnce()).toMatchObject({ sent: 0, failed: 0 });

      healthy = true;
      expect(await notifier.retryFailed(challenge.id)).toBe(1);
      expect(await notifier.runOnce()).toMatchObject({ sent: 1 });
      expect((await rows(challenge.id))[0]).toMatchObject({ status: 'sent', attempts: 0 });
      expect(channel.sent).toHaveLength(1);
    });

    it('a channel refusing for good (DeliveryError, not retryable) dead-letters at the first attempt', async () => {
      const channel = createRecordingChannel().failTimes(
        1,
        new DeliveryError('receiver answered 410', { channel: 'recording', retryable: false, status: 410 }),
      );
      const notifier = newNotifier({ channels: [channel] });
      const log = recordNotifier([notifier]);
      const challenge = await create(HOUR, ['ann']);
      await notifier.runOnce();
      expect(log.failed).toEqual([
        expect.objectContaining({ channel: 'recording', attempt: 1, willRetry: false, error: 'receiver answered 410' }),
      ]);
      expect((await rows(challenge.id))[0]).toMatchObject({ status: 'failed', error: 'receiver answered 410' });
    });

    it("follows each recipient's channels, zone and locale; no channel means skipped", async () => {
      const email = createRecordingChannel('email');
      const push = createRecordingChannel('push');
      const notifier = newNotifier({
        channels: [email, push],
        recipients: (user) =>
          user === 'ann'
            ? { channels: ['push'], zone: 'Europe/Paris', locale: 'fr' }
            : user === 'bob'
              ? {}
              : { channels: [] },
      });
      const challenge = await create(HOUR, ['ann', 'bob', 'cat']);
      expect(await notifier.runOnce()).toMatchObject({ sent: 2, skipped: 1 });
      expect(push.sent.map((m) => m.notification.recipient).sort()).toEqual(['ann', 'bob']);
      expect(email.sent.map((m) => m.notification.recipient)).toEqual(['bob']);
      const ann = push.sent.find((m) => m.notification.recipient === 'ann')!;
      expect(ann.body).toContain('02:00');
      expect(await summary(challenge.id)).toContain('cat PT1H skipped no_channel');
    });

    it('tells the admins once when a challenge moves to pending_admin', async () => {
      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel], reminders: [], admins: () => ['root', 'ops', 'root'] });
      const log = recordNotifier([notifier]);
      const scheduler = new Scheduler({ store, clock, pollInterval: 'PT1H' });
      running.push(scheduler);
      const challenge = await create(MINUTE, ['ann']);
      notifier.start();
      scheduler.start();
      await clock.advance(MINUTE);
      await log.until('sent', 2);
      await notifier.stop();
      expect(await summary(challenge.id)).toEqual(['ops pending_admin sent', 'root pending_admin sent']);
      expect(channel.sent.map((m) => m.title)).toHaveLength(2);
    });

    it('catches up on the admin notices of a challenge that reached pending_admin while no Notifier ran', async () => {
      const challenge = await create(MINUTE, ['ann']);
      await clock.advance(MINUTE);
      // The Scheduler moves the challenge while no Notifier listens: its event reaches nobody.
      expect(await new Scheduler({ store, clock }).runDue()).toMatchObject({ transitioned: 1 });

      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel], reminders: [], admins: () => ['root'] });
      const log = recordNotifier([notifier]);
      notifier.start();
      await log.until('sent', 1);
      await notifier.stop();
      // A restart, or a cron-style run, stores nothing new.
      const again = newNotifier({ channels: [channel], reminders: [], admins: () => ['root'] });
      expect(await again.runOnce()).toMatchObject({ sent: 0 });
      expect(await summary(challenge.id)).toEqual(['root pending_admin sent']);
      expect(channel.sent).toHaveLength(1);
    });

    it('an admins hook failing for one waiting challenge stops neither the catch-up nor delivery', async () => {
      const broken = await create(MINUTE, ['ann']);
      const fine = await create(MINUTE, ['bob']);
      await clock.advance(MINUTE);
      expect(await new Scheduler({ store, clock }).runDue()).toMatchObject({ transitioned: 2 });

      const channel = createRecordingChannel();
      const notifier = newNotifier({
        channels: [channel],
        reminders: [],
        admins: (challenge) => {
          if (challenge.id === broken.id) throw new Error('directory unavailable');
          return ['root'];
        },
      });
      const errors: { message: string; context: Record<string, unknown> }[] = [];
      notifier.on('error', (error) => errors.push(error));
      expect(await notifier.runOnce()).toMatchObject({ sent: 1 });
      expect(await summary(fine.id)).toEqual(['root pending_admin sent']);
      expect(await summary(broken.id)).toEqual([]);
      expect(errors).toMatchObject([
        { message: 'directory unavailable', context: { phase: 'statusNotice', challengeId: broken.id } },
      ]);
    });

    it('skips an admin notice whose challenge was resolved before it could be sent', async () => {
      const challenge = await create(MINUTE, ['ann']);
      await clock.advance(MINUTE);
      expect(await new Scheduler({ store, clock }).runDue()).toMatchObject({ transitioned: 1 });
      const channel = createRecordingChannel().failTimes(1);
      const notifier = newNotifier({ channels: [channel], reminders: [], admins: () => ['root'] });
      notifier.on('error', () => {});
      expect(await notifier.runOnce()).toMatchObject({ sent: 0, failed: 1 });

      // An admin resolves it by other means while the notice waits for its retry.
      const resolved = await store.transaction((tx) =>
        tx.transitionChallenge({ id: challenge.id, from: 'pending_admin', to: 'completed', at: clock.now() }),
      );
      expect(resolved?.status).toBe('completed');
      await clock.advance('PT10M');
      expect(await notifier.runOnce()).toMatchObject({ sent: 0, skipped: 1 });
      expect(await summary(challenge.id)).toEqual(['root pending_admin skipped challenge_not_pending_admin']);
      expect(channel.sent).toHaveLength(0);
    });

    it('tells each winner once when their payout entry is paid', async () => {
      const channel = createRecordingChannel();
      const notifier = newNotifier({ channels: [channel], reminders: [] });
      const log = recordNotifier([notifier]);
      const queue = new PayoutQueue({ store, clock, batchSize: 2 });
      running.push(queue);
      notifier.start();
      const { jobId } = await queue.enqueue({
        entries: [
          { userId: 'ann', amount: 1_250n },
          { userId: 'bob', amount: 300n },
          { userId: 'cat', amount: 7n },
        ],
      });
      await queue.drain();
      await log.until('sent', 3);
      await notifier.stop();
      const notices = await store.listNotifications({ kind: 'payout_completed', limit: 10 });
      expect(notices.map((n) => [n.recipient, n.payload.amount, n.payload.jobId, n.status]).sort()).toEqual([
        ['ann', '1250', jobId, 'sent'],
        ['bob', '300', jobId, 'sent'],
        ['cat', '7', jobId, 'sent'],
      ]);
      expect(channel.sent).toHaveLength(3);
    });
  });
}
