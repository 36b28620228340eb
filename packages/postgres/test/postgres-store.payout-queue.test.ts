import { runPayoutQueueScenarios } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// The PayoutQueue scenarios on a real server, each in a fresh installation (table prefix).
await describeOnServer('PayoutQueue on PostgresStore over a pg Pool', import.meta.filename, (suite) => {
  runPayoutQueueScenarios('PostgreSQL', suite.freshStore());
});
