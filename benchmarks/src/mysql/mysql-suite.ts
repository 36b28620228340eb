import type { BenchSuite } from '../bench-suite';
import { MySqlBenchDatabase } from './mysql-bench-database';
import { readMySqlConfig } from './mysql-config';
import { measureMySqlEnqueue } from './mysql-enqueue';
import { mysqlThroughputChart, renderMySqlConsole, renderMySqlMarkdown } from './mysql-report';
import type { MySqlRun } from './mysql-run';
import { checkMySqlTargets } from './mysql-targets';
import { measureMySqlThroughput } from './mysql-throughput';

/**
 * `pnpm bench mysql`: enqueue latency and 500-entry batch throughput of `PayoutQueue` on a
 * MySqlStore, side by side with hand-written SQL on the same server, in a database of its own
 * (`MYSQL_URL`) that is dropped at the end.
 */
export const mysqlSuite: BenchSuite = {
  name: 'mysql',
  title: 'Payouts on MySQL / MariaDB',
  description:
    'PayoutQueue on MySqlStore: enqueue latency and batch throughput vs hand-written SQL on the same server.',
  async run({ config, machine, progress }) {
    const sizes = readMySqlConfig(config);
    const started = performance.now();
    const db = await MySqlBenchDatabase.open(config.mysqlUrl, sizes.database);
    let run: MySqlRun;
    try {
      const server = await db.describe();
      progress.log(`mysql: ${server.product} ${server.version}`);
      const enqueue = await measureMySqlEnqueue(db, sizes, progress);
      const throughput = await measureMySqlThroughput(db, sizes, progress);
      run = { machine, server, enqueue, throughput, durationSeconds: (performance.now() - started) / 1_000 };
    } finally {
      await db.close();
    }
    const targets = checkMySqlTargets(run);
    return {
      targets,
      markdown: renderMySqlMarkdown(run, targets),
      console: renderMySqlConsole(run, targets),
      charts: [{ file: 'mysql-throughput.svg', svg: mysqlThroughputChart(run) }],
    };
  },
};
