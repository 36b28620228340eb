import type { BenchRun } from './bench-run';
import {
  enqueueTable,
  memoryTable,
  profileTable,
  type ResultTable,
  roundsProfileTable,
  targetsTable,
  throughputTable,
} from './result-rows';
import type { TargetCheck } from './targets';
import { renderTextTable } from './text-table';

/** The run as plain text for stdout: one titled table per benchmark, then the targets. */
export function renderConsoleReport(run: BenchRun, targets: readonly TargetCheck[]): string {
  const { machine, enqueue, throughput, memory } = run;
  const section = (title: string, table: ResultTable) =>
    `${title}\n${renderTextTable(table.headers, table.rows, table.align)}\n`;
  const passed = targets.filter((t) => t.pass).length;
  return [
    '',
    `Settle benchmarks${machine.quick ? ' (BENCH_QUICK: small sizes, not comparable)' : ''} — ${machine.date}`,
    `${machine.cores} cores (${machine.cpu}), Node ${machine.node}, PostgreSQL ${machine.postgres}, ` +
      `round trip ${machine.roundTripMs.toFixed(2)} ms, run took ${run.durationSeconds.toFixed(0)} s`,
    '',
    section(
      `Enqueue latency: one job of ${enqueue.entries.toLocaleString('en-US')} entries, ${enqueue.iterations} iterations after ${enqueue.warmup} warm-up`,
      enqueueTable(run),
    ),
    section(
      `Batch throughput: ${throughput.entries.toLocaleString('en-US')} entries in batches of ${throughput.batchSize}, concurrency 1, median of ${throughput.rounds} rounds`,
      throughputTable(run),
    ),
    section(
      `Where Settle's enqueue time goes (profiled pass, ${enqueue.profile.jobs} jobs)`,
      profileTable(enqueue.profile, enqueue.profile.jobs, 'job'),
    ),
    section(`Where a Settle batch's time goes, per timed round`, roundsProfileTable(throughput.results.settle)),
    section(`Where a pg-boss batch's time goes, per timed round`, roundsProfileTable(throughput.results.pgBoss)),
    section(
      `Memory: paying ${memory.entries.toLocaleString('en-US')} entries (${memory.jobs} jobs), RSS after every batch`,
      memoryTable(run),
    ),
    section(`Targets: ${passed} of ${targets.length} met`, targetsTable(targets)),
  ].join('\n');
}
