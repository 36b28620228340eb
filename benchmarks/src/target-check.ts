import type { ResultTable } from './result-table';

/** One target of an issue, checked against a run. */
export interface TargetCheck {
  readonly name: string;
  /** The goal, in words. */
  readonly target: string;
  /** What the run measured, in words. */
  readonly actual: string;
  readonly pass: boolean;
}

/** Targets with pass or fail. */
export function targetsTable(checks: readonly TargetCheck[]): ResultTable {
  return {
    headers: ['', 'target', 'goal', 'measured'],
    align: ['left', 'left', 'left', 'right'],
    rows: checks.map((c) => [c.pass ? 'PASS' : 'FAIL', c.name, c.target, c.actual]),
  };
}

/**
 * A ratio to two decimals, rounded away from its goal (down against a minimum, up against a
 * maximum), so that a ratio just short of the goal never reads as the goal itself (0.848 against
 * ≥ 0.85 reads 0.84×, not 0.85×).
 */
export function ratioAgainst(value: number, goal: 'min' | 'max'): string {
  const rounded = goal === 'min' ? Math.floor(value * 100) / 100 : Math.ceil(value * 100) / 100;
  return `${rounded.toFixed(2)}×`;
}
