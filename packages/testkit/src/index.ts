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
export {
  createResolvableChallenge,
  makeParticipants,
  runPayoutQueueScenarios,
  type ScenarioParticipant,
} from './scenarios/payout-queue-scenarios';
export { runSchedulerScenarios } from './scenarios/scheduler-scenarios';
