import type { BenchSuite } from '../bench-suite';
import { readNotifierConfig } from './notifier-config';
import { NotifierDatabase } from './notifier-database';
import { deliveryChart, memoryChart, renderNotifierConsole, renderNotifierMarkdown } from './notifier-report';
import type { NotifierRun } from './notifier-run';
import { checkNotifierTargets } from './notifier-targets';
import { type DeliveryResult, measureReminderDelivery } from './reminder-delivery';

/**
 * `pnpm bench notifier`: 100,000 reminders falling due within one minute, delivered by Notifier
 * processes to a local webhook receiver that verifies and counts them, with one process and then
 * with three; exactly once and flat memory are the targets, throughput and latency are recorded,
 * with where each process's time went. Runs in a Postgres schema of its own, dropped at the end.
 */
export const notifierSuite: BenchSuite = {
  name: 'notifier',
  title: 'Notifier',
  description:
    '100,000 reminders due in one minute to a local webhook receiver, 1 and 3 Notifier processes (Postgres): exactly once, flat memory, throughput.',
  async run({ config, machine, progress }) {
    const sizes = readNotifierConfig(config);
    const started = performance.now();
    const db = await NotifierDatabase.open(config.databaseUrl, sizes.schema);
    let run: NotifierRun;
    try {
      const postgres = await db.describe();
      progress.log(`notifier: PostgreSQL ${postgres.version}`);
      const deliveries: DeliveryResult[] = [];
      for (const processes of sizes.processCounts) {
        deliveries.push(await measureReminderDelivery(db, sizes, processes, progress));
      }
      run = { machine, postgres, deliveries, durationSeconds: (performance.now() - started) / 1_000 };
    } finally {
      await db.close();
    }
    const targets = checkNotifierTargets(run);
    return {
      targets,
      markdown: renderNotifierMarkdown(run, targets),
      console: renderNotifierConsole(run, targets),
      charts: [
        { file: 'notifier-delivery.svg', svg: deliveryChart(run) },
        { file: 'notifier-memory.svg', svg: memoryChart(run) },
      ],
    };
  },
};
