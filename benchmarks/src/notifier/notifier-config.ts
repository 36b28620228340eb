import { type BenchConfig, positiveInteger } from '../bench-config';

/** Participants of each challenge: reminders come in challenges of this many. */
const PARTICIPANTS = 1_000;

/** Sizes of one run of the notifier suite. */
export interface NotifierConfig {
  /** The Postgres schema created at start and dropped at the end. */
  readonly schema: string;
  /**
   * Challenges created for each configuration: `BENCH_NOTIFIER_REMINDERS` (a multiple of 1,000,
   * default 100,000, quick 5,000) divided by the participants of each.
   */
  readonly challenges: number;
  /** Participants of each challenge, so reminders per configuration = challenges × participants. */
  readonly participants: number;
  /**
   * The challenges' hour reminders fall due evenly over this many ms (all participants of one
   * challenge at the same instant): one minute (quick: 10 s).
   */
  readonly windowMs: number;
  /**
   * From the moment every Notifier process is ready to the first due instant, ms: creating the
   * challenges must finish inside it, with a second to spare. 10 s (quick: 5 s).
   */
  readonly leadMs: number;
  /** Notifier processes of each configuration, run one after the other. */
  readonly processCounts: readonly number[];
  /** How often each Notifier process reads its memory, ms. */
  readonly sampleEveryMs: number;
  /**
   * How long after the last due instant a configuration may take before it is called stuck, ms:
   * 10 minutes (quick: 2), room for draining the minute's backlog at a few hundred reminders per
   * second on a loaded machine.
   */
  readonly graceMs: number;
  /**
   * `BENCH_NOTIFIER_CPU_PROFILE`: a folder where each Notifier process writes a CPU profile of its
   * run (`notifier-1of3.cpuprofile`), for finding where its time goes. Default: none.
   */
  readonly cpuProfileDir: string | null;
}

/** The notifier suite's sizes, from the environment; throws on a malformed number. */
export function readNotifierConfig({ quick, env }: BenchConfig): NotifierConfig {
  const reminders = positiveInteger(env, 'BENCH_NOTIFIER_REMINDERS', quick ? 5_000 : 100_000);
  if (reminders % PARTICIPANTS !== 0) {
    throw new Error(`BENCH_NOTIFIER_REMINDERS must be a multiple of ${PARTICIPANTS}, got ${reminders}`);
  }
  return {
    schema: 'settle_bench_notifier',
    challenges: reminders / PARTICIPANTS,
    participants: PARTICIPANTS,
    windowMs: quick ? 10_000 : 60_000,
    leadMs: quick ? 5_000 : 10_000,
    processCounts: [1, 3],
    sampleEveryMs: 250,
    graceMs: quick ? 120_000 : 600_000,
    cpuProfileDir: env.BENCH_NOTIFIER_CPU_PROFILE || null,
  };
}

/** Reminders of one configuration. */
export function reminderCount(config: NotifierConfig): number {
  return config.challenges * config.participants;
}
