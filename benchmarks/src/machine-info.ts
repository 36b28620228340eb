import { availableParallelism, cpus, totalmem } from 'node:os';
import type { BenchDatabase } from './bench-database';

/** The machine and software a run measured, printed with every result. */
export interface MachineInfo {
  /** ISO-8601 instant the run started. */
  readonly date: string;
  /** What `nproc` reports. */
  readonly cores: number;
  readonly cpu: string;
  readonly memoryGb: number;
  readonly node: string;
  readonly postgres: string;
  /** Server settings that move these numbers (`name = value`). */
  readonly postgresSettings: readonly string[];
  /** Median `SELECT 1` round trip, ms. */
  readonly roundTripMs: number;
  /** Whether sizes were reduced by `BENCH_QUICK`. */
  readonly quick: boolean;
}

/** Settings that decide how fast commits and writes are, and whether statistics refresh by themselves. */
const SETTINGS = ['shared_buffers', 'synchronous_commit', 'fsync', 'wal_level', 'max_wal_size', 'autovacuum'];

/** Reads the machine's facts and the server's version (and times one round trip). */
export async function describeMachine(db: BenchDatabase, startedAt: Date, quick: boolean): Promise<MachineInfo> {
  return {
    date: startedAt.toISOString(),
    cores: availableParallelism(),
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    postgres: await db.serverVersion(),
    postgresSettings: await db.settings(SETTINGS),
    roundTripMs: await db.roundTripMs(),
    quick,
  };
}
