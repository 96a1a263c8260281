/**
 * Matrix multiplication in the wasm backend: float32 products run in WebAssembly SIMD (`gemm_f32` of
 * `gemm.c` on the engine of `gemm_core.h`, accumulating in float32 over k blocks of at most 256 steps);
 * float64 and int32 products, and products too large for the module's memory, go to the js backend's gemm.
 */
import type { GemmSpec } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import { gemm as jsGemm } from '../js/gemm.js';
import { WasmMemoryExhausted, wasmRuntime } from './runtime.js';

/**
 * Bytes of scratch one thread of a `gemm_core.h` product needs: a packed A panel (64 × 256), a packed B panel
 * (256 × 256), an edge tile (4 × 8) and a row of windowed input (256), in float32. Must match
 * `GC_SCRATCH_BYTES`.
 */
export const GEMM_SCRATCH_BYTES = (64 * 256 + 256 * 256 + 4 * 8 + 256) * 4;

/** Below this many multiply-adds a product runs on the calling thread alone. */
export const PARALLEL_MIN_MADDS = 65536;

/**
 * `C[b] = op(A[b]) · op(B[b])`, see {@link GemmSpec}. For float32 the operands are copied into the module's
 * memory (only the span the batch reads), multiplied there on every thread, and C is copied out.
 */
export function gemm(spec: GemmSpec): TypedArray {
  const { a, b, batch, m, k, n } = spec;
  if (!(a instanceof Float32Array) || !(b instanceof Float32Array)) return jsGemm(spec);
  const size = batch * m * n;
  if (size === 0 || k === 0) return new Float32Array(size);
  try {
    const rt = wasmRuntime();
    const arena = rt.arena();
    const aAt = arena.put(a.subarray(0, (batch - 1) * spec.aBatchStride + m * k));
    const bAt = arena.put(b.subarray(0, (batch - 1) * spec.bBatchStride + k * n));
    const cAt = arena.reserve(size * 4);
    const scratchAt = arena.reserve(rt.threads * GEMM_SCRATCH_BYTES);
    const args = [aAt, bAt, cAt, batch, m, k, n, spec.transA ? 1 : 0, spec.transB ? 1 : 0];
    args.push(spec.aBatchStride, spec.bBatchStride, scratchAt, GEMM_SCRATCH_BYTES);
    arena.run('gemm_f32', args, { parallel: size * k >= PARALLEL_MIN_MADDS });
    return arena.readF32(cAt, size);
  } catch (error) {
    // A product too large for wasm32 memory is still computed, by the js backend.
    if (error instanceof WasmMemoryExhausted) return jsGemm(spec);
    throw error;
  }
}
