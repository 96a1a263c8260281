/*
 * The float32 matrix-product engine that gemm.c and conv.c share: packing of A and B panels, a register-blocked
 * micro-kernel, and the cache-blocked product of one block of C.
 *
 * The loops follow BLIS (Van Zee & van de Geijn, 2015). A block of C (at most GC_NC columns, one chunk of a
 * kernel's work) is computed by gemm_block: k is cut into blocks of at most GC_KC steps; for each, the kc x nc
 * panel of B is packed into NR-column slivers, then GC_MC rows at a time the mc x kc panel of A into MR-row
 * slivers (both zero-padded past the edges), and every MR x NR tile of C is one micro-kernel call. 4 x 8 tiles
 * measured faster than 6 x 8 (whose 12 accumulators spill under V8) and than a k loop unrolled by two. The
 * micro-kernel keeps its tile in registers (MR x NR / 4 f32x4 accumulators): per step it loads NR values of B
 * and splats MR values of A (XNNPACK's "loadsplat" scheme). The first k block starts from the row's bias (or
 * zero, or C itself when accumulating), later ones from C, so every element of C is reduced over k in one fixed
 * order.
 *
 * An operand is a description, not always an array: dense with arbitrary strides, or (B only) the windows of
 * a convolution's input read in place (implicit im2col), so a convolution need not materialise its column
 * matrix. Reads outside the input are never made; taps that fall there pack as zeros.
 */
#ifndef CONVNET_WASM_GEMM_CORE_H
#define CONVNET_WASM_GEMM_CORE_H

#include "common.h"

#define MR 4
#define NR 8
/* Block sizes: a packed A panel is GC_MC x GC_KC (64 KiB), a packed B panel GC_KC x GC_NC (256 KiB). */
#define GC_MC 64
#define GC_KC 256
#define GC_NC 256
/*
 * Columns of C per chunk of a product with n columns: n cut into as few chunks of at most GC_NC as it takes, made
 * even and rounded up to whole slivers (288 makes two chunks of 144, not 256 and 32).
 */
static inline int chunk_cols(int n) {
  const int count = (n + GC_NC - 1) / GC_NC, even = (n + count - 1) / count;
  return imin(GC_NC, (even + NR - 1) / NR * NR);
}

/*
 * Rows of C per chunk of a product with chunk_cols columns: taller chunks when they are narrow, so that packing
 * B stays a small share of the work. Depends on the shape alone, never on the thread count.
 */
static inline int chunk_rows(int chunk_cols) { return GC_MC * imax(1, imin(4, GC_NC / chunk_cols)); }

/* Bytes of per-thread scratch gemm_block needs: both panels, one edge tile and one row of windowed input. */
#define GC_SCRATCH_BYTES ((GC_MC * GC_KC + GC_KC * GC_NC + MR * NR + GC_NC) * 4)

/* How an operand's element (row, col) is found. */
enum operand_kind {
  /* base[row * s0 + col * s1]. */
  OP_DENSE,
  /* B of a forward convolution: row = (c, ky, kx) of the group's window, col = output position. */
  OP_WINDOWS,
  /* B of a weight gradient: row = output position, col = (c, ky, kx). */
  OP_WINDOWS_T,
};

/* The sizes of one convolution group as the operands need them. */
typedef struct {
  int in_h, in_w, out_h, out_w, kh, kw, sh, sw, ph, pw, dh, dw;
  int cin; /* input channels per group */
  int cout; /* output channels per group */
} conv_geo;

typedef struct {
  int kind;
  const float *base; /* dense: the matrix; windows: the group's input planes */
  int s0, s1;
  const conv_geo *geo;
} operand;

/* The dense A panel at (i0, p0), mc x kc, packed as MR-row slivers: row r of sliver s, step p at
 * dst[s*MR*kc + p*MR + r], zeros past mc. */
