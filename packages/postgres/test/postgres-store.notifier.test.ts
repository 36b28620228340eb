import { runNotifierScenarios } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// The Notifier scenarios on a real server, each in a fresh installation (table prefix).
await describeOnServer('Notifier on PostgresStore over a pg Pool', import.meta.filename, (suite) => {
  runNotifierScenarios('PostgreSQL', suite.freshStore());
});
