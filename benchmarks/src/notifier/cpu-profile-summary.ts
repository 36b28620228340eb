import { readFile } from 'node:fs/promises';

/** The parts of a V8 `.cpuprofile` (what `Profiler.stop` returns) this summary reads. */
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

/** Sampled time of one function, or of one owner of code. */
export interface SampledTime {
  /** `functionName (file:line)`, or the owner's name. */
  readonly name: string;
  readonly ms: number;
}

/** Where the sampled processes of one configuration spent their busy time. */
export interface CpuProfileSummary {
  /** Profiles merged into this summary. */
  readonly profiles: number;
  /** Sampled time with the thread not idle, ms: the base of every share. */
  readonly busyMs: number;
  /** The functions with most self time (on top of the stack), most first. */
  readonly functions: readonly SampledTime[];
  /**
   * Busy time by owner, most first: each sample is charged to the nearest frame on its stack that
   * belongs to a package or a Settle source file, so native calls and Node's internals count for
   * whoever called them; V8's own entries stand alone.
   */
  readonly owners: readonly SampledTime[];
}

/**
 * Reads `.cpuprofile` files and sums their busy time (every sample but `(idle)`, the thread waiting
 * for I/O or a timer) by function and by owner. Each sample counts for the time until the next one,
 * as Chrome DevTools does. The profiler samples wall time on the thread, so a thread the kernel
 * has descheduled in a system call (a socket write on a busy machine) is charged for the wait.
 */
export async function summarizeCpuProfiles(paths: readonly string[], top: number): Promise<CpuProfileSummary> {
  const functions = new Map<string, number>();
  const owners = new Map<string, number>();
  let busyMs = 0;
  for (const path of paths) {
    const profile = JSON.parse(await readFile(path, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const parents = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    for (const [i, id] of profile.samples.entries()) {
      const leaf = nodes.get(id)!;
      if (leaf.callFrame.functionName === '(idle)') continue;
      const ms = (profile.timeDeltas[i + 1] ?? 0) / 1_000;
      const name = functionLabel(leaf);
      functions.set(name, (functions.get(name) ?? 0) + ms);
      const owner = ownerOf(id, nodes, parents);
      owners.set(owner, (owners.get(owner) ?? 0) + ms);
      busyMs += ms;
    }
  }
  const mostFirst = (map: Map<string, number>) =>
    [...map.entries()]
      .map(([name, ms]) => ({ name, ms }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return { profiles: paths.length, busyMs, functions: mostFirst(functions), owners: mostFirst(owners) };
}

function functionLabel({ callFrame: { functionName, url, lineNumber } }: ProfileNode): string {
  if (url === '') return functionName || '(anonymous)';
  return `${functionName || '(anonymous)'} (${url.slice(url.lastIndexOf('/') + 1)}:${lineNumber + 1})`;
}

/** The nearest owner on the stack from `id` up; `Node internals` when only Node's own code is on it. */
function ownerOf(id: number, nodes: Map<number, ProfileNode>, parents: Map<number, number>): string {
  const { functionName, url } = nodes.get(id)!.callFrame;
  if (url === '' && /^\((garbage collector|program)\)$/.test(functionName)) return functionName;
  for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
    const owner = codeOwner(nodes.get(at)!.callFrame.url);
    if (owner !== null) return owner;
  }
  return 'Node internals';
}

/** A package (`luxon`, `pg-protocol`), a Settle file (`@settle/core render-notification.ts`), undici, or null. */
function codeOwner(url: string): string | null {
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pnpm) return pnpm[1]!;
  const plain = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (plain) return plain[1]!;
  const settle = /\/packages\/([^/]+)\/src\/(?:.*\/)?([^/]+)$/.exec(url);
  if (settle) return `@settle/${settle[1]} ${settle[2]}`;
  if (url.includes('/benchmarks/src/')) return 'benchmark harness';
  return null;
}
