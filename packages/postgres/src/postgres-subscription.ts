import type { StoreEvent, StoreEventListener, Subscription } from '@settle/core';
import type { PostgresDriver } from './postgres-driver';
import { decodeEvent } from './postgres-event-payload';
import type { PostgresSql } from './postgres-sql';

/**
 * Delivers the store's NOTIFY events to `listener`. Notifications are handled one after another
 * (an oversized event is read back from the events table before the next one is handed over), so
 * the listener sees them in the order Postgres delivered them: commit order.
 *
 * @internal
 */
export async function subscribeToEvents(
  driver: PostgresDriver,
  sql: PostgresSql,
  listener: StoreEventListener,
): Promise<Subscription> {
  let closed = false;
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (step: () => Promise<void> | void) => {
    queue = queue.then(step).catch(() => undefined);
  };
  const loadLargeEvent = async (ref: string): Promise<string | null> => {
    const { rows } = await driver.query<{ payload: string }>(sql.statement('getLargeEvent'), [ref]);
    return rows[0]?.payload ?? null;
  };
  const handle = await driver.listen(sql.channel, {
    notification(payload) {
      enqueue(async () => {
        const event = await decodeEvent(payload, loadLargeEvent);
        if (event !== null && !closed) deliver(listener, event);
      });
    },
    reconnected() {
      enqueue(() => {
        if (!closed) listener.reconnected?.();
      });
    },
  });
  return {
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}

/** A listener that throws hurts no other delivery; its error surfaces as an uncaught exception, as with MemoryStore. */
function deliver(listener: StoreEventListener, event: StoreEvent): void {
  try {
    listener.event(event);
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
