import type {
  Challenge,
  NewChallenge,
  NewNotification,
  NewParticipant,
  NewPayoutEntry,
  NewPayoutJob,
  Notification,
  PayoutEntry,
  PayoutEntryId,
  PayoutJob,
  PayoutJobId,
  PayoutJobProgress,
  Store,
  StoreReads,
} from '@settle/core';
import { REFERENCE_TIME } from './reference-time';
import { newChallenge, newPayoutJob } from './sample-data';

/*
 * Committed starting states for tests: each helper writes in its own transaction and reads back
 * what the store made of it.
 */

/** Commits a challenge with its participants. @internal */
export async function seedChallenge(
  store: Store,
  challenge: NewChallenge = newChallenge(),
  participants: readonly NewParticipant[] = [],
): Promise<Challenge> {
  return store.transaction((tx) => tx.createChallenge(challenge, participants));
}

/** A committed job and its entries in id order. @internal */
export interface SeededPayoutJob {
  readonly job: PayoutJob;
  readonly entries: PayoutEntry[];
}

/** Commits a job with its entries and returns both as stored. @internal */
export async function seedPayoutJob(
  store: Store,
  entries: readonly NewPayoutEntry[],
  job: Partial<NewPayoutJob> = {},
): Promise<SeededPayoutJob> {
  const created = await store.transaction((tx) => tx.createPayoutJob(newPayoutJob(job), entries));
  return { job: created, entries: await listAllPayoutEntries(store, created.id) };
}

/** Every entry of a job in id order, read page by page. @internal */
export async function listAllPayoutEntries(reads: StoreReads, jobId: PayoutJobId): Promise<PayoutEntry[]> {
  const all: PayoutEntry[] = [];
  for (;;) {
    const page = await reads.listPayoutEntries(jobId, { limit: 500, after: all.at(-1)?.id });
    all.push(...page);
    if (page.length < 500) return all;
  }
}

/** Completes entries (crediting accounts) in a committed transaction of their own. @internal */
export function payEntries(
  store: Store,
  jobId: PayoutJobId,
  entryIds: readonly PayoutEntryId[],
  now: Date = REFERENCE_TIME,
): Promise<PayoutJobProgress> {
  return store.transaction((tx) => tx.completePayoutEntries(jobId, entryIds, { now, creditAccounts: true }));
}

/** Commits notifications and returns them as stored, in the order given. @internal */
export async function seedNotifications(
  store: Store,
  notifications: readonly NewNotification[],
): Promise<Notification[]> {
  await store.transaction((tx) => tx.enqueueNotifications(notifications));
  const byKey = new Map<string, Notification>();
  for (const recipient of new Set(notifications.map((n) => n.recipient))) {
    for (const row of await store.listNotifications({ recipient, limit: 10_000 })) byKey.set(row.key, row);
  }
  return notifications.map((n) => {
    const row = byKey.get(n.key);
    if (row === undefined) throw new Error(`notification ${n.key} was not stored`);
    return row;
  });
}

/** Balances of `users`, in the same order. @internal */
export function balancesOf(reads: StoreReads, users: readonly string[]): Promise<bigint[]> {
  return Promise.all(users.map((user) => reads.getBalance(user)));
}
