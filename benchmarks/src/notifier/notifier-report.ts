import { machineTable, shortVersion } from '../machine-info';
import { count, markdownTable, perSecond, type ResultTable, signed, textSection } from '../result-table';
import { lineChart, type Series } from '../svg-chart';
import { type TargetCheck, targetsTable } from '../target-check';
import type { NotifierRun } from './notifier-run';
import {
  BESIDE_THE_LOOP,
  NOTIFIER_STATEMENTS,
  type NotifierStatementTiming,
  TRANSACTION_CONTROL,
} from './notifier-statements';
import { exactlyOnce, MEMORY_MAX_GROWTH_MB, memoryGrowthMb, sentEvents } from './notifier-targets';
import type { DeliveryResult, ProcessReport } from './reminder-delivery';
import { POOL_WAIT } from './timed-pool';

const COLORS = ['#2563eb', '#d97706', '#16a34a', '#9333ea'];

/** Throughput, backlog and latency of every configuration. */
export function deliveryTable({ deliveries }: NotifierRun): ResultTable {
  return {
    headers: [
      'Notifier processes',
      'reminders',
      'first due → last delivery',
      'rate',
      'steady rate (10th–90th %)',
      'peak backlog',
      'latency p50',
      'p95',
      'p99',
      'max',
    ],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: deliveries.map((d) => [
      String(d.processes),
      count(d.reminders),
      seconds(d.spanMs),
      `${perSecond(d.perSecond)} /s`,
      `${perSecond(d.steadyPerSecond)} /s`,
      count(d.peakBacklog),
      seconds(d.latency.p50),
      seconds(d.latency.p95),
      seconds(d.latency.p99),
      seconds(d.latency.max),
    ]),
  };
}

/** What the receiver and the outbox say after each configuration. */
export function exactlyOnceTable({ deliveries }: NotifierRun): ResultTable {
  const row = (label: string, value: (d: DeliveryResult) => number | string) => [
    label,
    ...deliveries.map((d) => {
      const v = value(d);
      return typeof v === 'number' ? count(v) : v;
    }),
  ];
  return {
    headers: ['after the run', ...deliveries.map(setting)],
    align: ['left', ...deliveries.map(() => 'right' as const)],
    rows: [
      row('reminders', (d) => d.reminders),
      row('receiver: distinct settle-id', (d) => d.receiver.distinct),
      row('receiver: second arrivals of an id', (d) => d.receiver.duplicates),
      row('receiver: bad signatures (401)', (d) => d.receiver.badSignatures),
      row('receiver: body id ≠ settle-id', (d) => d.receiver.mismatchedIds),
      row('outbox rows', (d) => d.outbox.rows),
      row('outbox rows sent', (d) => d.outbox.sent),
      row('outbox rows not sent', (d) => d.outbox.notSent),
      row('outbox rows retried (attempts > 0)', (d) => d.outbox.retried),
      row('notification.sent events', sentEvents),
      row('notification.skipped / failed events', (d) =>
        count(d.perProcess.reduce((sum, p) => sum + p.skipped + p.failed, 0)),
      ),
      row('sent per process', (d) => d.perProcess.map((p) => count(p.sent)).join(' / ')),
      row('exactly once', (d) => (exactlyOnce(d) ? 'yes' : 'NO')),
    ],
  };
}

/** Each Notifier process: its CPU, event loop and memory. */
export function processTable({ deliveries }: NotifierRun): ResultTable {
  return {
    headers: [
      'process',
      'sent',
      'CPU per reminder',
      'CPU busy',
      'event loop busy',
      'loop delay p99',
      'RSS at start',
      'RSS peak, first tenth',
      'last tenth',
      'growth',
    ],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: deliveries.flatMap((d) =>
      d.perProcess.map((p, i) => [
        `${i + 1} of ${d.processes}`,
        count(p.sent),
        `${(p.cpuMs / Math.max(1, p.sent)).toFixed(2)} ms`,
        percent(p.cpuMs / p.elapsedMs),
        percent(p.loop.utilization),
        `${p.loop.delayP99Ms.toFixed(0)} ms`,
        `${p.baselineRssMb.toFixed(1)} MB`,
        `${p.firstTenthPeakMb.toFixed(1)} MB`,
        `${p.lastTenthPeakMb.toFixed(1)} MB`,
        `${signed(memoryGrowthMb(p))} MB`,
      ]),
    ),
  };
}

