import type { Store } from '../store/store';

/**
 * An in-process hint that a deadline was created or moved: every `Challenges` and `Scheduler`
 * built on the same `Store` object share one, so a scheduler wakes at once for
 * changes made in its own process, with nothing to wire up. Other processes are heard through
 * `Store.subscribe` or the capped poll; correctness never depends on this signal.
 *
 * @internal
 */
export interface DeadlineSignal {
  /** Tells every listener that the earliest deadline may have changed. */
  notify(): void;
  /** Calls `listener` on every {@link DeadlineSignal.notify}; returns the function that stops it. */
  listen(listener: () => void): () => void;
}

const signals = new WeakMap<Store, DeadlineSignal>();

/**
 * The signal shared by everything in this process that uses `store`.
 *
 * @internal
 */
export function deadlineSignal(store: Store): DeadlineSignal {
  let signal = signals.get(store);
  if (!signal) {
    const listeners = new Set<() => void>();
    signal = {
      notify() {
        for (const listener of listeners) listener();
      },
      listen(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    signals.set(store, signal);
  }
  return signal;
}

/** Name of the store event that announces a new or moved deadline to schedulers in other processes. */
export const DEADLINE_CHANGED_EVENT = 'challenge.deadline_changed';
