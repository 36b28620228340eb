import { readBenchConfig } from './bench-config';
import { describeMachine } from './machine-info';
import { BenchProgress } from './progress';
import { assembleResults, writeSuiteResults } from './results-folder';
import { SUITES } from './suites';

const USAGE = `Usage: pnpm bench [suite…]   (no suite: all of them; --list: what each measures)`;

/**
 * `pnpm bench [suite…]`: runs the named suites (all of them without a name) one after the other,
 * prints each one's tables on stdout, writes each one's section and charts to results/, and
 * reassembles RESULTS.md from every section there, so a suite run alone leaves the others' numbers
 * as they were. A suite that fails writes nothing; the others still run, and the exit code is 1.
 */
async function main(args: readonly string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.includes('--list')) {
    for (const suite of SUITES) process.stdout.write(`${suite.name.padEnd(12)}${suite.description}\n`);
    return 0;
  }
  const names = args.filter((arg) => !arg.startsWith('-'));
  const unknown = names.filter((name) => !SUITES.some((suite) => suite.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown suite ${unknown.join(', ')}; known: ${SUITES.map((s) => s.name).join(', ')}\n${USAGE}\n`,
    );
    return 2;
  }
  const selected = names.length === 0 ? [...SUITES] : SUITES.filter((suite) => names.includes(suite.name));
  const config = readBenchConfig();
  const progress = new BenchProgress();
  const failed: string[] = [];
  try {
    for (const [i, suite] of selected.entries()) {
      const machine = describeMachine(new Date(), config.quick);
      progress.log(
        `▶ ${suite.name} (${i + 1}/${selected.length})${config.quick ? ', BENCH_QUICK sizes' : ''}: ${machine.cores} cores, Node ${machine.node}`,
      );
      const started = performance.now();
      try {
        const report = await suite.run({ config, machine, progress });
        const written = await writeSuiteResults(
          config.outputDir,
          suite,
          report,
          machine,
          (performance.now() - started) / 1_000,
        );
        process.stdout.write(`\n${suite.title} — ${machine.date}\n${report.console}\n`);
        progress.log(`✓ ${suite.name}: wrote ${written.join(', ')}`);
      } catch (error) {
        failed.push(suite.name);
        progress.log(`✗ ${suite.name} failed, its results are unchanged: ${describe(error)}`);
      }
    }
  } finally {
    progress.stop();
  }
  process.stderr.write(`Wrote ${await assembleResults(config.outputDir, SUITES)}\n`);
  if (failed.length > 0) process.stderr.write(`Failed: ${failed.join(', ')}\n`);
  return failed.length === 0 ? 0 : 1;
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Benchmark failed: ${describe(error)}\n`);
    // pg-boss or a pool may still hold timers or sockets after a failure; the run is over either way.
    process.exit(1);
  },
);
