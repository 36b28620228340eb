import type { WorkerStoreFactory } from './worker-store';

/**
 * A fresh Settle installation for one worker-process test, and how its processes reach it. The
 * scenarios create their own store with `createWorkerStore(env)` and start each worker as `script`
 * with `env` added to its environment.
 */
export interface WorkerProcessHarness {
  /** Your worker script: a module that calls `runWorkerProcess(createWorkerStore)` at its top level. */
  readonly script: URL;
  /** What names the installation (server URL, schema or database, table prefix) for `createWorkerStore`. */
  readonly env: Readonly<Record<string, string>>;
  /** The factory `script` passes to `runWorkerProcess`. */
  readonly createWorkerStore: WorkerStoreFactory;
  /** Drops the installation; runs after the test and after its processes were killed. */
  cleanup?(): Promise<void> | void;
}

/** Creates one {@link WorkerProcessHarness}; called before every worker-process test. */
export type WorkerProcessHarnessFactory = () => WorkerProcessHarness | Promise<WorkerProcessHarness>;
