import { EventEmitter } from 'eventemitter3';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Challenge, ChallengeId } from '../domain/challenge';
import type { NewNotification, Notification } from '../domain/notification';
import type { PayoutJobId } from '../domain/payout';
import { DeliveryError, ListenerError, ValidationError } from '../errors';
import type { NotifierEvents } from '../events/notifier-events';
import type { NotificationChannel } from '../notification-channel';
import { reportError } from '../report-error';
import { DEADLINE_CHANGED_EVENT, deadlineSignal } from '../scheduler/deadline-signal';
import type { StoreEvent } from '../store/store';
import { Alarm } from '../time/alarm';
import { type NotifierOptions, type ResolvedNotifierOptions, resolveNotifierOptions } from './notifier-options';
import { ReminderPlanner } from './reminder-planner';
import { decideReminder, REMINDER_KIND, type SkipReason } from './reminder-policy';
import { renderNotification } from './render-notification';
import { PENDING_ADMIN_KIND, payoutNotices, pendingAdminNotices } from './status-notices';

/** What {@link Notifier.runOnce} did. */
export interface NotifierRunSummary {
  /** Reminder rows new in the outbox. */
  readonly planned: number;
  /** Notifications delivered by every chosen channel. */
  readonly sent: number;
  /** Notifications recorded as skipped. */
  readonly skipped: number;
  /** Failed attempts (retried later, or dead-lettered). */
  readonly failed: number;
}

type Outcome = 'sent' | 'skipped' | 'failed' | 'lost';

/** A notification decided and, if it was to be sent, accepted by every chosen channel. */
interface Finished {
  readonly notification: Notification;
  readonly status: 'sent' | 'skipped';
  readonly reason?: SkipReason;
  readonly channels?: readonly NotificationChannel[];
}

/** What one attempt at a claimed notification came to, before anything is recorded. */
type Attempt = Finished | { readonly notification: Notification; readonly error: unknown };

/** Entries read per page when announcing a job's payouts. */
const ENTRY_PAGE = 500;
/** `pending_admin` challenges read per page when catching up on admin notices. */
const CHALLENGE_PAGE = 500;

/**
 * Reminds participants before their challenges' deadlines, tells admins when a challenge needs a
 * result and winners when they are paid — each notification exactly once per recipient however many
 * instances run, over the channels the host chose.
 *
 * Reminders fall due at `deadline − offset` (default one hour and ten minutes before) and become rows
 * of the store's outbox, keyed per challenge, recipient and offset. Senders on any number of
 * instances claim due rows under a lease, decide at that moment whether to send or skip (see
 * `docs/notifier.md` for the policy), deliver on each chosen channel with per-channel concurrency, and
 * retry failures with backoff until `maxAttempts`, after which the row is dead-lettered (`failed`)
 * and can be retried with {@link Notifier.retryFailed}.
 *
 * Status notices come from the store's events: a challenge moving to `pending_admin` (from a
 * `Scheduler` or `Challenges` in any process) notifies the `admins`, and paid payout entries notify
 * their winners.
 *
 * @example
 * ```ts
 * const notifier = new Notifier({
 *   store,
 *   channels: [webhookChannel({ url: 'https://example.com/hooks/settle', secret })],
 *   recipients: (userId) => ({ zone: users.get(userId).zone, locale: users.get(userId).locale }),
 *   admins: () => ['admin-1'],
 * });
 * notifier.on('notification.failed', (e) => console.warn(e.key, e.error));
 * notifier.start();
 * ```
 */
export class Notifier extends EventEmitter<NotifierEvents> {
  readonly #options: ResolvedNotifierOptions;
  readonly #planner: ReminderPlanner;
  readonly #limits = new Map<string, LimitFunction>();
  #state: 'running' | 'stopping' | 'stopped' = 'stopped';
  #loop: Promise<void> | null = null;
  readonly #alarm: Alarm;
  #sweepRequested = true;
  #lastSweepAt = Number.NEGATIVE_INFINITY;
  #cleanups: (() => Promise<void> | void)[] = [];
  /** Status notices being enqueued; `runOnce` and `stop` wait for them. */
  #noticeWork = new Set<Promise<void>>();
  /** Per running job, the last completed entry already announced. */
  #payoutCursors = new Map<PayoutJobId, string>();
  /** Earliest instant a notification this instance failed may be retried. */
  #nextRetryAt: number | null = null;
  /** The catch-up on admin notices in flight, which reconnects in a row share. */
  #catchUp: Promise<void> | null = null;
  /** When `runOnce` last caught up on admin notices (clock time, ms). */
  #lastCatchUpAt = Number.NEGATIVE_INFINITY;