/**
 * Statements per reminder of each configuration, summed over its processes: how many round trips a
 * reminder costs, their time from send to answer (summed over connections, so it can exceed the
 * wall time), and the rows each returned or changed.
 */
export function statementsTable({ deliveries }: NotifierRun): ResultTable {
  const labels = [...new Set(deliveries.flatMap((d) => merged(d).map((s) => s.label)))].filter(
    (label) => !BESIDE_THE_LOOP.includes(label),
  );
  const byLabel = deliveries.map((d) => new Map(merged(d).map((s) => [s.label, s])));
  const trips = deliveries.map(roundTrips);
  return {
    headers: [
      'statement',
      ...deliveries.flatMap((d) => [
        `per reminder (${d.processes})`,
        `ms each (${d.processes})`,
        `rows each (${d.processes})`,
      ]),
    ],
    align: ['left', ...deliveries.flatMap(() => ['right' as const, 'right' as const, 'right' as const])],
    rows: [
      ...labels.map((label) => [
        label,
        ...deliveries.flatMap((d, i) => {
          const s = byLabel[i]!.get(label);
          if (!s) return ['', '', ''];
          return [
            (s.count / d.reminders).toFixed(3),
            (s.totalMs / s.count).toFixed(2),
            label === POOL_WAIT || TRANSACTION_CONTROL.includes(label) ? '' : (s.rows / s.count).toFixed(1),
          ];
        }),
      ]),
      [
        'round trips to Postgres, all statements of the loop',
        ...trips.flatMap((t) => [t.perReminder.toFixed(3), (t.totalMs / t.count).toFixed(2), '']),
      ],
    ],
  };
}

/** Each Notifier process's wall time by what it was waiting on, and its webhook POSTs. */
export function wallTimeTable({ deliveries }: NotifierRun): ResultTable {
  return {
    headers: [
      'process',
      'wall time',
      'sleeping',
      'statements only',
      'POSTs only',
      'both',
      'nothing in flight',
      'POSTs',
      'POST p50',
      'p99',
    ],
    align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
    rows: deliveries.flatMap((d) =>
      d.perProcess.map((p, i) => {
        const share = (ms: number) => percent(ms / p.elapsedMs);
        return [
          `${i + 1} of ${d.processes}`,
          seconds(p.elapsedMs),
          share(p.wallTime.sleep),
          share(p.wallTime.statement),
          share(p.wallTime.post),
          share(p.wallTime.statementAndPost),
          share(p.wallTime.nothing),
          count(p.posts.count),
          `${p.posts.p50Ms.toFixed(1)} ms`,
          `${p.posts.p99Ms.toFixed(1)} ms`,
        ];
      }),
    ),
  };
}

/** CPU of the machine over each configuration's span, by who used it, per reminder. */
export function cpuTable({ deliveries }: NotifierRun): ResultTable {
  const perReminder = (d: DeliveryResult, value: number | null) => (value === null ? 'n/a' : ms(value / d.reminders));
  return {
    headers: ['CPU per reminder', ...deliveries.map(setting)],
    align: ['left', ...deliveries.map(() => 'right' as const)],
    rows: [
      ['Notifier processes', ...deliveries.map((d) => perReminder(d, cpuSplit(d).notifierMs))],
      ['their Postgres backends', ...deliveries.map((d) => perReminder(d, d.cpu.postgresMs))],
      ['webhook receiver (the benchmark’s process)', ...deliveries.map((d) => perReminder(d, d.cpu.receiverMs))],
      ['everything else on the machine', ...deliveries.map((d) => perReminder(d, cpuSplit(d).restMs))],
      ['machine, all cores', ...deliveries.map((d) => perReminder(d, d.cpu.machineBusyMs))],
      ['machine busy (of every core over the span)', ...deliveries.map((d) => percent(cpuSplit(d).machineShare))],
    ],
  };
}

