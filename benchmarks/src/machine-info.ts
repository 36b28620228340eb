import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import type { ResultTable } from './result-table';

/** The machine a suite ran on, printed with every section. */
export interface MachineInfo {
  /** ISO-8601 instant the suite started. */
  readonly date: string;
  /** What `nproc` reports. */
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGb: number;
  readonly node: string;
  /**
   * The 1-minute load average when the suite started: other work on the machine (a test run, a
   * build) slows every benchmark, and this says how much there was.
   */
  readonly loadAverage: number;
  /** Whether sizes were reduced by `BENCH_QUICK`. */
  readonly quick: boolean;
}

/** A database server a suite measured. */
export interface ServerInfo {
  /** `PostgreSQL`, `MariaDB`, `MySQL`. */
  readonly product: string;
  /** As the server reports it, e.g. `15.20 (Debian 15.20-0+deb12u1)`. */
  readonly version: string;
  /** Server settings that move the numbers (`name = value`). */
  readonly settings: readonly string[];
  /** Median `SELECT 1` round trip, ms. */
  readonly roundTripMs: number;
}

/** The facts of this machine, dated `startedAt`. */
export function describeMachine(startedAt: Date, quick: boolean): MachineInfo {
  return {
    date: startedAt.toISOString(),
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    loadAverage: loadavg()[0] ?? 0,
    quick,
  };
}

/** The machine, its servers and how long the suite took, as the first table of a section. */
export function machineTable(
  machine: MachineInfo,
  servers: readonly ServerInfo[],
  durationSeconds: number,
): ResultTable {
  return {
    headers: ['machine', ''],
    align: ['left', 'left'],
    rows: [
      ['date', machine.date],
      ['cores (`nproc`)', `${machine.cores} × ${machine.cpu}`],
      ['memory', `${machine.memoryGb} GB`],
      ['Node', machine.node],
      ['load average at start (1 min)', machine.loadAverage.toFixed(2)],
      ...servers.flatMap((server) => [
        [server.product, `${server.version}, same machine over TCP (\`${server.settings.join('`, `')}\`)`],
        [`${server.product} round trip (\`SELECT 1\`, median)`, `${server.roundTripMs.toFixed(2)} ms`],
      ]),
      ['whole suite', `${durationSeconds.toFixed(0)} s`],
    ],
  };
}

/** `15.20 (Debian 15.20-0+deb12u1)` → `15.20`; `10.11.14-MariaDB-0+deb12u2` → `10.11.14`. */
export function shortVersion(version: string): string {
  return version.split(/[\s-]/)[0] ?? version;
}

/** Median wall time of `SELECT 1` over 200 tries through `query`, ms: what one round trip costs. */
export async function medianRoundTripMs(query: (sql: string) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await query('SELECT 1');
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[100]!;
}
