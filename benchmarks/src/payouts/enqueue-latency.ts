import { PayoutQueue } from '@settle/core';
import type { PostgresBenchDatabase } from '../postgres-bench-database';
import type { BenchProgress } from '../progress';
import { StatementProfile, type StatementTiming } from '../statement-profile';
import { type Summary, summarize } from '../stats';
import { type SyntheticEntry, syntheticEntries } from '../synthetic-entries';
import { copyPayoutJob } from './copy-payout-job';
import type { PayoutsConfig } from './payouts-config';
import { createRawPayoutTables } from './raw-payout-tables';
import { classifySettleStatement } from './settle-statements';

/** Where Settle's enqueue spends its time, from a separate profiled pass. */
export interface EnqueueProfile {
  readonly jobs: number;
  /** Wall time of all profiled enqueues, ms. */
  readonly wallMs: number;
  readonly statements: readonly StatementTiming[];
}

/** What the enqueue-latency benchmark measured. */
export interface EnqueueLatencyResult {
  /** Entries per job. */
  readonly entries: number;
  readonly warmup: number;
  readonly iterations: number;
  /** `PayoutQueue.enqueue` on a PostgresStore, ms per job. */
  readonly settle: Summary;
  /** One transaction: INSERT of the job row, then `COPY … FROM STDIN` of its entries, ms per job. */
  readonly copy: Summary;
  /** The same COPY into a table whose entries have no foreign key to the job: what that check costs. */
  readonly copyWithForeignKey: Summary;
  readonly profile: EnqueueProfile;
}

const PROFILED_JOBS = 5;

/**
 * Times the creation of a job of `config.enqueue.entries` entries, `enqueue` against hand-written
 * COPY into tables with the same indexes (and, as a diagnostic, COPY with the entries' foreign key
 * to their job that Settle's schema had before migration 0003). All are timed the same way: wall time from the call to its resolution (after COMMIT), input
 * built beforehand. Each iteration runs every contender once, in a rotating order, so a slow moment
 * of the machine (a checkpoint, another process) hits all of them alike.
 */
export async function measureEnqueueLatency(
  db: PostgresBenchDatabase,
  config: PayoutsConfig,
  progress: BenchProgress,
): Promise<EnqueueLatencyResult> {
  const { entries: size, warmup, iterations } = config.enqueue;
  const store = await db.settleStore('enq_');
  const queue = new PayoutQueue({ store });
  const raw = await createRawPayoutTables(db, 'enq_raw_');
  const withForeignKey = await createRawPayoutTables(db, 'enq_fk_', { foreignKey: true });
  const entries = syntheticEntries(0, size);

  const contenders: { run: () => Promise<unknown>; samples: number[] }[] = [
    { run: () => queue.enqueue({ entries }), samples: [] },
    { run: () => copyPayoutJob(db.pool, raw, entries), samples: [] },
    { run: () => copyPayoutJob(db.pool, withForeignKey, entries), samples: [] },
  ];
  const bar = progress.bar(
    `enqueue ${size.toLocaleString('en-US')} entries`,
    contenders.length * (warmup + iterations),
    'jobs',
  );
  for (let i = 0; i < warmup + iterations; i++) {
    for (let k = 0; k < contenders.length; k++) {
      const contender = contenders[(i + k) % contenders.length]!;
      const started = performance.now();
      await contender.run();
      const elapsed = performance.now() - started;
      if (i >= warmup) contender.samples.push(elapsed);
      bar.increment();
    }
  }
  bar.stop();
  await store.close();

  const jobs = warmup + iterations;
  await expectRows(db, db.table('enq_payout_entries'), jobs * size);
  await expectRows(db, raw.entries, jobs * size);
  const [settle, copy, copyWithForeignKey] = contenders.map((c) => summarize(c.samples));
  return {
    entries: size,
    warmup,
    iterations,
    settle: settle!,
    copy: copy!,
    copyWithForeignKey: copyWithForeignKey!,
    profile: await profileEnqueue(db, entries),
  };
}

/** A few more enqueues through a pool that times every statement: statements versus Node's own work. */
async function profileEnqueue(db: PostgresBenchDatabase, entries: readonly SyntheticEntry[]): Promise<EnqueueProfile> {
  const profile = new StatementProfile(classifySettleStatement);
  const store = await db.settleStore('enq_', profile.wrap(db.pool));
  try {
    const queue = new PayoutQueue({ store });
    profile.reset();
    const started = performance.now();
    for (let i = 0; i < PROFILED_JOBS; i++) await queue.enqueue({ entries });
    return { jobs: PROFILED_JOBS, wallMs: performance.now() - started, statements: profile.results() };
  } finally {
    await store.close();
  }
}

/** A benchmark that silently wrote nothing would look fast: check every job landed. */
async function expectRows(db: PostgresBenchDatabase, table: string, expected: number): Promise<void> {
  const { rows } = await db.pool.query<{ count: string }>(`SELECT count(*) FROM ${table}`);
  const actual = Number(rows[0]?.count);
  if (actual !== expected) throw new Error(`${table} holds ${actual} rows, expected ${expected}`);
}