/** Busy time by owner in the Notifier processes' CPU profiles, for the configurations that have them. */
export function profileOwnersTable({ deliveries }: NotifierRun): ResultTable {
  const profiled = deliveries.filter((d) => d.cpuProfile !== null);
  const owners = [...new Set(profiled.flatMap((d) => d.cpuProfile!.owners.map((o) => o.name)))];
  const share = (d: DeliveryResult, owner: string) => {
    const found = d.cpuProfile!.owners.find((o) => o.name === owner);
    return found ? percent(found.ms / d.cpuProfile!.busyMs) : '';
  };
  return {
    headers: ['busy time, by the nearest owner on the stack', ...profiled.map((d) => setting(d))],
    align: ['left', ...profiled.map(() => 'right' as const)],
    rows: owners.map((owner) => [owner, ...profiled.map((d) => share(d, owner))]),
  };
}

/** The functions with most self time in one configuration's CPU profiles. */
export function profileFunctionsTable(delivery: DeliveryResult): ResultTable {
  const profile = delivery.cpuProfile!;
  return {
    headers: ['function', 'self time', 'share'],
    align: ['left', 'right', 'right'],
    rows: profile.functions.map((f) => [f.name, `${(f.ms / 1_000).toFixed(2)} s`, percent(f.ms / profile.busyMs)]),
  };
}

/** Reminders delivered over time in each configuration, against the reminders due. */
export function deliveryChart(run: NotifierRun): string {
  const [first] = run.deliveries;
  const { batchSize, channelConcurrency, poolSize } = first!.settings;
  const series: Series[] = [
    { label: 'due', color: '#9ca3af', points: first!.due },
    ...run.deliveries.map((d, i) => ({
      label: `${setting(d)} (${perSecond(d.perSecond)}/s)`,
      color: COLORS[i % COLORS.length]!,
      points: d.delivered,
    })),
  ];
  return lineChart({
    title: `Reminders delivered to a local webhook receiver: ${count(first!.reminders)} due within ${first!.windowMs / 1_000} s`,
    subtitle: `Notifier defaults (batchSize ${batchSize}, channelConcurrency ${channelConcurrency}), pg pool of ${poolSize} per process · PostgreSQL ${shortVersion(run.postgres.version)} · ${run.machine.cores} cores · ${run.machine.date.slice(0, 10)}`,
    xLabel: 'seconds since the first reminder fell due',
    yLabel: 'reminders',
    series,
  });
}

/** RSS of every Notifier process over the run. */
export function memoryChart(run: NotifierRun): string {
  const series: Series[] = run.deliveries.flatMap((d, i) =>
    d.perProcess.map((p, j) => ({
      label: `${j + 1} of ${d.processes}`,
      color: shade(COLORS[i % COLORS.length]!, j),
      points: p.samples.filter((s) => s.s >= 0).map((s) => [s.s, s.rssMb] as const),
    })),
  );
  return lineChart({
    title: 'Resident set size of each Notifier process while it delivers',
    subtitle: `Flat: RSS of the last tenth of a process's deliveries ≤ first tenth + ${MEMORY_MAX_GROWTH_MB} MB · Node ${run.machine.node} · ${run.machine.date.slice(0, 10)}`,
    xLabel: 'seconds since the first reminder fell due',
    yLabel: 'MB',
    series,
  });
}

