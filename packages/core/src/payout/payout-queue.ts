import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import pLimit from 'p-limit';
import type { ChallengeId, Participant } from '../domain/challenge';
import type { JsonObject } from '../domain/json';
import type { NewPayoutEntry, PayoutEntry, PayoutJob, PayoutJobId, PayoutJobStatus } from '../domain/payout';
import {
  ConflictError,
  InvalidTransitionError,
  ListenerError,
  NotFoundError,
  PaymentError,
  type SettleError,
  StoreError,
  ValidationError,
} from '../errors';
import type { PayoutQueueEvents } from '../events/payout-queue-events';
import { MAX_AMOUNT } from '../money/amount';
import { reportError } from '../report-error';
import type {
  ClaimPayoutBatchOptions,
  PayoutBatch,
  PayoutEntryFailure,
  PayoutJobProgress,
  PayoutStats,
  StoreTransaction,
} from '../store/store';
import { Alarm } from '../time/alarm';
import { type DurationInput, durationMs } from '../time/duration';
import { requireId, requireInteger, requireJsonObject } from '../validation';
import { parsePayoutEntries } from './parse-payout-entries';
import {
  type BatchOutcome,
  batchEvents,
  completedBy,
  finishedEvent,
  type PayoutEvent,
  progressEvent,
  queuedEvent,
} from './payout-events';
import { planPayout } from './payout-plan';
import {
  type PayoutQueueOptions,
  type ResolvedPayoutQueueOptions,
  resolvePayoutQueueOptions,
} from './payout-queue-options';
import { type PayoutJobStatusView, toStatusView } from './payout-status';
import { watchPayoutJob } from './watch-payout-job';

/** How an admin resolved a challenge. */
export interface ResolveInput {
  /** The side that won, or null for a draw. */
  readonly winningSide: string | null;
  /** Overrides the queue's `feeBps` for this challenge. */
  readonly feeBps?: number;
  /** Job priority; higher runs first. Default: `0`. */
  readonly priority?: number;
  readonly metadata?: JsonObject;
}

/** What `resolve` did. */
export interface ResolveResult {
  /** The payout job, or null when nothing is to be paid (a draw under `drawPolicy: 'none'`). */
  readonly jobId: PayoutJobId | null;
  readonly kind: 'payout' | 'refund' | 'none';
  /** Sum of all stakes. */
  readonly pool: bigint;
  /** Platform fee kept. */
  readonly fee: bigint;
  /** Entries in the job. */
  readonly entries: number;
}

/** A payout the host computed itself. */
export interface EnqueueInput {
  /** The challenge this pays out, if any. */
  readonly challengeId?: ChallengeId | null;
  /** One entry per user (user ids unique); amounts in minor units as bigint, safe integer or digit string. */
  readonly entries: readonly { readonly userId: string; readonly amount: bigint | number | string }[];
  /** Higher runs first. Default: `0`. */
  readonly priority?: number;
  readonly metadata?: JsonObject;
}

/** A job {@link PayoutQueue.enqueueIn} wrote in a transaction that has not committed yet. */
export interface UncommittedPayoutJob {
  /** The job as written in the transaction. */
  readonly job: PayoutJob;
  /**
   * Call after the transaction committed, never after a rollback: emits `payout.queued` on the
   * queue and wakes its idle workers. Only the first call does anything.
   */
  committed(): void;
}

/** What `runOnce`/`drain` did. */
export interface RunSummary {
  /** Batches committed. */
  readonly batches: number;
  /** Entries paid. */
  readonly completed: number;
  /** Entries dead-lettered. */
  readonly failed: number;
}

/** What `health()` reports. */
export interface PayoutQueueHealth {
  /** True when the store answers, migrations are current and nothing errored. */
  readonly ok: boolean;
  readonly store: 'up' | 'down';
  readonly migrations: { readonly version: number; readonly latest: number; readonly current: boolean } | null;
  readonly worker: 'running' | 'stopping' | 'stopped';
  /** Age of the oldest claimable entry in ms, or null when none waits. */
  readonly oldestPendingAgeMs: number | null;
  readonly error: string | null;
}

