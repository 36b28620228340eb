import { shortVersion } from '../machine-info';
import { barChart, lineChart } from '../svg-chart';
import type { PayoutsRun } from './payouts-run';

/** The throughput bar chart: entries/s of Settle, hand-written SQL and pg-boss, with the 30k target. */
export function throughputChart(run: PayoutsRun): string {
  const { throughput, machine, postgres } = run;
  const { results } = throughput;
  return barChart({
    title: `Paying ${throughput.entries.toLocaleString('en-US')} entries in batches of ${throughput.batchSize}, one at a time`,
    subtitle: `median of ${throughput.rounds} rounds · ${machine.cores} cores · Node ${machine.node} · PostgreSQL ${shortVersion(postgres.version)} · ${machine.date.slice(0, 10)}`,
    unit: 'entries per second (higher is better)',
    bars: [
      { label: 'Settle PayoutQueue', value: results.settle.entriesPerSecond, color: '#2563eb' },
      { label: 'hand-written SQL', value: results.rawSql.entriesPerSecond, color: '#6b7280' },
      { label: 'pg-boss 10', value: results.pgBoss.entriesPerSecond, color: '#d97706' },
    ],
    references: [{ value: 30_000, label: 'target 30,000' }],
  });
}

/** The memory line chart: RSS and V8 heap after every batch, over entries paid. */
export function memoryChart(run: PayoutsRun): string {
  const { memory, machine } = run;
  return lineChart({
    title: `Memory while paying ${memory.entries.toLocaleString('en-US')} entries`,
    subtitle: `sampled after every batch of ${memory.batchSize} · baseline RSS ${memory.baselineMb.toFixed(0)} MB · Node ${machine.node} · ${machine.date.slice(0, 10)}`,
    xLabel: 'entries paid',
    yLabel: 'MB',
    series: [
      { label: 'resident set size (RSS)', color: '#2563eb', points: memory.samples.map((s) => [s.entries, s.rssMb]) },
      { label: 'V8 heap used', color: '#16a34a', points: memory.samples.map((s) => [s.entries, s.heapUsedMb]) },
    ],
  });
}