/** The notifier section of RESULTS.md; links are relative to results/. */
export function renderNotifierMarkdown(run: NotifierRun, targets: readonly TargetCheck[]): string {
  const { machine } = run;
  const [first] = run.deliveries;
  const passed = targets.filter((t) => t.pass).length;
  const profiled = run.deliveries.filter((d) => d.cpuProfile !== null);
  const profiles =
    profiled.length === 0
      ? ''
      : `\n\nCPU profiles of the Notifier processes (\`BENCH_NOTIFIER_CPU_PROFILE\`): their busy time (idle left out), each sample
charged to the nearest package, Settle file or undici on its stack, so native calls, Node's internals and web streams
count for their caller. The profiler samples wall time on the thread: a process the kernel has descheduled in a system
call is charged for the wait.

${markdownTable(profileOwnersTable(run))}
${profiled
  .map((d) => `\nThe functions with most self time, ${setting(d)}:\n\n${markdownTable(profileFunctionsTable(d))}\n`)
  .join('')}`;
  return `## Notifier

${count(first!.reminders)} reminders falling due within ${first!.windowMs / 1_000} s, delivered by the \`Notifier\` to a local webhook
receiver, with one and with ${run.deliveries.at(-1)!.processes} Notifier processes (targets from the Notifier issue: exactly once, memory flat;
throughput is recorded). Written by \`pnpm bench notifier\` on ${machine.date.slice(0, 10)}; how it measures: [README.md](../README.md).
${machine.quick ? '\n> **BENCH_QUICK run:** small sizes for a smoke test. These numbers are not comparable to the targets.\n' : ''}
${markdownTable(machineTable(machine, [run.postgres], run.durationSeconds))}

### Targets: ${passed} of ${targets.length} met

${markdownTable(targetsTable(targets))}

### Delivery

![Reminders delivered over time](notifier-delivery.svg)

${count(first!.challenges)} \`active\` challenges of ${count(first!.reminders / first!.challenges)} participants each, created through \`Challenges.create\`
(one statement per challenge with all its participants) just before the window, with deadlines one hour after
instants spread evenly over ${first!.windowMs / 1_000} s: every participant's hour reminder falls due in that window, a challenge's
${count(first!.reminders / first!.challenges)} at the same instant. Each configuration has a fresh installation. The Notifier processes run with
default options on the real clock and a \`webhookChannel\` to a \`node:http\` receiver in the benchmark's process,
which verifies every request with \`verifyWebhookSignature\`, answers 204 and notes the first arrival of each
\`settle-id\`. Latency is that arrival minus the row's \`due_at\`; the rate runs from the first due instant to the last
arrival; the steady rate is between the 10th and the 90th percentile of arrivals; the backlog is reminders due and
not yet delivered.

${markdownTable(deliveryTable(run))}

Checked at the receiver and in the outbox after each configuration:

${markdownTable(exactlyOnceTable(run))}

### Memory and CPU of the Notifier processes

![RSS of each Notifier process](notifier-memory.svg)

Each process reads \`process.memoryUsage()\` every 250 ms. Its first and last tenth are the readings taken while
it had sent up to a tenth, and from nine tenths, of its own reminders; CPU and event loop are measured from the
first due instant to its stop.

${markdownTable(processTable(run))}

### Where the time goes

Statements of each configuration per reminder, timed in the processes through a wrapper of their pools (the wait
for a free connection is counted apart), with the rows each returned or changed:

${markdownTable(statementsTable(run))}

Each process's wall time, from the first due instant to its stop, by what it was waiting on: its sleep on the
clock, a statement (or a pool checkout), a webhook POST (a channel send, from the call to the end of the answer, so
the channel's own work in the process, signing and \`node:http\`, counts here too), both, or nothing (its own
JavaScript, or its event loop catching up):

${markdownTable(wallTimeTable(run))}

The machine's CPU from the first due instant to the last arrival: \`os.cpus()\` for the machine, \`process.cpuUsage()\`
for the Notifier processes and the receiver, \`/proc/<pid>/stat\` for the Postgres backends of the Notifier processes'
connections (found by their \`application_name\`; not Postgres's background processes). Everything else is other work
on the machine, Postgres's background processes among it:

${markdownTable(cpuTable(run))}${profiles}

${analysis(run).join('\n\n')}
`;
}

