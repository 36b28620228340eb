import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** A line a worker printed on stdout, parsed. */
export type WorkerMessage = Record<string, unknown>;

/** A worker script in its own Node process, talking one JSON object per line. */
export interface WorkerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the first message that has `key`; rejects if the process exits first. */
  next(key: string): Promise<WorkerMessage>;
  /** Sends one line on the worker's stdin. */
  send(line: string): void;
  /** Resolves with the exit code, or the signal that ended the process. */
  readonly exited: Promise<number | string>;
}

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts `script` (TypeScript, run through tsx with the workspace's `source` condition) with `env`
 * added to this process's environment. `onMessage` sees every line as it arrives; only the
 * messages some `next()` may still ask for (those without `t`, the per-transition lines) are kept.
 */
export function startWorkerProcess(
  script: URL,
  env: Record<string, string>,
  onMessage: (message: WorkerMessage) => void,
): WorkerProcess {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(script)], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env },
  });
  const kept: WorkerMessage[] = [];
  const waiters: { key: string; resolve: (m: WorkerMessage) => void }[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as WorkerMessage;
    onMessage(message);
    if ('t' in message) return;
    kept.push(message);
    for (const waiter of waiters.filter((w) => w.key in message)) waiter.resolve(message);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  return {
    child,
    exited,
    send: (line) => child.stdin.write(`${line}\n`),
    next: (key) => {
      const seen = kept.find((m) => key in m);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ key, resolve });
        void exited.then((code) => reject(new Error(`worker exited (${code}) before "${key}":\n${stderr}`)));
      });
    },
  };
}
