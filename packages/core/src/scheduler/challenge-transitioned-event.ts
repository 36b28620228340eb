import type { Challenge } from '../domain/challenge';
import type { PayoutJobId } from '../domain/payout';
import type { ChallengeTransitionedEvent } from '../events/scheduler-events';

/**
 * Builds the `challenge.transitioned` payload: `before` is the challenge as read, `after` as the
 * conditional update returned it, `refundJobId` the refund queued with it, if any.
 *
 * @internal
 */
export function transitionedEvent(
  before: Challenge,
  after: Challenge,
  transitionedAt: Date,
  lagMs: number,
  refundJobId: PayoutJobId | null = null,
): ChallengeTransitionedEvent {
  return {
    challengeId: after.id,
    from: before.status,
    to: after.status,
    deadline: after.deadline.toISOString(),
    transitionedAt: transitionedAt.toISOString(),
    lagMs,
    ...(refundJobId === null ? {} : { refundJobId }),
  };
}
