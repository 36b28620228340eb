import { machineTable, shortVersion } from '../machine-info';
import { count, markdownTable, perSecond, type ResultTable, signed, textSection } from '../result-table';
import type { StatementTiming } from '../statement-profile';
import { barChart, lineChart } from '../svg-chart';
import { type TargetCheck, targetsTable } from '../target-check';
import type { DeadlineLagResult, LagSummary } from './deadline-lag';
import type { SchedulerRun } from './scheduler-run';
import { exactlyOnce } from './scheduler-targets';

const LOST = 'transition lost';
const WON = 'transition won';
const FIND_DUE = 'find due challenges';
/** Statements that run beside the loop (the LISTEN connection, MySQL's event polls), not in it. */
const BESIDE_THE_LOOP = ['LISTEN', 'poll events'];

/** Lag percentiles of every server, from the events and from the database. */
function lagTable({ lag }: SchedulerRun): ResultTable {
  const row = (label: string, s: LagSummary) => [label, ms(s.p50), ms(s.p90), ms(s.p99), ms(s.max), ms(s.mean)];
  const rows = [lag.postgres, lag.mysql].flatMap((r) =>
    r === null
      ? []
      : [
          row(`${r.product}: challenge.transitioned lagMs`, r.lag),
          row(`${r.product}: updated_at − deadline (database)`, r.recordedLag),
        ],
  );
  return {
    headers: ['lag (ms after the deadline)', 'p50', 'p90', 'p99', 'max', 'mean'],
    align: ['left', 'right', 'right', 'right', 'right', 'right'],
    rows,
  };
}

/**
 * What each Scheduler process did: transitions won and lost, the reads behind them, and how much of
 * the run (first deadline to last commit) it spent in statements and blocked in lost races.
 */
function instancesTable(lag: DeadlineLagResult): ResultTable {
  const share = (value: number) => `${((100 * value) / lag.spanMs).toFixed(0)}%`;
  return {
    headers: [
      'process',
      'won',
      'lost races',
      'ms per lost race',
      'find due reads',
      'next deadline reads',
      'in statements',
      'in lost races',
    ],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: lag.perInstance.map((instance, i) => {
      const lost = timing(instance.statements, LOST);
      return [
        `${lag.product} ${i + 1}`,
        count(instance.transitioned),
        count(lost.count),
        lost.count === 0 ? '' : (lost.totalMs / lost.count).toFixed(2),
        count(timing(instance.statements, FIND_DUE).count),
        count(timing(instance.statements, 'next deadline').count),
        share(busyMs(instance.statements)),
        share(lost.totalMs),
      ];
    }),
  };
}

/** The database's count after each lag run, against the events the processes reported. */
function tallyTable({ lag }: SchedulerRun): ResultTable {
  const runs = [lag.postgres, lag.mysql].filter((r): r is DeadlineLagResult => r !== null);
  const row = (label: string, value: (r: DeadlineLagResult) => number | string) => [
    label,
    ...runs.map((r) => String(typeof value(r) === 'number' ? count(value(r) as number) : value(r))),
  ];
  return {
    headers: ['after the run', ...runs.map((r) => r.product)],
    align: ['left', ...runs.map(() => 'right' as const)],
    rows: [
      row('challenges', (r) => r.challenges),
      row('pending_admin', (r) => r.tally.pendingAdmin),
      row('still active', (r) => r.tally.active),
      row('onDeadline hook rows', (r) => r.tally.closures),
      row('challenges with a hook row', (r) => r.tally.closedChallenges),
      row('challenge.transitioned events', (r) => r.lag.count),
      row('duplicate events', (r) => r.duplicateEvents),
      row('error events', (r) => r.errors.length),
      row('exactly once', (r) => (exactlyOnce(r) ? 'yes' : 'NO')),
    ],
  };
}

