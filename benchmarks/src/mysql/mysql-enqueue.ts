import { PayoutQueue } from '@settle/core';
import type { BenchProgress } from '../progress';
import { StatementProfile } from '../statement-profile';
import { type Summary, summarize } from '../stats';
import { type SyntheticEntry, syntheticEntries } from '../synthetic-entries';
import type { TimeProfile } from '../throughput-rounds';
import type { MySqlBenchDatabase } from './mysql-bench-database';
import type { MySqlConfig } from './mysql-config';
import { profiledMySqlPool } from './mysql-profiled-pool';
import { insertMySqlRawJob } from './mysql-raw-job';
import { createMySqlRawTables } from './mysql-raw-tables';
import { classifyMySqlSettleStatement } from './mysql-settle-statements';

/** What the MySQL enqueue benchmark measured. */
export interface MySqlEnqueueResult {
  /** Entries per job. */
  readonly entries: number;
  readonly warmup: number;
  readonly iterations: number;
  /** `PayoutQueue.enqueue` on a MySqlStore, ms per job. */
  readonly settle: Summary;
  /** One transaction: INSERT of the job row, then LOAD DATA LOCAL INFILE of its entries, ms per job. */
  readonly rawSql: Summary;
  /**
   * The same hand-written transaction into an entries table with no secondary index: the floor of
   * inserting these rows on this server, with none of the indexes Settle's claims and lookups need.
   */
  readonly rawSqlPrimaryKeyOnly: Summary;
  /** Where Settle's enqueue spends its time, from a separate profiled pass. */
  readonly profile: TimeProfile & { readonly jobs: number };
}

const SETTLE_PREFIX = 'enq_';

/**
 * Times the creation of a job of `config.enqueue.entries` entries: `enqueue` on a MySqlStore
 * against the hand-written transaction of {@link insertMySqlRawJob} into copies of Settle's tables,
 * and into copies whose entries keep only their primary key (the floor). Each is timed from the
 * call to its resolution after COMMIT, with the input built beforehand; each iteration runs all
 * three in a rotating order. A profiled pass after the timed iterations splits
 * Settle's time into statements and Node.
 */
export async function measureMySqlEnqueue(
  db: MySqlBenchDatabase,
  config: MySqlConfig,
  progress: BenchProgress,
): Promise<MySqlEnqueueResult> {
  const { entries: size, warmup, iterations, profiledJobs } = config.enqueue;
  const store = await db.settleStore(SETTLE_PREFIX);
  const queue = new PayoutQueue({ store });
  const raw = await createMySqlRawTables(db, 'enq_raw_', SETTLE_PREFIX);
  const bare = await createMySqlRawTables(db, 'enq_pk_', SETTLE_PREFIX, { secondaryIndexes: false });
  const entries = syntheticEntries(0, size);

  const contenders: { run: () => Promise<unknown>; samples: number[] }[] = [
    { run: () => queue.enqueue({ entries }), samples: [] },
    { run: () => insertMySqlRawJob(db.pool, raw, entries), samples: [] },
    { run: () => insertMySqlRawJob(db.pool, bare, entries), samples: [] },
  ];
  const bar = progress.bar(
    `mysql enqueue ${size.toLocaleString('en-US')} entries`,
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
  await expectRows(db, `${SETTLE_PREFIX}payout_entries`, jobs * size);
  await expectRows(db, raw.names[1]!, jobs * size);
  await expectRows(db, bare.names[1]!, jobs * size);
  const [settle, rawSql, rawSqlPrimaryKeyOnly] = contenders.map((c) => summarize(c.samples));
  return {
    entries: size,
    warmup,
    iterations,
    settle: settle!,
    rawSql: rawSql!,
    rawSqlPrimaryKeyOnly: rawSqlPrimaryKeyOnly!,
    profile: await profileEnqueue(db, entries, profiledJobs),
  };
}

/** A few more enqueues through a pool that times every statement: statements versus Node's own work. */
async function profileEnqueue(
  db: MySqlBenchDatabase,
  entries: readonly SyntheticEntry[],
  jobs: number,
): Promise<MySqlEnqueueResult['profile']> {
  const profile = new StatementProfile(classifyMySqlSettleStatement);
  const store = await db.settleStore(SETTLE_PREFIX, profiledMySqlPool(db.pool, profile));
  try {
    const queue = new PayoutQueue({ store });
    // The first enqueue of a store reads max_allowed_packet once; keep it out of the profile.
    await queue.enqueue({ entries: entries.slice(0, 1) });
    profile.reset();
    const started = performance.now();
    for (let i = 0; i < jobs; i++) await queue.enqueue({ entries });
    return { jobs, wallMs: performance.now() - started, statements: profile.results() };
  } finally {
    await store.close();
  }
}

/** A benchmark that silently wrote nothing would look fast: check every job landed. */
async function expectRows(db: MySqlBenchDatabase, table: string, expected: number): Promise<void> {
  const actual = await db.count(table);
  if (actual !== expected) throw new Error(`${table} holds ${actual} rows, expected ${expected}`);
}
