import { machineTable, shortVersion } from '../machine-info';
import { count, markdownTable, perSecond, type ResultTable, textSection } from '../result-table';
import type { Summary } from '../stats';
import { barChart } from '../svg-chart';
import { type TargetCheck, targetsTable } from '../target-check';
import { profileTable, type RoundResult, roundsProfileTable } from '../throughput-rounds';
import type { MySqlRun } from './mysql-run';
import type { StatementPlan } from './mysql-statement-plan';

/**
 * Statements of a Settle batch that the hand-written loop does without: it keeps a cursor instead
 * of finding a job, updates the job in one arithmetic statement, sets its isolation once per
 * session, and has no events to publish.
 */
const SETTLE_ONLY = ['find claimable jobs', 'lock job', 'SET TRANSACTION', 'START TRANSACTION', 'publish event'];

/** Enqueue latency on MySQL: Settle and the hand-written INSERTs, and the ratio. */
function mysqlEnqueueTable({ enqueue }: MySqlRun): ResultTable {
  const row = (label: string, s: Summary) => [label, ms(s.median), ms(s.p95), ms(s.min), ms(s.max)];
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  return {
    headers: ['job creation', 'median ms', 'p95 ms', 'min ms', 'max ms'],
    align: ['left', 'right', 'right', 'right', 'right'],
    rows: [
      row('Settle PayoutQueue.enqueue', enqueue.settle),
      row('hand-written LOAD DATA LOCAL INFILE', enqueue.rawSql),
      row('the same, entries with a primary key only', enqueue.rawSqlPrimaryKeyOnly),
      [
        'ratio Settle / hand-written',
        ratio(enqueue.settle.median, enqueue.rawSql.median),
        ratio(enqueue.settle.p95, enqueue.rawSql.p95),
        '',
        '',
      ],
    ],
  };
}

/** Batch throughput on MySQL: entries/s, per-round figures, batch time and the ratio. */
function mysqlThroughputTable({ throughput }: MySqlRun): ResultTable {
  const { settle, rawSql } = throughput.results;
  const row = (label: string, r: typeof settle) => [
    label,
    perSecond(r.entriesPerSecond),
    r.rounds.map((round) => perSecond(round.entriesPerSecond)).join(' / '),
    ms(r.batchMs),
    `${(settle.entriesPerSecond / r.entriesPerSecond).toFixed(2)}×`,
  ];
  return {
    headers: ['contender', 'entries/s', 'rounds (entries/s)', 'batch ms', 'Settle is'],
    align: ['left', 'right', 'right', 'right', 'right'],
    rows: [row('Settle PayoutQueue.drain', settle), row('hand-written SQL loop', rawSql)],
  };
}

/** How the server ran Settle's job lookup and claim, halfway through a job. */
function plansTable(plans: readonly StatementPlan[]): ResultTable {
  return {
    headers: ['statement', 'tables read', 'rows read', 'rows returned', 'ms'],
    align: ['left', 'left', 'right', 'right', 'right'],
    rows: plans.map((p) => [p.label, p.access.join(', '), count(p.rowsRead), count(p.rowsReturned), p.ms.toFixed(1)]),
  };
}

/** The throughput bar chart: Settle and the hand-written loop on the same server. */
export function mysqlThroughputChart(run: MySqlRun): string {
  const { throughput, machine, server } = run;
  return barChart({
    title: `${server.product}: paying ${throughput.entries.toLocaleString('en-US')} entries in batches of ${throughput.batchSize}, one at a time`,
    subtitle: `median of ${throughput.rounds} rounds · ${machine.cores} cores · Node ${machine.node} · ${server.product} ${shortVersion(server.version)} · ${machine.date.slice(0, 10)}`,
    unit: 'entries per second (higher is better)',
    bars: [
      { label: 'Settle PayoutQueue', value: throughput.results.settle.entriesPerSecond, color: '#2563eb' },
      { label: 'hand-written SQL', value: throughput.results.rawSql.entriesPerSecond, color: '#6b7280' },
    ],
    references: [{ value: 0.85 * throughput.results.rawSql.entriesPerSecond, label: 'target 0.85× hand-written' }],
  });
}

