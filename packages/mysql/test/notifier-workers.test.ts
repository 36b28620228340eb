import { runNotifierWorkerScenarios } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// Exactly once across real processes on a real server: three Notifier processes deliver the
// reminders of 1,000 participants to a real HTTP receiver, each exactly once. Each test runs in a
// fresh installation (table prefix).
await describeOnServer('Notifier instances in separate processes on MySQL', import.meta.filename, (suite) => {
  runNotifierWorkerScenarios('MySQL', suite.workerHarness());
});
