/**
 * What a worker thread of the wasm backend runs: its own instance of the kernels' module in the shared
 * memory, with its own stack, then forever: wait for a run on its slot of the control block, claim its share
 * (unless the calling thread took it first), run it, count itself done. Used by the Node worker (`src/node/wasm-worker.ts`) and the web worker
 * (`wasm-worker.ts`); see `thread-pool.ts` for the calling side.
 */
import {
  ARGS,
  CLAIM,
  CLAIMED,
  DONE,
  JOB,
  KERNEL,
  NTHREADS,
  OPEN,
  READY,
  STATE,
  STOPPED,
  TID,
  controlWords,
  kernelNames,
  recordFailure,
  slotAt,
} from './control-block.js';
import type { WorkerInit } from './threads.js';

/** Checks of the job word before sleeping: a run that follows quickly is taken without a wake-up. */
const SPINS = 2_000;

/** A kernel as exported: `(argsPtr, tid, nthreads)`. */
type KernelFunction = (args: number, tid: number, nthreads: number) => void;

/** Runs the worker of `init` until the thread is terminated; see the module comment. */
export function runWorker(init: WorkerInit): void {
  const { memory, control } = init;
  const words = controlWords(memory, control);
  const slot = slotAt(init.slot);
  try {
    const instance = new WebAssembly.Instance(init.module, { env: { memory } });
    (instance.exports.__stack_pointer as WebAssembly.Global).value = init.stackTop;
    const kernels = kernelNames(init.module).map((name) => instance.exports[name] as KernelFunction);
    Atomics.store(words, slot + STATE, READY);
    let seen = 0;
    for (;;) {
      let job = Atomics.load(words, slot + JOB);
      for (let spin = 0; job === seen && spin < SPINS; spin++) job = Atomics.load(words, slot + JOB);
      while (job === seen) {
        Atomics.wait(words, slot + JOB, seen);
        job = Atomics.load(words, slot + JOB);
      }
      seen = job;
      // The caller may have run this share itself already (it does when a worker is slow to wake).
      if (Atomics.compareExchange(words, slot + CLAIM, OPEN, CLAIMED) !== OPEN) continue;
      const tid = Atomics.load(words, slot + TID);
      try {
        kernels[Atomics.load(words, KERNEL)]!(Atomics.load(words, ARGS), tid, Atomics.load(words, NTHREADS));
      } catch (error) {
        recordFailure(memory, control, words, tid, error);
      }
      Atomics.add(words, DONE, 1);
      Atomics.notify(words, DONE);
    }
  } finally {
    // Only reached when something outside a kernel threw: the slot takes no more runs.
    Atomics.store(words, slot + STATE, STOPPED);
  }
}