  /** Validates `options` (throws `ValidationError` naming the option) and applies the documented defaults. */
  constructor(options: NotifierOptions) {
    super();
    this.#options = resolveNotifierOptions(options);
    this.#planner = new ReminderPlanner(this.#options);
    this.#alarm = new Alarm(this.#options.clock);
    for (const name of this.#options.channels.keys()) this.#limits.set(name, pLimit(this.#options.channelConcurrency));
  }

  /**
   * Starts planning and delivering in the background, and listening to the store for status notices;
   * once listening, catches up on the admin notices of challenges that reached `pending_admin`
   * meanwhile (and again after each reconnect).
   */
  start(): void {
    if (this.#state !== 'stopped') return;
    this.#state = 'running';
    this.#sweepRequested = true;
    this.#cleanups.push(
      deadlineSignal(this.#options.store).listen(() => {
        this.#sweepRequested = true;
        this.#alarm.wake();
      }),
    );
    void this.#listenToStore();
    this.#loop = this.#run();
  }

  /** Stops after the deliveries in flight are recorded. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    this.#alarm.wake();
    await this.#loop;
    await this.#settleNotices();
    for (const cleanup of this.#cleanups.splice(0)) await cleanup();
    this.#loop = null;
    this.#state = 'stopped';
  }

  /**
   * Plans every reminder due now (re-reading every challenge closing within the longest offset),
   * enqueues the admin notices of every challenge in `pending_admin` (each stored once; at most once
   * per `pollInterval`), waits for status notices being enqueued, then delivers everything due,
   * `batchSize` at a time.
   * For tests and cron-style hosts; `start()` runs the same steps in a loop. Failed deliveries are
   * counted and reported as events, not thrown; a failing store throws.
   */
  async runOnce(): Promise<NotifierRunSummary> {
    const now = this.#options.clock.now();
    const planned = await this.#planner.plan(now, 'full');
    if (now.getTime() - this.#lastCatchUpAt >= this.#options.pollIntervalMs) {
      await this.#noticePendingAdmins(() => true);
      this.#lastCatchUpAt = now.getTime();
    }
    await this.#settleNotices();
    return { planned, ...(await this.#deliverDue()) };
  }

  /** Moves dead-lettered notifications (all, or one challenge's) back to `pending`; returns how many. */
  async retryFailed(challengeId?: ChallengeId): Promise<number> {
    const now = this.#options.clock.now();
    const count = await this.#options.store.transaction((tx) => tx.retryFailedNotifications(now, challengeId));
    if (count > 0) this.#alarm.wake();
    return count;
  }

  async #run(): Promise<void> {
    const { clock, pollIntervalMs, batchSize } = this.#options;
    while (this.#state === 'running') {
      const wakes = this.#alarm.wakes;
      const now = clock.now();
      let backlog = false;
      try {
        const full = this.#sweepRequested;
        this.#sweepRequested = false;
        const poll = now.getTime() - this.#lastSweepAt >= pollIntervalMs;
        await this.#planner.plan(now, full ? 'full' : poll ? 'late' : 'incremental');
        if (full || poll) this.#lastSweepAt = now.getTime();
        // One batch per turn, so reminders falling due meanwhile are planned between batches of a backlog.
        backlog = (await this.#deliverBatch()).claimed === batchSize;
      } catch (err) {
        this.#report(err, { phase: 'deliver' });
      }
      if (this.#state !== 'running') break;
      if (backlog) continue;
      const wait = await this.#nextWait();
      if (this.#alarm.wakes === wakes && wait > 0) await this.#alarm.sleep(wait);
    }
  }

  /** Until the next reminder falls due, a failed send may be retried, or the next sweep. */
  async #nextWait(): Promise<number> {
    const { clock, pollIntervalMs } = this.#options;
    let wake = this.#lastSweepAt + pollIntervalMs;
    if (this.#nextRetryAt !== null) wake = Math.min(wake, this.#nextRetryAt);
    try {
      const nextDue = await this.#planner.nextDue(clock.now());
      if (nextDue !== null) wake = Math.min(wake, nextDue.getTime());
    } catch (err) {
      this.#report(err, { phase: 'nextDeadline' });
    }
    const now = clock.now().getTime();
    if (this.#nextRetryAt !== null && this.#nextRetryAt <= now) this.#nextRetryAt = null;
    return Math.max(0, Math.min(wake - now, pollIntervalMs));
  }

  async #deliverDue(): Promise<Omit<NotifierRunSummary, 'planned'>> {
    const totals = { sent: 0, skipped: 0, failed: 0 };
    for (;;) {
      const { claimed, outcomes } = await this.#deliverBatch();
      for (const outcome of outcomes) if (outcome !== 'lost') totals[outcome] += 1;
      if (claimed < this.#options.batchSize) return totals;
    }
  }

  /**
   * One claimed batch: its reads done once for all its rows, each row decided and delivered, and
   * every sent or skipped row recorded in one transaction (failures one by one, they are rare).
   */
  async #deliverBatch(): Promise<{ readonly claimed: number; readonly outcomes: Outcome[] }> {
    const { store, clock, batchSize, leaseMs } = this.#options;
    const now = clock.now();
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const claimed = await store.transaction((tx) => tx.claimDueNotifications({ now, limit: batchSize, leaseUntil }));
    if (claimed.length === 0) return { claimed: 0, outcomes: [] };

    const reminders = claimed.filter((n) => n.kind === REMINDER_KIND && n.challengeId !== null);
    // Reminders and admin notices are decided against the challenge as it is now.
    const decided = claimed.filter((n) => (n.kind === REMINDER_KIND || n.kind === PENDING_ADMIN_KIND) && n.challengeId);
    const challengeIds = [...new Set(decided.map((n) => n.challengeId!))];
    const [challenges, lastSent] = await Promise.all([
      Promise.all(challengeIds.map(async (id) => [id, await store.getChallenge(id)] as const)).then((e) => new Map(e)),
      store.lastNotificationsSent(reminders.map((n) => ({ challengeId: n.challengeId!, recipient: n.recipient }))),
    ]);
    const lastSentAt = new Map(reminders.map((n, i) => [n.id, lastSent[i] ?? null]));

    const attempts = await Promise.all(
      claimed.map((n) => this.#attempt(n, challenges.get(n.challengeId ?? '') ?? null, lastSentAt.get(n.id) ?? null)),
    );
    const finished = attempts.filter((a): a is Finished => !('error' in a));
    const at = clock.now();
    const recorded = new Set(
      finished.length === 0
        ? []
        : await store.transaction((tx) =>
            tx.completeNotifications(
              finished.map(({ notification: { id }, status, reason }) => ({ id, status, reason })),
              at,
            ),
          ),
    );
    const outcomes: Outcome[] = [];
    for (const attempt of attempts) {
      if ('error' in attempt) {
        outcomes.push(await this.#recordFailure(attempt.notification, attempt.error));
      } else if (!recorded.has(attempt.notification.id)) {
        // The lease expired and another sender took the row over: its outcome is the one recorded.
        outcomes.push('lost');
      } else {
        this.#announce(attempt, at);
        outcomes.push(attempt.status);
      }
    }
    return { claimed: claimed.length, outcomes };
  }

  /** Decides, renders and sends one claimed notification; records nothing. */
  async #attempt(claimed: Notification, challenge: Challenge | null, lastSentAt: Date | null): Promise<Attempt> {
    const { clock } = this.#options;
    let notification = claimed;
    try {
      if (claimed.kind === REMINDER_KIND && claimed.challengeId !== null) {
        const decision = decideReminder({
          reminder: claimed,
          challenge,
          offsets: this.#options.reminders,
          dedupeWindowMs: this.#options.dedupeWindowMs,
          lastSentAt,
          now: clock.now(),
        });
        if (decision !== 'send') return { notification: claimed, status: 'skipped', reason: decision };
        // The text follows the deadline and title as they are now, not as they were planned.
        notification = {
          ...claimed,
          payload: {
            ...claimed.payload,
            challengeTitle: challenge!.title,
            deadline: challenge!.deadline.toISOString(),
          },
        };
      }
      if (
        claimed.kind === PENDING_ADMIN_KIND &&
        claimed.challengeId !== null &&
        challenge?.status !== 'pending_admin'
      ) {
        // Resolved (or cancelled) since the notice was stored: it would ask for what is done.
        return { notification: claimed, status: 'skipped', reason: 'challenge_not_pending_admin' };
      }
      const profile = (await this.#options.recipients?.(claimed.recipient, notification)) ?? {};
      const channels = this.#channelsFor(profile.channels);
      if (channels.length === 0) return { notification: claimed, status: 'skipped', reason: 'no_channel' };
      const context = { now: clock.now(), zone: profile.zone ?? 'UTC', locale: profile.locale ?? 'en' };
      const { title, body } = (this.#options.render ?? renderNotification)(notification, context);
      await Promise.all(channels.map((c) => this.#limits.get(c.name)!(() => c.send({ notification, title, body }))));
      return { notification: claimed, status: 'sent', channels };
    } catch (error) {
      return { notification: claimed, error };
    }
  }

  #channelsFor(names: readonly string[] | undefined): NotificationChannel[] {
    if (names === undefined) return [...this.#options.channels.values()];
    return [...new Set(names)].map((name) => {
      const channel = this.#options.channels.get(name);
      if (!channel) {
        throw new ValidationError('recipients().channels', `names ${JSON.stringify(name)}, which is not a channel`);
      }
      return channel;
    });
  }

  #announce(finished: Finished, at: Date): void {
    const base = eventBase(finished.notification);
    if (finished.status === 'skipped') {
      this.#emit('notification.skipped', { ...base, reason: finished.reason! });
      return;
    }
    for (const channel of finished.channels ?? []) {
      this.#emit('notification.sent', {
        ...base,
        channel: channel.name,
        attempt: finished.notification.attempts + 1,
        sentAt: at.toISOString(),
      });
    }
  }

  async #recordFailure(notification: Notification, err: unknown): Promise<Outcome> {
    const { store, clock, maxAttempts, backoff } = this.#options;
    const attempt = notification.attempts + 1;
    const permanent = (err instanceof DeliveryError && !err.retryable) || err instanceof ValidationError;
    const willRetry = !permanent && attempt < maxAttempts;
    const now = clock.now();
    const delay = Math.max(backoff(attempt), err instanceof DeliveryError ? (err.retryAfterMs ?? 0) : 0);
    const retryAt = willRetry ? new Date(now.getTime() + delay) : null;
    const message = err instanceof Error ? err.message : String(err);
    try {
      const done = await store.transaction((tx) =>
        tx.failNotification(notification.id, { error: message, at: now, retryAt }),
      );
      if (!done) return 'lost';
    } catch (storeErr) {
      this.#report(storeErr, { notificationId: notification.id, phase: 'failNotification' });
      return 'lost';
    }
    if (retryAt !== null && (this.#nextRetryAt === null || retryAt.getTime() < this.#nextRetryAt)) {
      this.#nextRetryAt = retryAt.getTime();
    }
    this.#emit('notification.failed', {
      ...eventBase(notification),
      channel: err instanceof DeliveryError ? err.channel : 'notifier',
      attempt,
      error: message,
      willRetry,
    });
    return 'failed';
  }

  /** Status notices and other processes' deadline changes arrive through the store's events. */
  async #listenToStore(): Promise<void> {
    const subscribe = this.#options.store.subscribe?.bind(this.#options.store);
    try {
      if (subscribe) {
        const subscription = await subscribe({
          event: (event) => this.#onStoreEvent(event),
          reconnected: () => {
            if (this.#state !== 'running') return;
            this.#sweepRequested = true;
            this.#catchUpAdmins();
            this.#alarm.wake();
          },
        });
        if (this.#state === 'running') this.#cleanups.push(() => subscription.close());
        else await subscription.close();
      }
    } catch (err) {
      this.#report(err, { phase: 'subscribe' });
    }
    // Only now: a transition committed before the subscription listened is in what it reads.
    this.#catchUpAdmins();
  }

  /** Catches up on admin notices in the background, unless a catch-up is already running. */
  #catchUpAdmins(): void {
    if (this.#catchUp !== null || this.#state !== 'running') return;
    const run = this.#noticePendingAdmins(() => this.#state === 'running').finally(() => {
      this.#catchUp = null;
    });
    this.#catchUp = run;
    this.#track(run);
  }

  #onStoreEvent({ name, data }: StoreEvent): void {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) return;
    if (name === DEADLINE_CHANGED_EVENT) {
      this.#sweepRequested = true;
      this.#alarm.wake();
    } else if (
      name === 'challenge.transitioned' &&
      data.to === 'pending_admin' &&
      typeof data.challengeId === 'string'
    ) {
      this.#track(this.#noticeAdmins(data.challengeId));
    } else if ((name === 'payout.batch' || name === 'payout.completed') && typeof data.jobId === 'string') {
      this.#track(this.#noticePayouts(data.jobId, name === 'payout.completed'));
    }
  }

  #track(work: Promise<void>): void {
    const tracked = work
      .catch((err: unknown) => this.#report(err, { phase: 'statusNotice' }))
      .finally(() => {
        this.#noticeWork.delete(tracked);
        this.#alarm.wake();
      });
    this.#noticeWork.add(tracked);
  }

  async #settleNotices(): Promise<void> {
    while (this.#noticeWork.size > 0) await Promise.all(this.#noticeWork);
  }

  async #noticeAdmins(challengeId: ChallengeId): Promise<void> {
    if (!this.#options.admins) return;
    const challenge = await this.#options.store.getChallenge(challengeId);
    const notices = challenge ? await this.#adminNotices(challenge) : [];
    if (notices.length > 0) await this.#options.store.transaction((tx) => tx.enqueueNotifications(notices));
  }

  /**
   * Admin notices of every challenge waiting in `pending_admin`, for those that got there while no
   * Notifier listened (or while this one's subscription was down): each is stored once whatever
   * was enqueued before, one write per page of challenges. An `admins` hook failing for one
   * challenge is reported and the others go on; a failing store throws.
   */
  async #noticePendingAdmins(keepGoing: () => boolean): Promise<void> {
    const { store, admins } = this.#options;
    if (!admins) return;
    let after: ChallengeId | undefined;
    while (keepGoing()) {
      const page = await store.listChallenges({ status: 'pending_admin', limit: CHALLENGE_PAGE, after });
      const notices: NewNotification[] = [];
      for (const challenge of page) {
        if (!keepGoing()) return;
        notices.push(...(await this.#adminNotices(challenge)));
      }
      if (notices.length > 0) await store.transaction((tx) => tx.enqueueNotifications(notices));
      if (page.length < CHALLENGE_PAGE) return;
      after = page.at(-1)!.id;
    }
  }

  /** The challenge's admin notices; an `admins` hook that fails is reported with the challenge, and none are made. */
  async #adminNotices(challenge: Challenge): Promise<NewNotification[]> {
    const { admins, clock } = this.#options;
    if (!admins) return [];
    try {
      return pendingAdminNotices(challenge, await admins(challenge), clock.now());
    } catch (err) {
      this.#report(err, { phase: 'statusNotice', challengeId: challenge.id });
      return [];
    }
  }

  /** Announces a job's newly completed entries; at the job's end, all of them, in case batches finished out of order. */
  async #noticePayouts(jobId: PayoutJobId, finished: boolean): Promise<void> {
    const { store, clock } = this.#options;
    const job = await store.getPayoutJob(jobId);
    if (!job) return;
    const challenge = job.challengeId === null ? null : await store.getChallenge(job.challengeId);
    let after = finished ? undefined : this.#payoutCursors.get(jobId);
    for (;;) {
      const entries = await store.listPayoutEntries(jobId, { status: ['completed'], limit: ENTRY_PAGE, after });
      if (entries.length > 0) {
        const notices = payoutNotices(job, challenge, entries, clock.now());
        await store.transaction((tx) => tx.enqueueNotifications(notices));
        after = entries.at(-1)!.id;
      }
      if (entries.length < ENTRY_PAGE) break;
    }
    if (finished) this.#payoutCursors.delete(jobId);
    else if (after !== undefined) this.#payoutCursors.set(jobId, after);
  }

  #emit<E extends 'notification.sent' | 'notification.skipped' | 'notification.failed'>(
    name: E,
    event: Parameters<NotifierEvents[E]>[0],
  ): void {
    try {
      (this.emit as (name: E, event: unknown) => boolean)(name, event);
    } catch (err) {
      this.#report(new ListenerError(name, { cause: err }), { notificationId: event.notificationId });
    }
  }

  #report(err: unknown, context: Record<string, unknown>): void {
    reportError((error) => this.emit('error', error), err, context);
  }
}

function eventBase(notification: Notification) {
  return {
    notificationId: notification.id,
    key: notification.key,
    kind: notification.kind,
    challengeId: notification.challengeId,
    recipient: notification.recipient,
  };
}
