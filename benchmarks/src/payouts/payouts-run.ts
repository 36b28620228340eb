import type { MachineInfo, ServerInfo } from '../machine-info';
import type { BatchThroughputResult } from './batch-throughput';
import type { EnqueueLatencyResult } from './enqueue-latency';
import type { MemoryFlatResult } from './memory-flat';

/** Everything one run of the payouts suite measured, as its tables, section and charts read it. */
export interface PayoutsRun {
  readonly machine: MachineInfo;
  readonly postgres: ServerInfo;
  readonly enqueue: EnqueueLatencyResult;
  readonly throughput: BatchThroughputResult;
  readonly memory: MemoryFlatResult;
  /** Wall time of the whole suite, seconds. */
  readonly durationSeconds: number;
}
