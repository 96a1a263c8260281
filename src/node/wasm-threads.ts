/**
 * The wasm backend's threads in Node: `worker_threads` workers running `wasm-worker.ts`, one per core by
 * default (`os.availableParallelism()`). `convnet-ts/node` installs this spawner on import. Workers are
 * unref'ed, so they never keep a process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { MAX_THREADS, installThreadSpawner } from '../backends/wasm/threads.js';
import type { ThreadSpawner } from '../backends/wasm/threads.js';

/** True when this file runs from the TypeScript sources (under tsx), false from the compiled `dist/`. */
const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** The worker script beside this file, `wasm-worker.js` or, from the sources, `wasm-worker.ts`. */
const WORKER_URL = new URL(FROM_SOURCES ? './wasm-worker.ts' : './wasm-worker.js', import.meta.url);

/**
 * A new worker running the worker script. From the sources it first registers tsx's loader in the worker
 * (Node 20 workers do not inherit the loader hooks that `--import tsx` installs).
 */
function startWorker(workerData: unknown): Worker {
  if (!FROM_SOURCES) return new Worker(WORKER_URL, { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const script = JSON.stringify(WORKER_URL.href);
  const code = `import(${tsx}).then((tsx) => { tsx.register(); return import(${script}); });`;
  return new Worker(code, { eval: true, workerData });
}

/** Starts the wasm backend's workers as Node worker threads. */
export const nodeThreadSpawner: ThreadSpawner = {
  cores: Math.min(MAX_THREADS, availableParallelism()),
  spawn(init, onExit) {
    const worker = startWorker(init);
    worker.unref();
    worker.on('error', (error) => {
      onExit(error.message);
    });
    worker.on('exit', (code) => {
      onExit(`exited with code ${code}`);
    });
  },
};

/**
 * Makes the wasm backend start its threads as Node `worker_threads` workers, one per core (at most 256,
 * as `setNumThreads` allows). `convnet-ts/node` calls this on import.
 */
export function installNodeThreads(): void {
  installThreadSpawner(nodeThreadSpawner);
}
