import type { JsonValue, StoreEvent } from '@settle/core';

/**
 * Postgres refuses a NOTIFY payload of 8000 bytes or more. An event whose JSON is longer is kept in
 * the events table and the notification carries only its row id (`{"name", "ref"}`); subscribers
 * read it back from there. Events are small in practice (a progress event is about 150 bytes).
 *
 * @internal
 */
export const MAX_NOTIFY_PAYLOAD_BYTES = 7999;

/** A notification's JSON: the event itself, or a reference to the events table. */
type WirePayload = { name: string; data: JsonValue } | { name: string; ref: string };

/**
 * The NOTIFY payload of `event`; `store` keeps an oversized event's JSON and returns its row id.
 *
 * @internal
 */
export async function encodeEvent(event: StoreEvent, store: (json: string) => Promise<string>): Promise<string> {
  const json = JSON.stringify({ name: event.name, data: event.data } satisfies WirePayload);
  if (Buffer.byteLength(json, 'utf8') <= MAX_NOTIFY_PAYLOAD_BYTES) return json;
  return JSON.stringify({ name: event.name, ref: await store(json) } satisfies WirePayload);
}

/**
 * The event a NOTIFY payload carries, reading an oversized one through `load` (null once it
 * expired); null for a payload Settle did not write.
 *
 * @internal
 */
export async function decodeEvent(
  payload: string,
  load: (ref: string) => Promise<string | null>,
): Promise<StoreEvent | null> {
  const wire = parse(payload);
  if (wire === null) return null;
  if ('data' in wire) return { name: wire.name, data: wire.data };
  const json = await load(wire.ref);
  const stored = json === null ? null : parse(json);
  return stored !== null && 'data' in stored ? { name: stored.name, data: stored.data } : null;
}

function parse(json: string): WirePayload | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.name !== 'string') return null;
  if ('data' in record) return { name: record.name, data: record.data as JsonValue };
  if (typeof record.ref === 'string') return { name: record.name, ref: record.ref };
  return null;
}
