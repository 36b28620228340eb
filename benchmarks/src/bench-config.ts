import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Settings every suite shares, read from the environment. Each suite reads its own sizes on top. */
export interface BenchConfig {
  /** `BENCH_QUICK=1`: small sizes for a smoke run; results go to a temporary folder. */
  readonly quick: boolean;
  /**
   * Folder receiving RESULTS.md and results/ (each suite's section, its summary and its charts).
   * `BENCH_OUTPUT_DIR`, default the benchmarks package (quick: a temp folder).
   */
  readonly outputDir: string;
  /** The Postgres to measure. `DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/test`. */
  readonly databaseUrl: string;
  /** The MySQL or MariaDB to measure. `MYSQL_URL`, default `mysql://root@127.0.0.1:3306/test`. */
  readonly mysqlUrl: string;
  /** The environment, for the suites' own settings. */
  readonly env: NodeJS.ProcessEnv;
}

const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** Reads the shared settings from `env`. */
export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  return {
    quick,
    outputDir: env.BENCH_OUTPUT_DIR || (quick ? join(tmpdir(), 'settle-bench-quick') : PACKAGE_DIR),
    databaseUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test',
    mysqlUrl: env.MYSQL_URL || 'mysql://root@127.0.0.1:3306/test',
    env,
  };
}

/**
 * The positive integer in `env[name]` (underscores allowed: `1_000_000`), or `fallback` when unset;
 * throws on anything else, so a typo never benchmarks the wrong size.
 */
export function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** `connectionString` with its password replaced by `***`, for messages. */
export function redactUrl(connectionString: string): string {
  return connectionString.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
