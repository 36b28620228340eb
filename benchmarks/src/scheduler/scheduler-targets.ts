import { count, signed } from '../result-table';
import type { TargetCheck } from '../target-check';
import type { DeadlineLagResult } from './deadline-lag';
import type { SchedulerRun } from './scheduler-run';

/** Targets set by the Scheduler issue (Speed), for Postgres. */
const LAG_P50_MS = 100;
const LAG_P99_MS = 1_000;
/** "Flat" as the payouts suite defines it: the last tenth's RSS within 10 MB of the first tenth's. */
const MEMORY_MAX_GROWTH_MB = 10;

/** Whether every challenge was transitioned exactly once, by the database's count and the events'. */
export function exactlyOnce(lag: DeadlineLagResult): boolean {
  const { tally, challenges } = lag;
  return (
    lag.lag.count === challenges &&
    lag.duplicateEvents === 0 &&
    tally.pendingAdmin === challenges &&
    tally.active === 0 &&
    tally.closures === challenges &&
    tally.closedChallenges === challenges
  );
}

/** Every target of the scheduler suite with pass or fail. */
export function checkSchedulerTargets({ lag, catchUp }: SchedulerRun): TargetCheck[] {
  const pg = lag.postgres;
  const setting = `${pg.instances} processes, ${count(pg.challenges)} due in ${pg.windowMs / 1_000} s`;
  const growth = catchUp.lastTenthPeakMb - catchUp.firstTenthPeakMb;
  return [
    {
      name: 'Deadline lag p50 (PostgreSQL)',
      target: `< ${LAG_P50_MS} ms (${setting})`,
      actual: `${pg.lag.p50.toFixed(1)} ms`,
      pass: pg.lag.p50 < LAG_P50_MS,
    },
    {
      name: 'Deadline lag p99 (PostgreSQL)',
      target: `< ${count(LAG_P99_MS)} ms (${setting})`,
      actual: `${pg.lag.p99.toFixed(1)} ms`,
      pass: pg.lag.p99 < LAG_P99_MS,
    },
    {
      name: 'Each transitioned exactly once (PostgreSQL)',
      target: 'every challenge pending_admin, one hook row and one event each',
      actual: `${count(pg.tally.closedChallenges)} of ${count(pg.challenges)}, ${pg.tally.closures - pg.tally.closedChallenges + pg.duplicateEvents} duplicates`,
      pass: exactlyOnce(pg),
    },
    {
      name: 'Catch-up memory stays flat',
      target: `RSS of the last tenth ≤ first tenth + ${MEMORY_MAX_GROWTH_MB} MB`,
      actual: `${signed(growth)} MB over ${count(catchUp.challenges)} challenges`,
      pass: growth <= MEMORY_MAX_GROWTH_MB && catchUp.tally.pendingAdmin === catchUp.challenges,
    },
  ];
}
