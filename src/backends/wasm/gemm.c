/*
 * Single-precision matrix multiplication for convnet-ts's wasm backend, in WebAssembly SIMD (128-bit).
 * Built by scripts/build-wasm.sh into src/backends/wasm/kernels.generated.ts; src/backends/wasm/gemm.ts
 * copies the operands into this module's memory and calls gemm_f32.
 *
 * The loops follow BLIS (Van Zee & van de Geijn, 2015). C is cut into MR x NR tiles, each held in eight
 * f32x4 registers while a micro-kernel runs along k: one step loads NR = 8 values of op(B), broadcasts MR = 4
 * values of op(A), and does 8 multiplies and 8 adds (no fused multiply-add in WebAssembly SIMD without
 * relaxed SIMD). Around it:
 *   - k is cut into blocks of at most KC steps, so one tile's slices of A and B stay in L1 (C accumulates
 *     the blocks' partial sums, which also keeps the float32 sums short);
 *   - n is cut into blocks of at most NC columns, so the packed block of B (KC x NC) stays in L2;
 *   - the block of op(B) is packed into NR-column slivers, each KC x NR and contiguous, zero-padded past n;
 *   - op(A) is read in place through four row pointers: rows are contiguous along k when A is stored
 *     (m, k), and four rows are four adjacent values when it is stored (k, m), so it needs no packing.
 *     Past the last row the pointers repeat it; those rows of the tile are computed and dropped.
 *
 * Only what a product needs is here; no libc. Pointers are offsets into the module's memory.
 */
#include <wasm_simd128.h>

/* Rows of op(A) and columns of op(B) per register tile: 4 x 8 floats in 8 f32x4 accumulators. */
#define MR 4
#define NR 8
/* Largest k block and n block (a multiple of NR). A KC x NC packed block of B is 512 KiB. */
#define KC 256
#define NC 512

/* The packed block of op(B), and a tile for the edges of C that a full tile would overrun. */
static float packed_b[KC * NC];
static float edge_tile[MR * NR];

static int min(int a, int b) { return a < b ? a : b; }

/*
 * The micro-kernel: the MR x NR tile at c (row stride ldc) is set to, or with accumulate incremented by,
 * sum over p < kc of A(i, p) * B(p, j). Row i of A is read from a_i, moving by a_step per step along k; the
 * packed sliver b holds NR values per step.
 */
