import type { StoreEvent, Subscription } from '@settle/core';
import { describe, expect, it } from 'vitest';
import type { ConformanceContext } from './conformance-context';
import { createEventRecorder } from './event-recorder';
import { uniqueId } from './sample-data';

/**
 * `publish()` and `subscribe()`: events reach subscribers after commit, in order, never after a
 * rollback, and not after the subscription closed.
 *
 * @internal
 */
export function registerEventTests(ctx: ConformanceContext): void {
  describe('events', () => {
    const bench = ctx.useStore();

    it('publish() succeeds in a committed transaction whether or not anyone subscribed', async () => {
      await bench.store.transaction((tx) => tx.publish({ name: 'conformance.lonely', data: { tag: uniqueId('tag') } }));
    });

    it('capabilities.pushEvents is only true for a store with subscribe()', () => {
      if (bench.store.capabilities.pushEvents) expect(typeof bench.store.subscribe).toBe('function');
    });
  });

  if (ctx.options.subscribe === false) return;

  describe('events: subscribe()', () => {
    const bench = ctx.useStore();
    const subscriptions: Subscription[] = [];

    /** Subscribes, or skips the test when the store has no `subscribe` and the options left it undecided. */
    const subscribe = async (recorder: ReturnType<typeof createEventRecorder>, skip: () => void) => {
      const { store } = bench;
      if (store.subscribe === undefined) {
        if (ctx.options.subscribe === undefined) skip();
        expect.fail('ConformanceOptions.subscribe is true but the store has no subscribe()');
      }
      const subscription = await store.subscribe(recorder.listener);
      subscriptions.push(subscription);
      return subscription;
    };
    const closeAll = async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.close()));
    };

    it('subscribe() delivers committed events with their JSON payload', async (test) => {
      const tag = uniqueId('tag');
      const recorder = createEventRecorder(tag);
      try {
        await subscribe(recorder, () => test.skip());
        const data = { tag, amount: '9007199254740993', ok: true, none: null, list: [1, 'two', { three: 3 }] };
        await bench.store.transaction((tx) => tx.publish({ name: 'conformance.payload', data }));
        const event = await recorder.waitFor('conformance.payload', ctx.options.eventTimeoutMs);
        expect(event).toEqual({ name: 'conformance.payload', data });
      } finally {
        await closeAll();
      }
    });

    it('subscribe() never delivers events published in a rolled-back transaction', async (test) => {
      const tag = uniqueId('tag');
      const recorder = createEventRecorder(tag);
      try {
        await subscribe(recorder, () => test.skip());
        const failure = new Error('rolled back');
        await expect(
          bench.store.transaction(async (tx) => {
            await tx.publish({ name: 'conformance.rolled-back', data: { tag } });
            throw failure;
          }),
        ).rejects.toBe(failure);
        // A later committed event from the same publisher is the marker: once it arrived, the
        // rolled-back one, published earlier, would have arrived too.
        await bench.store.transaction((tx) => tx.publish({ name: 'conformance.marker', data: { tag } }));
        await recorder.waitFor('conformance.marker', ctx.options.eventTimeoutMs);
        expect(recorder.events.map((event) => event.name)).toEqual(['conformance.marker']);
      } finally {
        await closeAll();
      }
    });

    it('subscribe() delivers an event only after its transaction commits', async (test) => {
      const tag = uniqueId('tag');
      const recorder = createEventRecorder(tag);
      try {
        await subscribe(recorder, () => test.skip());
        const open = bench.hold((tx) => tx.publish({ name: 'conformance.held', data: { tag } }));
        await open.ready;
        await bench.store.transaction((tx) => tx.publish({ name: 'conformance.marker', data: { tag } }));
        await recorder.waitFor('conformance.marker', ctx.options.eventTimeoutMs);
        expect(recorder.events.map((event) => event.name)).toEqual(['conformance.marker']);

        await open.commit();
        await recorder.waitFor('conformance.held', ctx.options.eventTimeoutMs);
        expect(recorder.events.map((event) => event.name)).toEqual(['conformance.marker', 'conformance.held']);
      } finally {
        await closeAll();
      }
    });

    it('subscribe() delivers one publisher’s events in commit order', async (test) => {
      const tag = uniqueId('tag');
      const recorder = createEventRecorder(tag);
      try {
        await subscribe(recorder, () => test.skip());
        const sent: StoreEvent[] = [];
        for (let n = 0; n < 5; n += 1) {
          const event = { name: `conformance.ordered.${n}`, data: { tag, n } };
          await bench.store.transaction(async (tx) => {
            await tx.publish(event);
            if (n === 2) await tx.publish({ name: 'conformance.ordered.2b', data: { tag, n: 2.5 } });
          });
          sent.push(event);
          if (n === 2) sent.push({ name: 'conformance.ordered.2b', data: { tag, n: 2.5 } });
        }
        await recorder.waitFor('conformance.ordered.4', ctx.options.eventTimeoutMs);
        expect(recorder.events).toEqual(sent);
      } finally {
        await closeAll();
      }
    });

    it('Subscription.close() stops delivery', async (test) => {
      const tag = uniqueId('tag');
      const closed = createEventRecorder(tag);
      const open = createEventRecorder(tag);
      try {
        const subscription = await subscribe(closed, () => test.skip());
        await subscribe(open, () => test.skip());
        subscriptions.splice(subscriptions.indexOf(subscription), 1);
        await subscription.close();
        await bench.store.transaction((tx) => tx.publish({ name: 'conformance.after-close', data: { tag } }));
        await open.waitFor('conformance.after-close', ctx.options.eventTimeoutMs);
        expect(closed.events).toEqual([]);
      } finally {
        await closeAll();
      }
    });
  });
}
