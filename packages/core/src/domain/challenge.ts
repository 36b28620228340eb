import type { JsonObject } from './json';
import type { StateMachine } from './state-machine';

/** A challenge's id, chosen by the host (its own primary key, a slug, a UUID…). */
export type ChallengeId = string;

/**
 * Where a challenge is in its life:
 * `pending` (created, not open yet) → `active` (open until its deadline) → `pending_admin`
 * (deadline passed, waiting for an admin to resolve) → `completed` (resolved); `cancelled` from
 * `pending` or `active`.
 */
export type ChallengeStatus = 'pending' | 'active' | 'pending_admin' | 'completed' | 'cancelled';

/** Every allowed challenge transition, written down once and checked by every store and class. */
export const challengeStateMachine: StateMachine<ChallengeStatus> = {
  name: 'challenge',
  transitions: {
    pending: ['active', 'cancelled'],
    active: ['pending_admin', 'cancelled'],
    pending_admin: ['completed'],
    completed: [],
    cancelled: [],
  },
};

/** A contest, bet or bounty with a deadline. */
export interface Challenge {
  readonly id: ChallengeId;
  readonly title: string;
  /** The instant (UTC) the challenge closes. */
  readonly deadline: Date;
  readonly status: ChallengeStatus;
  /** Free-form host data, stored as JSON. */
  readonly metadata: JsonObject;
  readonly createdAt: Date;
  /** Last time the row changed (status, deadline, title or metadata). */
  readonly updatedAt: Date;
}

/** Someone taking part in a challenge, on one side, with a stake in minor units. */
export interface Participant {
  readonly challengeId: ChallengeId;
  /** The host's user id. */
  readonly userId: string;
  /** The outcome this participant backs, e.g. `yes`/`no`, a team id, or `solo`. */
  readonly side: string;
  /** Stake in minor units (> 0). */
  readonly stake: bigint;
  readonly joinedAt: Date;
}

/** A challenge as handed to {@link StoreTransaction.createChallenge}; already validated. */
export interface NewChallenge {
  readonly id: ChallengeId;
  readonly title: string;
  readonly deadline: Date;
  readonly status: Extract<ChallengeStatus, 'pending' | 'active'>;
  readonly metadata: JsonObject;
  readonly createdAt: Date;
}

/** A participant as handed to the store; already validated. */
export interface NewParticipant {
  readonly userId: string;
  readonly side: string;
  readonly stake: bigint;
  readonly joinedAt: Date;
}
