/*
 * Single-precision sums of the wasm backend over the outer and inner blocks of an (outer, kept, inner) view:
 * out[k] = Σ_o Σ_i x[o, k, i]. That covers reducing leading axes (inner = 1), trailing axes (outer = 1), both
 * at once (a bias gradient over (N, C, H·W)) and everything (kept = 1).
 *
 * Precision: every sum accumulates in float64 and rounds once to float32, the js backend's policy, so the
 * results differ from its sequential float64 sums only when the float64 rounding of a different order
 * crosses a float32 rounding boundary. Order: over o, then over i in four interleaved lanes combined as
 * (l0 + l1) + (l2 + l3) plus the tail in order; fixed, so every thread count gives the same bits. Work is
 * cut into chunks of kept indices (SUM_KEPT_CHUNK of them when inner = 1, one each otherwise).
 */
#include "common.h"

#define SUM_KEPT_CHUNK 64

/* The float64 lanes of a float32 vector: low pair, high pair. */
static inline v128_t promote_low(v128_t v) { return wasm_f64x2_promote_low_f32x4(v); }
static inline v128_t promote_high(v128_t v) {
  return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3));
}

/* Leading axes: out[k] = Σ_o x[o·kept + k] for k in [k0, k1), eight kept indices at a time. */
static void sum_leading(const float *x, float *out, int outer, int kept, int k0, int k1) {
  int k = k0;
  for (; k + 8 <= k1; k += 8) {
    v128_t s0 = wasm_f64x2_splat(0.0), s1 = s0, s2 = s0, s3 = s0;
    for (int o = 0; o < outer; o++) {
      const float *row = x + o * kept + k;
      const v128_t a = wasm_v128_load(row), b = wasm_v128_load(row + 4);
      s0 = wasm_f64x2_add(s0, promote_low(a));
      s1 = wasm_f64x2_add(s1, promote_high(a));
      s2 = wasm_f64x2_add(s2, promote_low(b));
      s3 = wasm_f64x2_add(s3, promote_high(b));
    }
    const v128_t lo = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(s0), wasm_f32x4_demote_f64x2_zero(s1), 0,
                                         1, 4, 5);
    const v128_t hi = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(s2), wasm_f32x4_demote_f64x2_zero(s3), 0,
                                         1, 4, 5);
    wasm_v128_store(out + k, lo);
    wasm_v128_store(out + k + 4, hi);
  }
  for (; k < k1; k++) {
    double s = 0.0;
    for (int o = 0; o < outer; o++) s += x[o * kept + k];
    out[k] = (float)s;
  }
}

/* Σ_o Σ_i x[(o·kept + k)·inner + i] for one k, in the lane order of the file comment. */
static float sum_blocks(const float *x, int outer, int kept, int inner, int k) {
  v128_t lanes01 = wasm_f64x2_splat(0.0), lanes23 = lanes01;
  double tail = 0.0;
  for (int o = 0; o < outer; o++) {
    const float *row = x + (o * kept + k) * inner;
    int i = 0;
    for (; i + 4 <= inner; i += 4) {
      const v128_t v = wasm_v128_load(row + i);
      lanes01 = wasm_f64x2_add(lanes01, promote_low(v));
      lanes23 = wasm_f64x2_add(lanes23, promote_high(v));
    }
    for (; i < inner; i++) tail += row[i];
  }
  const double l01 = wasm_f64x2_extract_lane(lanes01, 0) + wasm_f64x2_extract_lane(lanes01, 1);
  const double l23 = wasm_f64x2_extract_lane(lanes23, 0) + wasm_f64x2_extract_lane(lanes23, 1);
  return (float)((l01 + l23) + tail);
}

/* out[k] = Σ_o Σ_i x[o, k, i]. args: x, out, outer, kept, inner. */
KERNEL(sum_f32) void sum_f32(const int32_t *args, int tid, int nthreads) {
  const float *x = ARG_PTR(const float, args, 0);
  float *out = ARG_PTR(float, args, 1);
  const int outer = args[2], kept = args[3], inner = args[4];
  int first, last;
  if (inner == 1) {
    thread_chunks((kept + SUM_KEPT_CHUNK - 1) / SUM_KEPT_CHUNK, tid, nthreads, &first, &last);
    sum_leading(x, out, outer, kept, imin(first * SUM_KEPT_CHUNK, kept), imin(last * SUM_KEPT_CHUNK, kept));
    return;
  }
  thread_chunks(kept, tid, nthreads, &first, &last);
  for (int k = first; k < last; k++) out[k] = sum_blocks(x, outer, kept, inner, k);
}
