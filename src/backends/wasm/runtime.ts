/**
 * The wasm backend's runtime: the compiled kernels, the module's memory, and how a backend call uses it.
 *
 * A backend call opens an {@link WasmArena}: it copies its operands into the memory (`put`), reserves room
 * for results and scratch (`reserve`, `zeros`), runs kernels (`run`) and copies the results out (`readF32`).
 * Each arena starts again at the bottom of the free memory, so a call must finish with its arena before the
 * next call opens one; the memory grows when a call needs more and never shrinks.
 *
 * Kernels follow the calling convention of `common.h`: `name(argsPtr, tid, nthreads)` with int32 argument
 * words (byte offsets, sizes, and floats as their bits, see {@link f32bits}).
 */
import { BackendError } from '../../errors.js';
import { KERNELS_WASM_BASE64 } from './kernels.generated.js';

const PAGE_BYTES = 65536;

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

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes standard base64 (with `=` padding), without relying on `atob` or `Buffer`. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const digits = text.replace(/=+$/, '');
  const bytes = new Uint8Array(Math.floor((digits.length * 3) / 4));
  let bits = 0;
  let bitCount = 0;
  let at = 0;
  for (const char of digits) {
    bits = (bits << 6) | BASE64.indexOf(char);
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      bytes[at++] = (bits >> bitCount) & 0xff;
    }
  }
  return bytes;
}

/** A kernel as exported: `(argsPtr, tid, nthreads)`. */
type KernelFunction = (args: number, tid: number, nthreads: number) => void;

/** The single-threaded runtime: one instance, its own memory. */
class SingleThreadRuntime implements WasmRuntime {
  readonly threads = 1;
  readonly relaxedSimd = false;
  private readonly memory: WebAssembly.Memory;
  private readonly exports: WebAssembly.Exports;
  private readonly bottom: number;
  private top = 0;

  constructor() {
    const module = new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
    this.exports = new WebAssembly.Instance(module, {}).exports;
    this.memory = this.exports.memory as WebAssembly.Memory;
    const heapBase = (this.exports.__heap_base as WebAssembly.Global).value as number;
    this.bottom = align16(heapBase);
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
        new Uint8Array(this.memory.buffer, at, bytes).fill(0);
        return at;
      },
      readF32: (at, length) => new Float32Array(this.memory.buffer, at, length).slice(),
      readI32: (at, length) => new Int32Array(this.memory.buffer, at, length).slice(),
      readInto: (at, target) => {
        const bytes = new Uint8Array(this.memory.buffer, at, target.byteLength);
        new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes);
      },
      run: (name, args) => {
        const kernel = this.exports[name] as KernelFunction | undefined;
        if (typeof kernel !== 'function') {
          throw new BackendError('wasm', name, `the WebAssembly module exports no kernel '${name}'`);
        }
        const argsAt = this.reserve(args.length * 4);
        new Int32Array(this.memory.buffer, argsAt, args.length).set(args);
        kernel(argsAt, 0, 1);
      },
    };
  }

  /** Moves the top of the arena up by `bytes` (rounded to 16), growing the memory if it must. */
  private reserve(bytes: number): number {
    const at = this.top;
    const end = at + align16(bytes);
    const missing = end - this.memory.buffer.byteLength;
    if (missing > 0) {
      try {
        this.memory.grow(Math.ceil(missing / PAGE_BYTES));
      } catch (error) {
        if (error instanceof RangeError) throw new WasmMemoryExhausted(end);
        throw error;
      }
    }
    this.top = end;
    return at;
  }
}

/** `x` rounded up to a multiple of 16 bytes, the alignment of an f32x4. */
export function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

let runtime: WasmRuntime | null = null;

/** The runtime, created (and the module compiled) on the first call. */
export function wasmRuntime(): WasmRuntime {
  runtime ??= new SingleThreadRuntime();
  return runtime;
}
