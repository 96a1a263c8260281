/**
 * The wasm backend's runtime: the compiled kernels, the module's memory, and how a backend call uses it.
 *
 * A backend call opens an {@link WasmArena}: it copies its operands into the memory (`put`), reserves room
 * for results and scratch (`reserve`, `zeros`), runs kernels (`run`) and copies the results out (`readF32`).
 * Each arena starts again at the bottom of the free memory, so a call must finish with its arena before the
 * next call opens one; the memory grows when a call needs more and never shrinks.
 *
 * Why tensors keep plain JS arrays, copied in and out per call, rather than living in this memory. Blocks of
 * WebAssembly memory owned by tensors would need freeing when a tensor dies, with no `dispose` in the API:
 * a FinalizationRegistry (or WeakRefs) — but their callbacks run only when the event loop turns, and a
 * synchronous training loop never yields to it (measured: 2,000 registered arrays, garbage-collected, none
 * finalized during the loop), so the blocks would pile up until wasm32's 4 GiB ran out. The copies cost
 * (measured here, one thread, 6.4 MB: the bench CNN's first activation): 0.22 ms in; 0.6 ms out into a new
 * array, plus ~2 ms of page faults when the allocator hands out fresh pages for it (0.07 ms to allocate,
 * 2.3 ms to allocate and write). The backend keeps them down by fusing what would round-trip the same data:
 * conv + bias + ReLU in one call, and the ReLU's mask applied inside the convolution's backward call.
 *
 * Kernels follow the calling convention of `common.h`: `name(argsPtr, tid, nthreads)` with int32 argument
 * words (byte offsets, sizes, and floats as their bits, see {@link f32bits}).
 *
 * Threads. The memory is shared (where the platform allows it) with worker threads, each running its own
 * instance of the module (`thread-pool.ts`); a parallel run executes on the calling thread and every ready
 * worker, up to {@link WasmRuntime.threads}. The memory starts with the module's data and the calling
 * thread's stack (up to `__heap_base`), then the workers' control block, then one stack per worker, then the
 * arena. The thread count changes only between backend calls (by `setNumThreads` or when a platform installs
 * its thread spawner), so `threads` read anywhere in a call is the count its runs use at most.
 */
import { BackendError } from '../../errors.js';
import { CONTROL_BYTES, kernelNames } from './control-block.js';
import type { KernelFunction } from './thread-pool.js';
import { ThreadPool } from './thread-pool.js';
import { canBlock, getNumThreads, onThreadSettingsChange, threadSpawner } from './threads.js';
import { PAGE_BYTES, loadModule } from './wasm-module.js';

/** Thrown by an arena when the memory cannot grow to what a call needs (wasm32 stops at 4 GiB). */
export class WasmMemoryExhausted extends BackendError {
  constructor(bytes: number) {
    super('wasm', 'memory', `cannot grow WebAssembly memory to ${bytes} bytes`);
  }
}

/** One backend call's use of the module's memory; see the module comment. */
export interface WasmArena {
  /** Copies `data` into the memory and returns its byte offset (a multiple of 16). */
  put(data: Float32Array | Int32Array): number;
  /** Reserves `bytes` bytes of uninitialised memory and returns their byte offset (a multiple of 16). */
  reserve(bytes: number): number;
  /** Reserves `bytes` bytes filled with zeros and returns their byte offset (a multiple of 16). */
  zeros(bytes: number): number;
  /** A copy of `length` float32 values at byte offset `at`. */
  readF32(at: number, length: number): Float32Array;
  /** A copy of `length` int32 values at byte offset `at`. */
  readI32(at: number, length: number): Int32Array;
  /** Copies `target.length` values at byte offset `at` into `target` (for in-place updates). */
  readInto(at: number, target: Float32Array | Int32Array): void;
  /**
   * Runs the exported kernel `name` with the argument words `args`: on every thread of the pool, the
   * calling thread included, or on the calling thread alone when `parallel` is false (for work too small
   * to share).
   */
  run(name: string, args: readonly number[], options?: { parallel?: boolean }): void;
}

/** The loaded kernels and the state of their memory. */
export interface WasmRuntime {
  /** How many threads a parallel run uses (1: the calling thread only). */
  readonly threads: number;
  /** True when the module built with relaxed SIMD (fused multiply-add) is in use. */
  readonly relaxedSimd: boolean;
  /** Opens the arena of one backend call, ending the previous one. */
  arena(): WasmArena;
}

/** The int32 word that holds the float32 nearest `x`, for a float argument of a kernel. */
export function f32bits(x: number): number {
  F32_WORD[0] = x;
  return I32_WORD[0]!;
}
const F32_WORD = new Float32Array(1);
const I32_WORD = new Int32Array(F32_WORD.buffer);

/** Bytes of each worker's stack, as large as the calling thread's (`-z stack-size` in build-wasm.sh). */
const STACK_BYTES = 262144;

/** Runs of at least this many bytes are zeroed by `fill_f32` on every thread rather than by JavaScript. */
const PARALLEL_ZERO_BYTES = 1 << 20;

