/**
 * The old single-call loader of `gemm_f32`, kept until their glue moves to
 * the runtime's arena: the functions of the runtime's own instance (`runtime.ts`), called directly on the
 * calling thread, with one scratch region from the arena's start that every call reuses; it grows when a
 * call needs more and never shrinks.
 */
import { PAGE_BYTES } from './wasm-module.js';
import { wasmRuntime } from './runtime.js';

/** The exports of the compiled module. */
export interface Kernels {
  /** The module's memory; re-read `memory.buffer` after {@link reserveScratch}, which may replace it. */
  readonly memory: WebAssembly.Memory;
  /** Byte offset where the scratch region starts, a multiple of 16. */
  readonly scratchStart: number;
  /** `gemm_f32` of `gemm.c`: pointers are byte offsets into `memory`, flags are 0 or 1. */
  readonly gemmF32: (
    a: number,
    b: number,
    c: number,
    batch: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
    aStride: number,
    bStride: number,
  ) => void;
}

/** Bytes per float32. */
export const F32 = 4;

/** `x` rounded up to a multiple of 16 bytes, the alignment of an f32x4. */
export function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

/** The kernels of the calling thread's instance in the runtime's memory (`runtime.ts`). */
export function loadKernels(): Kernels {
  const runtime = wasmRuntime();
  return {
    memory: runtime.memory,
    get scratchStart() {
      return runtime.scratchStart;
    },
    gemmF32: runtime.kernel('gemm_f32'),
  };
}

/**
 * Grows the memory so the scratch region reaches byte `end`; false if the engine cannot (wasm32 memory
 * stops at 4 GiB, and engines may stop earlier).
 */
export function reserveScratch(k: Kernels, end: number): boolean {
  const missing = end - k.memory.buffer.byteLength;
  if (missing <= 0) return true;
  try {
    k.memory.grow(Math.ceil(missing / PAGE_BYTES));
    return true;
  } catch (error) {
    if (error instanceof RangeError) return false;
    throw error;
  }
}
