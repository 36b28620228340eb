import { EventEmitter } from 'eventemitter3';
import pLimit from 'p-limit';
import type { Challenge, ChallengeId } from '../domain/challenge';
import { ConflictError, ListenerError, SettleError, StoreError } from '../errors';
import type { ChallengeTransitionedEvent, SchedulerEvents } from '../events/scheduler-events';
import type { UncommittedPayoutJob } from '../payout/payout-queue';
import { reportError } from '../report-error';
import { Alarm } from '../time/alarm';
import { type AutoResolveDecision, checkDecision } from './auto-resolve-policy';
import { transitionedEvent } from './challenge-transitioned-event';
import { DEADLINE_CHANGED_EVENT, deadlineSignal } from './deadline-signal';
import { type ResolvedSchedulerOptions, resolveSchedulerOptions, type SchedulerOptions } from './scheduler-options';

/** What {@link Scheduler.runDue} did. */
export interface SchedulerRunSummary {
  /** Challenges this instance closed: moved to `pending_admin`, or `cancelled` by the `autoResolve` policy. */
  readonly transitioned: number;
  /** Challenges another instance (or an extension, or a cancellation) changed first. */
  readonly lost: number;
  /** Transitions that failed and wait `retryDelay` before the next attempt. */
  readonly failed: number;
}

type Outcome = 'transitioned' | 'lost' | 'failed';

/** Where a failed transition failed, reported in `error.context.phase`. */
type Phase = 'transition' | 'autoResolve' | 'onDeadline';

/** A committed close: its event, and the refund job to announce. */
interface Closed {
  readonly event: ChallengeTransitionedEvent;
  readonly refund: UncommittedPayoutJob | null;
}

const CLOSE: AutoResolveDecision = { action: 'close' };

/**
 * Moves each `active` challenge to `pending_admin` the moment its deadline passes, exactly once
 * however many instances run, in this process or others; or to `cancelled` when its `autoResolve`
 * policy says so (e.g. `refundUnopposed`: no opponent, stakes refunded in the same transaction).
 *
 * It sleeps until the store's next deadline (never longer than `pollInterval`), wakes at once when
 * a deadline is created or moved through `Challenges` in this process or announced by the store's
 * events, and on start catches up every deadline missed while nothing ran, `batchSize` at a time.
 * Each transition is a conditional update in its own transaction (with the `autoResolve` policy and
 * the `onDeadline` hook, if any); only the instance whose update won emits `challenge.transitioned`,
 * after the commit.
 *
 * @example
 * ```ts
 * const scheduler = new Scheduler({
 *   store,
 *   onDeadline: (tx, challenge) => tx.query('UPDATE games SET open = false WHERE id = $1', [challenge.id]),
 * });
 * scheduler.on('challenge.transitioned', (e) => console.log(`${e.challengeId} closed ${e.lagMs} ms late`));
 * scheduler.start();
 * ```
 */
export class Scheduler extends EventEmitter<SchedulerEvents> {
  readonly #options: ResolvedSchedulerOptions;
  #state: 'running' | 'stopping' | 'stopped' = 'stopped';
  #loop: Promise<void> | null = null;
  readonly #alarm: Alarm;
  #cleanups: (() => Promise<void> | void)[] = [];
  /** Challenges whose transition failed, and when they may be tried again. */
  #retryAt = new Map<ChallengeId, number>();

  /** Validates `options` (throws `ValidationError` naming the option) and applies the documented defaults. */
  constructor(options: SchedulerOptions) {
    super();
    this.#options = resolveSchedulerOptions(options);
    this.#alarm = new Alarm(this.#options.clock);
  }

