import { runStoreConformance } from '@settle/testkit';
import { describeOnServer } from './server-suite';

// The whole Store contract on a real server: one schema for this file, and a fresh table prefix
// (a fresh, unmigrated installation) for every test.
await describeOnServer('PostgresStore over a pg Pool', import.meta.filename, (suite) => {
  runStoreConformance('conformance', suite.freshStore({ migrate: false }));
});
