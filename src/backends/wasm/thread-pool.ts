/**
 * The calling side of the wasm backend's threads: workers (each with its own instance of the kernels'
 * module and its own stack in the shared memory) and the dispatch of one run to them through the control
 * block (`control-block.ts`).
 *
 * A run hands a job to every worker that is ready (workers still starting simply do not take part), runs
 * tid 0 on the calling thread, and waits until every worker it handed the job to is done. A thread whose
 * kernel throws makes the run fail with a {@link BackendError} once all threads are done, never a hang.
 */
import { BackendError } from '../../errors.js';
import {
  ARGS,
  DONE,
  FAILED,
  JOB,
  KERNEL,
  MAX_SLOTS,
  NTHREADS,
  READY,
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

/** How long the calling thread sleeps before it checks again that its workers are alive (ms). */
const WAIT_SLICE_MS = 200;

/** Workers sharing the memory with the calling thread; see the module comment. */
export class ThreadPool {
  /** Workers started so far, in slots 1 to `started`. */
  private started = 0;
  private readonly words: Int32Array;
  private readonly helpers: number[] = [];

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
        () => {
          Atomics.store(this.words, slotAt(slot) + STATE, STOPPED);
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
      Atomics.add(words, slot + JOB, 1);
      Atomics.notify(words, slot + JOB, 1);
    }
    try {
      kernel(args, 0, nthreads);
    } catch (error) {
      recordFailure(this.memory, this.control, words, 0, error);
    }
    this.waitForHelpers(name, nthreads - 1);
    const failed = Atomics.load(words, FAILED);
    if (failed !== 0) {
      throw new BackendError(
        'wasm',
        name,
        `kernel failed on thread ${failed - 1} of ${nthreads}: ${failureMessage(this.memory, this.control, words)}`,
      );
    }
  }

  /** Waits until `count` workers are done, failing if one of them stopped instead. */
  private waitForHelpers(name: string, count: number): void {
    const words = this.words;
    let done = Atomics.load(words, DONE);
    for (let spin = 0; done < count && spin < SPINS; spin++) done = Atomics.load(words, DONE);
    while (done < count) {
      if (Atomics.wait(words, DONE, done, WAIT_SLICE_MS) === 'timed-out') {
        for (const slot of this.helpers) {
          if (Atomics.load(words, slotAt(slot) + STATE) === STOPPED) {
            throw new BackendError('wasm', name, `worker thread ${slot} stopped during a run`);
          }
        }
      }
      done = Atomics.load(words, DONE);
    }
  }
}