/** A validated job, ready for `#createJob`. */
interface NewJob {
  readonly challengeId: ChallengeId | null;
  readonly priority: number;
  readonly metadata: JsonObject;
  readonly entries: readonly NewPayoutEntry[];
  readonly now: Date;
}

const NOTHING: RunSummary = { batches: 0, completed: 0, failed: 0 };
const PARTICIPANT_PAGE = 5_000;

/**
 * Pays winners in the background, in batches of one transaction each, exactly once.
 *
 * `resolve` and `enqueue` return a job id after one bulk write; `start()` runs the worker loop
 * (or call `drain()` from a cron job or a test). Safe to run in many processes on one database.
 *
 * @example
 * ```ts
 * const queue = new PayoutQueue({ store, feeBps: 500 });
 * queue.on('payout.progress', (p) => console.log(`${p.jobId}: ${p.percent}%`));
 * queue.start();
 * const { jobId } = await queue.resolve('match-42', { winningSide: 'home' });
 * ```
 */
export class PayoutQueue extends EventEmitter<PayoutQueueEvents> {
  readonly #options: ResolvedPayoutQueueOptions;
  #state: 'running' | 'stopping' | 'stopped' = 'stopped';
  #lanes: Promise<void>[] = [];
  /** Wakes the lanes: work was announced. */
  readonly #alarm: Alarm;
  /** Wakes the retention loop, which only `stop()` should cut short: announced work is not its business. */
  readonly #retentionAlarm: Alarm;
  #lastError: SettleError | null = null;
  #unsubscribe: (() => Promise<void>) | null = null;

  /** Validates `options` (throws `ValidationError` naming the option) and applies the documented defaults. */
  constructor(options: PayoutQueueOptions) {
    super();
    this.#options = resolvePayoutQueueOptions(options);
    this.#alarm = new Alarm(this.#options.clock);
    this.#retentionAlarm = new Alarm(this.#options.clock);
  }

  /**
   * Resolves a challenge that is `pending_admin`: marks it `completed` and, in the same
   * transaction, creates the job paying the pool minus the fee to the winners pro rata to stake
   * (or refunds stakes on a draw under `drawPolicy: 'refund'`). Resolving twice throws
   * `ConflictError`; nothing is written then.
   */
  async resolve(challengeId: ChallengeId, input: ResolveInput): Promise<ResolveResult> {
    requireId('challengeId', challengeId);
    if (input === null || typeof input !== 'object') throw new ValidationError('input', 'must be an object');
    if (input.winningSide !== null) requireId('input.winningSide', input.winningSide);
    const feeBps = requireInteger('input.feeBps', input.feeBps ?? this.#options.feeBps, { min: 0, max: 10_000 });
    const priority = requireInteger('input.priority', input.priority ?? 0, { min: -1_000_000, max: 1_000_000 });
    const metadata = requireJsonObject('input.metadata', input.metadata ?? {});
    const now = this.#options.clock.now();

    const result = await this.#options.store.transaction(async (tx) => {
      const challenge = await tx.getChallenge(challengeId);
      if (!challenge) throw new NotFoundError('challenge', challengeId);
      if (challenge.status === 'completed') throw new ConflictError(`challenge ${challengeId} is already resolved`);
      const won = await tx.transitionChallenge({ id: challengeId, from: 'pending_admin', to: 'completed', at: now });
      if (!won) {
        const current = await tx.getChallenge(challengeId);
        if (current?.status === 'completed') throw new ConflictError(`challenge ${challengeId} is already resolved`);
        throw new InvalidTransitionError('challenge', current?.status ?? challenge.status, 'completed');
      }
      const plan = planPayout(await readParticipants(tx, challengeId), input.winningSide, {
        feeBps,
        drawPolicy: this.#options.drawPolicy,
      });
      if (plan.entries.length === 0) return { plan, job: null };
      const job = await this.#createJob(tx, { challengeId, priority, metadata, entries: plan.entries, now });
      return { plan, job };
    });

