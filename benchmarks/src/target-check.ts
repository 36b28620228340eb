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
