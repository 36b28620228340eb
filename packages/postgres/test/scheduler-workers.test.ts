import { runSchedulerWorkerScenarios } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// Exactly once across real processes on a real server: three Scheduler processes closing
// 1,000 challenges, each exactly once. Each test runs in a fresh installation (table prefix).
await describeOnServer('Scheduler instances in separate processes on PostgreSQL', import.meta.filename, (suite) => {
  runSchedulerWorkerScenarios('PostgreSQL', suite.workerHarness());
});