    if (result.job) this.#afterCreate(result.job);
    return {
      jobId: result.job?.id ?? null,
      kind: result.job ? result.plan.kind : 'none',
      pool: result.plan.pool,
      fee: result.plan.fee,
      entries: result.plan.entries.length,
    };
  }

  /**
   * Creates a job from entries the host computed. Rejects bad input (empty, duplicate user ids,
   * amounts that are not positive integers) with `ValidationError` before anything is written.
   */
  async enqueue(input: EnqueueInput): Promise<{ readonly jobId: PayoutJobId }> {
    const job = parseEnqueueInput(input, this.#options.clock.now());
    const created = await this.#options.store.transaction((tx) => this.#createJob(tx, job));
    this.#afterCreate(created);
    return { jobId: created.id };
  }

  /**
   * Like {@link PayoutQueue.enqueue}, inside a transaction you own on this queue's store, so the job
   * commits or rolls back with your other writes (the `Scheduler`'s `refundUnopposed` policy
   * cancels a challenge and queues its refund this way: never one without the other). Same
   * validation; the job's `payout.queued` is published in `tx` for other processes. Call
   * `committed()` on the result once `tx` has committed, to emit `payout.queued` on this queue and
   * wake its idle workers at once; without it the job is still paid, from the next poll.
   */
  async enqueueIn(tx: StoreTransaction, input: EnqueueInput): Promise<UncommittedPayoutJob> {
    if (typeof tx?.createPayoutJob !== 'function') throw new ValidationError('tx', 'must be a Settle StoreTransaction');
    const job = await this.#createJob(tx, parseEnqueueInput(input, this.#options.clock.now()));
    let announced = false;
    return {
      job,
      committed: () => {
        // Once only: a second call must not announce the job twice.
        if (announced) return;
        announced = true;
        this.#afterCreate(job);
      },
    };
  }

  /** The job's status and counters. Throws `NotFoundError` for an unknown job. */
  async status(jobId: PayoutJobId): Promise<PayoutJobStatusView> {
    return toStatusView(await this.#getJob(jobId));
  }

  /** Jobs, newest first. */
  async listJobs(
    filter: { status?: readonly PayoutJobStatus[]; challengeId?: ChallengeId; limit?: number } = {},
  ): Promise<PayoutJobStatusView[]> {
    const limit = requireInteger('filter.limit', filter.limit ?? 50, { min: 1, max: 1_000 });
    const jobs = await this.#options.store.listPayoutJobs({ ...filter, limit });
    return jobs.map(toStatusView);
  }

  /** Job counts per status, entry counts, and the oldest waiting entry. */
  stats(): Promise<PayoutStats> {
    return this.#options.store.payoutStats();
  }

  /**
   * Starts the worker loop: `concurrency` lanes, each claiming and paying one batch at a time,
   * idling `pollInterval` when there is nothing to do. Calling it twice is harmless.
   */
  start(): void {
    if (this.#state !== 'stopped') return;
    this.#state = 'running';
    this.#lanes = Array.from({ length: this.#options.concurrency }, () => this.#lane());
    if (this.#options.retention) this.#lanes.push(this.#retentionLoop(this.#options.retention));
    void this.#listenForWork();
  }

  /** Stops the worker loop after the batches in flight committed or rolled back. */
  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    this.#alarm.wake();
    this.#retentionAlarm.wake();
    await Promise.all(this.#lanes);
    await this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#lanes = [];
    this.#state = 'stopped';
  }

  /** Claims and pays at most one batch now. For tests and cron-style hosts. */
  async runOnce(): Promise<RunSummary> {
    const claimed = await this.#runBatch({ now: this.#options.clock.now(), limit: this.#options.batchSize });
    return claimed ?? NOTHING;
  }

  /**
   * Pays batches until nothing is claimable now (entries waiting for a retry later are left), with
   * `concurrency` batches at once.
   */
  async drain(): Promise<RunSummary> {
    const totals = { batches: 0, completed: 0, failed: 0 };
    const lane = async () => {
      for (;;) {
        const run = await this.runOnce();
        if (run.batches === 0) return;
        totals.batches += run.batches;
        totals.completed += run.completed;
        totals.failed += run.failed;
      }
    };
    await Promise.all(Array.from({ length: this.#options.concurrency }, lane));
    return totals;
  }

  /** Requeues the job's dead-lettered entries and reopens the job. Returns how many were requeued. */
  async retryFailed(jobId: PayoutJobId): Promise<number> {
    requireId('jobId', jobId);
    const progress = await this.#options.store.transaction(async (tx) => {
      const result = await tx.retryFailedPayoutEntries(jobId, this.#options.clock.now());
      if (result.changed > 0) await publishAll(tx, [progressEvent(result.job)]);
      return result;
    });
    if (progress.changed > 0) this.#emitAll([progressEvent(progress.job)]);
    this.#alarm.wake();
    return progress.changed;
  }

  /** Stops claiming the job's batches (those in flight finish). Throws for a finished job. */
  pause(jobId: PayoutJobId): Promise<PayoutJobStatusView> {
    return this.#transitionJob(jobId, ['queued', 'running'], () => 'paused');
  }

  /** Lets a paused job's batches be claimed again. */
  async resume(jobId: PayoutJobId): Promise<PayoutJobStatusView> {
    const view = await this.#transitionJob(jobId, ['paused'], (job) => (job.startedAt ? 'running' : 'queued'));
    this.#alarm.wake();
    return view;
  }

  /**
   * Cancels the job: pending entries are not paid; entries already paid stay paid (a committed
   * credit is never undone). Throws `InvalidTransitionError` for a finished job.
   */
  async cancel(jobId: PayoutJobId): Promise<PayoutJobStatusView> {
    requireId('jobId', jobId);
    const now = this.#options.clock.now();
    const progress = await this.#options.store.transaction(async (tx) => {
      const result = await tx.cancelPayoutJob(jobId, now);
      if (result) await publishAll(tx, [finishedEvent(result.job)]);
      return result;
    });
    if (!progress) {
      const job = await this.#getJob(jobId);
      throw new InvalidTransitionError('payout job', job.status, 'cancelled');
    }
    this.#emitAll([finishedEvent(progress.job)]);
    return toStatusView(progress.job);
  }

  /** Deletes finished jobs (and their entries) that finished before `olderThan` ago; ledger rows stay. */
  async prune(options: { olderThan: DurationInput }): Promise<number> {
    const cutoff = new Date(this.#options.clock.now().getTime() - durationMs('options.olderThan', options?.olderThan));
    let total = 0;
    for (;;) {
      const deleted = await this.#options.store.transaction((tx) => tx.prunePayoutJobs(cutoff, 1_000));
      total += deleted;
      if (deleted < 1_000) return total;
    }
  }

  /** Store reachability, migration state, worker state and the oldest waiting entry's age. */
  async health(): Promise<PayoutQueueHealth> {
    const worker = this.#state;
    try {
      await this.#options.store.ping();
      const migration = await this.#options.store.migrationStatus();
      const stats = await this.#options.store.payoutStats();
      const current = migration.version === migration.latest;
      return {
        ok: current && this.#lastError === null,
        store: 'up',
        migrations: { ...migration, current },
        worker,
        oldestPendingAgeMs: stats.oldestPendingAt
          ? Math.max(0, this.#options.clock.now().getTime() - stats.oldestPendingAt.getTime())
          : null,
        error: this.#lastError?.message ?? null,
      };
    } catch (err) {
      return {
        ok: false,
        store: 'down',
        migrations: null,
        worker,
        oldestPendingAgeMs: null,
        error: err instanceof Error ? err.message : String(err),
      };
    }
  }

  /**
   * The job's events as an async iterator, from every process working on it (through the store's
   * `subscribe`; by polling `status` when the store has none). Ends after the job finishes.
   */
  watch(jobId: PayoutJobId, options: { signal?: AbortSignal } = {}): AsyncGenerator<PayoutEvent> {
    requireId('jobId', jobId);
    return watchPayoutJob({
      store: this.#options.store,
      clock: this.#options.clock,
      pollIntervalMs: this.#options.pollIntervalMs,
      jobId,
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  async #createJob(tx: StoreTransaction, job: NewJob): Promise<PayoutJob> {
    const created = await tx.createPayoutJob(
      {
        id: randomUUID(),
        challengeId: job.challengeId,
        priority: job.priority,
        metadata: job.metadata,
        createdAt: job.now,
      },
      job.entries,
    );
    await publishAll(tx, [queuedEvent(created)]);
    return created;
  }

  #afterCreate(job: PayoutJob): void {
    this.#emitAll([queuedEvent(job)]);
    this.#alarm.wake();
  }

  async #getJob(jobId: PayoutJobId): Promise<PayoutJob> {
    requireId('jobId', jobId);
    const job = await this.#options.store.getPayoutJob(jobId);
    if (!job) throw new NotFoundError('payout_job', jobId);
    return job;
  }

  async #transitionJob(
    jobId: PayoutJobId,
    from: readonly PayoutJobStatus[],
    to: (job: PayoutJob) => PayoutJobStatus,
  ): Promise<PayoutJobStatusView> {
    const job = await this.#getJob(jobId);
    const target = to(job);
    if (!from.includes(job.status)) throw new InvalidTransitionError('payout job', job.status, target);
    const updated = await this.#options.store.transaction(async (tx) => {
      const result = await tx.transitionPayoutJob(jobId, { from, to: target, now: this.#options.clock.now() });
      if (result) await publishAll(tx, [progressEvent(result)]);
      return result;
    });
    if (!updated) {
      const current = await this.#getJob(jobId);
      throw new InvalidTransitionError('payout job', current.status, target);
    }
    return toStatusView(updated);
  }

  /**
   * Claims and pays one batch. A batch that fails is retried at once in halves, so one bad entry
   * cannot sink the rest; when both halves fail the cause is not one entry, and every entry of the
   * batch waits its backoff instead (no storm of retries against a failing hook or database).
   */
  async #runBatch(claim: ClaimPayoutBatchOptions): Promise<RunSummary | null> {
    if (this.#options.mode.kind === 'external') return this.#runExternalBatch(claim);
    const first = await this.#payBatch(claim);
    if (first === null || first.ok) return first?.summary ?? null;
    return this.#isolate(first.batch, first.error, 1);
  }

  /**
   * Ledger mode's fast path: claim and complete in one store call, the entries never loaded. A
   * failure there says nothing of which entries are at fault, so the batch is run again the usual
   * way, whose failure carries the claimed entries for isolation.
   */
  async #payBatch(claim: ClaimPayoutBatchOptions): Promise<BatchAttempt | null> {
    if (this.#options.mode.kind !== 'ledger' || claim.entryIds !== undefined) return this.#attemptBatch(claim, 1);
    const started = performance.now();
    let committed: { events: PayoutEvent[]; completed: number } | null;
    try {
      committed = await this.#options.store.transaction(async (tx) => {
        const paid = await tx.payPayoutBatch(claim);
        if (!paid) return null;
        const completed = paid.progress.changed;
        const events = await publishBatch(tx, {
          progress: paid.progress,
          completed: { count: completed, amount: paid.amount },
          deadLettered: [],
          attempt: 1,
          durationMs: Math.round(performance.now() - started),
        });
        return { events, completed };
      });
    } catch {
      return this.#attemptBatch(claim, 1);
    }
    return committed && this.#batchCommitted(committed.events, committed.completed);
  }

  /** One transaction: claim, credit (ledger or host hook), complete, publish; events after commit. */
  async #attemptBatch(claim: ClaimPayoutBatchOptions, attempt: number): Promise<BatchAttempt | null> {
    const started = performance.now();
    let claimed: PayoutBatch | null = null;
    let events: PayoutEvent[];
    try {
      const committed = await this.#options.store.transaction(async (tx) => {
        claimed = await tx.claimPayoutBatch(claim);
        if (!claimed) return null;
        const mode = this.#options.mode;
        if (mode.kind === 'hook') await mode.credit(tx, claimed);
        const progress = await tx.completePayoutEntries(
          claimed.job.id,
          claimed.entries.map((e) => e.id),
          { now: claim.now, creditAccounts: mode.kind === 'ledger' },
        );
        return publishBatch(tx, {
          progress,
          completed: completedBy(progress, claimed.entries),
          deadLettered: [],
          attempt,
          durationMs: Math.round(performance.now() - started),
        });
      });
      if (committed === null) return null;
      events = committed;
    } catch (err) {
      const batch = claimed as PayoutBatch | null;
      if (!batch) throw this.#report(err, { phase: 'claim', attempt });
      const error = this.#report(err, {
        jobId: batch.job.id,
        batch: { size: batch.entries.length, firstEntryId: batch.entries[0]?.id },
        attempt,
      });
      return { ok: false, batch, error };
    }
    return this.#batchCommitted(events, (claimed as PayoutBatch | null)?.entries.length ?? 0);
  }

  /** After a batch committed: the store is healthy again, and its events go out. */
  #batchCommitted(events: readonly PayoutEvent[], completed: number): BatchAttempt {
    this.#lastError = null;
    this.#emitAll(events);
    return { ok: true, summary: { batches: 1, completed, failed: 0 } };
  }

  /** Retries a failed batch in halves until the failing entries are found, then records their failure. */
  async #isolate(batch: PayoutBatch, error: SettleError, attempt: number): Promise<RunSummary> {
    const transient = error instanceof StoreError && error.retryable;
    if (batch.entries.length === 1 || transient) {
      return this.#recordFailures(batch.job, batch.entries, error.message, attempt);
    }
    const middle = Math.ceil(batch.entries.length / 2);
    const halves = [batch.entries.slice(0, middle), batch.entries.slice(middle)];
    const totals = { batches: 0, completed: 0, failed: 0 };
    const failed: Extract<BatchAttempt, { ok: false }>[] = [];
    for (const half of halves) {
      const claim = { now: this.#options.clock.now(), limit: half.length, jobId: batch.job.id };
      const run = await this.#attemptBatch({ ...claim, entryIds: half.map((e) => e.id) }, attempt + 1);
      if (run?.ok) addTo(totals, run.summary);
      else if (run) failed.push(run);
    }
    const [only, second] = failed;
    if (only && !second) addTo(totals, await this.#isolate(only.batch, only.error, attempt + 1));
    else if (only && second) {
      const entries = [...only.batch.entries, ...second.batch.entries];
      addTo(totals, await this.#recordFailures(batch.job, entries, only.error.message, attempt + 1));
    }
    return totals;
  }

  /**
   * Records a failed attempt for each entry: a retry after its backoff, or the dead-letter after
   * `maxAttempts`. Events are built from what the store says it changed.
   */
  async #recordFailures(
    job: PayoutJob,
    entries: readonly PayoutEntry[],
    message: string,
    attempt: number,
  ): Promise<RunSummary> {
    const now = this.#options.clock.now();
    const started = performance.now();
    const failures = this.#failuresOf(entries, message, now);
    const events = await this.#options.store.transaction(async (tx) => {
      const progress = await tx.failPayoutEntries(job.id, failures, now);
      return publishBatch(tx, {
        progress,
        completed: { count: 0, amount: 0n },
        deadLettered: deadLetteredBy(progress, entries, failures),
        attempt,
        durationMs: Math.round(performance.now() - started),
      });
    });
    this.#emitAll(events);
    return { batches: 1, completed: 0, failed: countEvents(events, 'payout.entry_failed') };
  }

  /** Each entry's next attempt: after its backoff, or never (`retryAt` null) once `maxAttempts` is used. */
  #failuresOf(entries: readonly PayoutEntry[], message: string, now: Date): PayoutEntryFailure[] {
    return entries.map((entry) => {
      const failedAttempts = entry.attempts + 1;
      const retryAt =
        failedAttempts >= this.#options.maxAttempts
          ? null
          : new Date(now.getTime() + this.#options.backoff(failedAttempts));
      return { entryId: entry.id, error: message, retryAt, leaseUntil: entry.lockedUntil };
    });
  }

  /**
   * External rail: lease, call the provider outside any transaction (with the entry id as
   * idempotency key), then complete what it accepted and record what it refused, in one transaction.
   */
  async #runExternalBatch(claim: ClaimPayoutBatchOptions): Promise<RunSummary | null> {
    const mode = this.#options.mode;
    if (mode.kind !== 'external') return null;
    const leaseUntil = new Date(claim.now.getTime() + this.#options.leaseMs);
    const batch = await this.#options.store.transaction((tx) => tx.leasePayoutBatch({ ...claim, leaseUntil }));
    if (!batch) return null;
    const limit = pLimit(this.#options.externalConcurrency);
    const results = await Promise.all(
      batch.entries.map((entry) =>
        limit(async () => {
          const attempt = entry.attempts + 1;
          try {
            await mode.pay({
              jobId: entry.jobId,
              entryId: entry.id,
              userId: entry.userId,
              amount: entry.amount,
              idempotencyKey: entry.id,
              attempt,
            });
            return { entry, error: null };
          } catch (err) {
            return { entry, error: this.#report(err, { jobId: entry.jobId, entryId: entry.id, attempt }) };
          }
        }),
      ),
    );
    const paid = results.filter((r) => r.error === null).map((r) => r.entry);
    const refused = results.filter((r) => r.error !== null);
    const now = this.#options.clock.now();
    const started = performance.now();
    const failures = refused.flatMap((r) => this.#failuresOf([r.entry], r.error?.message ?? 'payment failed', now));
    const events = await this.#options.store.transaction(async (tx) => {
      const completedProgress = await tx.completePayoutEntries(
        batch.job.id,
        paid.map((e) => e.id),
        { now, creditAccounts: false },
      );
      const failedProgress = failures.length > 0 ? await tx.failPayoutEntries(batch.job.id, failures, now) : null;
      const progress = failedProgress ? mergeProgress(completedProgress, failedProgress) : completedProgress;
      const outcome = await publishBatch(tx, {
        progress,
        completed: completedBy(completedProgress, paid),
        deadLettered: failedProgress ? deadLetteredBy(failedProgress, batch.entries, failures) : [],
        attempt: Math.max(...batch.entries.map((e) => e.attempts + 1)),
        durationMs: Math.round(performance.now() - started),
      });
      return { outcome, completed: completedProgress.changed };
    });
    if (refused.length === 0) this.#lastError = null;
    this.#emitAll(events.outcome);
    return { batches: 1, completed: events.completed, failed: countEvents(events.outcome, 'payout.entry_failed') };
  }

  async #lane(): Promise<void> {
    while (this.#state === 'running') {
      const wakesBefore = this.#alarm.wakes;
      let worked = false;
      try {
        worked = (await this.runOnce()).batches > 0;
      } catch {
        // Already reported as an `error` event; back off for one poll interval.
      }
      // A wake during runOnce (a job queued after its claim found nothing) must not be slept through.
      const woken = this.#alarm.wakes !== wakesBefore;
      if (!worked && !woken && this.#state === 'running') await this.#alarm.sleep(this.#options.pollIntervalMs);
    }
  }

  async #retentionLoop(retention: { olderThanMs: number; everyMs: number }): Promise<void> {
    while (this.#state === 'running') {
      try {
        await this.prune({ olderThan: retention.olderThanMs });
      } catch (err) {
        this.#report(err, { phase: 'retention' });
      }
      // stop() wakes only loops already asleep: one still pruning then must not start a sleep
      // that nothing ends (a whole `every` on the system clock, forever on a fake one).
      if (this.#state === 'running') await this.#retentionAlarm.sleep(retention.everyMs);
    }
  }

  /** Wakes idle lanes when another process announces work through the store's events. */
  async #listenForWork(): Promise<void> {
    const subscribe = this.#options.store.subscribe?.bind(this.#options.store);
    if (!subscribe) return;
    try {
      const subscription = await subscribe({
        event: (event) => {
          if (event.name === 'payout.queued') this.#alarm.wake();
        },
      });
      if (this.#state === 'running') this.#unsubscribe = () => subscription.close();
      else await subscription.close();
    } catch (err) {
      this.#report(err, { phase: 'subscribe' });
    }
  }

  /**
   * Emits committed events. A host listener that throws cannot undo or re-run the batch: its error
   * is reported as a `ListenerError` and the remaining events still go out.
   */
  #emitAll(events: readonly (PayoutEvent | null)[]): void {
    for (const event of events) {
      if (!event) continue;
      try {
        (this.emit as (name: string, data: unknown) => boolean)(event.name, event.data);
      } catch (err) {
        this.#report(new ListenerError(event.name, { cause: err, context: { jobId: event.data.jobId } }), {});
      }
    }
  }

  /**
   * Turns any failure into a `SettleError` carrying `context` (a host hook's or provider's own error
   * becomes a `PaymentError` with it as `cause`), remembers it for `health()`, and emits `error`.
   */
  #report(err: unknown, context: Record<string, unknown>): SettleError {
    return reportError(
      (error) => {
        this.#lastError = error;
        this.emit('error', error);
      },
      err,
      context,
      PaymentError,
    );
  }
}

