import type { MachineInfo, ServerInfo } from '../machine-info';
import type { CatchUpResult } from './catch-up';
import type { DeadlineLagResult } from './deadline-lag';

/** Everything one run of the scheduler suite measured. */
export interface SchedulerRun {
  readonly machine: MachineInfo;
  readonly postgres: ServerInfo;
  /** The MySQL server of the MySQL lag run, when it ran. */
  readonly mysql: ServerInfo | null;
  /** Deadline lag on Postgres (the targets) and, when it ran, on MySQL (recorded only). */
  readonly lag: { readonly postgres: DeadlineLagResult; readonly mysql: DeadlineLagResult | null };
  readonly catchUp: CatchUpResult;
  /** Wall time of the whole suite, seconds. */
  readonly durationSeconds: number;
}
