import { count, signed } from '../result-table';
import type { TargetCheck } from '../target-check';
import type { NotifierRun } from './notifier-run';
import type { DeliveryResult, ProcessReport } from './reminder-delivery';

/** "Flat" as the payouts suite defines it: the last tenth's RSS within 10 MB of the first tenth's. */
export const MEMORY_MAX_GROWTH_MB = 10;

/** RSS growth of one process from the first tenth of its deliveries to the last, MB. */
export function memoryGrowthMb(process: ProcessReport): number {
  return process.lastTenthPeakMb - process.firstTenthPeakMb;
}

/**
 * Whether every reminder reached the receiver exactly once and the outbox agrees: as many distinct
 * `settle-id`s as reminders, no second arrival of any, no bad signature, every row `sent`, and one
 * `notification.sent` event per reminder across the processes.
 */
export function exactlyOnce(run: DeliveryResult): boolean {
  const { receiver, outbox, reminders } = run;
  return (
    receiver.distinct === reminders &&
    receiver.accepted === reminders &&
    receiver.duplicates === 0 &&
    receiver.badSignatures === 0 &&
    receiver.mismatchedIds === 0 &&
    outbox.rows === reminders &&
    outbox.distinctKeys === reminders &&
    outbox.sent === reminders &&
    sentEvents(run) === reminders
  );
}

/** `notification.sent` events of every process of a configuration. */
export function sentEvents(run: DeliveryResult): number {
  return run.perProcess.reduce((sum, p) => sum + p.sent, 0);
}

/**
 * The notifier suite's targets, from the Notifier issue (Speed): every reminder delivered exactly
 * once, and memory flat, for each configuration. Throughput is recorded, not targeted.
 */
export function checkNotifierTargets({ deliveries }: NotifierRun): TargetCheck[] {
  return deliveries.flatMap((run) => {
    const setting = `${run.processes} process${run.processes === 1 ? '' : 'es'}`;
    const growths = run.perProcess.map(memoryGrowthMb);
    return [
      {
        name: `Each reminder delivered exactly once (${setting})`,
        target: `${count(run.reminders)} distinct ids at the receiver, no duplicate, no bad signature, every row sent`,
        actual:
          `${count(run.receiver.distinct)} ids, ${count(run.receiver.duplicates)} duplicates, ` +
          `${count(run.receiver.badSignatures)} bad signatures, ${count(run.outbox.sent)} rows sent`,
        pass: exactlyOnce(run),
      },
      {
        name: `Memory stays flat (${setting})`,
        target: `RSS of the last tenth ≤ first tenth + ${MEMORY_MAX_GROWTH_MB} MB, each process`,
        actual: `${growths.map(signed).join(' / ')} MB`,
        pass: growths.every((growth) => growth <= MEMORY_MAX_GROWTH_MB),
      },
    ];
  });
}
