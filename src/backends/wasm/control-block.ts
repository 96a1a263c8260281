/**
 * The control block through which the calling thread hands a kernel run to the workers: int32 words in the
 * shared memory, read and written with `Atomics`. Layout (word indices):
 *
 * - 0 `KERNEL`: index of the kernel in {@link kernelNames}; 1 `ARGS`: byte offset of its argument words;
 *   2 `NTHREADS`: threads taking part; 3 `DONE`: workers that finished the run; 4 `FAILED`: tid + 1 of the
 *   first thread whose kernel threw, else 0; 5 `MESSAGE_BYTES`: length of its message.
 * - From word 16, four words per worker slot s (1 to 255): `STATE` (starting, ready or failed), `JOB` (a
 *   counter the caller bumps to hand the worker a run, and the word it waits on), `TID` (its thread index
 *   in that run) and `CLAIM` (who runs that share: `OPEN` until the worker takes it, `CLAIMED`, or `STOLEN`
 *   when the calling thread ran it itself because the worker had not woken by then).
 * - Then {@link MESSAGE_CAPACITY} bytes of UTF-8: the failing thread's error message.
 */

/** Header words. */
export const KERNEL = 0;
export const ARGS = 1;
export const NTHREADS = 2;
export const DONE = 3;
export const FAILED = 4;
export const MESSAGE_BYTES = 5;

/** Offsets inside a worker's slot, and the states of `STATE`. */
export const STATE = 0;
export const JOB = 1;
export const TID = 2;
export const CLAIM = 3;
export const STARTING = 0;
export const READY = 1;
export const STOPPED = 2;

/** The states of `CLAIM`: each share of a run is taken exactly once, by its worker or by the caller. */
export const OPEN = 0;
export const CLAIMED = 1;
export const STOLEN = 2;

/** Most worker slots (slot 0 is unused: tid 0 is the calling thread). */
export const MAX_SLOTS = 256;
const SLOTS_AT = 16;
const SLOT_WORDS = 4;
const MESSAGE_AT = SLOTS_AT + MAX_SLOTS * SLOT_WORDS;

/** Bytes of the error message area. */
export const MESSAGE_CAPACITY = 256;

/** Bytes of the whole control block, a multiple of 16. */
export const CONTROL_BYTES = MESSAGE_AT * 4 + MESSAGE_CAPACITY;

/** Word index of worker slot `slot`'s first word. */
export function slotAt(slot: number): number {
  return SLOTS_AT + slot * SLOT_WORDS;
}

/** The control block at byte offset `at` of `memory`, as int32 words. */
export function controlWords(memory: WebAssembly.Memory, at: number): Int32Array {
  return new Int32Array(memory.buffer, at, CONTROL_BYTES / 4);
}

/**
 * Records `error` as the run's failure unless another thread's came first; `tid` is the failing thread.
 * Call it before counting the thread done.
 */
export function recordFailure(
  memory: WebAssembly.Memory,
  at: number,
  words: Int32Array,
  tid: number,
  error: unknown,
): void {
  if (Atomics.compareExchange(words, FAILED, 0, tid + 1) !== 0) return;
  const text = new TextEncoder().encode(error instanceof Error ? error.message : String(error));
  const length = Math.min(text.length, MESSAGE_CAPACITY);
  new Uint8Array(memory.buffer, at + MESSAGE_AT * 4, length).set(text.subarray(0, length));
  Atomics.store(words, MESSAGE_BYTES, length);
}

/** The message {@link recordFailure} stored. */
export function failureMessage(memory: WebAssembly.Memory, at: number, words: Int32Array): string {
  const bytes = new Uint8Array(memory.buffer, at + MESSAGE_AT * 4, Atomics.load(words, MESSAGE_BYTES));
  return new TextDecoder().decode(bytes.slice());
}

/** The module's exported functions in a fixed order, which both sides use to name a kernel by index. */
export function kernelNames(module: WebAssembly.Module): string[] {
  return WebAssembly.Module.exports(module)
    .filter((entry) => entry.kind === 'function')
    .map((entry) => entry.name)
    .sort();
}
