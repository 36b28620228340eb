import type { BenchSuite } from '../bench-suite';
import { PostgresBenchDatabase } from '../postgres-bench-database';
import { measureBatchThroughput } from './batch-throughput';
import { measureEnqueueLatency } from './enqueue-latency';
import { measureMemoryFlat } from './memory-flat';
import { memoryChart, throughputChart } from './payouts-charts';
import { readPayoutsConfig } from './payouts-config';
import { renderPayoutsConsole } from './payouts-console';
import { renderPayoutsMarkdown } from './payouts-markdown';
import type { PayoutsRun } from './payouts-run';
import { checkPayoutsTargets } from './payouts-targets';

/**
 * `pnpm bench payouts`: enqueue latency against COPY, 500-entry batch throughput against a
 * hand-written SQL loop and pg-boss, and memory over a million entries, on one Postgres in a
 * schema of its own. The memory benchmark runs first, so its baseline is not inflated by the
 * others' garbage; a CHECKPOINT after it keeps its million rows' writes out of the timed ones.
 */
export const payoutsSuite: BenchSuite = {
  name: 'payouts',
  title: 'Payouts on PostgreSQL',
  description:
    'PayoutQueue on PostgresStore: enqueue latency vs COPY, batch throughput vs hand-written SQL and pg-boss, memory over 1M entries.',
  async run({ config, machine, progress }) {
    const sizes = readPayoutsConfig(config);
    const started = performance.now();
    const db = await PostgresBenchDatabase.open(config.databaseUrl, sizes.schema);
    let run: PayoutsRun;
    try {
      const postgres = await db.describe();
      progress.log(`payouts: PostgreSQL ${postgres.version}`);
      const memory = await measureMemoryFlat(db, sizes, progress);
      await db.checkpoint();
      const enqueue = await measureEnqueueLatency(db, sizes, progress);
      const throughput = await measureBatchThroughput(db, sizes, progress);
      run = {
        machine,
        postgres,
        enqueue,
        throughput,
        memory,
        durationSeconds: (performance.now() - started) / 1_000,
      };
    } finally {
      await db.close();
    }
    const targets = checkPayoutsTargets(run);
    return {
      targets,
      markdown: renderPayoutsMarkdown(run, targets),
      console: renderPayoutsConsole(run, targets),
      charts: [
        { file: 'payouts-throughput.svg', svg: throughputChart(run) },
        { file: 'payouts-memory.svg', svg: memoryChart(run) },
      ],
    };
  },
};
