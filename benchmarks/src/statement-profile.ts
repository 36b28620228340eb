import type { PgPoolClientLike, PgPoolLike, PgQueryConfigLike } from '@settle/postgres';
import type pg from 'pg';

/** Round trips of one kind of statement. */
export interface StatementTiming {
  readonly label: string;
  readonly count: number;
  /** Wall time from sending the statement to its result, summed, ms: network, parse, plan, execute. */
  readonly totalMs: number;
}

/**
 * Files a statement under a label, from its SQL text and the rows it returned or changed (null
 * when it failed): `rows` tells a conditional update that won from one that matched nothing.
 */
export type ClassifyStatement = (sql: string, rows: number | null) => string;

/**
 * Where a store's time goes: a pool wrapper (the {@link PgPoolLike} PostgresStore accepts) that
 * times every statement and files it under the label `classify` gives it. The wrapper costs
 * microseconds per statement.
 */
export class StatementProfile {
  private readonly timings = new Map<string, { count: number; totalMs: number }>();

  constructor(private readonly classify: ClassifyStatement) {}

  /** `pool`, with every statement timed (on the pool and on checked-out clients). */
  wrap(pool: pg.Pool): PgPoolLike {
    return {
      query: (query: string | PgQueryConfigLike, values?: unknown[]) =>
        this.time(textOf(query), () => pool.query(query, values)),
      connect: async (): Promise<PgPoolClientLike> => {
        const client = await pool.connect();
        return {
          query: (query: string | PgQueryConfigLike, values?: unknown[]) =>
            this.time(textOf(query), () => client.query(query, values)),
          release: (destroy) => client.release(destroy),
          on: client.on.bind(client) as PgPoolClientLike['on'],
          removeListener: client.removeListener.bind(client) as PgPoolClientLike['removeListener'],
        };
      },
    };
  }

  /** Forgets every timing so far. */
  reset(): void {
    this.timings.clear();
  }

  /** Timings so far, the most expensive first. */
  results(): StatementTiming[] {
    return [...this.timings.entries()]
      .map(([label, t]) => ({ label, count: t.count, totalMs: t.totalMs }))
      .sort((a, b) => b.totalMs - a.totalMs);
  }

  /** The label a statement with this SQL and this row count is filed under. */
  label(sql: string, rows: number | null): string {
    return this.classify(sql, rows);
  }

  /** Adds one statement of `ms` under `label`. */
  record(label: string, ms: number): void {
    const timing = this.timings.get(label) ?? { count: 0, totalMs: 0 };
    timing.count += 1;
    timing.totalMs += ms;
    this.timings.set(label, timing);
  }

  private async time<R extends { rowCount?: number | null }>(sql: string, run: () => Promise<R>): Promise<R> {
    const started = performance.now();
    let rows: number | null = null;
    try {
      const result = await run();
      rows = result.rowCount ?? null;
      return result;
    } finally {
      this.record(this.classify(sql, rows), performance.now() - started);
    }
  }
}

/** The SQL of a statement as PostgresStore sends it: text, or a prepared statement's config. */
export function textOf(query: string | PgQueryConfigLike): string {
  return typeof query === 'string' ? query : query.text;
}
