import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import type { BenchProgress } from '../progress';
import { startWorkerProcess, type WorkerProcess } from '../scheduler/worker-process';
import { quantile } from '../stats';
import { type CpuProfileSummary, summarizeCpuProfiles } from './cpu-profile-summary';
import { type NotifierConfig, reminderCount } from './notifier-config';
import type { NotifierDatabase, OutboxTally } from './notifier-database';
import type { NotifierStatementTiming } from './notifier-statements';
import { postgresBackendCpuMs } from './postgres-backend-cpu';
import type { WallTimeSplit } from './wall-time-clock';
import { type ReceiverTally, WebhookReceiver } from './webhook-receiver';

/** Percentiles of the latency from due instant to arrival at the receiver, ms. */
export interface LatencySummary {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** One memory reading of a Notifier process. */
export interface MemorySample {
  /** Seconds since the first due instant (negative before it). */
  readonly s: number;
  /** Notifications this process had sent. */
  readonly sent: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

/** What one Notifier process did and how its memory went. */
export interface ProcessReport {
  readonly sent: number;
  readonly skipped: number;
  readonly failed: number;
  /** The first messages of its `notification.skipped`/`failed` and `error` events. */
  readonly errors: readonly string[];
  /** RSS after a full GC just before `start()`. */
  readonly baselineRssMb: number;
  /** Highest RSS while it sent the first tenth of its notifications, and the last tenth. */
  readonly firstTenthPeakMb: number;
  readonly lastTenthPeakMb: number;
  readonly peakRssMb: number;
  readonly samples: readonly MemorySample[];
  /** Its statements, timed in the process through a wrapper of its pool, with the rows they returned or changed. */
  readonly statements: readonly NotifierStatementTiming[];
  /** Its webhook POSTs, each a channel send from the call to the end of the answer. */
  readonly posts: PostTimings;
  /** Its wall time over the span below, by what it was waiting on. */
  readonly wallTime: WallTimeSplit;
  /** CPU time (user + system) it used from the first due instant until the Notifier stopped, ms. */
  readonly cpuMs: number;
  /** Wall time over the same span, ms. */
  readonly elapsedMs: number;
  /** Its event loop over the same span: the share of time it was busy, and how late timers fired. */
  readonly loop: EventLoopReport;
}

/** A process's webhook POSTs: how many, their summed time, and percentiles of one, ms. */
export interface PostTimings {
  readonly count: number;
  readonly totalMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The Notifier's options that shape its load, as the processes resolved them, and their pool size. */
export interface NotifierSettings {
  readonly batchSize: number;
  readonly channelConcurrency: number;
  readonly poolSize: number;
}

/** CPU time over a configuration's span, from the first due instant to the last arrival. */
export interface CpuSpan {
  /** Wall time of the span, ms. */
  readonly wallMs: number;
  /** The benchmark's own process, where the webhook receiver runs (it does little else meanwhile), ms. */
  readonly receiverMs: number;
  /**
   * The Postgres backends serving the Notifier processes' connections (not Postgres's background
   * processes), ms; null when their CPU cannot be read (Postgres is not on this machine).
   */
  readonly postgresMs: number | null;
  /** Every core of the machine, busy (user, nice, system, irq), summed over cores, ms. */
  readonly machineBusyMs: number;
  readonly cores: number;
}

/** Event-loop utilization (0–1) and delay percentiles of a process, from `node:perf_hooks`. */
export interface EventLoopReport {
  readonly utilization: number;
  readonly delayP50Ms: number;
  readonly delayP99Ms: number;
  readonly delayMaxMs: number;
}

/** What one configuration (a number of Notifier processes) measured. */
export interface DeliveryResult {
  readonly processes: number;
  /** Table prefix of the configuration's Settle installation. */
  readonly prefix: string;
  readonly challenges: number;
  readonly reminders: number;
  readonly windowMs: number;
  /** `Challenges.create` of every challenge with its participants, ms. */
  readonly seedMs: number;
  /**
   * The machine's 1-minute load average when the processes started: above the core count, other
   * work was competing for the CPU and the figures are lower than the machine can do.
   */
  readonly loadAverage: number;
  /** Reminders per second from the first due instant to the last arrival. */
  readonly perSecond: number;
  /** Reminders per second between the 10th and the 90th percentile of arrivals. */
  readonly steadyPerSecond: number;
  /** The rate the reminders fell due at over the window. */
  readonly duePerSecond: number;
  /** From the first due instant to the last arrival, ms. */
  readonly spanMs: number;
  /** From the last due instant to the last arrival, ms. */
  readonly drainMs: number;
  /** Most reminders due and not yet delivered at any moment. */
  readonly peakBacklog: number;
  readonly latency: LatencySummary;
  /** Delivered so far against seconds since the first due instant, for the chart. */
  readonly delivered: readonly (readonly [s: number, delivered: number])[];
  /** Due so far against seconds since the first due instant (a staircase). */
  readonly due: readonly (readonly [s: number, due: number])[];
  readonly perProcess: readonly ProcessReport[];
  /** The options every process ran with. */
  readonly settings: NotifierSettings;
  readonly cpu: CpuSpan;
  /** With `BENCH_NOTIFIER_CPU_PROFILE`, the processes' CPU profiles summed; otherwise null. */
  readonly cpuProfile: CpuProfileSummary | null;
  readonly receiver: ReceiverTally;
  readonly outbox: OutboxTally;
}

const WORKER = new URL('./notifier-worker.ts', import.meta.url);
/** Functions and places listed from a configuration's CPU profiles. */
const PROFILE_TOP = 12;
/** Points per curve in the chart: enough to draw it, few enough to keep the SVG small. */
const CURVE_POINTS = 300;

/**
 * `processes` Notifier processes (default options, one webhook channel) against a fresh
 * installation holding `config.challenges` active challenges of `config.participants` each, whose
 * hour reminders fall due over `config.windowMs` starting `config.leadMs` after the processes were
 * ready (the challenges are created in between). A local receiver verifies and counts every
 * request. Once it has every reminder the processes are stopped (recording their deliveries in
 * flight) and the outbox is checked. Throws when reminders are still missing `config.graceMs`
 * after the last fell due; duplicates and bad signatures are reported, for the targets to fail.
 */
export async function measureReminderDelivery(
  db: NotifierDatabase,
  config: NotifierConfig,
  processes: number,
  progress: BenchProgress,
): Promise<DeliveryResult> {
  const reminders = reminderCount(config);
  const prefix = `p${processes}_`;
  await db.install(prefix);
  const secret = randomBytes(32).toString('hex');
  const bar = progress.bar(`notifier: ${processes} process${processes === 1 ? '' : 'es'}`, reminders, 'reminders');
  const receiver = await WebhookReceiver.start(secret, () => bar.increment());
  const workers: WorkerProcess[] = [];
  let firstDue = Number.NaN;
  let seedMs: number;
  let loadAverage: number;
  let dones: Record<string, unknown>[];
  let cpu: CpuSpan;
  try {
    for (let i = 0; i < processes; i++) {
      const env = {
        ...db.workerEnv(prefix),
        SETTLE_BENCH_RECEIVER_URL: receiver.url,
        SETTLE_BENCH_WEBHOOK_SECRET: secret,
        SETTLE_BENCH_SAMPLE_MS: String(config.sampleEveryMs),
        ...cpuProfileEnv(config, processes, i),
      };
      workers.push(startWorkerProcess(WORKER, env, () => undefined));
    }
    await Promise.all(workers.map((w) => w.next('ready')));
    firstDue = Date.now() + config.leadMs;
    seedMs = await db.seed(prefix, { ...config, firstDue: new Date(firstDue) });
    progress.log(
      `notifier: created ${config.challenges} challenges × ${config.participants.toLocaleString('en-US')} participants in ${(seedMs / 1_000).toFixed(1)} s`,
    );
    if (Date.now() > firstDue - 1_000) {
      throw new Error(`set-up took longer than the ${config.leadMs} ms lead before the first reminder fell due`);
    }
    loadAverage = loadavg()[0]!;
    for (const worker of workers) worker.send(`start ${firstDue}`);
    const atFirstDue = readCpuAt(db, prefix, firstDue);
    await within(receiver.whenDistinct(reminders), firstDue + config.windowMs + config.graceMs - Date.now(), () => {
      return `the receiver had ${receiver.arrivals.size} of ${reminders} reminders ${config.graceMs / 1_000} s after the last fell due`;
    });
    cpu = cpuBetween(await atFirstDue, await readCpu(db, prefix));
    for (const worker of workers) worker.send('stop');
    dones = (await Promise.all(workers.map((w) => w.next('done')))).map((m) => m.done as Record<string, unknown>);
    await Promise.all(workers.map((w) => w.exited));
  } finally {
    bar.stop();
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await receiver.close();
  }

  const dueById = await db.dueAtById(prefix);
  const arrivals = [...receiver.arrivals.values()].sort((a, b) => a - b);
  const dues = [...dueById.values()].sort((a, b) => a - b);
  const latencies = [...receiver.arrivals].map(([id, at]) => at - (dueById.get(id) ?? Number.NaN));
  const lastArrival = arrivals.at(-1)!;
  const spanMs = lastArrival - firstDue;
  const at10 = arrivals[Math.floor(reminders * 0.1)]!;
  const at90 = arrivals[Math.floor(reminders * 0.9)]!;
  return {
    processes,
    prefix,
    challenges: config.challenges,
    reminders,
    windowMs: config.windowMs,
    seedMs,
    loadAverage,
    perSecond: reminders / (spanMs / 1_000),
    steadyPerSecond: (Math.floor(reminders * 0.9) - Math.floor(reminders * 0.1)) / ((at90 - at10) / 1_000),
    duePerSecond: reminders / (config.windowMs / 1_000),
    spanMs,
    drainMs: lastArrival - dues.at(-1)!,
    peakBacklog: peakBacklog(dues, arrivals),
    latency: summarizeLatency(latencies),
    delivered: cumulative(arrivals, firstDue, spanMs),
    due: staircase(dues, firstDue),
    perProcess: dones.map((done) => processReport(done, firstDue)),
    settings: dones[0]!.settings as NotifierSettings,
    cpu,
    cpuProfile:
      config.cpuProfileDir === null
        ? null
        : await summarizeCpuProfiles(
            workers.map((_, i) => cpuProfilePath(config.cpuProfileDir!, processes, i)),
            PROFILE_TOP,
          ),
    receiver: receiver.tally(),
    outbox: await db.tally(prefix),
  };
}

/** With `BENCH_NOTIFIER_CPU_PROFILE=<folder>`, each process writes its CPU profile there. */
function cpuProfileEnv(config: NotifierConfig, processes: number, index: number): Record<string, string> {
  if (config.cpuProfileDir === null) return {};
  return { SETTLE_BENCH_CPU_PROFILE: cpuProfilePath(config.cpuProfileDir, processes, index) };
}

/** `<folder>/notifier-<n>of<m>.cpuprofile`. */
function cpuProfilePath(folder: string, processes: number, index: number): string {
  return `${folder}/notifier-${index + 1}of${processes}.cpuprofile`;
}

function processReport(done: Record<string, unknown>, firstDue: number): ProcessReport {
  const raw = done.samples as { at: number; sent: number; rssMb: number; heapUsedMb: number }[];
  const samples = raw.map((r) => ({
    s: (r.at - firstDue) / 1_000,
    sent: r.sent,
    rssMb: r.rssMb,
    heapUsedMb: r.heapUsedMb,
  }));
  const sent = Number(done.sent);
  const peak = (list: readonly MemorySample[], fallback: MemorySample) =>
    Math.max(...(list.length > 0 ? list : [fallback]).map((r) => r.rssMb));
  const firstTenth = samples.filter((r) => r.sent <= sent / 10);
  const lastTenth = samples.filter((r) => r.sent >= (sent * 9) / 10);
  return {
    sent,
    skipped: Number(done.skipped),
    failed: Number(done.failed),
    errors: done.errors as string[],
    baselineRssMb: Number(done.baselineRssMb),
    firstTenthPeakMb: peak(firstTenth, samples[0]!),
    lastTenthPeakMb: peak(lastTenth, samples.at(-1)!),
    peakRssMb: Math.max(...samples.map((r) => r.rssMb)),
    samples,
    statements: done.statements as NotifierStatementTiming[],
    posts: done.posts as PostTimings,
    wallTime: done.wallTime as WallTimeSplit,
    cpuMs: Number(done.cpuMs),
    elapsedMs: Number(done.elapsedMs),
    loop: done.loop as EventLoopReport,
  };
}

/** CPU counters of this process, of the machine and of the Notifier's Postgres backends at one instant. */
interface CpuReading {
  readonly at: number;
  readonly process: NodeJS.CpuUsage;
  readonly machineBusyMs: number;
  readonly backends: Map<number, number>;
  /** Backends pg_stat_activity listed, whether or not their CPU could be read. */
  readonly backendCount: number;
}

/** {@link readCpu} at `instant` (`Date.now()` ms), or at once if it has passed. */
async function readCpuAt(db: NotifierDatabase, prefix: string, instant: number): Promise<CpuReading> {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, instant - Date.now())));
  return readCpu(db, prefix);
}

