import { signed } from '../result-table';
import { ratioAgainst, type TargetCheck } from '../target-check';
import type { PayoutsRun } from './payouts-run';

/** Targets set by the PayoutQueue issue (Speed). */
const ENQUEUE_MEDIAN_MS = 100;
const ENQUEUE_MAX_RATIO_TO_COPY = 1.1;
const THROUGHPUT_MIN = 30_000;
const THROUGHPUT_MIN_RATIO_TO_RAW = 0.85;
const THROUGHPUT_MIN_RATIO_TO_PG_BOSS = 8;
/**
 * "Flat" made concrete. Settle holds one 500-entry batch at a time (well under 1 MB), so anything
 * kept per entry would grow RSS by MBs over a million entries: 10 MB between the first and the
 * last tenth of the run catches a leak of 10 bytes per entry. 64 MB over the baseline leaves room
 * for V8's young generation and heap growth between collections.
 */
const MEMORY_MAX_GROWTH_MB = 10;
const MEMORY_MAX_OVER_BASELINE_MB = 64;

/** Every target with pass or fail. */
export function checkPayoutsTargets(run: PayoutsRun): TargetCheck[] {
  const { enqueue, throughput, memory } = run;
  const settle = throughput.results.settle.entriesPerSecond;
  const rawRatio = settle / throughput.results.rawSql.entriesPerSecond;
  const bossRatio = settle / throughput.results.pgBoss.entriesPerSecond;
  const copyRatio = enqueue.settle.median / enqueue.copy.median;
  const growth = memory.lastTenthPeakMb - memory.firstTenthPeakMb;
  const overBaseline = memory.peakMb - memory.baselineMb;
  return [
    {
      name: 'Enqueue median',
      target: `< ${ENQUEUE_MEDIAN_MS} ms for ${enqueue.entries.toLocaleString('en-US')} entries`,
      actual: `${enqueue.settle.median.toFixed(1)} ms`,
      pass: enqueue.settle.median < ENQUEUE_MEDIAN_MS,
    },
    {
      name: 'Enqueue vs COPY',
      target: `≤ ${ENQUEUE_MAX_RATIO_TO_COPY}× COPY (median)`,
      actual: ratioAgainst(copyRatio, 'max'),
      pass: copyRatio <= ENQUEUE_MAX_RATIO_TO_COPY,
    },
    {
      name: 'Batch throughput',
      target: `≥ ${THROUGHPUT_MIN.toLocaleString('en-US')} entries/s`,
      actual: `${Math.round(settle).toLocaleString('en-US')} entries/s`,
      pass: settle >= THROUGHPUT_MIN,
    },
    {
      name: 'Throughput vs hand-written SQL',
      target: `≥ ${THROUGHPUT_MIN_RATIO_TO_RAW}×`,
      actual: ratioAgainst(rawRatio, 'min'),
      pass: rawRatio >= THROUGHPUT_MIN_RATIO_TO_RAW,
    },
    {
      name: 'Throughput vs pg-boss',
      target: `≥ ${THROUGHPUT_MIN_RATIO_TO_PG_BOSS}×`,
      actual: ratioAgainst(bossRatio, 'min'),
      pass: bossRatio >= THROUGHPUT_MIN_RATIO_TO_PG_BOSS,
    },
    {
      name: 'Memory stays flat',
      target: `RSS of the last tenth ≤ first tenth + ${MEMORY_MAX_GROWTH_MB} MB`,
      actual: `${signed(growth)} MB over ${memory.entries.toLocaleString('en-US')} entries`,
      pass: growth <= MEMORY_MAX_GROWTH_MB,
    },
    {
      name: 'Memory stays small',
      target: `peak ≤ baseline + ${MEMORY_MAX_OVER_BASELINE_MB} MB`,
      actual: `${signed(overBaseline)} MB`,
      pass: overBaseline <= MEMORY_MAX_OVER_BASELINE_MB,
    },
  ];
}
