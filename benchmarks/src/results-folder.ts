import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { BenchSuite, SuiteReport } from './bench-suite';
import type { MachineInfo } from './machine-info';
import { markdownTable } from './result-table';
import type { TargetCheck } from './target-check';

/** `results/<suite>.json`: what RESULTS.md needs from a suite's last run besides its section. */
export interface SuiteSummary {
  readonly suite: string;
  readonly title: string;
  /** ISO-8601 instant the run started. */
  readonly date: string;
  readonly quick: boolean;
  readonly durationSeconds: number;
  readonly targets: readonly TargetCheck[];
}

/**
 * Writes one suite's results under `dir`: `results/<name>.md` (its section), `results/<name>.json`
 * (its targets and date) and its charts. Nothing of another suite is touched. Returns the paths.
 */
export async function writeSuiteResults(
  dir: string,
  suite: BenchSuite,
  report: SuiteReport,
  machine: MachineInfo,
  durationSeconds: number,
): Promise<string[]> {
  const folder = join(dir, 'results');
  await mkdir(folder, { recursive: true });
  const summary: SuiteSummary = {
    suite: suite.name,
    title: suite.title,
    date: machine.date,
    quick: machine.quick,
    durationSeconds: Math.round(durationSeconds),
    targets: report.targets,
  };
  const files: [string, string][] = [
    [join(folder, `${suite.name}.md`), `${report.markdown.trimEnd()}\n`],
    [join(folder, `${suite.name}.json`), `${JSON.stringify(summary, null, 2)}\n`],
    ...report.charts.map((chart): [string, string] => [join(folder, chart.file), chart.svg]),
  ];
  for (const [path, content] of files) await writeFile(path, content);
  return files.map(([path]) => path);
}

/**
 * Rebuilds `dir/RESULTS.md` from the sections in `dir/results/`, in the order of `suites`: the
 * targets of every suite that has run on top, then each section as its suite last wrote it. A
 * suite that has not run yet is listed as such. Returns the path.
 */
export async function assembleResults(dir: string, suites: readonly BenchSuite[]): Promise<string> {
  const sections: { suite: BenchSuite; summary: SuiteSummary | null; markdown: string | null }[] = [];
  for (const suite of suites) {
    const summary = await readOptional(join(dir, 'results', `${suite.name}.json`));
    const markdown = await readOptional(join(dir, 'results', `${suite.name}.md`));
    sections.push({
      suite,
      summary: summary === null ? null : (JSON.parse(summary) as SuiteSummary),
      markdown: markdown === null ? null : rebaseLinks(markdown.trim(), 'results'),
    });
  }
  const targets = sections.flatMap(({ suite, summary }) => (summary?.targets ?? []).map((t) => ({ suite, ...t })));
  const passed = targets.filter((t) => t.pass).length;
  const contents = sections.map(({ suite, summary }) => {
    const when =
      summary === null
        ? `not run yet (\`pnpm bench ${suite.name}\`)`
        : `last run ${summary.date.slice(0, 10)}, took ${summary.durationSeconds} s${summary.quick ? ' (BENCH_QUICK: small sizes, not comparable)' : ''}`;
    return summary === null ? `- ${suite.title}: ${when}` : `- [${suite.title}](#${anchor(suite.title)}): ${when}`;
  });
  const path = join(dir, 'RESULTS.md');
  await writeFile(
    path,
    `# Benchmark results

Each suite rewrites only its own section (\`pnpm bench <suite>\`; \`pnpm bench\` runs them all), so
sections may come from different days: each says when and on what it ran. This file is assembled
from \`results/<suite>.md\`; what each benchmark does and how to run it: [README.md](README.md).

${contents.join('\n')}

## Targets: ${passed} of ${targets.length} met

${markdownTable({
  headers: ['', 'suite', 'target', 'goal', 'measured'],
  align: ['left', 'left', 'left', 'left', 'right'],
  rows: targets.map((t) => [t.pass ? 'PASS' : 'FAIL', t.suite.name, t.name, t.target, t.actual]),
})}
${sections.flatMap(({ markdown }) => (markdown === null ? [] : [`\n${markdown}\n`])).join('')}`,
  );
  return path;
}

/** Relative link targets of `markdown`, written from `folder`, re-based to its parent. */
function rebaseLinks(markdown: string, folder: string): string {
  return markdown.replace(/\]\(([^)\s]+)\)/g, (link, target: string) =>
    /^(?:[a-z]+:|#|\/)/i.test(target) ? link : `](${posix.normalize(posix.join(folder, target))})`,
  );
}

/** The anchor GitHub gives a heading. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replaceAll(' ', '-');
}

async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}
