import type { NewInboxMessage } from '@settle/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { createDeferred } from './deferred';
import { at, MINUTE, REFERENCE_TIME } from './reference-time';
import { uniqueId } from './sample-data';

function newInboxMessage(overrides: Partial<NewInboxMessage> = {}): NewInboxMessage {
  return {
    notificationId: uniqueId('notification'),
    userId: uniqueId('user'),
    kind: 'reminder',
    challengeId: null,
    title: '1 hour left',
    body: '"Conformance challenge" closes at 13:00.',
    createdAt: REFERENCE_TIME,
    ...overrides,
  };
}

/**
 * The in-app inbox: messages unique per notification, listed newest first, marked read per user.
 *
 * @internal
 */
export function registerInboxTests(ctx: ConformanceContext): void {
  describe('inbox', () => {
    const bench = ctx.useStore();

    it('addInboxMessages() stores unread messages and listInbox() returns them newest first', async () => {
      const userId = uniqueId('user');
      const first = newInboxMessage({ userId, challengeId: 'c-1', title: 'First', createdAt: at(-MINUTE) });
      const second = newInboxMessage({ userId, kind: 'payout_completed', title: 'Second' });
      const someoneElse = newInboxMessage();
      expect(await bench.store.transaction((tx) => tx.addInboxMessages([first, second, someoneElse]))).toBe(3);

      const inbox = await bench.store.listInbox(userId, { limit: 10 });
      expect(inbox.map((m) => m.title)).toEqual(['Second', 'First']);
      expect(inbox[1]).toEqual({ ...first, id: inbox[1]!.id, readAt: null });
      expect(typeof inbox[0]!.id).toBe('string');
      expect(await bench.store.listInbox(uniqueId('user'), { limit: 10 })).toEqual([]);
    });

    it('addInboxMessages() skips a notification already in the inbox, within one call and across calls', async () => {
      const message = newInboxMessage();
      expect(await bench.store.transaction((tx) => tx.addInboxMessages([message, { ...message }]))).toBe(1);
      expect(await bench.store.transaction((tx) => tx.addInboxMessages([{ ...message, title: 'Again' }]))).toBe(0);
      const inbox = await bench.store.listInbox(message.userId, { limit: 10 });
      expect(inbox.map((m) => m.title)).toEqual([message.title]);
    });

    it('addInboxMessages() inserts a notification once when two transactions add it concurrently', async () => {
      const message = newInboxMessage();
      const first = bench.hold((tx) => tx.addInboxMessages([message]));
      expect(await first.ready).toBe(1);
      const secondStarted = createDeferred();
      const second = bench.store.transaction(async (tx) => {
        const inserted = tx.addInboxMessages([message]);
        secondStarted.resolve();
        return inserted;
      });
      await secondStarted.promise;
      await first.commit();
      expect(await second).toBe(0);
      expect(await bench.store.listInbox(message.userId, { limit: 10 })).toHaveLength(1);
    });

    it('listInbox() pages backwards with before and filters unread messages', async () => {
      const userId = uniqueId('user');
      const titles = ['m1', 'm2', 'm3', 'm4', 'm5'];
      for (const title of titles) {
        await bench.store.transaction((tx) => tx.addInboxMessages([newInboxMessage({ userId, title })]));
      }
      const page1 = await bench.store.listInbox(userId, { limit: 2 });
      const page2 = await bench.store.listInbox(userId, { limit: 2, before: page1.at(-1)!.id });
      const page3 = await bench.store.listInbox(userId, { limit: 2, before: page2.at(-1)!.id });
      expect([...page1, ...page2, ...page3].map((m) => m.title)).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);

      const read = page1.map((m) => m.id);
      expect(await bench.store.transaction((tx) => tx.markInboxRead(userId, read, at(MINUTE)))).toBe(2);
      const unread = await bench.store.listInbox(userId, { limit: 10, unreadOnly: true });
      expect(unread.map((m) => m.title)).toEqual(['m3', 'm2', 'm1']);
      const all = await bench.store.listInbox(userId, { limit: 10 });
      expect(all.filter((m) => m.readAt !== null).map((m) => [m.title, m.readAt])).toEqual([
        ['m5', at(MINUTE)],
        ['m4', at(MINUTE)],
      ]);
    });

    it("markInboxRead() changes only the user's unread messages and 'all' reads the rest", async () => {
      const userId = uniqueId('user');
      const other = newInboxMessage();
      await bench.store.transaction((tx) =>
        tx.addInboxMessages([newInboxMessage({ userId }), newInboxMessage({ userId }), other]),
      );
      const [newest, oldest] = await bench.store.listInbox(userId, { limit: 10 });
      const [otherMessage] = await bench.store.listInbox(other.userId, { limit: 10 });

      expect(
        await bench.store.transaction((tx) => tx.markInboxRead(userId, [newest!.id, otherMessage!.id], at(MINUTE))),
      ).toBe(1);
      expect(await bench.store.transaction((tx) => tx.markInboxRead(userId, [newest!.id], at(2 * MINUTE)))).toBe(0);
      expect(await bench.store.transaction((tx) => tx.markInboxRead(userId, [], at(2 * MINUTE)))).toBe(0);
      expect(await bench.store.transaction((tx) => tx.markInboxRead(userId, 'all', at(3 * MINUTE)))).toBe(1);

      const inbox = await bench.store.listInbox(userId, { limit: 10 });
      expect(inbox.map((m) => [m.id, m.readAt])).toEqual([
        [newest!.id, at(MINUTE)],
        [oldest!.id, at(3 * MINUTE)],
      ]);
      expect((await bench.store.listInbox(other.userId, { limit: 10 }))[0]!.readAt).toBeNull();
    });
  });
}
