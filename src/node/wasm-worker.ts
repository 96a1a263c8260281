/**
 * A Node worker thread of the wasm backend (started by `wasm-threads.ts`): runs kernels in the shared memory
 * given as its `workerData` until the process ends.
 */
import { workerData } from 'node:worker_threads';
import type { WorkerInit } from '../backends/wasm/threads.js';
import { runWorker } from '../backends/wasm/worker-loop.js';

runWorker(workerData as WorkerInit);
