/**
 * The wasm backend's compiled kernels (`gemm.c`, embedded by
 * `scripts/build-wasm.sh`), instantiated synchronously on first use, so importing the library costs no
 * compilation. The module's memory holds its own static buffers followed by one scratch region, from
 * `__heap_base` on, that every call reuses; it grows when a call needs more and never shrinks.
 */
import { KERNELS_WASM_BASE64 } from './kernels.generated.js';

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

const PAGE_BYTES = 65536;

/** Bytes per float32. */
export const F32 = 4;

/** `x` rounded up to a multiple of 16 bytes, the alignment of an f32x4. */
export function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

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

let kernels: Kernels | null = null;

/** The instantiated kernels, compiled on the first call. */
export function loadKernels(): Kernels {
  if (kernels === null) {
    const module = new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64));
    const exports = new WebAssembly.Instance(module, {}).exports;
    const heapBase = (exports.__heap_base as WebAssembly.Global).value as number;
    kernels = {
      memory: exports.memory as WebAssembly.Memory,
      scratchStart: Math.ceil(heapBase / 16) * 16,
      gemmF32: exports.gemm_f32 as Kernels['gemmF32'],
    };
  }
  return kernels;
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
