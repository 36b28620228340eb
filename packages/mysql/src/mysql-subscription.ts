import type { JsonValue, StoreEvent, StoreEventListener, Subscription } from '@settle/core';
import type { MySqlQueryable } from './mysql-driver';
import type { Int8 } from './mysql-rows';
import type { MySqlSql } from './mysql-sql';

/** Events read per poll; a full page is followed by another poll at once. */
const POLL_PAGE = 1_000;

/** Ids below the newest at subscription time that are checked for late commits. */
const STARTUP_LOOKBACK = 256;

/**
 * How long an id skipped by the events table (taken by a transaction that had not committed when
 * a later one did) is watched for. A transaction open longer than this that publishes an event is
 * missed; a rolled-back one leaves its id behind for good, which this bounds.
 */
const GAP_TIMEOUT_MS = 5 * 60_000;

/** At most this many skipped ids are watched; the oldest are dropped first. */
const MAX_GAPS = 10_000;

/** Settings of {@link pollEvents}. @internal */
export interface EventPollSettings {
  readonly intervalMs: number;
  /** The current time, for gap expiry. */
  readonly now: () => number;
}

/**
 * Delivers the store's committed events to `listener` by polling the events table. A high-water
 * mark (the highest id delivered) makes every event arrive once: a failed poll, a dropped
 * connection or a pool that reconnects leave the mark where it was, and the next successful poll
 * picks up from there. AUTO_INCREMENT ids are taken at insert and become visible at commit, so an
 * id below the mark that is missing may still commit: such gaps are polled for too, for a while.
 *
 * @internal
 */
export async function pollEvents(
  queryable: MySqlQueryable,
  sql: MySqlSql,
  listener: StoreEventListener,
  settings: EventPollSettings,
): Promise<Subscription> {
  const recent = (await queryable.query<{ id: Int8 }>(sql.statement('recentEventIds'), [STARTUP_LOOKBACK])).rows;
  const ids = recent.map((row) => BigInt(row.id));
  let mark = ids[0] ?? 0n;
  /** Skipped ids and when they were first seen missing. */
  const gaps = new Map<bigint, number>();
  const present = new Set(ids);
  const lowest = ids.at(-1);
  if (lowest !== undefined) {
    const since = settings.now();
    for (let id = lowest + 1n; id < mark; id++) if (!present.has(id)) gaps.set(id, since);
  }

  let closed = false;
  let failing = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const pollOnce = async (): Promise<boolean> => {
    const now = settings.now();
    for (const [id, since] of gaps) if (now - since > GAP_TIMEOUT_MS) gaps.delete(id);
    const watched = gaps.size === 0 ? null : [...gaps.keys()].map(String);
    const { rows } = await queryable.query<{ id: Int8; name: string; payload: string }>(sql.statement('pollEvents'), [
      mark.toString(),
      watched,
      POLL_PAGE,
    ]);
    for (const row of rows) {
      if (closed) return false;
      const id = BigInt(row.id);
      if (id > mark) {
        const from = id - mark > BigInt(MAX_GAPS) ? id - BigInt(MAX_GAPS) : mark + 1n;
        for (let skipped = from; skipped < id; skipped++) gaps.set(skipped, now);
        mark = id;
      } else if (!gaps.delete(id)) {
        continue;
      }
      deliver(listener, { name: row.name, data: JSON.parse(row.payload) as JsonValue });
    }
    while (gaps.size > MAX_GAPS) gaps.delete(gaps.keys().next().value as bigint);
    return rows.length === POLL_PAGE;
  };

  const tick = async () => {
    try {
      while (!closed && (await pollOnce()));
      if (failing && !closed) {
        failing = false;
        listener.reconnected?.();
      }
    } catch {
      // The database is unreachable: keep the mark and try again on the next tick.
      failing = true;
    }
    if (!closed) timer = setTimeout(schedule, settings.intervalMs);
  };
  const schedule = () => {
    running = tick();
  };
  timer = setTimeout(schedule, settings.intervalMs);

  return {
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      await running;
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
