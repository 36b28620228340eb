import type { Notification } from '@settle/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { createDeferred } from './deferred';
import { at, HOUR, MINUTE, REFERENCE_TIME } from './reference-time';
import { newChallenge, newNotification, uniqueId } from './sample-data';
import { seedChallenge, seedNotifications } from './seed';

const now = REFERENCE_TIME;

function keys(rows: readonly { readonly key: string }[]): string[] {
  return rows.map((row) => row.key);
}

/**
 * The notification outbox: de-duplicated enqueue, leased claims, completion, failure with retry
 * and dead-letter.
 *
 * @internal
 */
export function registerNotificationTests(ctx: ConformanceContext): void {
  describe('notifications', () => {
    const bench = ctx.useStore();

    it('enqueueNotifications() inserts pending notifications available at dueAt and returns the count', async () => {
      const challenge = await seedChallenge(bench.store, newChallenge());
      const input = newNotification({
        challengeId: challenge.id,
        kind: 'reminder',
        payload: { offset: 'PT1H', n: 1, deep: { list: [1, 'two', null] } },
        dueAt: at(HOUR),
        createdAt: at(-MINUTE),
      });
      const other = newNotification({ recipient: input.recipient, kind: 'payout_completed', dueAt: at(2 * HOUR) });
      expect(await bench.store.transaction((tx) => tx.enqueueNotifications([input, other]))).toBe(2);

      const stored = await bench.store.listNotifications({ recipient: input.recipient, limit: 10 });
      expect(stored).toHaveLength(2);
      const row = stored.find((n) => n.key === input.key);
      expect(row).toEqual({
        id: row?.id,
        key: input.key,
        challengeId: challenge.id,
        recipient: input.recipient,
        kind: 'reminder',
        payload: { offset: 'PT1H', n: 1, deep: { list: [1, 'two', null] } },
        dueAt: at(HOUR),
        status: 'pending',
        attempts: 0,
        availableAt: at(HOUR),
        lockedUntil: null,
        error: null,
        skipReason: null,
        finishedAt: null,
        createdAt: at(-MINUTE),
      });
      expect(typeof row?.id).toBe('string');
      expect(new Set(stored.map((n) => n.id)).size).toBe(2);
    });

    it('enqueueNotifications() skips keys that already exist', async () => {
      const first = newNotification();
      await seedNotifications(bench.store, [first]);
      const duplicate = { ...first, kind: 'changed', dueAt: at(HOUR) };
      const fresh = newNotification({ recipient: first.recipient });
      expect(await bench.store.transaction((tx) => tx.enqueueNotifications([duplicate, fresh]))).toBe(1);

      const stored = await bench.store.listNotifications({ recipient: first.recipient, limit: 10 });
      expect(stored).toHaveLength(2);
      expect(stored.find((n) => n.key === first.key)).toMatchObject({ kind: 'reminder', dueAt: REFERENCE_TIME });
    });

    it('enqueueNotifications() inserts a key repeated within one call once', async () => {
      const input = newNotification();
      expect(await bench.store.transaction((tx) => tx.enqueueNotifications([input, { ...input }]))).toBe(1);
      expect(await bench.store.listNotifications({ recipient: input.recipient, limit: 10 })).toHaveLength(1);
    });

    it('enqueueNotifications() inserts each key once when two transactions enqueue it concurrently', async () => {
      const recipient = uniqueId('recipient');
      const batch = Array.from({ length: 8 }, () => newNotification({ recipient }));
      const first = bench.hold((tx) => tx.enqueueNotifications(batch.slice(0, 5)));
      expect(await first.ready).toBe(5);

      const secondStarted = createDeferred();
      const second = bench.store.transaction(async (tx) => {
        const inserted = tx.enqueueNotifications(batch.slice(2));
        secondStarted.resolve();
        return inserted;
      });
      await secondStarted.promise;
      await first.commit();

      expect(await second).toBe(3);
      const stored = await bench.store.listNotifications({ recipient, limit: 20 });
      expect(keys(stored).sort()).toEqual(keys(batch).sort());
    });

    it('listNotifications() filters by challenge, recipient, kind and status and pages by id', async () => {
      const challenge = await seedChallenge(bench.store, newChallenge());
      const recipient = uniqueId('recipient');
      const seeded = await seedNotifications(bench.store, [
        newNotification({ challengeId: challenge.id, recipient, kind: 'reminder' }),
        newNotification({ challengeId: challenge.id, recipient, kind: 'pending_admin' }),
        newNotification({ challengeId: challenge.id, kind: 'reminder' }),
        newNotification({ recipient, kind: 'reminder' }),
      ]);
      await bench.store.transaction((tx) =>
        tx.completeNotifications([{ id: seeded[0]!.id, status: 'skipped', reason: 'superseded' }], now),
      );

      const byId = (rows: readonly Notification[]) => rows.map((row) => row.id);
      const forChallenge = await bench.store.listNotifications({ challengeId: challenge.id, limit: 10 });
      expect(forChallenge).toHaveLength(3);

      const mine = await bench.store.listNotifications({ challengeId: challenge.id, recipient, limit: 10 });
      expect(new Set(byId(mine))).toEqual(new Set([seeded[0]!.id, seeded[1]!.id]));
      const reminders = await bench.store.listNotifications({ recipient, kind: 'reminder', limit: 10 });
      expect(new Set(byId(reminders))).toEqual(new Set([seeded[0]!.id, seeded[3]!.id]));
      const pending = await bench.store.listNotifications({ recipient, status: ['pending'], limit: 10 });
      expect(new Set(byId(pending))).toEqual(new Set([seeded[1]!.id, seeded[3]!.id]));

      const all = await bench.store.listNotifications({ recipient, limit: 10 });
      const firstPage = await bench.store.listNotifications({ recipient, limit: 2 });
      const secondPage = await bench.store.listNotifications({ recipient, limit: 2, after: firstPage[1]!.id });
      expect(byId([...firstPage, ...secondPage])).toEqual(byId(all));
      expect(all).toHaveLength(3);
    });

    it('claimDueNotifications() leases due notifications earliest dueAt first, up to limit', async () => {
      const recipient = uniqueId('recipient');
      const [later, earliest, notDue, middle] = await seedNotifications(bench.store, [
        newNotification({ recipient, dueAt: at(-MINUTE) }),
        newNotification({ recipient, dueAt: at(-HOUR) }),
        newNotification({ recipient, dueAt: at(MINUTE) }),
        newNotification({ recipient, dueAt: at(-30 * MINUTE) }),
      ]);
      const leaseUntil = at(5 * MINUTE);
      const claimed = await bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 2, leaseUntil }));
      expect(claimed).toEqual([
        { ...earliest, status: 'processing', lockedUntil: leaseUntil },
        { ...middle, status: 'processing', lockedUntil: leaseUntil },
      ]);

      const rest = await bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 10, leaseUntil }));
      expect(keys(rest)).toEqual([later!.key]);
      expect(await bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 10, leaseUntil }))).toEqual(
        [],
      );
      const stored = await bench.store.listNotifications({ recipient, status: ['pending'], limit: 10 });
      expect(keys(stored)).toEqual([notDue!.key]);
    });

    it('claimDueNotifications() re-leases a notification only after its lease expired', async () => {
      const [row] = await seedNotifications(bench.store, [newNotification()]);
      await bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 10, leaseUntil: at(MINUTE) }));
      expect(
        await bench.store.transaction((tx) =>
          tx.claimDueNotifications({ now: at(MINUTE - 1_000), limit: 10, leaseUntil: at(5 * MINUTE) }),
        ),
      ).toEqual([]);
      const again = await bench.store.transaction((tx) =>
        tx.claimDueNotifications({ now: at(MINUTE + 1_000), limit: 10, leaseUntil: at(5 * MINUTE) }),
      );
      expect(again).toEqual([{ ...row, status: 'processing', lockedUntil: at(5 * MINUTE) }]);
    });

    it('claimDueNotifications() never hands the same notification to two concurrent claimers', async () => {
      const recipient = uniqueId('recipient');
      const seeded = await seedNotifications(
        bench.store,
        Array.from({ length: 6 }, (_, i) => newNotification({ recipient, dueAt: at(-(10 - i) * MINUTE) })),
      );
      const leaseUntil = at(MINUTE);
      const first = bench.hold((tx) => tx.claimDueNotifications({ now, limit: 4, leaseUntil }));
      expect(keys(await first.ready)).toEqual(keys(seeded.slice(0, 4)));

      const second = await bench.notBlocked(
        bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 4, leaseUntil })),
        'a notification claim while another transaction holds rows',
      );
      expect(keys(second)).toEqual(keys(seeded.slice(4)));
      await first.commit();
      expect(await bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 10, leaseUntil }))).toEqual(
        [],
      );
    });

    it('completeNotifications() marks processing rows sent and pending or processing rows skipped, once', async () => {
      const [toSend, toSkip, pendingToSend, pendingToSkip] = await seedNotifications(bench.store, [
        newNotification({ dueAt: at(-2 * MINUTE) }),
        newNotification({ dueAt: at(-MINUTE) }),
        newNotification({ dueAt: at(MINUTE) }),
        newNotification({ dueAt: at(2 * MINUTE) }),
      ]);
      await bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 10, leaseUntil: at(MINUTE) }));

      const changed = await bench.store.transaction((tx) =>
        tx.completeNotifications(
          [
            { id: pendingToSkip!.id, status: 'skipped', reason: 'superseded' },
            { id: toSkip!.id, status: 'skipped', reason: 'deadline_passed' },
            { id: pendingToSend!.id, status: 'sent' },
            { id: toSend!.id, status: 'sent' },
            { id: uniqueId('missing'), status: 'sent' },
          ],
          at(10_000),
        ),
      );
      // A pending row is never sent (it is claimed first); the rest changed, ids ascending.
      expect(changed).toEqual([toSend!.id, toSkip!.id, pendingToSkip!.id]);
      const row = async (n: Notification) =>
        (await bench.store.listNotifications({ recipient: n.recipient, limit: 1 }))[0];
      expect(await row(toSend!)).toMatchObject({
        status: 'sent',
        finishedAt: at(10_000),
        lockedUntil: null,
        skipReason: null,
      });
      expect(await row(toSkip!)).toMatchObject({
        status: 'skipped',
        finishedAt: at(10_000),
        lockedUntil: null,
        skipReason: 'deadline_passed',
      });
      expect(await row(pendingToSkip!)).toMatchObject({ status: 'skipped', skipReason: 'superseded' });
      expect(await row(pendingToSend!)).toMatchObject({ status: 'pending', finishedAt: null });

      const again = await bench.store.transaction((tx) =>
        tx.completeNotifications([{ id: toSend!.id, status: 'sent' }], at(30_000)),
      );
      expect(again).toEqual([]);
      expect((await row(toSend!))?.finishedAt).toEqual(at(10_000));
      expect(await bench.store.transaction((tx) => tx.completeNotifications([], now))).toEqual([]);
    });

    it('lastNotificationsSent() says when the latest sent notification reached each recipient, in input order', async () => {
      const challenge = await seedChallenge(bench.store, newChallenge());
      const other = await seedChallenge(bench.store, newChallenge());
      const recipient = uniqueId('recipient');
      const pair = { challengeId: challenge.id, recipient };
      expect(await bench.store.lastNotificationsSent([pair])).toEqual([null]);

      const rows = await seedNotifications(bench.store, [
        newNotification({ challengeId: challenge.id, recipient }),
        newNotification({ challengeId: challenge.id, recipient }),
        newNotification({ challengeId: challenge.id, recipient }),
        newNotification({ challengeId: other.id, recipient }),
      ]);
      await bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 10, leaseUntil: at(HOUR) }));
      await bench.store.transaction(async (tx) => {
        await tx.completeNotifications([{ id: rows[1]!.id, status: 'sent' }], at(5 * MINUTE));
        await tx.completeNotifications([{ id: rows[0]!.id, status: 'sent' }], at(MINUTE));
        await tx.completeNotifications([{ id: rows[2]!.id, status: 'skipped', reason: 'duplicate' }], at(10 * MINUTE));
        await tx.completeNotifications([{ id: rows[3]!.id, status: 'sent' }], at(2 * MINUTE));
      });
      const stranger = { challengeId: challenge.id, recipient: uniqueId('recipient') };
      expect(
        await bench.store.lastNotificationsSent([stranger, pair, { challengeId: other.id, recipient }, pair]),
      ).toEqual([null, at(5 * MINUTE), at(2 * MINUTE), at(5 * MINUTE)]);
      expect(await bench.store.lastNotificationsSent([])).toEqual([]);
    });

    it('failNotification() retries with backoff, then dead-letters; retryFailedNotifications() brings it back', async () => {
      const [row] = await seedNotifications(bench.store, [newNotification()]);
      const claim = (claimNow: Date) =>
        bench.store.transaction((tx) =>
          tx.claimDueNotifications({ now: claimNow, limit: 10, leaseUntil: new Date(claimNow.getTime() + HOUR) }),
        );

      expect(keys(await claim(now))).toEqual([row!.key]);
      expect(
        await bench.store.transaction((tx) =>
          tx.failNotification(row!.id, { error: 'webhook 503', at: now, retryAt: at(MINUTE) }),
        ),
      ).toBe(true);
      const [retrying] = await bench.store.listNotifications({ recipient: row!.recipient, limit: 1 });
      expect(retrying).toMatchObject({ status: 'pending', attempts: 1, availableAt: at(MINUTE), error: 'webhook 503' });

      expect(await claim(at(MINUTE - 1_000))).toEqual([]);
      const [second] = await claim(at(MINUTE));
      expect(second).toMatchObject({ key: row!.key, status: 'processing', attempts: 1 });
      expect(
        await bench.store.transaction((tx) =>
          tx.failNotification(row!.id, { error: 'webhook 410', at: at(MINUTE), retryAt: null }),
        ),
      ).toBe(true);
      const [dead] = await bench.store.listNotifications({ recipient: row!.recipient, limit: 1 });
      expect(dead).toMatchObject({ status: 'failed', attempts: 2, error: 'webhook 410' });
      expect(await claim(at(HOUR))).toEqual([]);

      expect(await bench.store.transaction((tx) => tx.retryFailedNotifications(at(HOUR)))).toBe(1);
      const [revived] = await bench.store.listNotifications({ recipient: row!.recipient, limit: 1 });
      expect(revived).toMatchObject({ status: 'pending', attempts: 0 });
      const [third] = await claim(at(HOUR));
      expect(third?.key).toBe(row!.key);
      expect(
        await bench.store.transaction((tx) => tx.completeNotifications([{ id: row!.id, status: 'sent' }], at(HOUR))),
      ).toEqual([row!.id]);
    });

    it('failNotification() returns false for a notification that is not processing', async () => {
      const [row] = await seedNotifications(bench.store, [newNotification()]);
      const fail = () =>
        bench.store.transaction((tx) => tx.failNotification(row!.id, { error: 'x', at: now, retryAt: null }));
      expect(await fail()).toBe(false);
      await bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 1, leaseUntil: at(MINUTE) }));
      await bench.store.transaction((tx) => tx.completeNotifications([{ id: row!.id, status: 'sent' }], now));
      expect(await fail()).toBe(false);
      expect(
        await bench.store.transaction((tx) =>
          tx.failNotification(uniqueId('missing'), { error: 'x', at: now, retryAt: null }),
        ),
      ).toBe(false);
      const [stored] = await bench.store.listNotifications({ recipient: row!.recipient, limit: 1 });
      expect(stored).toMatchObject({ status: 'sent', attempts: 0 });
    });

    it('retryFailedNotifications() limits itself to one challenge when given', async () => {
      const mine = await seedChallenge(bench.store, newChallenge());
      const other = await seedChallenge(bench.store, newChallenge());
      const rows = await seedNotifications(bench.store, [
        newNotification({ challengeId: mine.id }),
        newNotification({ challengeId: other.id }),
      ]);
      await bench.store.transaction((tx) => tx.claimDueNotifications({ now, limit: 10, leaseUntil: at(MINUTE) }));
      await bench.store.transaction(async (tx) => {
        for (const row of rows) await tx.failNotification(row.id, { error: 'x', at: now, retryAt: null });
      });

      expect(await bench.store.transaction((tx) => tx.retryFailedNotifications(now, mine.id))).toBe(1);
      expect((await bench.store.listNotifications({ challengeId: mine.id, limit: 1 }))[0]?.status).toBe('pending');
      expect((await bench.store.listNotifications({ challengeId: other.id, limit: 1 }))[0]?.status).toBe('failed');
      expect(await bench.store.transaction((tx) => tx.retryFailedNotifications(now))).toBe(1);
    });
  });
}