/** The catch-up run: time, rate, and memory. */
function catchUpTable({ catchUp }: SchedulerRun): ResultTable {
  return {
    headers: ['catch-up', ''],
    align: ['left', 'right'],
    rows: [
      ['overdue challenges', count(catchUp.challenges)],
      ['time to transition all', `${(catchUp.elapsedMs / 1_000).toFixed(1)} s`],
      ['rate', `${perSecond(catchUp.perSecond)} /s`],
      ['rate over the first tenth', `${perSecond(catchUp.firstTenthPerSecond)} /s`],
      ['rate over the last tenth', `${perSecond(catchUp.lastTenthPerSecond)} /s`],
      ['RSS before start (after a full GC)', `${mb(catchUp.baselineRssMb)} MB`],
      ['RSS peak, first tenth', `${mb(catchUp.firstTenthPeakMb)} MB`],
      ['RSS peak, last tenth', `${mb(catchUp.lastTenthPeakMb)} MB`],
      ['RSS peak', `${mb(catchUp.peakRssMb)} MB`],
      ...catchUp.liveHeap.map((h) => [
        `V8 heap after a full GC, ${h.transitioned === 0 ? 'before start' : `at ${count(h.transitioned)}`}`,
        `${mb(h.mb)} MB`,
      ]),
      ['left active', count(catchUp.tally.active)],
      ['error events', count(catchUp.errors.length)],
    ],
  };
}

/**
 * The catch-up's statements per challenge. With `concurrency` above 1 they overlap, so their times
 * add up to more than the wall time and no "Node" remainder can be told apart.
 */
function catchUpStatementsTable({ catchUp }: SchedulerRun): ResultTable {
  return {
    headers: ['per challenge', 'round trips', 'ms (summed over connections)'],
    align: ['left', 'right', 'right'],
    rows: catchUp.statements
      .filter((s) => !BESIDE_THE_LOOP.some((label) => s.label.startsWith(label)))
      .map((s) => [s.label, (s.count / catchUp.challenges).toFixed(3), (s.totalMs / catchUp.challenges).toFixed(3)]),
  };
}

/** A histogram of one server's lags. */
export function lagChart(run: SchedulerRun, lag: DeadlineLagResult): string {
  const server = lag.product === 'PostgreSQL' ? run.postgres : run.mysql;
  return barChart({
    title: `${lag.product}: lag from deadline to committed transition, ${count(lag.challenges)} challenges`,
    subtitle: `${lag.instances} Scheduler processes · deadlines spread over ${lag.windowMs / 1_000} s · p50 ${ms(lag.lag.p50)} ms · p99 ${ms(lag.lag.p99)} ms · ${lag.product} ${shortVersion(server?.version ?? '')} · ${run.machine.date.slice(0, 10)}`,
    unit: 'challenges',
    bars: lag.histogram.map((bucket) => ({
      label: bucket.label,
      value: bucket.count,
      color: lag.product === 'PostgreSQL' ? '#2563eb' : '#d97706',
    })),
  });
}

/** RSS and heap of the catching-up process over challenges transitioned. */
export function catchUpChart({ catchUp, machine }: SchedulerRun): string {
  return lineChart({
    title: `Memory of one Scheduler catching up ${count(catchUp.challenges)} overdue challenges`,
    subtitle: `${perSecond(catchUp.perSecond)} transitions/s · baseline RSS ${catchUp.baselineRssMb.toFixed(0)} MB · Node ${machine.node} · ${machine.date.slice(0, 10)}`,
    xLabel: 'challenges transitioned',
    yLabel: 'MB',
    series: [
      {
        label: 'resident set size (RSS)',
        color: '#2563eb',
        points: catchUp.samples.map((s) => [s.transitioned, s.rssMb]),
      },
      { label: 'V8 heap used', color: '#16a34a', points: catchUp.samples.map((s) => [s.transitioned, s.heapUsedMb]) },
    ],
  });
}