/** The notifier run as plain text for stdout. */
export function renderNotifierConsole(run: NotifierRun, targets: readonly TargetCheck[]): string {
  const [first] = run.deliveries;
  const passed = targets.filter((t) => t.pass).length;
  return [
    `PostgreSQL ${run.postgres.version}, suite took ${run.durationSeconds.toFixed(0)} s`,
    '',
    textSection(
      `Delivery: ${count(first!.reminders)} reminders due within ${first!.windowMs / 1_000} s to a local webhook receiver`,
      deliveryTable(run),
    ),
    textSection('Checked at the receiver and in the outbox', exactlyOnceTable(run)),
    textSection('Notifier processes', processTable(run)),
    textSection('Statements per reminder', statementsTable(run)),
    textSection('Wall time of each Notifier process by what it waited on', wallTimeTable(run)),
    textSection('CPU of the machine per reminder', cpuTable(run)),
    ...(run.deliveries.some((d) => d.cpuProfile !== null)
      ? [
          textSection('CPU profiles: busy time by owner', profileOwnersTable(run)),
          ...run.deliveries
            .filter((d) => d.cpuProfile !== null)
            .map((d) =>
              textSection(`CPU profiles: top functions, ${d.processes} process(es)`, profileFunctionsTable(d)),
            ),
        ]
      : []),
    textSection(`Notifier targets: ${passed} of ${targets.length} met`, targetsTable(targets)),
    analysis(run).join('\n\n'),
  ].join('\n');
}

function analysis(run: NotifierRun): string[] {
  return [
    throughputAnalysis(run),
    roundTripAnalysis(run),
    wallTimeAnalysis(run),
    cpuAnalysis(run),
    ...run.deliveries.filter((d) => d.cpuProfile !== null).map(profileAnalysis),
  ];
}

function throughputAnalysis({ deliveries, machine }: NotifierRun): string {
  const [one, ...more] = deliveries;
  const perChallenge = one!.reminders / one!.challenges;
  const kept = (d: DeliveryResult) =>
    d.peakBacklog <= perChallenge
      ? `it kept up: the backlog never exceeded one challenge’s ${count(perChallenge)} reminders`
      : `a backlog built up to ${count(d.peakBacklog)} reminders`;
  const others = more.map(
    (d) =>
      `**${d.processes} processes delivered ${perSecond(d.perSecond)}/s** (steady ${perSecond(d.steadyPerSecond)}/s, ` +
      `${(d.steadyPerSecond / one!.steadyPerSecond).toFixed(2)}× one process), so ${kept(d)}; the last arrived ` +
      `${seconds(d.drainMs)} after the last due instant (p50 latency ${seconds(d.latency.p50)}, p99 ${seconds(d.latency.p99)})`,
  );
  return (
    `**One Notifier process delivered ${perSecond(one!.perSecond)} reminders per second** (steady ${perSecond(one!.steadyPerSecond)}/s) ` +
    `while they fell due at ${perSecond(one!.duePerSecond)}/s, so ${kept(one!)}, ` +
    `and the last one arrived ${seconds(one!.drainMs)} after the last due instant (p50 latency ${seconds(one!.latency.p50)}, ` +
    `p99 ${seconds(one!.latency.p99)}). ${others.length > 0 ? `${others.join('. ')}. ` : ''}` +
    `${deliveries.every(exactlyOnce) ? 'Every reminder arrived once, with a valid signature, and every outbox row is `sent`. ' : ''}` +
    `The machine's 1-minute load average was ${deliveries.map((d) => d.loadAverage.toFixed(1)).join(' and ')} when the ` +
    `configurations started, on ${machine.cores} cores shared by Postgres, the Notifier processes and the receiver.`
  );
}

function roundTripAnalysis({ deliveries }: NotifierRun): string {
  return deliveries
    .map((d) => {
      const s = merged(d);
      const trips = roundTrips(d);
      const work = s.filter((t) => inLoop(t.label) && !TRANSACTION_CONTROL.includes(t.label));
      const statementsPerReminder = work.reduce((sum, t) => sum + t.count, 0) / d.reminders;
      const commits = find(s, NOTIFIER_STATEMENTS.commit).count / d.reminders;
      const claim = find(s, NOTIFIER_STATEMENTS.claim);
      const complete = find(s, NOTIFIER_STATEMENTS.complete);
      const lastSent = find(s, NOTIFIER_STATEMENTS.lastSent);
      const wait = find(s, POOL_WAIT);
      const heaviest = work.reduce((a, b) => (b.totalMs > a.totalMs ? b : a), work[0]!);
      return (
        `**With ${setting(d)} a reminder cost ${trips.perReminder.toFixed(3)} round trips to Postgres** ` +
        `(${statementsPerReminder.toFixed(3)} statements and ${commits.toFixed(3)} commits; one round trip every ` +
        `${(1 / trips.perReminder).toFixed(0)} reminders), ${(trips.totalMs / d.reminders).toFixed(2)} ms of statement time per reminder ` +
        `summed over connections. ${count(claim.count)} claims returned ${(claim.rows / Math.max(1, claim.count)).toFixed(1)} rows ` +
        `on average (${(claim.rows / d.reminders).toFixed(3)} claimed rows per reminder); ${count(complete.count)} completing ` +
        `statements recorded ${(complete.rows / Math.max(1, complete.count)).toFixed(1)} reminders each in ` +
        `${(complete.totalMs / Math.max(1, complete.count)).toFixed(2)} ms, and the de-duplication read of a batch took ` +
        `${(lastSent.totalMs / Math.max(1, lastSent.count)).toFixed(2)} ms. A pool checkout waited ` +
        `${(wait.totalMs / Math.max(1, wait.count)).toFixed(2)} ms on average. The statement with most time in all was ` +
        `“${heaviest.label}” (${((100 * heaviest.totalMs) / trips.totalMs).toFixed(0)}% of the statement time).`
      );
    })
    .join('\n\n');
}

