import type { PgPoolClientLike, PgPoolLike } from '@settle/postgres';
import type pg from 'pg';

/** Round trips of one kind of statement. */
export interface StatementTiming {
  readonly label: string;
  readonly count: number;
  /** Wall time from sending the statement to its result, summed, ms: network, parse, plan, execute. */
  readonly totalMs: number;
}

/**
 * Where a store's time goes: a pool wrapper (the {@link PgPoolLike} PostgresStore accepts) that
 * times every statement and files it under the label `classify` gives its SQL text. Used for a
 * separate profiling pass only, so the timed rounds run on the bare pool.
 */
export class StatementProfile {
  private readonly timings = new Map<string, { count: number; totalMs: number }>();

  constructor(private readonly classify: (sql: string) => string) {}

  /** `pool`, with every statement timed (on the pool and on checked-out clients). */
  wrap(pool: pg.Pool): PgPoolLike {
    return {
      query: (text, values) => this.time(text, () => pool.query(text, values)),
      connect: async (): Promise<PgPoolClientLike> => {
        const client = await pool.connect();
        return {
          query: (text, values) => this.time(text, () => client.query(text, values)),
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

  private async time<R>(sql: string, run: () => Promise<R>): Promise<R> {
    const started = performance.now();
    try {
      return await run();
    } finally {
      const label = this.classify(sql);
      const timing = this.timings.get(label) ?? { count: 0, totalMs: 0 };
      timing.count += 1;
      timing.totalMs += performance.now() - started;
      this.timings.set(label, timing);
    }
  }
}

/** Names PostgresStore's statements on the payout path by a phrase of their SQL (the generated SQL carries no file names). */
export function classifySettleStatement(sql: string): string {
  const text = sql.trimStart();
  if (text.startsWith('BEGIN')) return 'BEGIN';
  if (text.startsWith('COMMIT')) return 'COMMIT';
  if (text.includes('pg_notify')) return 'publish events (notify-events.sql)';
  const claims = text.includes('FOR UPDATE OF e SKIP LOCKED');
  const completes = text.includes("SET status = 'completed'");
  if (claims && completes) return 'claim and complete batch (pay-batch.sql)';
  if (claims) return 'pick job, claim entries (claim-batch.sql)';
  if (completes) return 'complete batch (complete-entries.sql)';
  if (text.includes('WITH input AS') && text.includes('payout_jobs'))
    return 'insert job and entries (create-payout-job.sql)';
  return 'other';
}
