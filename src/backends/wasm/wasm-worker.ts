/**
 * The web worker of the wasm backend (started by `threads.ts` in a cross-origin isolated browser context):
 * its first message is its {@link WorkerInit}, then it runs kernels until terminated.
 */
import type { WorkerInit } from './threads.js';
import { runWorker } from './worker-loop.js';

addEventListener(
  'message',
  (event: MessageEvent<WorkerInit>) => {
    runWorker(event.data);
  },
  { once: true },
);
