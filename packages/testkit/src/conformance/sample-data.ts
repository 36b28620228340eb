import { randomUUID } from 'node:crypto';
import type { NewChallenge, NewNotification, NewParticipant, NewPayoutEntry, NewPayoutJob } from '@settle/core';
import { at, HOUR, REFERENCE_TIME } from './reference-time';

/*
 * Builders of valid inputs, as core would hand them to a store. Every id is random so tests never
 * collide, even in a schema shared with other runs. User ids share a random prefix and differ in a
 * fixed-width number, so every collation sorts them the way JavaScript does.
 */

/** `prefix-<uuid>`. @internal */
export function uniqueId(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** `count` user ids sharing a random prefix, in ascending order. @internal */
export function userIds(count: number, prefix = uniqueId('user')): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(5, '0')}`);
}

/** An `active` challenge due an hour after the reference time. @internal */
export function newChallenge(overrides: Partial<NewChallenge> = {}): NewChallenge {
  return {
    id: uniqueId('challenge'),
    title: 'Conformance challenge',
    deadline: at(HOUR),
    status: 'active',
    metadata: {},
    createdAt: REFERENCE_TIME,
    ...overrides,
  };
}

/** Participants with stakes 100, 200, 300… on alternating sides. @internal */
export function newParticipants(users: readonly string[]): NewParticipant[] {
  return users.map((userId, i) => ({
    userId,
    side: i % 2 === 0 ? 'yes' : 'no',
    stake: BigInt(100 * (i + 1)),
    joinedAt: REFERENCE_TIME,
  }));
}

/** A priority-0 job with no challenge, created at the reference time. @internal */
export function newPayoutJob(overrides: Partial<NewPayoutJob> = {}): NewPayoutJob {
  return { id: randomUUID(), challengeId: null, priority: 0, metadata: {}, createdAt: REFERENCE_TIME, ...overrides };
}

/** One entry per user; amounts 101, 102, 103… unless `amount` says otherwise. @internal */
export function newPayoutEntries(
  users: readonly string[],
  amount: (index: number) => bigint = (i) => BigInt(101 + i),
): NewPayoutEntry[] {
  return users.map((userId, i) => ({ userId, amount: amount(i) }));
}

/** A reminder due at the reference time, for a random recipient. @internal */
export function newNotification(overrides: Partial<NewNotification> = {}): NewNotification {
  return {
    key: uniqueId('key'),
    challengeId: null,
    recipient: uniqueId('recipient'),
    kind: 'reminder',
    payload: {},
    dueAt: REFERENCE_TIME,
    createdAt: REFERENCE_TIME,
    ...overrides,
  };
}

/** Sum of amounts. @internal */
export function sumAmounts(items: readonly { readonly amount: bigint }[]): bigint {
  return items.reduce((sum, item) => sum + item.amount, 0n);
}