__attribute__((noinline)) static void micro_kernel(int kc, const float *a0, const float *a1, const float *a2,
                                                   const float *a3, int a_step, const float *b, float *c, int ldc,
                                                   int accumulate) {
  v128_t c00 = wasm_f32x4_splat(0.0f), c01 = c00, c10 = c00, c11 = c00;
  v128_t c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t a = wasm_v128_load32_splat(a0);
    c00 = wasm_f32x4_add(c00, wasm_f32x4_mul(a, b0));
    c01 = wasm_f32x4_add(c01, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(a1);
    c10 = wasm_f32x4_add(c10, wasm_f32x4_mul(a, b0));
    c11 = wasm_f32x4_add(c11, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(a2);
    c20 = wasm_f32x4_add(c20, wasm_f32x4_mul(a, b0));
    c21 = wasm_f32x4_add(c21, wasm_f32x4_mul(a, b1));
    a = wasm_v128_load32_splat(a3);
    c30 = wasm_f32x4_add(c30, wasm_f32x4_mul(a, b0));
    c31 = wasm_f32x4_add(c31, wasm_f32x4_mul(a, b1));
    b += NR;
    a0 += a_step;
    a1 += a_step;
    a2 += a_step;
    a3 += a_step;
  }
  float *c0 = c, *c1 = c + ldc, *c2 = c + 2 * ldc, *c3 = c + 3 * ldc;
  if (accumulate) {
    c00 = wasm_f32x4_add(c00, wasm_v128_load(c0));
    c01 = wasm_f32x4_add(c01, wasm_v128_load(c0 + 4));
    c10 = wasm_f32x4_add(c10, wasm_v128_load(c1));
    c11 = wasm_f32x4_add(c11, wasm_v128_load(c1 + 4));
    c20 = wasm_f32x4_add(c20, wasm_v128_load(c2));
    c21 = wasm_f32x4_add(c21, wasm_v128_load(c2 + 4));
    c30 = wasm_f32x4_add(c30, wasm_v128_load(c3));
    c31 = wasm_f32x4_add(c31, wasm_v128_load(c3 + 4));
  }
  wasm_v128_store(c0, c00);
  wasm_v128_store(c0 + 4, c01);
  wasm_v128_store(c1, c10);
  wasm_v128_store(c1 + 4, c11);
  wasm_v128_store(c2, c20);
  wasm_v128_store(c2 + 4, c21);
  wasm_v128_store(c3, c30);
  wasm_v128_store(c3 + 4, c31);
}

/*
 * Packs the kc x nc block of op(B) whose element (p, j) is b[p * p_step + j * j_step] into packed_b: sliver
 * s (columns s*NR ... s*NR + NR - 1) at packed_b + s*NR*kc, NR values per step along k, zeros past nc.
 */
__attribute__((noinline)) static void pack_b(int kc, int nc, const float *b, int p_step, int j_step) {
  for (int jr = 0; jr < nc; jr += NR) {
    const int cols = min(NR, nc - jr);
    float *sliver = packed_b + jr * kc;
    if (cols == NR && j_step == 1) {
      /* Rows of B are contiguous: two vector copies per step. */
      const float *src = b + jr;
      for (int p = 0; p < kc; p++, src += p_step) {
        wasm_v128_store(sliver + p * NR, wasm_v128_load(src));
        wasm_v128_store(sliver + p * NR + 4, wasm_v128_load(src + 4));
      }
    } else {
      for (int j = 0; j < NR; j++) {
        const float *src = b + (jr + j) * j_step;
        for (int p = 0; p < kc; p++) sliver[p * NR + j] = j < cols ? src[p * p_step] : 0.0f;
      }
    }
  }
}

/*
 * C[i] = op(A[i]) . op(B[i]) for i < batch, C[i] being m x n and row-major at c + i*m*n. op(A[i]) is m x k,
 * stored at a + i*a_stride as (m, k), or as (k, m) when trans_a; op(B[i]) is k x n, stored at b + i*b_stride
 * as (k, n), or as (n, k) when trans_b. A stride of 0 reuses one matrix for the whole batch. Needs k >= 1.
 */
__attribute__((export_name("gemm_f32"))) void gemm_f32(const float *a, const float *b, float *c, int batch, int m,
                                                       int k, int n, int trans_a, int trans_b, int a_stride,
                                                       int b_stride) {
  /* op(A)(i, p) is at a[i * a_row + p * a_step], op(B)(p, j) at b[p * b_step + j * b_col]. */
  const int a_row = trans_a ? 1 : k, a_step = trans_a ? m : 1;
  const int b_step = trans_b ? 1 : n, b_col = trans_b ? k : 1;
  /* Even k blocks: 288 steps make two blocks of 144, not 256 and 32. */
  const int k_blocks = (k + KC - 1) / KC, kc_max = (k + k_blocks - 1) / k_blocks;
  for (int bi = 0; bi < batch; bi++) {
    const float *ab = a + bi * a_stride, *bb = b + bi * b_stride;
    float *cb = c + bi * m * n;
    for (int jc = 0; jc < n; jc += NC) {
      const int nc = min(NC, n - jc);
      for (int pc = 0; pc < k; pc += kc_max) {
        const int kc = min(kc_max, k - pc), accumulate = pc > 0;
        pack_b(kc, nc, bb + pc * b_step + jc * b_col, b_step, b_col);
        for (int ir = 0; ir < m; ir += MR) {
          const int rows = min(MR, m - ir);
          const float *a0 = ab + ir * a_row + pc * a_step;
          const float *a1 = rows > 1 ? a0 + a_row : a0;
          const float *a2 = rows > 2 ? a1 + a_row : a1;
          const float *a3 = rows > 3 ? a2 + a_row : a2;
          for (int jr = 0; jr < nc; jr += NR) {
            const int cols = min(NR, nc - jr);
            const float *sliver = packed_b + jr * kc;
            float *tile = cb + ir * n + jc + jr;
            if (rows == MR && cols == NR) {
              micro_kernel(kc, a0, a1, a2, a3, a_step, sliver, tile, n, accumulate);
            } else {
              micro_kernel(kc, a0, a1, a2, a3, a_step, sliver, edge_tile, NR, 0);
              for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                  const float sum = edge_tile[r * NR + j];
                  tile[r * n + j] = accumulate ? tile[r * n + j] + sum : sum;
                }
              }
            }
          }
        }
      }
    }
  }
}
