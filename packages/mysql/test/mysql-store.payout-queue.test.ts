import { runPayoutQueueScenarios } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// The PayoutQueue scenarios on a real server, each in a fresh installation (table prefix).
await describeOnServer('PayoutQueue on MySqlStore over a mysql2 pool', import.meta.filename, (suite) => {
  runPayoutQueueScenarios('MySQL', suite.freshStore());
});
