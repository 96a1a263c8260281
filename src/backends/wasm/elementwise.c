/*
 * Single-precision element-wise kernels of the wasm backend: unary functions that WebAssembly SIMD computes
 * exactly, arithmetic of two (broadcast) operands, clamp and the gradient of ReLU. Every result equals the js
 * backend's bit for bit, signed zeros included, except for which NaN a NaN result is: float32 +, −, ×, ÷ and
 * sqrt round once, as float64 arithmetic rounded to float32 does.
 *
 * Work is cut into chunks of ELEMENT_CHUNK outputs; each thread takes a contiguous run of chunks.
 */
#include "common.h"

#define ELEMENT_CHUNK 16384

/* The chunk range [*begin, *end) of n elements that thread tid takes. */
static inline void element_range(int n, int tid, int nthreads, int *begin, int *end) {
  int first, last;
  thread_chunks((n + ELEMENT_CHUNK - 1) / ELEMENT_CHUNK, tid, nthreads, &first, &last);
  *begin = imin(first * ELEMENT_CHUNK, n);
  *end = imin(last * ELEMENT_CHUNK, n);
}

/* The unary ops, numbered as elementwise.ts numbers them. */
enum { U_RELU, U_NEG, U_ABS, U_SQRT, U_FLOOR, U_CEIL, U_ROUND };

#define UNARY_LOOP(vector_expr)                                                                 \
  for (; i + 4 <= end; i += 4) {                                                                             \
    const v128_t v = wasm_v128_load(x + i);                                                                  \
    wasm_v128_store(out + i, (vector_expr));                                                                 \
  }                                                                                                          \
  for (; i < end; i++) {                                                                                     \
    const v128_t v = wasm_f32x4_splat(x[i]);                                                                 \
    out[i] = wasm_f32x4_extract_lane((vector_expr), 0);                                                      \
  }

/*
 * out[i] = f(x[i]) for i < n. args: op, x, out, n. relu is max(x, 0) (−0 becomes +0 and NaN stays NaN, as in
 * the js backend), round is round-half-to-even (f32x4.nearest, PyTorch's round).
 */
KERNEL(unary_f32) void unary_f32(const int32_t *args, int tid, int nthreads) {
  const int op = args[0];
  const float *x = ARG_PTR(const float, args, 1);
  float *out = ARG_PTR(float, args, 2);
  int i, end;
  element_range(args[3], tid, nthreads, &i, &end);
  const v128_t zero = wasm_f32x4_splat(0.0f);
  switch (op) {
    case U_RELU:
      UNARY_LOOP(wasm_f32x4_max(v, zero));
      break;
    case U_NEG:
      UNARY_LOOP(wasm_f32x4_neg(v));
      break;
    case U_ABS:
      UNARY_LOOP(wasm_f32x4_abs(v));
      break;
    case U_SQRT:
      UNARY_LOOP(wasm_f32x4_sqrt(v));
      break;
    case U_FLOOR:
      UNARY_LOOP(wasm_f32x4_floor(v));
      break;
    case U_CEIL:
      UNARY_LOOP(wasm_f32x4_ceil(v));
      break;
    case U_ROUND:
      UNARY_LOOP(wasm_f32x4_nearest(v));
      break;
  }
}

/* The arithmetic ops, numbered as elementwise.ts numbers them. */
enum { B_ADD, B_SUB, B_MUL, B_DIV, B_MAXIMUM, B_MINIMUM };

/* The js backend's maximum: a > b ? a : b, NaN when either is NaN (so maximum(+0, −0) is −0, as there). */
static inline v128_t vmaximum(v128_t a, v128_t b) {
  return wasm_v128_bitselect(a, b, wasm_v128_or(wasm_f32x4_gt(a, b), wasm_f32x4_ne(a, a)));
}
static inline v128_t vminimum(v128_t a, v128_t b) {
  return wasm_v128_bitselect(a, b, wasm_v128_or(wasm_f32x4_lt(a, b), wasm_f32x4_ne(a, a)));
}

/*
 * One segment of `count` outputs of one op: a advances by `as` and b by `bs` (each 0 or 1) per element. The
 * three stride cases get loops of their own so that each is a plain vector loop.
 */
