import type { StoreEvent, StoreEventListener } from '@settle/core';
import { createDeferred, type Deferred } from './deferred';
import { withWatchdog } from './watchdog';

/**
 * A subscription listener that keeps the events carrying one test's `tag` and lets the test wait
 * for a given event instead of sleeping.
 *
 * @internal
 */
export interface EventRecorder {
  readonly listener: StoreEventListener;
  /** Events of this test, in delivery order. */
  readonly events: StoreEvent[];
  /** Resolves with the first event (already received or still to come) named `name`. */
  waitFor(name: string, timeoutMs: number): Promise<StoreEvent>;
}

/** @internal */
export function createEventRecorder(tag: string): EventRecorder {
  const events: StoreEvent[] = [];
  const waiting = new Map<string, Deferred<StoreEvent>>();
  const ours = (event: StoreEvent) =>
    typeof event.data === 'object' && event.data !== null && !Array.isArray(event.data) && event.data.tag === tag;
  return {
    events,
    listener: {
      event(event) {
        if (!ours(event)) return;
        events.push(event);
        waiting.get(event.name)?.resolve(event);
      },
    },
    waitFor(name, timeoutMs) {
      const seen = events.find((event) => event.name === name);
      if (seen !== undefined) return Promise.resolve(seen);
      const deferred = waiting.get(name) ?? createDeferred<StoreEvent>();
      waiting.set(name, deferred);
      return withWatchdog(deferred.promise, timeoutMs, `delivery of event ${name}`);
    },
  };
}
