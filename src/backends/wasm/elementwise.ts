/**
 * Element-wise kernels in the wasm backend: float32 `clamp` runs in WebAssembly SIMD (`clamp_f32` of
 * `elementwise.c`); other dtypes go to the js backend.
 */
import type { TypedArray } from '../../dtype.js';
import { clamp as jsClamp } from '../js/elementwise.js';
import { F32, align16, loadKernels, reserveScratch } from './kernels.js';

/** `min(max(x, lo), hi)` element-wise, NaN kept: float32 copied into the module's memory, clamped there. */
export function clamp(x: TypedArray, lo: number, hi: number): TypedArray {
  if (!(x instanceof Float32Array) || x.length === 0) return jsClamp(x, lo, hi);
  const kernels = loadKernels();
  const xAt = kernels.scratchStart;
  const outAt = align16(xAt + x.length * F32);
  if (!reserveScratch(kernels, outAt + x.length * F32)) return jsClamp(x, lo, hi);
  const heap = new Float32Array(kernels.memory.buffer);
  heap.set(x, xAt / F32);
  kernels.clampF32(xAt, outAt, x.length, lo, hi);
  return heap.slice(outAt / F32, outAt / F32 + x.length);
}
