import type { BenchConfig } from './bench-config';
import type { MachineInfo } from './machine-info';
import type { BenchProgress } from './progress';
import type { TargetCheck } from './target-check';

/** What a suite is handed when it runs. */
export interface SuiteContext {
  readonly config: BenchConfig;
  /** This machine, dated when the suite started. */
  readonly machine: MachineInfo;
  /** Progress bars on stderr; a suite opens one per long phase. */
  readonly progress: BenchProgress;
}

/** An SVG chart a suite drew, written to `results/<file>`. */
export interface SuiteChart {
  /** File name inside results/, starting with the suite's name: `payouts-throughput.svg`. */
  readonly file: string;
  readonly svg: string;
}

/** What one run of a suite measured, ready to be written. */
export interface SuiteReport {
  /** Every target the suite checks, with this run's figures. */
  readonly targets: readonly TargetCheck[];
  /**
   * The suite's section of RESULTS.md, written to `results/<name>.md`: it starts with a `## `
   * heading and links relative to results/ (`payouts-throughput.svg`, `../README.md`), so it reads
   * on its own too; RESULTS.md re-bases the links when it includes it.
   */
  readonly markdown: string;
  /** The same numbers as plain text for stdout. */
  readonly console: string;
  readonly charts: readonly SuiteChart[];
}

/**
 * One suite of benchmarks: `pnpm bench <name>` runs it alone, `pnpm bench` runs every suite. A
 * suite owns its database corner (a schema or a database it creates and drops), its section of
 * RESULTS.md and its charts; running it never touches another suite's results.
 */
export interface BenchSuite {
  /** The command-line name and the prefix of its files in results/: lowercase, no spaces. */
  readonly name: string;
  /** The heading of its section, e.g. `Payouts on PostgreSQL`. */
  readonly title: string;
  /** One line for `pnpm bench --list`. */
  readonly description: string;
  /** Runs every benchmark of the suite once; throws if any fails or its results do not check out. */
  run(context: SuiteContext): Promise<SuiteReport>;
}
