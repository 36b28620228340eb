import type { ChallengeId, ChallengeStatus } from '../domain/challenge';
import type { SettleError } from '../errors';

/** A challenge changed status. */
export interface ChallengeTransitionedEvent {
  readonly challengeId: ChallengeId;
  readonly from: ChallengeStatus;
  readonly to: ChallengeStatus;
  /** The challenge's deadline, ISO-8601 UTC. */
  readonly deadline: string;
  /** When the transition committed, ISO-8601 UTC. */
  readonly transitionedAt: string;
  /** Milliseconds between the deadline and the transition (0 for transitions not caused by a deadline). */
  readonly lagMs: number;
}

/** Events of a `Scheduler`; each fires after its transaction committed, on the instance whose update won. */
export interface SchedulerEvents {
  /** After the commit of a status change. */
  'challenge.transitioned': (event: ChallengeTransitionedEvent) => void;
  /** A background failure, with its context in `error.context`. */
  error: (error: SettleError) => void;
}
