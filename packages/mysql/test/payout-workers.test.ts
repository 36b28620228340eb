import { runPayoutWorkerScenarios } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// Exactly once across real processes on a real server: several PayoutQueue workers on one job, and
// one killed with SIGKILL mid-batch. Each test runs in a fresh installation (table prefix).
await describeOnServer('PayoutQueue workers in separate processes on MySQL', import.meta.filename, (suite) => {
  runPayoutWorkerScenarios('MySQL', suite.workerHarness());
});