/** The mysql section of RESULTS.md; links are relative to results/. */
export function renderMySqlMarkdown(run: MySqlRun, targets: readonly TargetCheck[]): string {
  const { machine, server, enqueue, throughput } = run;
  const passed = targets.filter((t) => t.pass).length;
  return `## Payouts on MySQL / MariaDB

\`PayoutQueue\` on a \`MySqlStore\` against hand-written SQL on the same server (targets from the MySQL store
issue). Written by \`pnpm bench mysql\` on ${machine.date.slice(0, 10)}; how it measures: [README.md](../README.md).
${machine.quick ? '\n> **BENCH_QUICK run:** small sizes for a smoke test. These numbers are not comparable to the targets.\n' : ''}
${markdownTable(machineTable(machine, [server], run.durationSeconds))}

### Targets: ${passed} of ${targets.length} met

${markdownTable(targetsTable(targets))}

### 1. Enqueue latency

Creating one job of ${enqueue.entries.toLocaleString('en-US')} entries (job row + entries, one transaction), ${enqueue.iterations} timed
iterations after ${enqueue.warmup} warm-up, every contender once per iteration in a rotating order. The hand-written
side inserts the job row, then streams all entries with \`LOAD DATA LOCAL INFILE\` (the fastest way measured on
MariaDB: no SQL parsed per row), into copies of Settle's tables (\`CREATE TABLE … LIKE\`: same columns, indexes and
checks). The last row does the same into a copy whose entries keep only their primary key: not a schema Settle
could claim batches from, but the floor of writing these rows on this server.

${markdownTable(mysqlEnqueueTable(run))}

Where Settle's enqueue time goes (${enqueue.profile.jobs} more jobs through a pool that times every statement):

${markdownTable(profileTable(enqueue.profile, enqueue.profile.jobs, 'job'))}

### 2. Batch throughput

![Entries per second on ${server.product}: Settle and hand-written SQL](mysql-throughput.svg)

A job of ${throughput.entries.toLocaleString('en-US')} entries paid in batches of ${throughput.batchSize}, one batch at a time, ${throughput.warmupRounds} untimed
warm-up rounds then ${throughput.rounds} timed rounds per contender (median reported), tables analyzed before
each round, every round checked (all entries paid once, amounts summing to the job's total).

${markdownTable(mysqlThroughputTable(run))}

- **Settle**: \`PayoutQueue.drain()\`, ledger mode, \`batchSize: ${throughput.batchSize}\`, \`concurrency: 1\`, on a \`MySqlStore\`.
- **Hand-written SQL**: one transaction per batch on one connection (READ COMMITTED, autocommit off, set once):
  claim 500 entries after a cursor with \`FOR UPDATE SKIP LOCKED\` (through the primary key, up to the job's
  last entry: the plan Settle's claim uses, which no statistics can turn into a walk over paid entries), mark them
  completed, insert their ledger rows, upsert accounts aggregated per user in id order, advance the job's counters,
  COMMIT: six round trips per batch. Same
  tables, indexes and checks as Settle's (copies made with \`CREATE TABLE … LIKE\`).

Where a Settle batch's time goes, statement by statement, in each timed round (ms per batch; every
statement timed through a wrapper of the pool):

${markdownTable(roundsProfileTable(throughput.results.settle))}
${
  throughput.plans === null
    ? ''
    : `
How ${server.product} ran Settle's two statements that look for a batch, halfway through one more job paid after
the timed rounds (the last of each, under \`ANALYZE FORMAT=JSON\`, which executes it and counts what each table
access read, in a transaction rolled back afterwards):

${markdownTable(plansTable(throughput.plans))}
`
}
### Where the time goes

${[enqueueAnalysis(run), batchAnalysis(run), ...planAnalysis(run)].join('\n\n')}
`;
}

/** The mysql run as plain text for stdout. */
export function renderMySqlConsole(run: MySqlRun, targets: readonly TargetCheck[]): string {
  const { server, enqueue, throughput } = run;
  const passed = targets.filter((t) => t.pass).length;
  return [
    `${server.product} ${server.version}, round trip ${server.roundTripMs.toFixed(2)} ms, suite took ${run.durationSeconds.toFixed(0)} s`,
    '',
    textSection(
      `Enqueue latency: one job of ${enqueue.entries.toLocaleString('en-US')} entries, ${enqueue.iterations} iterations after ${enqueue.warmup} warm-up`,
      mysqlEnqueueTable(run),
    ),
    textSection(
      `Where Settle's enqueue time goes (profiled pass, ${enqueue.profile.jobs} jobs)`,
      profileTable(enqueue.profile, enqueue.profile.jobs, 'job'),
    ),
    textSection(
      `Batch throughput: ${throughput.entries.toLocaleString('en-US')} entries in batches of ${throughput.batchSize}, concurrency 1, median of ${throughput.rounds} rounds`,
      mysqlThroughputTable(run),
    ),
    textSection(`Where a Settle batch's time goes, per timed round`, roundsProfileTable(throughput.results.settle)),
    ...(throughput.plans === null
      ? []
      : [
          textSection(
            `How ${server.product} ran Settle's batch lookup, halfway through a job`,
            plansTable(throughput.plans),
          ),
        ]),
    textSection(`MySQL targets: ${passed} of ${targets.length} met`, targetsTable(targets)),
  ].join('\n');
}

