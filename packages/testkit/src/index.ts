export type { ConformanceOptions } from './conformance/conformance-options';
export type { StoreFactory, StoreHarness } from './conformance/store-harness';
export { createFakeClock, type FakeClock } from './fake-clock';
export {
  type ChannelAttempt,
  createRecordingChannel,
  type RecordingChannel,
  type RecordingChannelOptions,
} from './recording-channel';
export { runStoreConformance } from './run-store-conformance';
export { runNotifierScenarios } from './scenarios/notifier-scenarios';
export {
  createResolvableChallenge,
  makeParticipants,
  runPayoutQueueScenarios,
  type ScenarioParticipant,
} from './scenarios/payout-queue-scenarios';
export { runSchedulerScenarios } from './scenarios/scheduler-scenarios';
export { runNotifierWorkerScenarios } from './worker-processes/notifier-worker-scenarios';
export { runPayoutWorkerScenarios } from './worker-processes/payout-worker-scenarios';
export { runWorkerProcess } from './worker-processes/run-worker-process';
export { runSchedulerWorkerScenarios } from './worker-processes/scheduler-worker-scenarios';
export { killWorkerProcesses, startWorkerProcess, type WorkerProcess } from './worker-processes/worker-process';
export type { WorkerProcessHarness, WorkerProcessHarnessFactory } from './worker-processes/worker-process-harness';
export type { HostTables, WorkerStore, WorkerStoreFactory } from './worker-processes/worker-store';
