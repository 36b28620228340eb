import type { BatchThroughputResult } from './batch-throughput';
import type { EnqueueLatencyResult } from './enqueue-latency';
import type { MachineInfo } from './machine-info';
import type { MemoryFlatResult } from './memory-flat';

/** Everything one run measured, as the table, RESULTS.md and the charts read it. */
export interface BenchRun {
  readonly machine: MachineInfo;
  readonly enqueue: EnqueueLatencyResult;
  readonly throughput: BatchThroughputResult;
  readonly memory: MemoryFlatResult;
  /** Wall time of the whole run, seconds. */
  readonly durationSeconds: number;
}