function enqueueAnalysis({ enqueue }: MySqlRun): string {
  const { profile } = enqueue;
  const jobMs = profile.wallMs / profile.jobs;
  const insertMs = statementMs(profile.statements, 'insert entries') / profile.jobs;
  const statementsMs = profile.statements.reduce((sum, s) => sum + s.totalMs, 0);
  const nodeMs = (profile.wallMs - statementsMs) / profile.jobs;
  const ratio = enqueue.settle.median / enqueue.rawSql.median;
  const floor = enqueue.rawSqlPrimaryKeyOnly.median;
  return (
    `**Enqueue is bound by the server writing the rows and their index entries.** Settle's enqueue took ` +
    `${enqueue.settle.median.toFixed(1)} ms at the median, ${ratio.toFixed(2)}× the hand-written \`LOAD DATA LOCAL INFILE\` ` +
    `of the same rows into the same tables (${enqueue.rawSql.median.toFixed(1)} ms); the 90 ms target is ` +
    `${enqueue.settle.median < 90 ? 'met' : 'missed'}. In the profiled pass ${((100 * insertMs) / jobMs).toFixed(0)}% of ` +
    `its ${jobMs.toFixed(1)} ms per job is the \`INSERT … SELECT\` of the entries from one \`JSON_TABLE\` parameter and ` +
    `${nodeMs.toFixed(1)} ms is Node (validation, the entries' JSON, the event); it does not use \`LOAD DATA LOCAL\`, ` +
    'which MySQL 8 disables by default and which turns a duplicate or a value that does not fit into a warning ' +
    '(docs/mysql.md, Tuning). The same `LOAD DATA` into entries ' +
    `with only a primary key took ${floor.toFixed(1)} ms: the rest is the secondary indexes every entry updates (the ` +
    `per-job uniqueness of users and a job's entries by status; migration 4 dropped a third, entries by status ` +
    'for the statistics).' +
    (enqueue.rawSql.median >= 90
      ? ` With those indexes even the fastest hand-written insert measured here misses 90 ms on this server` +
        (floor < 90 ? '; only a table with none of them gets under it.' : ', and so does a table with none of them.')
      : '')
  );
}