/** The scheduler section of RESULTS.md; links are relative to results/. */
export function renderSchedulerMarkdown(run: SchedulerRun, targets: readonly TargetCheck[]): string {
  const { machine, lag, catchUp } = run;
  const pg = lag.postgres;
  const passed = targets.filter((t) => t.pass).length;
  const servers = run.mysql === null ? [run.postgres] : [run.postgres, run.mysql];
  return `## Scheduler

How soon after its deadline a challenge is \`pending_admin\` with several Scheduler processes, and how one
Scheduler catches up after downtime (targets from the Scheduler issue, for PostgreSQL). Written by
\`pnpm bench scheduler\` on ${machine.date.slice(0, 10)}; how it measures: [README.md](../README.md).
${machine.quick ? '\n> **BENCH_QUICK run:** small sizes for a smoke test. These numbers are not comparable to the targets.\n' : ''}
${markdownTable(machineTable(machine, servers, run.durationSeconds))}

### Targets: ${passed} of ${targets.length} met

${markdownTable(targetsTable(targets))}

### 1. Deadline lag

![Lag histogram on PostgreSQL](scheduler-lag-postgres.svg)
${lag.mysql === null ? '' : `\n![Lag histogram on ${lag.mysql.product}](scheduler-lag-mysql.svg)\n`}
${count(pg.challenges)} \`active\` challenges whose deadlines are spread evenly over ${pg.windowMs / 1_000} s (one every
${(pg.windowMs / pg.challenges).toFixed(1)} ms), created in one set-based INSERT before the first deadline, and ${pg.instances} \`Scheduler\`
processes with default options (\`batchSize\` 100, \`concurrency\` 1, \`pollInterval\` 30 s) on the real clock, all
asleep until the first deadline. Each transition runs an \`onDeadline\` hook that inserts a row into a host table
(no unique key, so a double transition would show). The lag is \`lagMs\` of \`challenge.transitioned\`: the commit
of the transition minus the deadline, measured in the process that won; the database's own \`updated_at\`
(the instant inside the transaction) minus the deadline is shown beside it.${lag.mysql === null ? '' : ` The same run on ${lag.mysql.product} is recorded for comparison; the targets are for PostgreSQL.`}

${markdownTable(lagTable(run))}

What each process did (statements timed in the process through a wrapper of its pool; a lost race is a
conditional \`UPDATE\` that waited for another process's row lock, then matched nothing):

${markdownTable(instancesTable(pg))}
${lag.mysql === null ? '' : `\n${markdownTable(instancesTable(lag.mysql))}\n`}
Checked against the database after the run:

${markdownTable(tallyTable(run))}

### 2. Catch-up after downtime

![RSS over challenges transitioned](scheduler-catchup-memory.svg)

${count(catchUp.challenges)} \`active\` challenges whose deadlines passed during the last hour, created in one set-based
INSERT, and one \`Scheduler\` process started on them with \`concurrency: ${catchUp.concurrency}\` (other options default); it reads
\`process.memoryUsage()\` every ${count(Math.round(catchUp.challenges / catchUp.samples.length))} transitions and stops after the last one.

${markdownTable(catchUpTable(run))}

Statements per challenge:

${markdownTable(catchUpStatementsTable(run))}

### Where the time goes

${analysis(run).join('\n\n')}
`;
}

/** The scheduler run as plain text for stdout. */
export function renderSchedulerConsole(run: SchedulerRun, targets: readonly TargetCheck[]): string {
  const { lag, catchUp } = run;
  const passed = targets.filter((t) => t.pass).length;
  return [
    `${[run.postgres, run.mysql].flatMap((s) => (s === null ? [] : [`${s.product} ${s.version}`])).join(', ')}, suite took ${run.durationSeconds.toFixed(0)} s`,
    '',
    textSection(
      `Deadline lag: ${count(lag.postgres.challenges)} challenges due over ${lag.postgres.windowMs / 1_000} s, ${lag.postgres.instances} Scheduler processes`,
      lagTable(run),
    ),
    textSection('Per process', instancesTable(lag.postgres)),
    ...(lag.mysql === null ? [] : [textSection('Per process', instancesTable(lag.mysql))]),
    textSection('Checked against the database', tallyTable(run)),
    textSection(`Catch-up: ${count(catchUp.challenges)} overdue challenges, one process`, catchUpTable(run)),
    textSection('Catch-up statements per challenge', catchUpStatementsTable(run)),
    textSection(`Scheduler targets: ${passed} of ${targets.length} met`, targetsTable(targets)),
  ].join('\n');
}

function analysis(run: SchedulerRun): string[] {
  const { lag } = run;
  return [
    lagAnalysis(lag.postgres),
    contentionAnalysis(lag.postgres),
    ...(lag.mysql === null ? [] : [mysqlAnalysis(lag.mysql)]),
    catchUpAnalysis(run),
  ];
}