/** What one attempt at a batch did. */
type BatchAttempt =
  | { readonly ok: true; readonly summary: RunSummary }
  | { readonly ok: false; readonly batch: PayoutBatch; readonly error: SettleError };

function addTo(totals: { batches: number; completed: number; failed: number }, run: RunSummary): void {
  totals.batches += run.batches;
  totals.completed += run.completed;
  totals.failed += run.failed;
}

function countEvents(events: readonly PayoutEvent[], name: PayoutEvent['name']): number {
  return events.filter((e) => e.name === name).length;
}

/** The entries a `failPayoutEntries` call really dead-lettered, with their errors. */
function deadLetteredBy(
  progress: PayoutJobProgress,
  entries: readonly PayoutEntry[],
  failures: readonly PayoutEntryFailure[],
): { entry: PayoutEntry; error: string }[] {
  const changed = new Set(progress.entryIds);
  return failures.flatMap((failure) => {
    const entry = entries.find((e) => e.id === failure.entryId);
    return entry && failure.retryAt === null && changed.has(entry.id) ? [{ entry, error: failure.error }] : [];
  });
}

function mergeProgress(first: PayoutJobProgress, second: PayoutJobProgress): PayoutJobProgress {
  return {
    job: second.job,
    changed: first.changed + second.changed,
    entryIds: [...first.entryIds, ...second.entryIds],
    started: first.started || second.started,
    finished: first.finished || second.finished,
  };
}

