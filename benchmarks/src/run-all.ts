import { measureBatchThroughput } from './batch-throughput';
import { readBenchConfig } from './bench-config';
import { BenchDatabase } from './bench-database';
import type { BenchRun } from './bench-run';
import { renderConsoleReport } from './console-report';
import { measureEnqueueLatency } from './enqueue-latency';
import { describeMachine } from './machine-info';
import { measureMemoryFlat } from './memory-flat';
import { BenchProgress } from './progress';
import { writeResults } from './results-file';
import { checkTargets } from './targets';

/**
 * `pnpm bench`: runs every benchmark once against one Postgres, in a schema of its own that is
 * dropped at the end, then prints the table on stdout and refreshes RESULTS.md and the charts.
 * The memory benchmark runs first, so its baseline is not inflated by the others' garbage; a
 * CHECKPOINT after it keeps its million rows' writes out of the timed benchmarks.
 */
async function main(): Promise<void> {
  const config = readBenchConfig();
  const startedAt = new Date();
  const db = await BenchDatabase.open(config.databaseUrl, config.schema);
  const progress = new BenchProgress();
  let run: BenchRun;
  try {
    const machine = await describeMachine(db, startedAt, config.quick);
    progress.log(
      `Settle benchmarks${config.quick ? ' (quick)' : ''}: ${machine.cores} cores, Node ${machine.node}, PostgreSQL ${machine.postgres}`,
    );
    const memory = await measureMemoryFlat(db, config, progress);
    await db.checkpoint();
    const enqueue = await measureEnqueueLatency(db, config, progress);
    const throughput = await measureBatchThroughput(db, config, progress);
    run = {
      machine,
      enqueue,
      throughput,
      memory,
      durationSeconds: (Date.now() - startedAt.getTime()) / 1_000,
    };
  } finally {
    progress.stop();
    await db.close();
  }
  const targets = checkTargets(run);
  process.stdout.write(`${renderConsoleReport(run, targets)}\n`);
  const written = await writeResults(config.outputDir, run, targets);
  process.stderr.write(`Wrote ${written.join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  // pg-boss or a pool may still hold timers or sockets after a failure; the run is over either way.
  process.exit(1);
});
