/*
 * Single-precision batched matrix multiplication for convnet-ts's wasm backend, on the engine of gemm_core.h.
 * src/backends/wasm/gemm.ts copies the operands into the module's memory and runs gemm_f32.
 *
 * Threads split C into fixed chunks (per batch entry) of at most GC_NC columns (chunk_cols) and 64 to 256 rows
 * (chunk_rows), cut finer when that makes fewer than MIN_CHUNKS; each chunk is computed by one thread
 * over the full k in a fixed order, so results do not depend on the thread count.
 */
#include "gemm_core.h"

/* Fewest chunks a product is cut into while its chunks can be made smaller (at least 32 x 16). */
#define MIN_CHUNKS 4

/*
 * args: a, b, c (byte offsets), batch, m, k, n, trans_a, trans_b, a_stride, b_stride (elements), scratch (byte
 * offset), scratch bytes per thread (at least GC_SCRATCH_BYTES).
 *
 * C[i] = op(A[i]) . op(B[i]) for i < batch, C[i] m x n row-major at c + i*m*n. op(A[i]) is m x k, stored at
 * a + i*a_stride as (m, k), or (k, m) when trans_a; op(B[i]) is k x n at b + i*b_stride as (k, n), or (n, k)
 * when trans_b. Needs k >= 1.
 */
KERNEL(gemm_f32) void gemm_f32(const int32_t *args, int tid, int nthreads) {
  const float *a = ARG_PTR(const float, args, 0), *b = ARG_PTR(const float, args, 1);
  float *c = ARG_PTR(float, args, 2);
  const int batch = args[3], m = args[4], k = args[5], n = args[6], trans_a = args[7], trans_b = args[8];
  const int a_stride = args[9], b_stride = args[10];
  float *scratch = (float *)(ARG_PTR(char, args, 11) + tid * args[12]);
  int nch = chunk_cols(n), mch = chunk_rows(nch);
  /* A product of few, large chunks (a small C with a long k, as a linear layer's forward pass) is cut finer,
   * halving columns, then rows, until it has MIN_CHUNKS chunks, so that every thread takes part. */
  while (batch * ((m + mch - 1) / mch) * ((n + nch - 1) / nch) < MIN_CHUNKS && (nch > 4 * NR || mch > 4 * MR)) {
    if (nch > 4 * NR && (nch >= mch || mch <= 4 * MR)) {
      nch = (nch / 2 + NR - 1) / NR * NR;
    } else {
      mch = (mch / 2 + MR - 1) / MR * MR;
    }
  }
  const int m_blocks = (m + mch - 1) / mch, n_blocks = (n + nch - 1) / nch;
  int first, last;
  thread_chunks(batch * m_blocks * n_blocks, tid, nthreads, &first, &last);
  for (int chunk = first; chunk < last; chunk++) {
    const int bi = chunk / (m_blocks * n_blocks), mb = (chunk / n_blocks) % m_blocks, nb = chunk % n_blocks;
    const int i0 = mb * mch, j0 = nb * nch;
    const operand op_a = {OP_DENSE, a + bi * a_stride, trans_a ? 1 : k, trans_a ? m : 1, 0};
    const operand op_b = {OP_DENSE, b + bi * b_stride, trans_b ? 1 : n, trans_b ? k : 1, 0};
    gemm_block(&op_a, &op_b, i0, imin(mch, m - i0), j0, imin(nch, n - j0), k, c + bi * m * n + i0 * n + j0,
               n, 0, 0, 0, scratch);
  }
}