function lagAnalysis(pg: DeadlineLagResult): string {
  const met = pg.lag.p50 < 100 && pg.lag.p99 < 1_000;
  return (
    `**On PostgreSQL a challenge was \`pending_admin\` ${ms(pg.lag.p50)} ms after its deadline at the median and ` +
    `${ms(pg.lag.p99)} ms at p99** (max ${ms(pg.lag.max)} ms; targets 100 ms and 1 s${met ? ', both met' : ''}), where ` +
    'the 5-minute poll Settle replaces left up to 300 s. Each process sleeps until the earliest deadline in the store ' +
    '(the timer fires at the deadline), reads the challenges due, closes each in its own transaction with the hook, ' +
    `and reads the next deadline. The database recorded ${ms(pg.recordedLag.p50)} ms at the median between the deadline ` +
    'and the instant taken inside the transaction; the rest of the event lag is the transaction itself and its commit.'
  );
}

function contentionAnalysis(lag: DeadlineLagResult): string {
  const sum = (label: string, field: 'count' | 'totalMs') =>
    lag.perInstance.reduce((total, i) => total + timing(i.statements, label)[field], 0);
  const lost = sum(LOST, 'count');
  const lostMs = sum(LOST, 'totalMs');
  const won = sum(WON, 'count');
  const wonMs = sum(WON, 'totalMs');
  const reads = sum(FIND_DUE, 'count');
  const busy = lag.perInstance.reduce((total, i) => total + busyMs(i.statements), 0);
  const attempts = won + lost;
  const shares = lag.perInstance.map((i) => count(i.transitioned)).join(' / ');
  const arrival = lag.challenges / (lag.windowMs / 1_000);
  const perChallenge = busy / lag.challenges;
  const busyShare = (100 * busy) / (lag.instances * lag.spanMs);
  return (
    `**The ${lag.instances} processes race for the same rows.** They sleep until the same next deadline, wake together, ` +
    'and `findDueChallenges` (a plain `SELECT … ORDER BY deadline, id LIMIT 100`, without `FOR UPDATE SKIP LOCKED`) ' +
    `hands each of them the same page; each process then tries every challenge on it. Of ${count(attempts)} conditional ` +
    `updates, ${count(lost)} (${((100 * lost) / Math.max(1, attempts)).toFixed(0)}%) lost: ` +
    `${(attempts / lag.challenges).toFixed(2)} attempts per challenge; a lost one took ` +
    `${(lostMs / Math.max(1, lost)).toFixed(2)} ms on average, mostly waiting on the winner's row lock (held through ` +
    `its hook insert, event and COMMIT) before matching nothing, while a won update took ${(wonMs / Math.max(1, won)).toFixed(2)} ms. Over the ` +
    `${(lag.spanMs / 1_000).toFixed(1)} s from the first deadline to the last commit the processes were in statements ` +
    `${busyShare.toFixed(0)}% of the time and blocked in lost races ` +
    `${((100 * lostMs) / (lag.instances * lag.spanMs)).toFixed(0)}% of the time; they made ${count(reads)} due-challenge reads and won ${shares} transitions. Together they spent ` +
    `${perChallenge.toFixed(2)} ms in statements per challenge closed (${(lostMs / lag.challenges).toFixed(2)} ms of it ` +
    `blocked in lost races), with one challenge falling due every ${(1_000 / arrival).toFixed(1)} ms ` +
    `(${perSecond(arrival)}/s). ` +
    (lag.lag.p50 < 100 && lag.lag.p99 < 1_000
      ? `That kept up, so the lag stayed within the targets${busyShare > 80 ? ', though with little room' : ''}: every ` +
        'process attempts every due challenge, so the wasted attempts grow with the number of processes and with ' +
        'deadlines that fall together.'
      : 'Because every process attempts every due challenge and a lost attempt holds its process until the winner ' +
        'commits, three processes close challenges hardly faster than one: they fell behind the deadlines, a backlog ' +
        'built up and the lag grew through the minute. Claiming due challenges with `FOR UPDATE SKIP LOCKED` (as ' +
        'payout batches are claimed) would give each process different rows, and let their commits overlap.')
  );
}

