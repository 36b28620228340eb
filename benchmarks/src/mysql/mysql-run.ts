import type { MachineInfo, ServerInfo } from '../machine-info';
import type { MySqlEnqueueResult } from './mysql-enqueue';
import type { MySqlThroughputResult } from './mysql-throughput';

/** Everything one run of the mysql suite measured. */
export interface MySqlRun {
  readonly machine: MachineInfo;
  readonly server: ServerInfo;
  readonly enqueue: MySqlEnqueueResult;
  readonly throughput: MySqlThroughputResult;
  /** Wall time of the whole suite, seconds. */
  readonly durationSeconds: number;
}
