import type { BenchSuite, SuiteChart } from '../bench-suite';
import type { ServerInfo } from '../machine-info';
import { measureCatchUp } from './catch-up';
import { type DeadlineLagResult, measureDeadlineLag } from './deadline-lag';
import { MySqlSchedulerDatabase } from './mysql-scheduler-database';
import { PostgresSchedulerDatabase } from './postgres-scheduler-database';
import { readSchedulerConfig } from './scheduler-config';
import type { SchedulerDatabase } from './scheduler-database';
import { catchUpChart, lagChart, renderSchedulerConsole, renderSchedulerMarkdown } from './scheduler-report';
import type { SchedulerRun } from './scheduler-run';
import { checkSchedulerTargets } from './scheduler-targets';

/**
 * `pnpm bench scheduler`: the lag between deadline and committed transition with several Scheduler
 * processes on Postgres (and on MySQL, recorded only), and one Scheduler catching up a backlog of
 * overdue challenges with its memory sampled. Each server gets a schema or database of its own,
 * dropped at the end.
 */
export const schedulerSuite: BenchSuite = {
  name: 'scheduler',
  title: 'Scheduler',
  description:
    'Deadline lag with 3 Scheduler processes (Postgres; MySQL recorded), catch-up of overdue challenges with flat memory.',
  async run({ config, machine, progress }) {
    const sizes = readSchedulerConfig(config);
    const started = performance.now();
    const pg = await PostgresSchedulerDatabase.open(config.databaseUrl, sizes.namespace);
    let postgres: ServerInfo;
    let pgLag: DeadlineLagResult;
    let catchUp: SchedulerRun['catchUp'];
    try {
      postgres = await pg.describe();
      progress.log(`scheduler: PostgreSQL ${postgres.version}`);
      pgLag = await measureDeadlineLag(pg, sizes, progress);
      catchUp = await measureCatchUp(pg, sizes, progress);
    } finally {
      await pg.close();
    }
    let mysql: ServerInfo | null = null;
    let mysqlLag: DeadlineLagResult | null = null;
    if (sizes.lag.mysql) {
      const db: SchedulerDatabase = await MySqlSchedulerDatabase.open(config.mysqlUrl, sizes.namespace);
      try {
        mysql = await db.describe();
        progress.log(`scheduler: ${mysql.product} ${mysql.version}`);
        mysqlLag = await measureDeadlineLag(db, sizes, progress);
      } finally {
        await db.close();
      }
    }
    const run: SchedulerRun = {
      machine,
      postgres,
      mysql,
      lag: { postgres: pgLag, mysql: mysqlLag },
      catchUp,
      durationSeconds: (performance.now() - started) / 1_000,
    };
    const targets = checkSchedulerTargets(run);
    const charts: SuiteChart[] = [
      { file: 'scheduler-lag-postgres.svg', svg: lagChart(run, pgLag) },
      ...(mysqlLag === null ? [] : [{ file: 'scheduler-lag-mysql.svg', svg: lagChart(run, mysqlLag) }]),
      { file: 'scheduler-catchup-memory.svg', svg: catchUpChart(run) },
    ];
    return {
      targets,
      markdown: renderSchedulerMarkdown(run, targets),
      console: renderSchedulerConsole(run, targets),
      charts,
    };
  },
};
