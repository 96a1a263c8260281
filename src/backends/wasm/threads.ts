/**
 * How many threads the wasm backend's kernels use, and how it starts them.
 *
 * The core imports nothing from Node, so it cannot start Node workers itself: `convnet-ts/node` installs a
 * {@link ThreadSpawner} on import (`worker_threads`, all cores by default). In a browser the core starts web
 * workers itself when the page is cross-origin isolated (`globalThis.crossOriginIsolated`, which shared
 * memory needs) and it runs in a worker (a page's main thread may not block waiting for other threads).
 * Elsewhere the kernels run on the calling thread alone.
 */
import { ArgumentError } from '../../errors.js';

/** What a worker needs to run kernels: the module, the shared memory, and its place in them. */
export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Byte offset of the pool's control block in `memory`. */
  readonly control: number;
  /** The worker's slot in the control block, 1 to 255. */
  readonly slot: number;
  /** The top of the worker's own stack (its instance's `__stack_pointer`), a byte offset in `memory`. */
  readonly stackTop: number;
}

/** Starts the threads of the wasm backend on one platform. */
export interface ThreadSpawner {
  /** How many threads the platform runs at once: the default thread count. */
  readonly cores: number;
  /**
   * Starts a worker that calls `runWorker(init)` of `worker-loop.ts`. `onExit` is called (on this thread,
   * later) with a reason if the worker fails to start or stops; a worker must not keep its process alive.
   */
  spawn(init: WorkerInit, onExit: (reason: string) => void): void;
}

/** The most threads {@link setNumThreads} accepts. */
export const MAX_THREADS = 256;

let spawner: ThreadSpawner | null = null;
let requested: number | null = null;
let browserChecked = false;
const listeners: (() => void)[] = [];

/** Calls `listener` whenever the thread settings change (so a runtime can start more workers). */
export function onThreadSettingsChange(listener: () => void): void {
  listeners.push(listener);
}

function settingsChanged(): void {
  for (const listener of listeners) listener();
}

/**
 * Installs the platform's way of starting threads; `convnet-ts/node` calls it on import. The wasm backend
 * starts its workers with it now if it is running, else when it starts.
 */
export function installThreadSpawner(platform: ThreadSpawner): void {
  spawner = platform;
  settingsChanged();
}

/** The installed spawner, or the browser's when the core can start web workers here; null for none. */
export function threadSpawner(): ThreadSpawner | null {
  if (spawner === null && !browserChecked) {
    browserChecked = true;
    spawner = browserSpawner();
    if (spawner === null && typeof Worker !== 'undefined') {
      console.warn(
        'convnet-ts: the wasm backend runs on one thread here; its threads need a cross-origin isolated ' +
          'page (COOP and COEP headers) and a worker context, since a page may not block waiting for them',
      );
    }
  }
  return spawner;
}

/**
 * Sets how many threads the wasm backend's kernels use, the calling thread included (PyTorch's
 * `torch.set_num_threads`). Results do not depend on it: every thread count gives the same bits.
 *
 * @throws {ArgumentError} unless `n` is an integer from 1 to 256
 * @example
 * setNumThreads(1);   // kernels run on the calling thread only
 */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_THREADS) {
    throw new ArgumentError('setNumThreads', 'n', `expected an integer from 1 to ${MAX_THREADS}, got ${n}`);
  }
  requested = n;
  settingsChanged();
}

/**
 * How many threads the wasm backend's kernels use: what {@link setNumThreads} set, else every core the
 * platform reports (1 where no threads can be started: without `convnet-ts/node` in Node, or in a browser
 * page that is not cross-origin isolated).
 */
export function getNumThreads(): number {
  return requested ?? threadSpawner()?.cores ?? 1;
}

/** Whether this thread may block in `Atomics.wait` (a browser page's main thread may not). */
export function canBlock(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Web workers running `wasm-worker.js`, when this is a cross-origin isolated worker context; else null. */
function browserSpawner(): ThreadSpawner | null {
  const scope = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  if (typeof Worker === 'undefined' || scope.crossOriginIsolated !== true || !canBlock()) return null;
  return {
    cores: Math.max(1, Math.min(MAX_THREADS, scope.navigator?.hardwareConcurrency ?? 1)),
    spawn(init, onExit) {
      const worker = new Worker(new URL('./wasm-worker.js', import.meta.url), { type: 'module' });
      worker.onerror = (event) => {
        onExit(event.message);
      };
      worker.postMessage(init);
    },
  };
}