function wallTimeAnalysis({ deliveries }: NotifierRun): string {
  return deliveries
    .map((d) => {
      const sum = (pick: (p: ProcessReport) => number) => d.perProcess.reduce((total, p) => total + pick(p), 0);
      const elapsed = sum((p) => p.elapsedMs);
      const awake = elapsed - sum((p) => p.wallTime.sleep);
      const batches = find(merged(d), NOTIFIER_STATEMENTS.complete).count;
      const parts = [
        { what: 'waiting on Postgres alone', ms: sum((p) => p.wallTime.statement) },
        { what: 'waiting on webhook POSTs alone', ms: sum((p) => p.wallTime.post) },
        { what: 'waiting on both', ms: sum((p) => p.wallTime.statementAndPost) },
        { what: 'with nothing in flight', ms: sum((p) => p.wallTime.nothing) },
      ].sort((a, b) => b.ms - a.ms);
      const posts = sum((p) => p.posts.count);
      const subject = d.processes === 1 ? 'The process' : `The ${d.processes} processes`;
      return (
        `**${subject} slept ${percent(1 - awake / elapsed)} of ${d.processes === 1 ? 'its' : 'their'} wall time; awake, ` +
        `${d.processes === 1 ? 'it' : 'they'} spent ${parts.map((p) => `${percent(p.ms / awake)} ${p.what}`).join(', ')}.** ` +
        `Per claimed batch (${count(batches)} of them, ${(d.reminders / Math.max(1, batches)).toFixed(0)} reminders each on average) ` +
        `that is ${parts.map((p) => `${(p.ms / Math.max(1, batches)).toFixed(1)} ms ${p.what}`).join(', ')}. ` +
        `A POST took ${(sum((p) => p.posts.totalMs) / Math.max(1, posts)).toFixed(1)} ms on average ` +
        `(p99 ${Math.max(...d.perProcess.map((p) => p.posts.p99Ms)).toFixed(1)} ms in the slowest process), ` +
        `${d.settings.channelConcurrency} at a time per process.`
      );
    })
    .join('\n\n');
}

function cpuAnalysis({ deliveries }: NotifierRun): string {
  return deliveries
    .map((d) => {
      const { notifierMs, restMs, machineShare } = cpuSplit(d);
      const users = [
        { who: 'the Notifier processes', ms: notifierMs },
        ...(d.cpu.postgresMs === null ? [] : [{ who: 'their Postgres backends', ms: d.cpu.postgresMs }]),
        { who: 'the receiver', ms: d.cpu.receiverMs },
        {
          who: d.cpu.postgresMs === null ? 'everything else (Postgres, other work)' : 'everything else on the machine',
          ms: restMs,
        },
      ].sort((a, b) => b.ms - a.ms);
      const loops = d.perProcess.map((p) => percent(p.loop.utilization)).join(' / ');
      return (
        `**With ${setting(d)} a reminder cost ${ms(d.cpu.machineBusyMs / d.reminders)} of CPU on the machine**, ` +
        `${users.map((u) => `${ms(u.ms / d.reminders)} in ${u.who}`).join(', ')}; the cores were busy ` +
        `${percent(machineShare)} of the span${machineShare >= 0.9 ? ', so the machine’s CPU was the limit' : ''}. ` +
        `The Notifier event loop${d.processes === 1 ? ' was' : 's were'} busy ${loops} ` +
        `(timers late by ${Math.max(...d.perProcess.map((p) => p.loop.delayP99Ms)).toFixed(0)} ms at p99 in the worst process).`
      );
    })
    .join('\n\n');
}

