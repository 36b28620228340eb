import type { PgPoolClientLike, PgPoolLike, PgQueryConfigLike, PgResultLike } from '@settle/postgres';
import type pg from 'pg';
import type { StatementProfile } from '../statement-profile';
import type { WallTimeClock } from './wall-time-clock';

/** The label under which time spent waiting for a free connection of the pool is filed. */
export const POOL_WAIT = 'wait for a pool connection';

/** Where {@link timedPool} reports what it sees. */
export interface PoolObservers {
  /** Every statement's time under its label, and every checkout's wait under {@link POOL_WAIT}. */
  readonly profile: StatementProfile;
  /** Rows each label's statements returned or changed, summed. */
  readonly rows: Map<string, number>;
  /** Told when a statement or a checkout starts and ends. */
  readonly clock: WallTimeClock;
}

/**
 * `pool` with every statement timed (SQL text and prepared statements alike), like
 * {@link StatementProfile.wrap}, except that the wait for a free connection is filed apart (under
 * {@link POOL_WAIT}), so a statement's own time is not lost in queueing, and the rows of each
 * label are counted: rows per claim show how full the Notifier's batches were.
 */
export function timedPool(pool: pg.Pool, { profile, rows, clock }: PoolObservers): PgPoolLike {
  const checkOut = async (): Promise<pg.PoolClient> => {
    const started = performance.now();
    clock.begin('statement');
    try {
      return await pool.connect();
    } finally {
      clock.end('statement');
      profile.record(POOL_WAIT, performance.now() - started);
    }
  };
  const timed = async (client: pg.PoolClient, query: string | PgQueryConfigLike, values?: unknown[]) => {
    const sql = typeof query === 'string' ? query : query.text;
    const started = performance.now();
    clock.begin('statement');
    let changed: number | null = null;
    try {
      const result: PgResultLike = await (typeof query === 'string'
        ? client.query(query, values)
        : client.query({ name: query.name, text: query.text, values: query.values }));
      // A COMMIT carrying pg_notify calls answers with one result per statement, without a count.
      changed = result.rowCount ?? null;
      return result;
    } finally {
      clock.end('statement');
      const label = profile.label(sql, changed);
      profile.record(label, performance.now() - started);
      rows.set(label, (rows.get(label) ?? 0) + (changed ?? 0));
    }
  };
  return {
    query: async (query: string | PgQueryConfigLike, values?: unknown[]) => {
      const client = await checkOut();
      let result: PgResultLike;
      try {
        result = await timed(client, query, values);
      } catch (error) {
        // As pg's own pool.query does: a client whose statement failed is not trusted again.
        client.release(error as Error);
        throw error;
      }
      client.release();
      return result;
    },
    connect: async (): Promise<PgPoolClientLike> => {
      const client = await checkOut();
      return {
        query: (query: string | PgQueryConfigLike, values?: unknown[]) => timed(client, query, values),
        release: (destroy) => client.release(destroy),
        on: client.on.bind(client) as PgPoolClientLike['on'],
        removeListener: client.removeListener.bind(client) as PgPoolClientLike['removeListener'],
      };
    },
  };
}
