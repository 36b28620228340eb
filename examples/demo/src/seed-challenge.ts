import { randomUUID } from 'node:crypto';
import type { Store } from '@settle/core';

/**
 * Creates a challenge whose deadline has just passed (`pending_admin`), with `count` participants
 * on two sides and varied stakes. Stands in for the host app and the Scheduler.
 */
export async function seedChallenge(store: Store, count: number): Promise<{ id: string; pool: bigint }> {
  const id = `demo-${randomUUID().slice(0, 8)}`;
  const now = new Date();
  const participants = Array.from({ length: count }, (_, i) => ({
    userId: `${id}-user-${String(i).padStart(4, '0')}`,
    side: i % 3 === 0 ? 'away' : 'home',
    stake: BigInt(500 + ((i * 7919) % 4_500)),
    joinedAt: now,
  }));
  await store.transaction(async (tx) => {
    await tx.createChallenge(
      {
        id,
        title: 'Demo final',
        deadline: new Date(now.getTime() + 1_000),
        status: 'active',
        metadata: {},
        createdAt: now,
      },
      participants,
    );
    await tx.transitionChallenge({ id, from: 'active', to: 'pending_admin', at: now });
  });
  return { id, pool: participants.reduce((sum, p) => sum + p.stake, 0n) };
}
