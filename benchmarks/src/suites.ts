import type { BenchSuite } from './bench-suite';
import { mysqlSuite } from './mysql/mysql-suite';
import { notifierSuite } from './notifier/notifier-suite';
import { payoutsSuite } from './payouts/payouts-suite';
import { schedulerSuite } from './scheduler/scheduler-suite';

/**
 * Every suite, in the order `pnpm bench` runs them and RESULTS.md lists them. A new suite (say a
 * `notifier` suite in `src/notifier/`) is one more entry here; README.md says what it must do.
 */
export const SUITES: readonly BenchSuite[] = [payoutsSuite, mysqlSuite, schedulerSuite, notifierSuite];
