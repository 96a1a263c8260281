/**
 * A standalone instance of the wasm backend's kernels for tests that run an export as a given number of
 * threads would: every tid of (tid, nthreads) called in turn on the calling thread, which is a valid schedule
 * because a run's threads write disjoint outputs.
 */
import { loadModule } from '../../src/backends/wasm/wasm-module.js';

type Kernel = (args: number, tid: number, nthreads: number) => void;

/** A fresh module instance with a bump allocator over its memory. */
export class KernelInstance {
  private readonly exports: WebAssembly.Exports;
  private readonly memory: WebAssembly.Memory;
  private readonly bottom: number;
  private top: number;

  constructor() {
    const { module, memory } = loadModule();
    this.exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    this.memory = memory;
    this.bottom = Math.ceil(((this.exports.__heap_base as WebAssembly.Global).value as number) / 16) * 16;
    this.top = this.bottom;
  }

  /** Frees everything allocated so far. */
  reset(): void {
    this.top = this.bottom;
  }

  /** `bytes` bytes of memory, filled with a NaN pattern so unwritten outputs show; returns the byte offset. */
  reserve(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    const missing = this.top - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / 65536));
    new Uint8Array(this.memory.buffer, at, bytes).fill(0xff);
    return at;
  }

  /** Copies `data` in and returns its byte offset. */
  put(data: Float32Array): number {
    const at = this.reserve(data.byteLength);
    new Float32Array(this.memory.buffer, at, data.length).set(data);
    return at;
  }

  /** A copy of `length` float32 values at `at`. */
  read(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length).slice();
  }

  /** Runs export `name` with `args` as `nthreads` threads, one tid after another. */
  run(name: string, args: readonly number[], nthreads: number): void {
    const kernel = this.exports[name] as Kernel;
    const argsAt = this.reserve(args.length * 4);
    new Int32Array(this.memory.buffer, argsAt, args.length).set(args);
    for (let tid = 0; tid < nthreads; tid++) kernel(argsAt, tid, nthreads);
  }
}