  /** Starts the background loop; the first thing it does is catch up on deadlines already passed. */
  start(): void {
    if (this.#state !== 'stopped') return;
    this.#state = 'running';
    this.#cleanups.push(deadlineSignal(this.#options.store).listen(() => this.#alarm.wake()));
    void this.#listenToStore();
    this.#loop = this.#run();
  }

  /** Stops the loop after the transitions in flight committed or rolled back. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    this.#alarm.wake();
    await this.#loop;
    for (const cleanup of this.#cleanups.splice(0)) await cleanup();
    this.#loop = null;
    this.#state = 'stopped';
  }

  /**
   * Transitions every challenge due now, `batchSize` at a time, and returns what happened. For tests
   * and cron-style hosts; `start()` runs it in a loop. A failing transition is reported as an `error`
   * event and counted, not thrown; a failing store read throws.
   */
  async runDue(): Promise<SchedulerRunSummary> {
    const totals = { transitioned: 0, lost: 0, failed: 0 };
    const limit = pLimit(this.#options.concurrency);
    // Failed challenges still due: any other retry entry is stale. Only those are kept, so catching
    // up 100,000 challenges does not hold 100,000 ids.
    const stillWaiting = new Set<ChallengeId>();
    for (;;) {
      const now = this.#options.clock.now().getTime();
      const due = await this.#options.store.findDueChallenges(new Date(now), this.#options.batchSize);
      const ready = rotate(due.filter((c) => (this.#retryAt.get(c.id) ?? 0) <= now));
      const outcomes = await Promise.all(ready.map((c) => limit(() => this.#close(c))));
      for (const challenge of due) if (this.#retryAt.has(challenge.id)) stillWaiting.add(challenge.id);
      for (const outcome of outcomes) totals[outcome] += 1;
      const moved = outcomes.some((o) => o !== 'failed');
      // A short page means nothing else is due; a page where nothing moved is all failures waiting to be retried.
      if (due.length < this.#options.batchSize || !moved) break;
    }
    for (const id of this.#retryAt.keys()) if (!stillWaiting.has(id)) this.#retryAt.delete(id);
    return totals;
  }

  /**
   * One challenge, one transaction: the policy's decision, the conditional update, the host hook,
   * the event for other processes; after the commit, the local events.
   */
  async #close(challenge: Challenge): Promise<Outcome> {
    const { store, clock, autoResolve, onDeadline } = this.#options;
    let phase: Phase = 'transition';
    let closed: Closed | null;
    try {
      closed = await store.transaction(async (tx) => {
        phase = 'transition';
        const at = clock.now();
        let decision = CLOSE;
        if (autoResolve) {
          // Lock the row before the policy reads participants: a join or leave (which lock it too)
          // either committed before, and is seen, or waits for this transaction and finds it closed.
          const locked = await tx.updateChallenge(challenge.id, {}, ['active']);
          if (!locked || locked.deadline.getTime() > at.getTime()) return null;
          phase = 'autoResolve';
          decision = checkDecision(await autoResolve(tx, locked));
          phase = 'transition';
        }
        const to = decision.action === 'cancel' ? 'cancelled' : 'pending_admin';
        const refund = decision.action === 'cancel' ? (decision.refund ?? null) : null;
        // dueBy: a deadline extended since the read no longer matches, so it is left active.
        const updated = await tx.transitionChallenge({ id: challenge.id, from: 'active', to, at, dueBy: at });
        if (!updated) {
          // With a policy the row is locked and due, so only the policy itself can have moved it.
          if (autoResolve) {
            phase = 'autoResolve';
            throw new ConflictError(`autoResolve policy changed challenge ${JSON.stringify(challenge.id)} itself`);
          }
          return null;
        }
        if (onDeadline) {
          phase = 'onDeadline';
          await onDeadline(tx, updated);
        }
        const lagMs = Math.max(0, at.getTime() - updated.deadline.getTime());
        const transitioned = transitionedEvent(challenge, updated, at, lagMs, refund?.job.id ?? null);
        await tx.publish({ name: 'challenge.transitioned', data: { ...transitioned } });
        return { event: transitioned, refund };
      });
    } catch (err) {
      const now = clock.now().getTime();
      this.#retryAt.set(challenge.id, now + this.#options.retryDelayMs);
      const failed = phase as Phase;
      const hostCode = failed === 'onDeadline' ? 'onDeadline hook' : 'autoResolve policy';
      const error =
        failed === 'transition' || err instanceof SettleError
          ? err
          : new StoreError(`${hostCode} failed for challenge ${JSON.stringify(challenge.id)}`, { cause: err });
      this.#report(error, { challengeId: challenge.id, phase: failed });
      return 'failed';
    }
    this.#retryAt.delete(challenge.id);
    if (!closed) return 'lost';
    // Measured after the commit: the lag a host observes, including the transaction itself.
    const committedAt = clock.now();
    this.#emitTransitioned({
      ...closed.event,
      transitionedAt: committedAt.toISOString(),
      lagMs: Math.max(0, committedAt.getTime() - challenge.deadline.getTime()),
    });
    // The refund committed with the cancellation: now the queue may announce it and start paying.
    closed.refund?.committed();
    return 'transitioned';
  }

  async #run(): Promise<void> {
    const { store, clock, pollIntervalMs, retryDelayMs } = this.#options;
    while (this.#state === 'running') {
      const wakes = this.#alarm.wakes;
      let moved = false;
      try {
        const run = await this.runDue();
        moved = run.transitioned + run.lost > 0;
      } catch (err) {
        this.#report(err, { phase: 'findDueChallenges' });
      }
      if (this.#state !== 'running') break;
      let wait = Math.min(pollIntervalMs, retryDelayMs);
      try {
        const next = await store.nextDeadline();
        const now = clock.now().getTime();
        if (next === null) wait = pollIntervalMs;
        else if (next.getTime() > now) wait = Math.min(pollIntervalMs, next.getTime() - now);
        // Still due: failures wait for their retry; anything else became due after the last read.
        else wait = moved ? 0 : Math.min(pollIntervalMs, this.#nextRetryIn(now) ?? 0);
      } catch (err) {
        this.#report(err, { phase: 'nextDeadline' });
      }
      if (this.#alarm.wakes === wakes && wait > 0) await this.#alarm.sleep(wait);
    }
  }

  /** Milliseconds until the earliest failed transition may be retried, or null when none waits. */
  #nextRetryIn(now: number): number | null {
    let earliest: number | null = null;
    for (const at of this.#retryAt.values()) {
      if (at > now && (earliest === null || at < earliest)) earliest = at;
    }
    return earliest === null ? null : earliest - now;
  }

  /** Deadlines created or moved by other processes wake this one through the store's events. */
  async #listenToStore(): Promise<void> {
    const subscribe = this.#options.store.subscribe?.bind(this.#options.store);
    if (!subscribe) return;
    try {
      const subscription = await subscribe({
        event: (event) => {
          if (event.name === DEADLINE_CHANGED_EVENT) this.#alarm.wake();
        },
        reconnected: () => this.#alarm.wake(),
      });
      if (this.#state === 'running') this.#cleanups.push(() => subscription.close());
      else await subscription.close();
    } catch (err) {
      this.#report(err, { phase: 'subscribe' });
    }
  }

  #emitTransitioned(event: ChallengeTransitionedEvent): void {
    try {
      this.emit('challenge.transitioned', event);
    } catch (err) {
      this.#report(
        new ListenerError('challenge.transitioned', { cause: err, context: { challengeId: event.challengeId } }),
        {},
      );
    }
  }

  #report(err: unknown, context: Record<string, unknown>): SettleError {
    return reportError((error) => this.emit('error', error), err, context);
  }
}

/**
 * The batch from a random starting point: instances reading the same earliest page then mostly
 * work on different challenges instead of queueing behind each other's row locks.
 */
function rotate<T>(items: readonly T[]): T[] {
  const start = Math.floor(Math.random() * items.length);
  return [...items.slice(start), ...items.slice(0, start)];
}
