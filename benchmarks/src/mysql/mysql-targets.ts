import { perSecond } from '../result-table';
import { ratioAgainst, type TargetCheck } from '../target-check';
import type { MySqlRun } from './mysql-run';

/** Targets set by the MySQL store issue (Speed). */
const THROUGHPUT_MIN_RATIO_TO_RAW = 0.85;
const ENQUEUE_MEDIAN_MS = 90;

/** Every target of the mysql suite with pass or fail. */
export function checkMySqlTargets({ server, enqueue, throughput }: MySqlRun): TargetCheck[] {
  const { settle, rawSql } = throughput.results;
  const ratio = settle.entriesPerSecond / rawSql.entriesPerSecond;
  return [
    {
      name: `Throughput vs hand-written SQL (${server.product})`,
      target: `≥ ${THROUGHPUT_MIN_RATIO_TO_RAW}×`,
      actual: `${ratioAgainst(ratio, 'min')} (${perSecond(settle.entriesPerSecond)} vs ${perSecond(rawSql.entriesPerSecond)} entries/s)`,
      pass: ratio >= THROUGHPUT_MIN_RATIO_TO_RAW,
    },
    {
      name: `Enqueue median (${server.product})`,
      target: `< ${ENQUEUE_MEDIAN_MS} ms for ${enqueue.entries.toLocaleString('en-US')} entries`,
      actual: `${enqueue.settle.median.toFixed(1)} ms`,
      pass: enqueue.settle.median < ENQUEUE_MEDIAN_MS,
    },
  ];
}
