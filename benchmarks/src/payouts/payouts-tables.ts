import { perSecond, type ResultTable } from '../result-table';
import type { PayoutsRun } from './payouts-run';

/** Enqueue latency: Settle and COPY, median and p95, and the ratio. */
export function enqueueTable({ enqueue }: PayoutsRun): ResultTable {
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  return {
    headers: ['job creation', 'median ms', 'p95 ms', 'min ms', 'max ms'],
    align: ['left', 'right', 'right', 'right', 'right'],
    rows: [
      [
        'Settle PayoutQueue.enqueue',
        ms(enqueue.settle.median),
        ms(enqueue.settle.p95),
        ms(enqueue.settle.min),
        ms(enqueue.settle.max),
      ],
      [
        'hand-written COPY FROM STDIN',
        ms(enqueue.copy.median),
        ms(enqueue.copy.p95),
        ms(enqueue.copy.min),
        ms(enqueue.copy.max),
      ],
      [
        'COPY, entries with a foreign key (diagnostic)',
        ms(enqueue.copyWithForeignKey.median),
        ms(enqueue.copyWithForeignKey.p95),
        ms(enqueue.copyWithForeignKey.min),
        ms(enqueue.copyWithForeignKey.max),
      ],
      [
        'ratio Settle / COPY',
        ratio(enqueue.settle.median, enqueue.copy.median),
        ratio(enqueue.settle.p95, enqueue.copy.p95),
        '',
        '',
      ],
    ],
  };
}

/** Batch throughput: entries/s, per-round figures, batch time and ratios to Settle. */
export function throughputTable({ throughput }: PayoutsRun): ResultTable {
  const { results, backlog } = throughput;
  const settle = results.settle.entriesPerSecond;
  const row = (label: string, r: (typeof results)['settle']) => [
    label,
    perSecond(r.entriesPerSecond),
    r.rounds.map((round) => perSecond(round.entriesPerSecond)).join(' / '),
    ms(r.batchMs),
    `${(settle / r.entriesPerSecond).toFixed(2)}×`,
  ];
  return {
    headers: ['contender', 'entries/s', 'rounds (entries/s)', 'batch ms', 'Settle is'],
    align: ['left', 'right', 'right', 'right', 'right'],
    rows: [
      row('Settle PayoutQueue.drain', results.settle),
      row('hand-written SQL loop', results.rawSql),
      row('pg-boss 10', results.pgBoss),
      [
        `Settle, backlog of ${backlog.jobs} jobs (no target)`,
        perSecond(backlog.entriesPerSecond),
        '',
        '',
        `${(settle / backlog.entriesPerSecond).toFixed(2)}×`,
      ],
    ],
  };
}

/** Memory: baseline, start, peak, end, and growth. */
export function memoryTable({ memory }: PayoutsRun): ResultTable {
  return {
    headers: ['RSS', 'MB'],
    align: ['left', 'right'],
    rows: [
      ['baseline (after enqueue and a full GC)', mb(memory.baselineMb)],
      ['after the first batch', mb(memory.startMb)],
      ['peak', mb(memory.peakMb)],
      ['after the last batch', mb(memory.endMb)],
      ['peak of the first tenth of the run', mb(memory.firstTenthPeakMb)],
      ['peak of the last tenth of the run', mb(memory.lastTenthPeakMb)],
      ['least-squares slope, bytes per entry paid', memory.bytesPerEntry.toFixed(1)],
    ],
  };
}

function ms(value: number): string {
  return value.toFixed(1);
}

function mb(value: number): string {
  return value.toFixed(1);
}