#define DEFINE_SEGMENT(name, vop)                                                                            \
  static void name(const float *a, int as, const float *b, int bs, float *out, int count) {                  \
    int j = 0;                                                                                               \
    if (as && bs) {                                                                                          \
      for (; j + 4 <= count; j += 4)                                                                         \
        wasm_v128_store(out + j, vop(wasm_v128_load(a + j), wasm_v128_load(b + j)));                         \
    } else if (as) {                                                                                         \
      const v128_t vb = wasm_f32x4_splat(b[0]);                                                              \
      for (; j + 4 <= count; j += 4) wasm_v128_store(out + j, vop(wasm_v128_load(a + j), vb));               \
    } else if (bs) {                                                                                         \
      const v128_t va = wasm_f32x4_splat(a[0]);                                                              \
      for (; j + 4 <= count; j += 4) wasm_v128_store(out + j, vop(va, wasm_v128_load(b + j)));               \
    }                                                                                                        \
    for (; j < count; j++) {                                                                                 \
      const v128_t r = vop(wasm_f32x4_splat(a[j * as]), wasm_f32x4_splat(b[j * bs]));                        \
      out[j] = wasm_f32x4_extract_lane(r, 0);                                                                \
    }                                                                                                        \
  }

DEFINE_SEGMENT(segment_add, wasm_f32x4_add)
DEFINE_SEGMENT(segment_sub, wasm_f32x4_sub)
DEFINE_SEGMENT(segment_mul, wasm_f32x4_mul)
DEFINE_SEGMENT(segment_div, wasm_f32x4_div)
DEFINE_SEGMENT(segment_maximum, vmaximum)
DEFINE_SEGMENT(segment_minimum, vminimum)

typedef void (*segment_fn)(const float *, int, const float *, int, float *, int);

/*
 * out[o, m, i] = op(a[o·aO + m·aM + i·aI], b[o·bO + m·bM + i·bI]) over an (outer, mid, inner) output, the
 * element strides of the inner axis being 0 or 1: equal shapes, a scalar on either side, and any broadcast
 * that folds into three blocks. args: op, a, b, out, outer, mid, inner, aO, aM, aI, bO, bM, bI.
 */
KERNEL(binary_f32) void binary_f32(const int32_t *args, int tid, int nthreads) {
  const float *a = ARG_PTR(const float, args, 1);
  const float *b = ARG_PTR(const float, args, 2);
  float *out = ARG_PTR(float, args, 3);
  const int mid = args[5], inner = args[6];
  const int aO = args[7], aM = args[8], aI = args[9], bO = args[10], bM = args[11], bI = args[12];
  static const segment_fn SEGMENTS[] = {segment_add,     segment_sub,    segment_mul,
                                        segment_div,     segment_maximum, segment_minimum};
  const segment_fn segment = SEGMENTS[args[0]];
  int e, end;
  element_range(args[4] * mid * inner, tid, nthreads, &e, &end);
  while (e < end) {
    const int row = e / inner, i = e - row * inner;
    const int o = row / mid, m = row - o * mid;
    const int count = imin(inner - i, end - e);
    segment(a + o * aO + m * aM + i * aI, aI, b + o * bO + m * bM + i * bI, bI, out + e, count);
    e += count;
  }
}

/*
 * out[i] = min(max(x[i], lo), hi) as the js backend computes it: (x < lo ? lo : x), then (> hi ? hi : that),
 * so NaN stays NaN, hi wins when lo > hi, and a zero keeps its sign. args: x, out, n, lo, hi (float bits).
 */
KERNEL(clamp_f32) void clamp_f32(const int32_t *args, int tid, int nthreads) {
  const float *x = ARG_PTR(const float, args, 0);
  float *out = ARG_PTR(float, args, 1);
  const float lo = arg_f32(args, 3), hi = arg_f32(args, 4);
  const v128_t low = wasm_f32x4_splat(lo), high = wasm_f32x4_splat(hi);
  int i, end;
  element_range(args[2], tid, nthreads, &i, &end);
  for (; i + 4 <= end; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    const v128_t above = wasm_v128_bitselect(low, v, wasm_f32x4_lt(v, low));
    wasm_v128_store(out + i, wasm_v128_bitselect(high, above, wasm_f32x4_gt(above, high)));
  }
  for (; i < end; i++) {
    const float v = x[i];
    const float above = v < lo ? lo : v;
    out[i] = above > hi ? hi : above;
  }
}

/* out[i] = out_fwd[i] > 0 ? grad[i] : 0, the gradient of ReLU. args: grad, relu output, out, n. */
KERNEL(relu_backward_f32) void relu_backward_f32(const int32_t *args, int tid, int nthreads) {
  const float *grad = ARG_PTR(const float, args, 0);
  const float *y = ARG_PTR(const float, args, 1);
  float *out = ARG_PTR(float, args, 2);
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int i, end;
  element_range(args[3], tid, nthreads, &i, &end);
  for (; i + 4 <= end; i += 4) {
    const v128_t mask = wasm_f32x4_gt(wasm_v128_load(y + i), zero);
    wasm_v128_store(out + i, wasm_v128_and(wasm_v128_load(grad + i), mask));
  }
  for (; i < end; i++) out[i] = y[i] > 0.0f ? grad[i] : 0.0f;
}
