import type { ContenderThroughput, RoundResult } from './batch-throughput';
import type { BenchRun } from './bench-run';
import type { StatementTiming } from './statement-profile';
import type { TargetCheck } from './targets';

/** Statement timings and the wall time they were part of. */
export interface TimeProfile {
  readonly wallMs: number;
  readonly statements: readonly StatementTiming[];
}

/** A table as headers, rows of text cells, and which columns hold numbers. */
export interface ResultTable {
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly align: readonly ('left' | 'right')[];
}

/** Enqueue latency: Settle and COPY, median and p95, and the ratio. */
export function enqueueTable({ enqueue }: BenchRun): ResultTable {
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
export function throughputTable({ throughput }: BenchRun): ResultTable {
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

/**
 * Where the time of `units` units of work (batches, jobs) went: each kind of statement (round trips
 * per unit, ms per unit, share of the wall time), and the rest, spent in Node between statements.
 */
export function profileTable(profile: TimeProfile, units: number, unit: string): ResultTable {
  const statementsMs = profile.statements.reduce((sum, s) => sum + s.totalMs, 0);
  const perUnit = (total: number) => (total / units).toFixed(2);
  const share = (total: number) => `${((100 * total) / profile.wallMs).toFixed(0)}%`;
  return {
    headers: [`per ${unit}`, 'round trips', `ms / ${unit}`, 'share'],
    align: ['left', 'right', 'right', 'right'],
    rows: [
      ...profile.statements.map((s) => [s.label, (s.count / units).toFixed(2), perUnit(s.totalMs), share(s.totalMs)]),
      [
        'Node between statements (building, mapping, events, pool)',
        '',
        perUnit(profile.wallMs - statementsMs),
        share(profile.wallMs - statementsMs),
      ],
      ['total', '', perUnit(profile.wallMs), '100%'],
    ],
  };
}

/**
 * Where a contender's batches spent their time in each timed round: ms per batch for each kind of
 * statement, what is left for Node, and the round's entries/s. Rounds side by side show a plan
 * that changed between them.
 */
export function roundsProfileTable(contender: ContenderThroughput): ResultTable {
  const rounds = contender.rounds.flatMap((r) => (r.statements ? [{ ...r, statements: r.statements }] : []));
  const totals = new Map<string, number>();
  for (const round of rounds) {
    for (const s of round.statements) totals.set(s.label, (totals.get(s.label) ?? 0) + s.totalMs);
  }
  const labels = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([label]) => label);
  const tripsPerBatch = (label: string) => {
    const first = rounds[0];
    const timing = first?.statements.find((s) => s.label === label);
    return first && timing ? (timing.count / first.batches).toFixed(2) : '';
  };
  const perBatch = (round: RoundResult, ms: number) => (ms / round.batches).toFixed(2);
  const statementsMs = (round: (typeof rounds)[number]) => round.statements.reduce((sum, s) => sum + s.totalMs, 0);
  return {
    headers: ['ms per batch', 'round trips', ...rounds.map((_, i) => `round ${i + 1}`)],
    align: ['left', 'right', ...rounds.map(() => 'right' as const)],
    rows: [
      ...labels.map((label) => [
        label,
        tripsPerBatch(label),
        ...rounds.map((r) => perBatch(r, r.statements.find((s) => s.label === label)?.totalMs ?? 0)),
      ]),
      ['Node between statements', '', ...rounds.map((r) => perBatch(r, r.wallMs - statementsMs(r)))],
      ['whole batch', '', ...rounds.map((r) => perBatch(r, r.wallMs))],
      ['entries/s', '', ...rounds.map((r) => perSecond(r.entriesPerSecond))],
    ],
  };
}

/** Memory: baseline, start, peak, end, and growth. */
export function memoryTable({ memory }: BenchRun): ResultTable {
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

/** Targets with pass or fail. */
export function targetsTable(checks: readonly TargetCheck[]): ResultTable {
  return {
    headers: ['', 'target', 'goal', 'measured'],
    align: ['left', 'left', 'left', 'right'],
    rows: checks.map((c) => [c.pass ? 'PASS' : 'FAIL', c.name, c.target, c.actual]),
  };
}

function ms(value: number): string {
  return value.toFixed(1);
}

function mb(value: number): string {
  return value.toFixed(1);
}

function perSecond(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