function profileAnalysis(d: DeliveryResult): string {
  const profile = d.cpuProfile!;
  const share = (msValue: number) => percent(msValue / profile.busyMs);
  const [top] = profile.functions;
  return (
    `**In the CPU profiles of ${setting(d)}** (${(profile.busyMs / 1_000).toFixed(1)} s busy), the largest owners of ` +
    `busy time were ${profile.owners
      .slice(0, 4)
      .map((o) => `${o.name} (${share(o.ms)})`)
      .join(', ')}; the function with most self time was ${top ? `${top.name} (${share(top.ms)})` : 'none'}.`
  );
}

/** Round trips of a configuration's delivery loop: every statement but those beside the loop and pool waits. */
function roundTrips(run: DeliveryResult): { count: number; totalMs: number; perReminder: number } {
  const loop = merged(run).filter((s) => inLoop(s.label));
  const total = loop.reduce((sum, s) => sum + s.count, 0);
  return { count: total, totalMs: loop.reduce((sum, s) => sum + s.totalMs, 0), perReminder: total / run.reminders };
}

function inLoop(label: string): boolean {
  return label !== POOL_WAIT && !BESIDE_THE_LOOP.includes(label);
}

/**
 * CPU of a configuration's Notifier processes, of everything on the machine but them, their
 * Postgres backends and the receiver, and the machine's busy share of its cores over the span.
 */
function cpuSplit(d: DeliveryResult): { notifierMs: number; restMs: number; machineShare: number } {
  const notifierMs = d.perProcess.reduce((sum, p) => sum + p.cpuMs, 0);
  const known = notifierMs + d.cpu.receiverMs + (d.cpu.postgresMs ?? 0);
  return {
    notifierMs,
    // The processes' span runs to their stop, a little past the last arrival: never below zero.
    restMs: Math.max(0, d.cpu.machineBusyMs - known),
    machineShare: d.cpu.machineBusyMs / (d.cpu.cores * d.cpu.wallMs),
  };
}

/** Statements of every process of a configuration, merged by label, the most expensive first. */
function merged(run: DeliveryResult): NotifierStatementTiming[] {
  const byLabel = new Map<string, { count: number; totalMs: number; rows: number }>();
  for (const s of run.perProcess.flatMap((p) => p.statements)) {
    const t = byLabel.get(s.label) ?? { count: 0, totalMs: 0, rows: 0 };
    t.count += s.count;
    t.totalMs += s.totalMs;
    t.rows += s.rows;
    byLabel.set(s.label, t);
  }
  return [...byLabel.entries()].map(([label, t]) => ({ label, ...t })).sort((a, b) => b.totalMs - a.totalMs);
}

function find(statements: readonly NotifierStatementTiming[], label: string): NotifierStatementTiming {
  return statements.find((s) => s.label === label) ?? { label, count: 0, totalMs: 0, rows: 0 };
}

/** Lighter shades of `color` for the second and later processes of a configuration. */
function shade(color: string, index: number): string {
  if (index === 0) return color;
  const mix = Math.min(0.6, index * 0.25);
  const channel = (i: number) => Math.round(Number.parseInt(color.slice(i, i + 2), 16) * (1 - mix) + 255 * mix);
  return `#${[1, 3, 5].map((i) => channel(i).toString(16).padStart(2, '0')).join('')}`;
}

function setting(d: DeliveryResult): string {
  return `${d.processes} process${d.processes === 1 ? '' : 'es'}`;
}

function seconds(msValue: number): string {
  return `${(msValue / 1_000).toFixed(1)} s`;
}

function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

function percent(share: number): string {
  return `${(100 * share).toFixed(0)}%`;
}
