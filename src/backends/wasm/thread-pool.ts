/**
 * The calling side of the wasm backend's threads: workers (each with its own instance of the kernels'
 * module and its own stack in the shared memory) and the dispatch of one run to them through the control
 * block (`control-block.ts`).
 *
 * A run hands a job to every worker that is ready (workers still starting simply do not take part), runs
 * tid 0 on the calling thread, then runs itself every share whose worker has not claimed it yet (a worker
 * slow to wake under load, or one that died: its exit event needs the event loop, which a synchronous
 * training loop does not give back, so the pool cannot count on seeing it), and waits until every worker
 * that claimed a share is done. Which thread computes a share never changes its bits. A thread whose kernel
 * throws makes the run fail with a {@link BackendError} once all threads are done, never a hang; so does a
 * worker that stops while running its share. A worker that stopped is said once (a warning) and takes no
 * more runs: the pool goes on with fewer threads.
 */
import { BackendError } from '../../errors.js';
import {
  ARGS,
  CLAIM,
  DONE,
  FAILED,
  JOB,
  KERNEL,
  MAX_SLOTS,
  NTHREADS,
  OPEN,
  READY,
  STOLEN,
  STATE,
  STOPPED,
  TID,
  controlWords,
  failureMessage,
  recordFailure,
  slotAt,
} from './control-block.js';
import type { ThreadSpawner } from './threads.js';

/** A kernel as exported: `(argsPtr, tid, nthreads)`. */
export type KernelFunction = (args: number, tid: number, nthreads: number) => void;

/** Checks of the done counter before the calling thread sleeps. */
const SPINS = 2_000;

/** Checks of a worker's claim, once the calling thread's own share is done, before it runs that share itself. */
const STEAL_SPINS = 10_000;

/** How long the calling thread sleeps before it checks again that its workers are alive (ms). */
const WAIT_SLICE_MS = 200;

/** Workers sharing the memory with the calling thread; see the module comment. */
export class ThreadPool {
  /** Workers started so far, in slots 1 to `started`. */
  private started = 0;
  private readonly words: Int32Array;
  private readonly helpers: number[] = [];
  /** The helpers of the current run that claimed their shares. */
  private readonly working: number[] = [];
  private warned = false;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly memory: WebAssembly.Memory,
    /** Byte offset of the control block. */
    private readonly control: number,
  ) {
    this.words = controlWords(memory, control);
  }

  /** Workers started so far (ready or not). */
  get size(): number {
    return this.started;
  }

  /** Workers ready to take part in a run now. */
  ready(): number {
    let count = 0;
    for (let slot = 1; slot <= this.started; slot++) {
      if (Atomics.load(this.words, slotAt(slot) + STATE) === READY) count++;
    }
    return count;
  }

  /**
   * Starts workers until there are `count`, worker `slot` using the stack that ends at `stackTop(slot)`;
   * they become ready in the background.
   */
  grow(count: number, spawner: ThreadSpawner, stackTop: (slot: number) => number): void {
    for (let slot = this.started + 1; slot <= Math.min(count, MAX_SLOTS - 1); slot++) {
      this.started = slot;
      spawner.spawn(
        { module: this.module, memory: this.memory, control: this.control, slot, stackTop: stackTop(slot) },
        (reason) => {
          Atomics.store(this.words, slotAt(slot) + STATE, STOPPED);
          if (!this.warned) {
            this.warned = true;
            console.warn(
              `convnet-ts: a wasm worker thread stopped (${reason}); the wasm backend goes on with the threads it has left`,
            );
          }
        },
      );
    }
  }

  /**
   * Runs `kernel` (the caller's instance of kernel `index`, named `name` in errors) with its arguments at
   * `args` on at most `threads` threads: the calling thread and ready workers.
   */
  run(name: string, index: number, kernel: KernelFunction, args: number, threads: number): void {
    const words = this.words;
    const helpers = this.helpers;
    helpers.length = 0;
    for (let slot = 1; slot <= this.started && helpers.length < threads - 1; slot++) {
      if (Atomics.load(words, slotAt(slot) + STATE) === READY) helpers.push(slot);
    }
    const nthreads = helpers.length + 1;
    Atomics.store(words, KERNEL, index);
    Atomics.store(words, ARGS, args);
    Atomics.store(words, NTHREADS, nthreads);
    Atomics.store(words, DONE, 0);
    Atomics.store(words, FAILED, 0);
    for (let tid = 1; tid < nthreads; tid++) {
      const slot = slotAt(helpers[tid - 1]!);
      Atomics.store(words, slot + TID, tid);
      Atomics.store(words, slot + CLAIM, OPEN);
      Atomics.add(words, slot + JOB, 1);
      Atomics.notify(words, slot + JOB, 1);
    }
    this.share(kernel, args, 0, nthreads);
    // Shares no worker has claimed by now are run here: a worker that is slow to wake (or has died
    // without its exit being seen yet, which needs the event loop) never holds the run up.
    const working = this.working;
    working.length = 0;
    for (let tid = 1; tid < nthreads; tid++) {
      const slot = helpers[tid - 1]!;
      let claim = Atomics.load(words, slotAt(slot) + CLAIM);
      for (let spin = 0; claim === OPEN && spin < STEAL_SPINS; spin++) {
        claim = Atomics.load(words, slotAt(slot) + CLAIM);
      }
      if (claim === OPEN && Atomics.compareExchange(words, slotAt(slot) + CLAIM, OPEN, STOLEN) === OPEN) {
        this.share(kernel, args, tid, nthreads);
      } else {
        working.push(slot);
      }
    }
    this.waitForHelpers(name, working);
    const failed = Atomics.load(words, FAILED);
    if (failed !== 0) {
      throw new BackendError(
        'wasm',
        name,
        `kernel failed on thread ${failed - 1} of ${nthreads}: ${failureMessage(this.memory, this.control, words)}`,
      );
    }
  }

  /** Runs share `tid` of the run on the calling thread, recording a throw as the run's failure. */
  private share(kernel: KernelFunction, args: number, tid: number, nthreads: number): void {
    try {
      kernel(args, tid, nthreads);
    } catch (error) {
      recordFailure(this.memory, this.control, this.words, tid, error);
    }
  }

  /** Waits until the workers of `slots`, which claimed their shares, are done, failing if one stopped. */
  private waitForHelpers(name: string, slots: readonly number[]): void {
    const words = this.words;
    const count = slots.length;
    let done = Atomics.load(words, DONE);
    for (let spin = 0; done < count && spin < SPINS; spin++) done = Atomics.load(words, DONE);
    while (done < count) {
      if (Atomics.wait(words, DONE, done, WAIT_SLICE_MS) === 'timed-out') {
        for (const slot of slots) {
          if (Atomics.load(words, slotAt(slot) + STATE) === STOPPED) {
            throw new BackendError('wasm', name, `worker thread ${slot} stopped during a run`);
          }
        }
      }
      done = Atomics.load(words, DONE);
    }
  }
}
