import { EventEmitter } from 'eventemitter3';
import {
  type Challenge,
  type ChallengeId,
  type ChallengeStatus,
  challengeStateMachine,
  type NewParticipant,
  type Participant,
} from '../domain/challenge';
import type { JsonObject } from '../domain/json';
import { assertTransition } from '../domain/state-machine';
import { ConflictError, InvalidTransitionError, ListenerError, NotFoundError, ValidationError } from '../errors';
import type { SchedulerEvents } from '../events/scheduler-events';
import { type AmountInput, parseAmount } from '../money/amount';
import type { Store, StoreTransaction } from '../store/store';
import { type Clock, systemClock } from '../time/clock';
import { requireArray, requireDate, requireId, requireJsonObject, requireString } from '../validation';
import { transitionedEvent } from './challenge-transitioned-event';
import { DEADLINE_CHANGED_EVENT, type DeadlineSignal, deadlineSignal } from './deadline-signal';

/** Longest title accepted, in code points. */
const MAX_TITLE_LENGTH = 500;

/** Statuses in which a challenge is still open: participants may join or leave and the deadline may move. */
const OPEN: readonly ChallengeStatus[] = ['pending', 'active'];

/** Options of {@link Challenges}. */
export interface ChallengesOptions {
  /** Where challenges and participants live. */
  readonly store: Store;
  /** Source of time: "now" for deadline checks and timestamps. Default: the system clock. */
  readonly clock?: Clock;
}

/** A participant as a host hands it in. */
export interface ParticipantInput {
  /** The host's user id. */
  readonly userId: string;
  /** The outcome this participant backs, e.g. `yes`/`no` or a team id. */
  readonly side: string;
  /** Stake in minor units: a positive whole number as bigint, safe integer or digit string. */
  readonly stake: AmountInput;
}

/** What {@link Challenges.create} needs. */
export interface CreateChallengeInput {
  /** The host's id for the challenge. */
  readonly id: ChallengeId;
  readonly title: string;
  /** When the challenge closes: a `Date` or an ISO-8601 string with an offset; must be in the future. */
  readonly deadline: Date | string;
  /** Participants from the start (user ids unique). Default: none. */
  readonly participants?: readonly ParticipantInput[];
  /** Free-form host data, stored as JSON. Default: `{}`. */
  readonly metadata?: JsonObject;
  /**
   * `pending` creates the challenge closed, to be opened by {@link Challenges.activate}; `active`
   * opens it at once, and the Scheduler will close it at its deadline. Default: `pending`.
   */
  readonly status?: 'pending' | 'active';
}

/**
 * Events of {@link Challenges}: `challenge.transitioned` after an `activate` or `cancel` committed
 * (`lagMs` is 0), and `error` when one of its listeners threw.
 */
export type ChallengesEvents = SchedulerEvents;

/**
 * The challenge lifecycle: create, activate, join, leave, reschedule, cancel. Every status change
 * is checked against {@link challengeStateMachine} and applied as a conditional update, so two
 * processes racing on one challenge cannot both win. Bad input throws `ValidationError` naming the
 * field before anything is written. Deadlines created or moved here wake every `Scheduler` of this
 * process on the same store at once, and those of other processes through the store's events.
 *
 * @example
 * ```ts
 * const challenges = new Challenges({ store });
 * await challenges.create({
 *   id: 'match-42',
 *   title: 'Who wins the derby?',
 *   deadline: '2030-05-01T18:00:00Z',
 *   participants: [{ userId: 'ann', side: 'home', stake: 500n }],
 *   status: 'active',
 * });
 * await challenges.join('match-42', { userId: 'bob', side: 'away', stake: 500n });
 * ```
 */
export class Challenges extends EventEmitter<ChallengesEvents> {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #signal: DeadlineSignal;

  /** Validates `options` (throws `ValidationError` naming the option). */
  constructor(options: ChallengesOptions) {
    super();
    if (!options || typeof options.store?.transaction !== 'function') {
      throw new ValidationError('options.store', 'must be a Settle Store');
    }
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#signal = deadlineSignal(options.store);
  }

