import type { ChallengeId, ChallengeStatus } from '../domain/challenge';
import type { PayoutJobId } from '../domain/payout';
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
  /**
   * The refund job queued in the same transaction, when the Scheduler's `autoResolve` policy
   * cancelled the challenge (`to: 'cancelled'`) and had stakes to pay back; absent otherwise.
   */
  readonly refundJobId?: PayoutJobId;
}

/** Events of a `Scheduler`; each fires after its transaction committed, on the instance whose update won. */
export interface SchedulerEvents {
  /** After the commit of a status change. */
  'challenge.transitioned': (event: ChallengeTransitionedEvent) => void;
  /** A background failure, with its context in `error.context`. */
  error: (error: SettleError) => void;
}