function batchAnalysis({ throughput }: MySqlRun): string {
  const { settle, rawSql } = throughput.results;
  const rounds = settle.rounds.filter((r): r is RoundResult & { statements: NonNullable<RoundResult['statements']> } =>
    Boolean(r.statements),
  );
  const batches = rounds.reduce((sum, r) => sum + r.batches, 0);
  const trips = rounds.reduce((sum, r) => sum + r.statements.reduce((n, s) => n + s.count, 0), 0) / batches;
  const perBatch = (prefixes: readonly string[]) =>
    rounds.reduce((sum, r) => sum + prefixes.reduce((ms, p) => ms + statementMs(r.statements, p), 0), 0) / batches;
  const wall = rounds.reduce((sum, r) => sum + r.wallMs, 0) / batches;
  const events = rounds.reduce((sum, r) => sum + countOf(r.statements, 'publish event'), 0) / batches;
  const ratio = settle.entriesPerSecond / rawSql.entriesPerSecond;
  return (
    `**A Settle batch takes ${settle.batchMs.toFixed(1)} ms (median over all batches) against ${rawSql.batchMs.toFixed(1)} ms ` +
    `for the hand-written loop**, ${perSecond(settle.entriesPerSecond)} against ${perSecond(rawSql.entriesPerSecond)} ` +
    `entries/s (${ratio.toFixed(2)}×, target 0.85×). Settle makes ${trips.toFixed(1)} round trips per batch where the loop ` +
    `makes six. The statements the loop does without (finding the job, locking the job row before writing its ` +
    `counters, \`SET TRANSACTION\` and \`START TRANSACTION\`, and ${events.toFixed(1)} multi-row insert of the batch's ` +
    `events into the outbox MySQL needs instead of NOTIFY) took ${perBatch(SETTLE_ONLY).toFixed(2)} ms of Settle's ` +
    `${wall.toFixed(2)} ms per batch; the shared work (claim, mark completed, ledger, accounts, job update, COMMIT) ` +
    `took ${perBatch(['claim entries', 'mark completed', 'ledger rows', 'credit accounts', 'job counters', 'COMMIT']).toFixed(2)} ms.`
  );
}

/** What the probed plans show, when a statement read far more rows than it returned. */
function planAnalysis({ throughput, server }: MySqlRun): string[] {
  const wasteful = (throughput.plans ?? []).filter((p) => p.rowsRead > 10 * Math.max(1, p.rowsReturned));
  return wasteful.map(
    (plan) =>
      `**${server.product} runs \`${plan.label.replace(/ \(.*\)$/, '')}\` by reading ${count(plan.rowsRead)} rows to return ` +
      `${count(plan.rowsReturned)}** (${plan.access.join(', ')}; ${plan.ms.toFixed(1)} ms). ` +
      (plan.label.startsWith('claim entries')
        ? 'Ordered by id with a LIMIT, the optimizer prefers walking the primary key to the `(job_id, status, id)` ' +
          "index, and the walk starts at the table's first entry: it passes every paid entry before the job's first " +
          "pending one (the jobs paid before and the job's own paid entries), so the claim's cost grows with the " +
          "paid history in the table (the rounds above ran on a table holding the earlier rounds' jobs). The hand-written loop claims after a cursor (`id > ?`, the last id it claimed), " +
          'so its walk starts at its own pending entries whatever plan is chosen. The statement is `claim-batch.sql` ' +
          'of `@settle/mysql`.'
        : "Its `EXISTS` looks up the job's entries through the index named above and reads them until one is " +
          'pending, passing the entries already paid on the way, so it costs more the further the job got (and the ' +
          "optimizer's choice of index changes with the table's statistics). The statement is " +
          '`find-claimable-jobs.sql` of `@settle/mysql`.'),
  );
}

/** Total ms of the statements whose label starts with `prefix`. */
function statementMs(statements: readonly { label: string; totalMs: number }[], prefix: string): number {
  return statements.filter((s) => s.label.startsWith(prefix)).reduce((sum, s) => sum + s.totalMs, 0);
}

function countOf(statements: readonly { label: string; count: number }[], prefix: string): number {
  return statements.filter((s) => s.label.startsWith(prefix)).reduce((sum, s) => sum + s.count, 0);
}

function ms(value: number): string {
  return value.toFixed(1);
}
