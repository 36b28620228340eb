import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const running = new Set<ChildProcessWithoutNullStreams>();

/**
 * Kills every process {@link startWorkerProcess} started that is still running. Call it in
 * `afterEach`: a test that fails half-way must not leave a worker holding a transaction (and its
 * locks) open after the run.
 */
export function killWorkerProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** A script running in its own Node process, talking one JSON object per stdout line. */
export interface WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every message received so far, in order. */
  readonly messages: Record<string, unknown>[];
  /** Resolves with the first message that has `key`; rejects (with the process's stderr) if it exits first. */
  next(key: string): Promise<Record<string, unknown>>;
  /** Resolves with the exit code, or the signal that ended the process. */
  readonly exited: Promise<number | string>;
}

/**
 * Starts `script` in a new Node process, with `env` added to this process's environment, from the
 * current working directory. The script runs through tsx with the `source` export condition, so a
 * TypeScript fixture and the workspace packages it imports run from their sources without a build
 * (tsx must be installed). `onMessage` sees every stdout line, parsed, as it arrives.
 *
 * @example
 * ```ts
 * const worker = startWorkerProcess(new URL('./fixtures/my-worker.ts', import.meta.url), { SETTLE_WORKER_ROLE: 'payout' });
 * worker.child.stdin.end('go\n');
 * const { done } = await worker.next('done');
 * ```
 */
export function startWorkerProcess(
  script: URL,
  env: Readonly<Record<string, string>>,
  onMessage: (message: Record<string, unknown>) => void = () => {},
): WorkerProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(script)], {
    cwd: process.cwd(),
    env: { ...process.env, ...env },
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const messages: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    messages.push(message);
    onMessage(message);
    for (const waiter of waiters.filter((w) => w.key in message)) waiter.resolve(message);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    messages,
    exited,
    next: (key) => {
      const seen = messages.find((m) => key in m);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ key, resolve });
        void exited.then((code) => reject(new Error(`worker exited (${code}) before "${key}":\n${stderr}`)));
      });
    },
  };
}
