import { textSection } from '../result-table';
import { type TargetCheck, targetsTable } from '../target-check';
import { profileTable, roundsProfileTable } from '../throughput-rounds';
import type { PayoutsRun } from './payouts-run';
import { enqueueTable, memoryTable, throughputTable } from './payouts-tables';

/** The payouts run as plain text for stdout: one titled table per benchmark, then the targets. */
export function renderPayoutsConsole(run: PayoutsRun, targets: readonly TargetCheck[]): string {
  const { postgres, enqueue, throughput, memory } = run;
  const passed = targets.filter((t) => t.pass).length;
  return [
    `PostgreSQL ${postgres.version}, round trip ${postgres.roundTripMs.toFixed(2)} ms, suite took ${run.durationSeconds.toFixed(0)} s`,
    '',
    textSection(
      `Enqueue latency: one job of ${enqueue.entries.toLocaleString('en-US')} entries, ${enqueue.iterations} iterations after ${enqueue.warmup} warm-up`,
      enqueueTable(run),
    ),
    textSection(
      `Batch throughput: ${throughput.entries.toLocaleString('en-US')} entries in batches of ${throughput.batchSize}, concurrency 1, median of ${throughput.rounds} rounds`,
      throughputTable(run),
    ),
    textSection(
      `Where Settle's enqueue time goes (profiled pass, ${enqueue.profile.jobs} jobs)`,
      profileTable(enqueue.profile, enqueue.profile.jobs, 'job'),
    ),
    textSection(`Where a Settle batch's time goes, per timed round`, roundsProfileTable(throughput.results.settle)),
    textSection(`Where a pg-boss batch's time goes, per timed round`, roundsProfileTable(throughput.results.pgBoss)),
    textSection(
      `Memory: paying ${memory.entries.toLocaleString('en-US')} entries (${memory.jobs} jobs), RSS after every batch`,
      memoryTable(run),
    ),
    textSection(`Payouts targets: ${passed} of ${targets.length} met`, targetsTable(targets)),
  ].join('\n');
}
