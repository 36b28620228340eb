import { runSchedulerScenarios } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// The Scheduler scenarios on a real server, each in a fresh installation (table prefix).
await describeOnServer('Scheduler on MySqlStore over a mysql2 pool', import.meta.filename, (suite) => {
  runSchedulerScenarios('MySQL', suite.freshStore());
});