/** The runtime over one shared (or, without `SharedArrayBuffer`, unshared) memory; see the module comment. */
export class ThreadedRuntime implements WasmRuntime {
  readonly relaxedSimd: boolean;
  /** The memory every instance of the module uses. */
  readonly memory: WebAssembly.Memory;
  private readonly shared: boolean;
  private readonly names: Map<string, number>;
  private readonly kernels: KernelFunction[];
  private readonly control: number;
  private readonly pool: ThreadPool;
  private count = 1;
  private bottom: number;
  private top: number;

  constructor() {
    const loaded = loadModule();
    this.relaxedSimd = loaded.relaxedSimd;
    this.memory = loaded.memory;
    this.shared = loaded.shared;
    const exports = new WebAssembly.Instance(loaded.module, { env: { memory: this.memory } }).exports;
    const names = kernelNames(loaded.module);
    this.names = new Map(names.map((name, index) => [name, index]));
    this.kernels = names.map((name) => exports[name] as KernelFunction);
    this.control = align16((exports.__heap_base as WebAssembly.Global).value as number);
    this.bottom = this.control + CONTROL_BYTES;
    this.top = this.bottom;
    this.growTo(this.bottom);
    this.pool = new ThreadPool(loaded.module, this.memory, this.control);
    this.plan();
  }

  get threads(): number {
    return this.count;
  }

  /** Byte offset where an arena starts: above the control block and the workers' stacks. */
  get scratchStart(): number {
    return this.bottom;
  }

  /** How many workers are ready to take part in a run now (workers start in the background). */
  readyWorkers(): number {
    return this.pool.ready();
  }

  /**
   * Sets the thread count from the settings (`setNumThreads`, the platform's spawner), starting workers and
   * placing their stacks below the arena if more are needed. Called only between backend calls.
   */
  plan(): void {
    const spawner = this.shared && canBlock() ? threadSpawner() : null;
    const wanted = spawner === null ? 1 : getNumThreads();
    if (spawner !== null && wanted - 1 > this.pool.size) {
      const stacks = this.control + CONTROL_BYTES;
      this.bottom = stacks + (wanted - 1) * STACK_BYTES;
      this.growTo(this.bottom);
      this.pool.grow(wanted - 1, spawner, (slot) => stacks + slot * STACK_BYTES);
    }
    this.count = Math.min(wanted, 1 + this.pool.size);
    this.top = this.bottom;
  }

  arena(): WasmArena {
    this.top = this.bottom;
    return {
      put: (data) => {
        const at = this.reserve(data.byteLength);
        new Uint8Array(this.memory.buffer, at, data.byteLength).set(
          new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        );
        return at;
      },
      reserve: (bytes) => this.reserve(bytes),
      zeros: (bytes) => {
        const at = this.reserve(bytes);
        if (bytes >= PARALLEL_ZERO_BYTES && this.count > 1) {
          this.run('fill_f32', [at, align16(bytes) / 4, 0], true);
        } else {
          new Uint8Array(this.memory.buffer, at, bytes).fill(0);
        }
        return at;
      },
      readF32: (at, length) => new Float32Array(this.memory.buffer, at, length).slice(),
      readI32: (at, length) => new Int32Array(this.memory.buffer, at, length).slice(),
      readInto: (at, target) => {
        const bytes = new Uint8Array(this.memory.buffer, at, target.byteLength);
        new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes);
      },
      run: (name, args, options) => {
        this.run(name, args, options?.parallel ?? true);
      },
    };
  }

  /** Writes `args` into the arena and runs kernel `name` on them, on every thread when `parallel`. */
  private run(name: string, args: readonly number[], parallel: boolean): void {
    const index = this.index(name);
    const argsAt = this.reserve(args.length * 4);
    new Int32Array(this.memory.buffer, argsAt, args.length).set(args);
    const kernel = this.kernels[index]!;
    if (!parallel || this.count === 1 || this.pool.size === 0) {
      try {
        kernel(argsAt, 0, 1);
      } catch (error) {
        if (!(error instanceof WebAssembly.RuntimeError)) throw error;
        throw new BackendError('wasm', name, `kernel failed: ${error.message}`);
      }
      return;
    }
    this.pool.run(name, index, kernel, argsAt, this.count);
  }

  private index(name: string): number {
    const index = this.names.get(name);
    if (index === undefined) {
      throw new BackendError('wasm', name, `the WebAssembly module exports no kernel '${name}'`);
    }
    return index;
  }

  /** Moves the top of the arena up by `bytes` (rounded to 16), growing the memory if it must. */
  private reserve(bytes: number): number {
    const at = this.top;
    const end = at + align16(bytes);
    this.growTo(end);
    this.top = end;
    return at;
  }

  /** Grows the memory to at least `end` bytes. */
  private growTo(end: number): void {
    const missing = end - this.memory.buffer.byteLength;
    if (missing <= 0) return;
    try {
      this.memory.grow(Math.ceil(missing / PAGE_BYTES));
    } catch (error) {
      if (error instanceof RangeError) throw new WasmMemoryExhausted(end);
      throw error;
    }
  }
}

/** `x` rounded up to a multiple of 16 bytes, the alignment of an f32x4. */
export function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

let runtime: ThreadedRuntime | null = null;

/** The runtime, created (and the module compiled, and the workers started) on the first call. */
export function wasmRuntime(): ThreadedRuntime {
  if (runtime === null) {
    const created = new ThreadedRuntime();
    runtime = created;
    onThreadSettingsChange(() => {
      created.plan();
    });
  }
  return runtime;
}
