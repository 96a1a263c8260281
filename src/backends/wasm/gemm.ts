/**
 * Matrix multiplication in the wasm backend: float32 products run in WebAssembly SIMD (`gemm_f32` of
 * `gemm.c`, accumulating in float32 over k blocks of at most 256 steps); float64 and int32 products go to the
 * js backend's gemm, which accumulates in float64.
 */
import type { GemmSpec } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import { gemm as jsGemm } from '../js/gemm.js';
import { F32, align16, loadKernels, reserveScratch } from './kernels.js';

/**
 * `C[b] = op(A[b]) · op(B[b])`, see {@link GemmSpec}. For float32 the operands are copied into the module's
 * scratch memory (A, then B, then room for C), multiplied there, and C is copied out.
 */
export function gemm(spec: GemmSpec): TypedArray {
  const { a, b, batch, m, k, n } = spec;
  if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return jsGemm(spec);
  const size = batch * m * n;
  if (size === 0 || k === 0) return new Float32Array(size);
  // Only the span the batch reads is copied: one matrix when its batch stride is 0.
  const aLength = (batch - 1) * spec.aBatchStride + m * k;
  const bLength = (batch - 1) * spec.bBatchStride + k * n;
  const kernels = loadKernels();
  const aAt = kernels.scratchStart;
  const bAt = align16(aAt + aLength * F32);
  const cAt = align16(bAt + bLength * F32);
  // A product too large for wasm32 memory is still computed, by the js backend.
  if (!reserveScratch(kernels, cAt + size * F32)) return jsGemm(spec);
  const heap = new Float32Array(kernels.memory.buffer);
  heap.set(a.subarray(0, aLength), aAt / F32);
  heap.set(b.subarray(0, bLength), bAt / F32);
  kernels.gemmF32(
    aAt,
    bAt,
    cAt,
    batch,
    m,
    k,
    n,
    spec.transA ? 1 : 0,
    spec.transB ? 1 : 0,
    spec.aBatchStride,
    spec.bBatchStride,
  );
  return heap.slice(cAt / F32, cAt / F32 + size);
}
