import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { SyntheticEntry } from '../synthetic-entries';
import type { RawPayoutTables } from './raw-payout-tables';

/** Rows per chunk written to the COPY stream: large enough that stream overhead vanishes, small enough to stay flat. */
const COPY_CHUNK_ROWS = 1_000;

/**
 * The hand-written way to create a payout job: in one transaction, insert the job row, then stream
 * its entries with `COPY … FROM STDIN` (text format). This is the floor the enqueue path is
 * measured against. Returns the job id.
 */
export async function copyPayoutJob(
  pool: pg.Pool,
  tables: RawPayoutTables,
  entries: readonly SyntheticEntry[],
): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  let total = 0n;
  for (const entry of entries) total += entry.amount;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(
      `INSERT INTO ${tables.jobs} (id, challenge_id, status, priority, total_entries, total_amount, metadata, created_at, updated_at)
       VALUES ($1, NULL, 'queued', 0, $2, $3, '{}', $4, $4)`,
      [id, entries.length, total.toString(), now],
    );
    const copy = client.query(
      copyFrom(`COPY ${tables.entries} (job_id, user_id, amount, status, available_at) FROM STDIN`),
    );
    await pipeline(Readable.from(copyRows(id, now.toISOString(), entries)), copy);
    await client.query('COMMIT');
    return id;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** COPY text-format lines in chunks; user ids are `user-NNNNNNN`, so nothing needs escaping. */
function* copyRows(jobId: string, availableAt: string, entries: readonly SyntheticEntry[]): Generator<string> {
  for (let start = 0; start < entries.length; start += COPY_CHUNK_ROWS) {
    let chunk = '';
    const end = Math.min(start + COPY_CHUNK_ROWS, entries.length);
    for (let i = start; i < end; i++) {
      const entry = entries[i]!;
      chunk += `${jobId}\t${entry.userId}\t${entry.amount}\tpending\t${availableAt}\n`;
    }
    yield chunk;
  }
}
