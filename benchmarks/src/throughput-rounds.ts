import { perSecond, type ResultTable } from './result-table';
import type { StatementTiming } from './statement-profile';

/** One timed round of one contender. */
export interface RoundResult {
  readonly entriesPerSecond: number;
  /** Wall time of paying the job, ms. */
  readonly wallMs: number;
  readonly batches: number;
  /**
   * Time per kind of statement during this round, or null for a contender whose statements are
   * not timed (the hand-written loops: their batch time is the figure).
   */
  readonly statements: readonly StatementTiming[] | null;
}

/** One contender's timed rounds. */
export interface ContenderThroughput {
  /** In run order. */
  readonly rounds: readonly RoundResult[];
  /** Median of the rounds' entries/s: the number reported. */
  readonly entriesPerSecond: number;
  /** Median wall time of one batch (claim to commit) across all timed rounds, ms. */
  readonly batchMs: number;
}

/** Statement timings and the wall time they were part of. */
export interface TimeProfile {
  readonly wallMs: number;
  readonly statements: readonly StatementTiming[];
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