function mysqlAnalysis(lag: DeadlineLagResult): string {
  const lost = lag.perInstance.reduce((total, i) => total + timing(i.statements, LOST).count, 0);
  return (
    `**On ${lag.product} the median lag was ${ms(lag.lag.p50)} ms and p99 ${ms(lag.lag.p99)} ms** (recorded, no target), ` +
    `with ${count(lost)} lost races. A transition there takes more round trips: \`SET TRANSACTION\` and \`START ` +
    'TRANSACTION`, the `UPDATE`, a `SELECT` of the challenge (MySQL has no `UPDATE … RETURNING`), the hook, the ' +
    'event inserted into the outbox table, and COMMIT. Deadlines set in another process are seen by polling the events ' +
    'table (every 250 ms by default); here every challenge existed before the processes started.'
  );
}

function catchUpAnalysis({ catchUp }: SchedulerRun): string {
  const growth = catchUp.lastTenthPeakMb - catchUp.firstTenthPeakMb;
  const firstLive = catchUp.liveHeap[1] ?? catchUp.liveHeap[0]!;
  const lastLive = catchUp.liveHeap.at(-1)!;
  const kept = lastLive.mb - firstLive.mb;
  const bytesPerChallenge = (kept * 1024 * 1024) / Math.max(1, lastLive.transitioned - firstLive.transitioned);
  const trips =
    catchUp.statements
      .filter((s) => !BESIDE_THE_LOOP.some((label) => s.label.startsWith(label)))
      .reduce((sum, s) => sum + s.count, 0) / catchUp.challenges;
  return (
    `**One process caught up ${count(catchUp.challenges)} overdue challenges in ${(catchUp.elapsedMs / 1_000).toFixed(1)} s ` +
    `(${perSecond(catchUp.perSecond)} per second)**, ${perSecond(catchUp.firstTenthPerSecond)}/s over the first tenth ` +
    `and ${perSecond(catchUp.lastTenthPerSecond)}/s over the last. Each challenge is its own transaction ` +
    `(${trips.toFixed(1)} statements per challenge, with the reads of each page of 100), ${catchUp.concurrency} at a time ` +
    `(\`concurrency: ${catchUp.concurrency}\`; the default is 1). ` +
    `RSS peaked at ${mb(catchUp.firstTenthPeakMb)} MB in the first tenth and ${mb(catchUp.lastTenthPeakMb)} MB in the ` +
    `last (${signed(growth)} MB${growth <= 10 ? ', within the 10 MB of the target' : ', over the 10 MB of the target'}). ` +
    `After a full GC the heap held ${mb(firstLive.mb)} MB at ${count(firstLive.transitioned)} challenges and ` +
    `${mb(lastLive.mb)} MB at ${count(lastLive.transitioned)} (${signed(kept)} MB, ${bytesPerChallenge.toFixed(0)} bytes ` +
    'per challenge). The Scheduler holds one page of 100 due challenges at a time, but `runDue()` also remembers the ' +
    'id of every challenge it read until it returns (the set that prunes its retry table), and during a catch-up one ' +
    `call runs through the whole backlog: ${count(catchUp.challenges)} ids by the end, freed when it returns. ` +
    'The rest of the RSS movement is V8 growing and shrinking its heap between collections.'
  );
}

/** Time a process spent in the statements of its loop, ms. */
function busyMs(statements: readonly StatementTiming[]): number {
  return statements
    .filter((s) => !BESIDE_THE_LOOP.some((label) => s.label.startsWith(label)))
    .reduce((sum, s) => sum + s.totalMs, 0);
}

/** The timing of the statements whose label starts with `prefix`, summed. */
function timing(statements: readonly StatementTiming[], prefix: string): { count: number; totalMs: number } {
  return statements
    .filter((s) => s.label.startsWith(prefix))
    .reduce((sum, s) => ({ count: sum.count + s.count, totalMs: sum.totalMs + s.totalMs }), { count: 0, totalMs: 0 });
}

function ms(value: number): string {
  return value.toFixed(1);
}

function mb(value: number): string {
  return value.toFixed(1);
}