async function readCpu(db: NotifierDatabase, prefix: string): Promise<CpuReading> {
  const pids = await db.backendPids(prefix);
  return {
    at: performance.now(),
    process: process.cpuUsage(),
    machineBusyMs: machineBusyMs(),
    backends: await postgresBackendCpuMs(pids),
    backendCount: pids.length,
  };
}

function cpuBetween(start: CpuReading, end: CpuReading): CpuSpan {
  // A backend the pool opened during the span counts from zero; one it closed is lost (pools keep
  // busy connections open, so few are).
  let postgresMs = 0;
  for (const [pid, ms] of end.backends) postgresMs += ms - (start.backends.get(pid) ?? 0);
  return {
    wallMs: end.at - start.at,
    receiverMs: (end.process.user - start.process.user + end.process.system - start.process.system) / 1_000,
    postgresMs: end.backendCount > 0 && end.backends.size === 0 ? null : postgresMs,
    machineBusyMs: end.machineBusyMs - start.machineBusyMs,
    cores: cpus().length,
  };
}

/** Busy time of every core since boot, summed, ms. */
function machineBusyMs(): number {
  return cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

function summarizeLatency(values: readonly number[]): LatencySummary {
  return {
    p50: quantile(values, 0.5),
    p95: quantile(values, 0.95),
    p99: quantile(values, 0.99),
    max: values.reduce((m, v) => Math.max(m, v), Number.NEGATIVE_INFINITY),
    mean: values.reduce((sum, v) => sum + v, 0) / values.length,
  };
}

/** The largest number of reminders due and not delivered at one moment; both lists sorted. */
function peakBacklog(dues: readonly number[], arrivals: readonly number[]): number {
  let peak = 0;
  let delivered = 0;
  for (const [i, due] of dues.entries()) {
    while (delivered < arrivals.length && arrivals[delivered]! <= due) delivered += 1;
    peak = Math.max(peak, i + 1 - delivered);
  }
  return peak;
}

/** Arrivals so far at evenly spaced instants from the first due instant to the last arrival. */
function cumulative(arrivals: readonly number[], firstDue: number, spanMs: number): [number, number][] {
  const points: [number, number][] = [];
  let index = 0;
  for (let k = 0; k <= CURVE_POINTS; k++) {
    const t = firstDue + (spanMs * k) / CURVE_POINTS;
    while (index < arrivals.length && arrivals[index]! <= t) index += 1;
    points.push([(t - firstDue) / 1_000, index]);
  }
  return points;
}

/** Due so far as a staircase: a step up at every distinct due instant. */
function staircase(dues: readonly number[], firstDue: number): [number, number][] {
  const points: [number, number][] = [];
  for (const [i, due] of dues.entries()) {
    if (i + 1 < dues.length && dues[i + 1] === due) continue;
    const s = (due - firstDue) / 1_000;
    points.push([s, points.at(-1)?.[1] ?? 0], [s, i + 1]);
  }
  return points;
}

/** Resolves when `promise` does, or throws `message()` after `ms`. */
async function within(promise: Promise<void>, ms: number, message: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(message())), Math.max(0, ms));
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
