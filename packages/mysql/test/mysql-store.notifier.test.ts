import { runNotifierScenarios } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// The Notifier scenarios on a real server, each in a fresh installation (table prefix).
await describeOnServer('Notifier on MySqlStore over a mysql2 pool', import.meta.filename, (suite) => {
  runNotifierScenarios('MySQL', suite.freshStore());
});