static void pack_a(const operand *a, int i0, int mc, int p0, int kc, float *dst) {
  for (int ir = 0; ir < mc; ir += MR) {
    float *sliver = dst + ir * kc;
    if (a->s1 == 1 && ir + MR <= mc) {
      /* Rows stored along k: four rows at a time, 4 x 4 blocks transposed in registers. */
      const float *r0 = a->base + (i0 + ir) * a->s0 + p0, *r1 = r0 + a->s0, *r2 = r1 + a->s0, *r3 = r2 + a->s0;
      int p = 0;
      for (; p + 4 <= kc; p += 4) {
        const v128_t x0 = wasm_v128_load(r0 + p), x1 = wasm_v128_load(r1 + p);
        const v128_t x2 = wasm_v128_load(r2 + p), x3 = wasm_v128_load(r3 + p);
        const v128_t t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5);
        const v128_t t2 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7);
        wasm_v128_store(sliver + p * MR, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
        wasm_v128_store(sliver + p * MR + 4, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
        wasm_v128_store(sliver + p * MR + 8, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
        wasm_v128_store(sliver + p * MR + 12, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
      }
      for (; p < kc; p++) {
        sliver[p * MR] = r0[p], sliver[p * MR + 1] = r1[p], sliver[p * MR + 2] = r2[p], sliver[p * MR + 3] = r3[p];
      }
      continue;
    }
    for (int r = 0; r < MR; r++) {
      const int i = i0 + ir + r;
      if (ir + r >= mc) {
        for (int p = 0; p < kc; p++) sliver[p * MR + r] = 0.0f;
      } else {
        const float *src = a->base + i * a->s0 + p0 * a->s1;
        const int step = a->s1;
        for (int p = 0; p < kc; p++) sliver[p * MR + r] = src[p * step];
      }
    }
  }
}

/* Column j (>= 0) of the B panel is sliver j / NR, lane j % NR; step p of a sliver is NR values. */
#define B_AT(dst, kc, p, j) ((dst)[((unsigned)(j) / NR) * NR * (kc) + (p) * NR + (unsigned)(j) % NR])

/*
 * One row of windowed input: for positions pos0 .. pos0+count-1 (row-major over the output), the input value
 * tap (ky, kx) of plane `plane` reads, or zero outside the input; value t is stored by STORE(t, value). A
 * macro so that each packed layout inlines its own store.
 */
#define FOR_WINDOW_ROW(g, plane, ky, kx, pos0, count, STORE)                                             \
  do {                                                                                                   \
    int oy_ = (pos0) / (g)->out_w, ox_ = (pos0) % (g)->out_w;                                            \
    for (int t_ = 0; t_ < (count);) {                                                                    \
      const int iy_ = oy_ * (g)->sh - (g)->ph + (ky) * (g)->dh;                                          \
      const int run_ = imin((count) - t_, (g)->out_w - ox_);                                             \
      if (iy_ < 0 || iy_ >= (g)->in_h) {                                                                 \
        for (int u_ = 0; u_ < run_; u_++) STORE(t_ + u_, 0.0f);                                          \
      } else {                                                                                           \
        const float *row_ = (plane) + iy_ * (g)->in_w;                                                   \
        int ix_ = ox_ * (g)->sw - (g)->pw + (kx) * (g)->dw;                                              \
        if ((g)->sw == 1) {                                                                              \
          /* Zeros left of the row, a plain copy, zeros right of it. */                                   \
          int u_ = 0;                                                                                    \
          const int end_ = imax(0, imin(run_, (g)->in_w - ix_));                                         \
          for (; u_ < run_ && ix_ + u_ < 0; u_++) STORE(t_ + u_, 0.0f);                                  \
          for (; u_ < end_; u_++) STORE(t_ + u_, row_[ix_ + u_]);                                        \
          for (; u_ < run_; u_++) STORE(t_ + u_, 0.0f);                                                  \
        } else {                                                                                         \
          for (int u_ = 0; u_ < run_; u_++, ix_ += (g)->sw)                                              \
            STORE(t_ + u_, (ix_ >= 0 && ix_ < (g)->in_w) ? row_[ix_] : 0.0f);                            \
        }                                                                                                \
      }                                                                                                  \
      t_ += run_;                                                                                        \
      ox_ = 0;                                                                                           \
      oy_++;                                                                                             \
    }                                                                                                    \
  } while (0)

/* The kc x nc panel of B at (p0, j0), packed into NR-column slivers, zeros past nc. dst is the B panel of
 * gemm_block's scratch: the edge tile and the row buffer follow it. */
static void pack_b(const operand *b, int p0, int kc, int j0, int nc, float *dst) {
  const int ncp = (nc + NR - 1) / NR * NR;
  if (b->kind == OP_DENSE) {
    const int s0 = b->s0, s1 = b->s1;
    for (int jr = 0; jr < nc; jr += NR) {
      float *sliver = dst + jr * kc;
      const float *src = b->base + p0 * s0 + (j0 + jr) * s1;
      if (s1 == 1 && jr + NR <= nc) {
        for (int p = 0; p < kc; p++, src += s0) {
          wasm_v128_store(sliver + p * NR, wasm_v128_load(src));
          wasm_v128_store(sliver + p * NR + 4, wasm_v128_load(src + 4));
        }
      } else if (s0 == 1 && jr + NR <= nc) {
        /* Columns stored along k (a transposed B): 4 x 4 blocks of four columns transposed in registers. */
        int p = 0;
        for (; p + 4 <= kc; p += 4) {
          for (int half = 0; half < NR; half += 4) {
            const float *c0 = src + half * s1 + p, *c1 = c0 + s1, *c2 = c1 + s1, *c3 = c2 + s1;
            const v128_t x0 = wasm_v128_load(c0), x1 = wasm_v128_load(c1);
            const v128_t x2 = wasm_v128_load(c2), x3 = wasm_v128_load(c3);
            const v128_t t0 = wasm_i32x4_shuffle(x0, x1, 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(x2, x3, 0, 4, 1, 5);
            const v128_t t2 = wasm_i32x4_shuffle(x0, x1, 2, 6, 3, 7), t3 = wasm_i32x4_shuffle(x2, x3, 2, 6, 3, 7);
            float *out = sliver + p * NR + half;
            wasm_v128_store(out, wasm_i32x4_shuffle(t0, t1, 0, 1, 4, 5));
            wasm_v128_store(out + NR, wasm_i32x4_shuffle(t0, t1, 2, 3, 6, 7));
            wasm_v128_store(out + 2 * NR, wasm_i32x4_shuffle(t2, t3, 0, 1, 4, 5));
            wasm_v128_store(out + 3 * NR, wasm_i32x4_shuffle(t2, t3, 2, 3, 6, 7));
          }
        }
        for (; p < kc; p++) {
          for (int j = 0; j < NR; j++) sliver[p * NR + j] = src[j * s1 + p];
        }
      } else {
        const int cols = imin(NR, nc - jr);
        for (int j = 0; j < NR; j++) {
          const float *col = src + j * s1;
          for (int p = 0; p < kc; p++) sliver[p * NR + j] = j < cols ? col[p * s0] : 0.0f;
        }
      }
    }
    return;
  }
  const conv_geo *g = b->geo;
  const int kk = g->kh * g->kw, plane_in = g->in_h * g->in_w;
  if (b->kind == OP_WINDOWS) {
    /* Each tap's row of positions goes to a contiguous buffer first (plain copies), then into the slivers
     * eight values at a time. */
    float *row_buf = dst + GC_KC * GC_NC + MR * NR;
    for (int p = 0; p < kc; p++) {
      const int row = p0 + p, c = row / kk, ky = (row % kk) / g->kw, kx = row % g->kw;
      const float *plane = b->base + c * plane_in;
#define STORE_W(t, v) row_buf[t] = (v)
      FOR_WINDOW_ROW(g, plane, ky, kx, j0, nc, STORE_W);
#undef STORE_W
      for (int j = nc; j < ncp; j++) row_buf[j] = 0.0f;
      for (int jr = 0; jr < ncp; jr += NR) {
        float *out = dst + jr * kc + p * NR;
        wasm_v128_store(out, wasm_v128_load(row_buf + jr));
        wasm_v128_store(out + 4, wasm_v128_load(row_buf + jr + 4));
      }
    }
  } else if (b->kind == OP_WINDOWS_T) {
    for (int j = 0; j < ncp; j++) {
      float *out = &B_AT(dst, kc, 0, j);
      if (j >= nc) {
        for (int p = 0; p < kc; p++) out[p * NR] = 0.0f;
        continue;
      }
      const int col = j0 + j, c = col / kk, ky = (col % kk) / g->kw, kx = col % g->kw;
      const float *plane = b->base + c * plane_in;
#define STORE_T(t, v) out[(t) * NR] = (v)
      FOR_WINDOW_ROW(g, plane, ky, kx, p0, kc, STORE_T);
#undef STORE_T
    }
  }
}

/*
 * The MR x NR tile at c (row stride ldc) becomes init + sum over p < kc of a[p*MR + r] * b[p*NR + j], init
 * being C itself when accumulate, else bias[r] (bias null: zero); then max(., 0) when relu (NaN stays NaN,
 * -0 becomes +0).
 */
__attribute__((noinline)) static void micro_kernel(int kc, const float *a, const float *b, float *c, int ldc,
                                                   int accumulate, const float *bias, int relu) {
  float *c0 = c, *c1 = c + ldc, *c2 = c + 2 * ldc, *c3 = c + 3 * ldc;
  v128_t c00, c01, c10, c11, c20, c21, c30, c31;
  if (accumulate) {
    c00 = wasm_v128_load(c0), c01 = wasm_v128_load(c0 + 4);
    c10 = wasm_v128_load(c1), c11 = wasm_v128_load(c1 + 4);
    c20 = wasm_v128_load(c2), c21 = wasm_v128_load(c2 + 4);
    c30 = wasm_v128_load(c3), c31 = wasm_v128_load(c3 + 4);
  } else if (bias) {
    c00 = c01 = wasm_f32x4_splat(bias[0]);
    c10 = c11 = wasm_f32x4_splat(bias[1]);
    c20 = c21 = wasm_f32x4_splat(bias[2]);
    c30 = c31 = wasm_f32x4_splat(bias[3]);
  } else {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wasm_f32x4_splat(0.0f);
  }
  for (int p = 0; p < kc; p++) {
    const v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
    v128_t av = wasm_v128_load32_splat(a);
    c00 = F32X4_MADD(av, b0, c00);
    c01 = F32X4_MADD(av, b1, c01);
    av = wasm_v128_load32_splat(a + 1);
    c10 = F32X4_MADD(av, b0, c10);
    c11 = F32X4_MADD(av, b1, c11);
    av = wasm_v128_load32_splat(a + 2);
    c20 = F32X4_MADD(av, b0, c20);
    c21 = F32X4_MADD(av, b1, c21);
    av = wasm_v128_load32_splat(a + 3);
    c30 = F32X4_MADD(av, b0, c30);
    c31 = F32X4_MADD(av, b1, c31);
    a += MR;
    b += NR;
  }
  if (relu) {
    const v128_t zero = wasm_f32x4_splat(0.0f);
    c00 = wasm_f32x4_max(c00, zero), c01 = wasm_f32x4_max(c01, zero);
    c10 = wasm_f32x4_max(c10, zero), c11 = wasm_f32x4_max(c11, zero);
    c20 = wasm_f32x4_max(c20, zero), c21 = wasm_f32x4_max(c21, zero);
    c30 = wasm_f32x4_max(c30, zero), c31 = wasm_f32x4_max(c31, zero);
  }
  wasm_v128_store(c0, c00), wasm_v128_store(c0 + 4, c01);
  wasm_v128_store(c1, c10), wasm_v128_store(c1 + 4, c11);
  wasm_v128_store(c2, c20), wasm_v128_store(c2 + 4, c21);
  wasm_v128_store(c3, c30), wasm_v128_store(c3 + 4, c31);
}

/*
 * C[i0 .. i0+mc, j0 .. j0+nc] (c points at element (i0, j0), row stride ldc) = init + A[i0.., 0..k] .
 * B[0..k, j0..], init being C when accumulate, else bias[i] (bias indexed from i0; null: zero), rectified
 * (max(., 0)) as the last k block stores it when relu. nc <= GC_NC;
 * mc is any, taken GC_MC rows at a time against one packed B panel. `scratch` is the calling thread's
 * GC_SCRATCH_BYTES.
 */
static void gemm_block(const operand *a, const operand *b, int i0, int mc, int j0, int nc, int k, float *c,
                       int ldc, int accumulate, const float *bias, int relu, float *scratch) {
  float *pa = scratch, *pb = scratch + GC_MC * GC_KC, *edge = pb + GC_KC * GC_NC;
  /* Even k blocks: 288 steps make two blocks of 144, not 256 and 32. */
  const int k_blocks = (k + GC_KC - 1) / GC_KC, kc_max = (k + k_blocks - 1) / k_blocks;
  for (int pc = 0; pc < k; pc += kc_max) {
    const int kc = imin(kc_max, k - pc), acc = accumulate || pc > 0, rectify = relu && pc + kc >= k;
    pack_b(b, pc, kc, j0, nc, pb);
    for (int ic = 0; ic < mc; ic += GC_MC) {
      const int mcc = imin(GC_MC, mc - ic);
      pack_a(a, i0 + ic, mcc, pc, kc, pa);
      for (int jr = 0; jr < nc; jr += NR) {
        const int cols = imin(NR, nc - jr);
        for (int ir = 0; ir < mcc; ir += MR) {
          const int rows = imin(MR, mcc - ir);
          float *tile = c + (ic + ir) * ldc + jr;
          const float *tile_bias = bias ? bias + ic + ir : 0;
          if (rows == MR && cols == NR) {
            micro_kernel(kc, pa + ir * kc, pb + jr * kc, tile, ldc, acc, tile_bias, rectify);
          } else {
            micro_kernel(kc, pa + ir * kc, pb + jr * kc, edge, NR, 0, 0, 0);
            for (int r = 0; r < rows; r++) {
              const float init = tile_bias ? tile_bias[r] : 0.0f;
              for (int j = 0; j < cols; j++) {
                const float sum = edge[r * NR + j];
                const float v = acc ? tile[r * ldc + j] + sum : init + sum;
                tile[r * ldc + j] = rectify && !(v > 0.0f || v != v) ? 0.0f : v;
              }
            }
          }
        }
      }
    }
  }
}

#endif
