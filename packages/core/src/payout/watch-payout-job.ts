import type { PayoutJobId } from '../domain/payout';
import { NotFoundError } from '../errors';
import type { Store, StoreEvent } from '../store/store';
import type { Clock } from '../time/clock';
import { finishedEvent, type PayoutEvent, progressEvent } from './payout-events';

const FINAL_EVENTS: ReadonlySet<string> = new Set(['payout.completed', 'payout.failed', 'payout.cancelled']);

/** What {@link watchPayoutJob} needs. */
export interface WatchPayoutJobOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly jobId: PayoutJobId;
  /** Poll period when the store cannot push events. */
  readonly pollIntervalMs: number;
  readonly signal?: AbortSignal;
}

function isEventOf(event: StoreEvent, jobId: PayoutJobId): boolean {
  const data = event.data;
  return (
    event.name.startsWith('payout.') &&
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data) &&
    data.jobId === jobId
  );
}

/**
 * A job's events from every process, as an async iterator: first a `payout.progress` snapshot, then
 * each event as it commits, ending after `payout.completed`, `payout.failed` or `payout.cancelled`
 * (or when `signal` aborts). It subscribes before reading the snapshot so nothing falls in between;
 * after a reconnect, or on a store without `subscribe`, it re-reads the job instead.
 */
export async function* watchPayoutJob(options: WatchPayoutJobOptions): AsyncGenerator<PayoutEvent> {
  const { store, jobId, signal } = options;
  const pending: PayoutEvent[] = [];
  let wake: (() => void) | null = null;
  const push = (event: PayoutEvent | null) => {
    if (!event) return;
    pending.push(event);
    wake?.();
  };
  const snapshot = async () => {
    const job = await store.getPayoutJob(jobId);
    if (!job) throw new NotFoundError('payout_job', jobId);
    push(progressEvent(job));
    push(finishedEvent(job));
  };
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort);

  const subscription = store.subscribe
    ? await store.subscribe({
        event: (event) => {
          if (isEventOf(event, jobId)) push(event as unknown as PayoutEvent);
        },
        reconnected: () => void snapshot().catch(() => undefined),
      })
    : null;
  try {
    await snapshot();
    let lastProgress = '';
    while (!signal?.aborted) {
      const event = pending.shift();
      if (event) {
        if (event.name === 'payout.progress') {
          // A snapshot can repeat what an event already said; skip exact repeats.
          const key = JSON.stringify(event.data);
          if (key === lastProgress) continue;
          lastProgress = key;
        }
        yield event;
        if (FINAL_EVENTS.has(event.name)) return;
        continue;
      }
      if (subscription) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      } else {
        await options.clock.sleep(options.pollIntervalMs, signal);
        await snapshot();
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await subscription?.close();
  }
}