/** A committed batch's events, published in its transaction so other processes hear them on commit. */
async function publishBatch(tx: StoreTransaction, outcome: BatchOutcome): Promise<PayoutEvent[]> {
  const events = batchEvents(outcome);
  await publishAll(tx, events);
  return events;
}

async function publishAll(tx: StoreTransaction, events: readonly (PayoutEvent | null)[]): Promise<void> {
  for (const event of events) {
    if (event) await tx.publish({ name: event.name, data: event.data as unknown as JsonObject });
  }
}

/** Validates `enqueue` input into the job to create; throws `ValidationError` naming the field. */
function parseEnqueueInput(input: EnqueueInput, now: Date): NewJob {
  if (input === null || typeof input !== 'object') throw new ValidationError('input', 'must be an object');
  const challengeId = input.challengeId ?? null;
  if (challengeId !== null) requireId('input.challengeId', challengeId);
  if (!Array.isArray(input.entries) || input.entries.length === 0) {
    throw new ValidationError('input.entries', 'must be a non-empty array');
  }
  const entries = parsePayoutEntries(input.entries);
  if (entries.reduce((sum, e) => sum + e.amount, 0n) > MAX_AMOUNT) {
    throw new ValidationError('input.entries', `amounts must not add up to more than ${MAX_AMOUNT}`);
  }
  const priority = requireInteger('input.priority', input.priority ?? 0, { min: -1_000_000, max: 1_000_000 });
  const metadata = requireJsonObject('input.metadata', input.metadata ?? {});
  return { challengeId, priority, metadata, entries, now };
}

async function readParticipants(tx: StoreTransaction, challengeId: ChallengeId): Promise<Participant[]> {
  const all: Participant[] = [];
  for (;;) {
    const after = all.at(-1)?.userId;
    const page = await tx.listParticipants(challengeId, { limit: PARTICIPANT_PAGE, ...(after ? { after } : {}) });
    all.push(...page);
    if (page.length < PARTICIPANT_PAGE) return all;
  }
}
