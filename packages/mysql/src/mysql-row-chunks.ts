/*
 * Bulk INSERTs must fit in one packet: the server refuses a statement longer than its
 * `max_allowed_packet`. Rows are grouped into as few statements as fit, never one per row.
 */

/** Bytes kept free in every statement for its text around the VALUES list. */
const STATEMENT_OVERHEAD = 4_096;

/**
 * An upper bound of a value's bytes in the statement text: every character of a string may be
 * escaped (doubled), plus quotes and a separator.
 */
function valueBytes(value: unknown): number {
  if (value === null || value === undefined) return 6;
  if (typeof value === 'string') return 2 * Buffer.byteLength(value, 'utf8') + 4;
  return 2 * String(value).length + 4;
}

/**
 * `rows` split into consecutive chunks whose VALUES lists each fit in `maxAllowedPacket` bytes, in
 * their original order (so AUTO_INCREMENT ids ascend in input order across chunks too).
 *
 * @internal
 */
export function chunkRows<R extends readonly unknown[]>(rows: readonly R[], maxAllowedPacket: number): R[][] {
  const budget = Math.max(maxAllowedPacket - STATEMENT_OVERHEAD, 1_024);
  const chunks: R[][] = [];
  let chunk: R[] = [];
  let bytes = 0;
  for (const row of rows) {
    let size = 4;
    for (const value of row) size += valueBytes(value);
    if (chunk.length > 0 && bytes + size > budget) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(row);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/**
 * `items` as JSON arrays (the text of each), in their original order, each short enough that a
 * statement carrying it as a string parameter fits in `maxAllowedPacket` bytes: one array when
 * the whole list fits, as it does for a 10,000-entry job at the servers' defaults.
 *
 * @internal
 */
export function chunkJsonArray(items: readonly unknown[], maxAllowedPacket: number): string[] {
  const whole = JSON.stringify(items);
  // Escaped into the statement, every byte of the JSON takes at most two.
  if (2 * Buffer.byteLength(whole, 'utf8') + STATEMENT_OVERHEAD <= maxAllowedPacket) return [whole];
  const rows = items.map((item) => [JSON.stringify(item)] as const);
  return chunkRows(rows, maxAllowedPacket).map((chunk) => `[${chunk.map(([json]) => json).join(',')}]`);
}
