import type { Challenge } from '../domain/challenge';
import type { ChallengeTransitionedEvent } from '../events/scheduler-events';

/**
 * Builds the `challenge.transitioned` payload: `before` is the challenge as read, `after` as the
 * conditional update returned it.
 *
 * @internal
 */
export function transitionedEvent(
  before: Challenge,
  after: Challenge,
  transitionedAt: Date,
  lagMs: number,
): ChallengeTransitionedEvent {
  return {
    challengeId: after.id,
    from: before.status,
    to: after.status,
    deadline: after.deadline.toISOString(),
    transitionedAt: transitionedAt.toISOString(),
    lagMs,
  };
}