  /**
   * Creates a challenge with its participants. Throws `ValidationError` for bad input (a deadline
   * not in the future, a stake that is not a positive whole number, duplicate user ids) and
   * `ConflictError` when the id exists; nothing is written then.
   */
  async create(input: CreateChallengeInput): Promise<Challenge> {
    if (input === null || typeof input !== 'object') throw new ValidationError('input', 'must be an object');
    const now = this.#clock.now();
    const id = requireId('input.id', input.id);
    const title = requireString('input.title', input.title, { maxLength: MAX_TITLE_LENGTH });
    const deadline = this.#futureDeadline('input.deadline', input.deadline, now);
    const metadata = requireJsonObject('input.metadata', input.metadata ?? {});
    const status = input.status ?? 'pending';
    if (status !== 'pending' && status !== 'active') {
      throw new ValidationError('input.status', "must be 'pending' or 'active'");
    }
    const participants = parseParticipants('input.participants', input.participants ?? [], now);

    const created = await this.#store.transaction(async (tx) => {
      const challenge = await tx.createChallenge(
        { id, title, deadline, status, metadata, createdAt: now },
        participants,
      );
      if (status === 'active') await publishDeadline(tx, challenge);
      return challenge;
    });
    if (status === 'active') this.#signal.notify();
    return created;
  }

  /** The challenge; `NotFoundError` when it does not exist. */
  async get(id: ChallengeId): Promise<Challenge> {
    requireId('id', id);
    const challenge = await this.#store.getChallenge(id);
    if (!challenge) throw new NotFoundError('challenge', id);
    return challenge;
  }

  /**
   * Opens a `pending` challenge (`pending → active`). Throws `InvalidTransitionError` from any
   * other status, and `ConflictError` when its deadline has already passed (reschedule it first).
   */
  async activate(id: ChallengeId): Promise<Challenge> {
    return this.#transition(id, 'active');
  }

  /**
   * Cancels a `pending` or `active` challenge; the Scheduler will not close it. Throws
   * `InvalidTransitionError` from any other status. Stakes are not refunded here: pay them back
   * through `PayoutQueue.enqueue` if money was collected.
   */
  async cancel(id: ChallengeId): Promise<Challenge> {
    return this.#transition(id, 'cancelled');
  }

  /**
   * Adds a participant to an open challenge before its deadline. Throws `ValidationError` for bad
   * input, `NotFoundError` for an unknown challenge, and `ConflictError` when the challenge is
   * closed (its deadline passed, or it is no longer `pending`/`active`) or the user already takes part.
   */
  async join(id: ChallengeId, participant: ParticipantInput): Promise<Participant> {
    requireId('id', id);
    const now = this.#clock.now();
    const joining = parseParticipant('participant', participant, now);
    await this.#store.transaction(async (tx) => {
      await lockOpen(tx, id, now, 'join');
      await tx.addParticipants(id, [joining]);
    });
    return { challengeId: id, ...joining };
  }

  /**
   * Removes a participant from an open challenge before its deadline. Throws `NotFoundError` for an
   * unknown challenge or a user not taking part, and `ConflictError` when the challenge is closed.
   */
  async leave(id: ChallengeId, userId: string): Promise<void> {
    requireId('id', id);
    requireId('userId', userId);
    const now = this.#clock.now();
    await this.#store.transaction(async (tx) => {
      await lockOpen(tx, id, now, 'leave');
      if (!(await tx.removeParticipant(id, userId))) throw new NotFoundError('participant', userId);
    });
  }

  /**
   * Moves the deadline of an open challenge (extend or shorten), to an instant in the future.
   * Throws `ValidationError` for a deadline not in the future, `NotFoundError` for an unknown
   * challenge, and `ConflictError` when the challenge is closed (its current deadline passed, or it
   * is no longer `pending`/`active`). A Scheduler that was about to close it at the old deadline
   * will not: its conditional update re-checks the deadline.
   */
  async reschedule(id: ChallengeId, deadline: Date | string): Promise<Challenge> {
    requireId('id', id);
    const now = this.#clock.now();
    const next = this.#futureDeadline('deadline', deadline, now);
    const updated = await this.#store.transaction(async (tx) => {
      await lockOpen(tx, id, now, 'reschedule');
      const challenge = await tx.updateChallenge(id, { deadline: next }, OPEN);
      if (!challenge) throw new ConflictError(`challenge ${JSON.stringify(id)} changed while being rescheduled`);
      if (challenge.status === 'active') await publishDeadline(tx, challenge);
      return challenge;
    });
    this.#signal.notify();
    return updated;
  }

  async #transition(id: ChallengeId, to: 'active' | 'cancelled'): Promise<Challenge> {
    requireId('id', id);
    const now = this.#clock.now();
    const { challenge, event } = await this.#store.transaction(async (tx) => {
      const current = await tx.getChallenge(id);
      if (!current) throw new NotFoundError('challenge', id);
      assertTransition(challengeStateMachine, current.status, to);
      if (to === 'active' && current.deadline.getTime() <= now.getTime()) {
        throw new ConflictError(`challenge ${JSON.stringify(id)} cannot open: its deadline has passed`, {
          context: { challengeId: id, deadline: current.deadline.toISOString() },
        });
      }
      const updated = await tx.transitionChallenge({ id, from: current.status, to, at: now });
      if (!updated) {
        // Another writer changed the status between the read and the update; report what it is now.
        const again = await tx.getChallenge(id);
        throw new InvalidTransitionError('challenge', again?.status ?? current.status, to);
      }
      const transitioned = transitionedEvent(current, updated, now, 0);
      await tx.publish({ name: 'challenge.transitioned', data: { ...transitioned } });
      if (to === 'active') await publishDeadline(tx, updated);
      return { challenge: updated, event: transitioned };
    });
    if (to === 'active') this.#signal.notify();
    try {
      this.emit('challenge.transitioned', event);
    } catch (err) {
      // The change committed and a failing listener cannot undo it: the caller still gets the challenge.
      this.emit('error', new ListenerError('challenge.transitioned', { cause: err, context: { challengeId: id } }));
    }
    return challenge;
  }

  #futureDeadline(field: string, input: unknown, now: Date): Date {
    const deadline = requireDate(field, input);
    if (deadline.getTime() <= now.getTime()) throw new ValidationError(field, 'must be in the future');
    return deadline;
  }
}

