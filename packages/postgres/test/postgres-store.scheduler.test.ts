import { runSchedulerScenarios } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// The Scheduler scenarios on a real server, each in a fresh installation (table prefix).
await describeOnServer('Scheduler on PostgresStore over a pg Pool', import.meta.filename, (suite) => {
  runSchedulerScenarios('PostgreSQL', suite.freshStore());
});