/**
 * Locks an open challenge's row for the rest of the transaction (an update that changes nothing
 * but `updatedAt`), so that a Scheduler closing it concurrently waits for this transaction, then
 * re-checks; and refuses a challenge that is closed.
 */
async function lockOpen(tx: StoreTransaction, id: ChallengeId, now: Date, action: string): Promise<Challenge> {
  const locked = await tx.updateChallenge(id, {}, OPEN);
  if (!locked) {
    const current = await tx.getChallenge(id);
    if (!current) throw new NotFoundError('challenge', id);
    throw new ConflictError(`cannot ${action} challenge ${JSON.stringify(id)}: it is ${current.status}`, {
      context: { challengeId: id, status: current.status },
    });
  }
  if (locked.deadline.getTime() <= now.getTime()) {
    throw new ConflictError(`cannot ${action} challenge ${JSON.stringify(id)}: its deadline has passed`, {
      context: { challengeId: id, deadline: locked.deadline.toISOString() },
    });
  }
  return locked;
}

async function publishDeadline(tx: StoreTransaction, challenge: Challenge): Promise<void> {
  await tx.publish({
    name: DEADLINE_CHANGED_EVENT,
    data: { challengeId: challenge.id, deadline: challenge.deadline.toISOString() },
  });
}

function parseParticipants(field: string, input: unknown, now: Date): NewParticipant[] {
  const seen = new Set<string>();
  return requireArray(field, input).map((raw, i) => {
    const participant = parseParticipant(`${field}[${i}]`, raw, now);
    if (seen.has(participant.userId)) {
      throw new ValidationError(`${field}[${i}].userId`, `duplicates user ${participant.userId}`);
    }
    seen.add(participant.userId);
    return participant;
  });
}

function parseParticipant(field: string, input: unknown, now: Date): NewParticipant {
  if (input === null || typeof input !== 'object') throw new ValidationError(field, 'must be an object');
  const p = input as Record<string, unknown>;
  return {
    userId: requireId(`${field}.userId`, p.userId),
    side: requireId(`${field}.side`, p.side),
    stake: parseAmount(`${field}.stake`, p.stake, { min: 1n }),
    joinedAt: now,
  };
}
