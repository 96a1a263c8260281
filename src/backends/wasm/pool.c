/*
 * Single-precision max and average pooling of independent (H, W) planes, forward and backward, for the wasm
 * backend. Every kernel takes the same geometry words (see POOL_GEOMETRY) and gives each thread a contiguous
 * run of whole planes, so each output element is computed by one thread in a fixed order whatever the
 * thread count. The 2×2 stride-2 unpadded window of CNNs gets vector loops of its own.
 *
 * Geometry words, args[g .. g+13]: planes, H, W, kH, kW, sH, sW, padH, padW, dH, dW, outH, outW.
 */
#include "common.h"

typedef struct {
  int planes, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow;
} pool_geometry;

static pool_geometry read_geometry(const int32_t *args) {
  pool_geometry g = {args[0], args[1], args[2], args[3],  args[4],  args[5], args[6],
                     args[7], args[8], args[9], args[10], args[11], args[12]};
  return g;
}

/* True for the 2×2 stride-2 window without padding or dilation whose windows all lie inside the input. */
static int is_pool2x2(const pool_geometry *g) {
  return g->kh == 2 && g->kw == 2 && g->sh == 2 && g->sw == 2 && g->ph == 0 && g->pw == 0 && g->dh == 1 &&
         g->dw == 1 && 2 * g->oh <= g->h && 2 * g->ow <= g->w;
}

/* out[0 .. n) = 0. */
static void zero_floats(float *out, int n) {
  int i = 0;
  for (; i + 4 <= n; i += 4) wasm_v128_store(out + i, wasm_f32x4_splat(0.0f));
  for (; i < n; i++) out[i] = 0.0f;
}

/* The first tap index >= 0 of a window starting at `start` with taps `step` apart. */
static inline int first_tap(int start, int step) { return start >= 0 ? 0 : (-start + step - 1) / step; }

/* max with the first maximum kept and NaN winning (the first NaN): does `v` replace `best`? */
static inline int replaces(float v, float best) { return best == best && !(v <= best); }

/* The same on four lanes: an all-ones lane where v replaces best. */
static inline v128_t vreplaces(v128_t v, v128_t best) {
  return wasm_v128_andnot(wasm_f32x4_eq(best, best), wasm_f32x4_le(v, best));
}

/*
 * Max pooling of one 2×2 stride-2 plane: the four taps compared in row-major order, four windows at a time;
 * a row of at least four windows ends with a block overlapping the one before (which recomputes the same
 * values), a shorter row goes one window at a time.
 */
static void max_plane_2x2(const float *x, float *out, int32_t *idx, const pool_geometry *g) {
  const int w = g->w, ow = g->ow;
  const int offsets[4] = {0, 1, w, w + 1};
  for (int i = 0; i < g->oh; i++) {
    const float *r0 = x + 2 * i * w, *r1 = r0 + w;
    float *o = out + i * ow;
    int32_t *ix = idx + i * ow;
    const v128_t base0 = wasm_i32x4_make(2 * i * w, 2 * i * w + 2, 2 * i * w + 4, 2 * i * w + 6);
    for (int j0 = 0; ow >= 4 && j0 < ow; j0 += 4) {
      const int j = imin(j0, ow - 4);
      const v128_t a0 = wasm_v128_load(r0 + 2 * j), a1 = wasm_v128_load(r0 + 2 * j + 4);
      const v128_t b0 = wasm_v128_load(r1 + 2 * j), b1 = wasm_v128_load(r1 + 2 * j + 4);
      const v128_t taps[4] = {wasm_i32x4_shuffle(a0, a1, 0, 2, 4, 6), wasm_i32x4_shuffle(a0, a1, 1, 3, 5, 7),
                              wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6), wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7)};
      const v128_t at = wasm_i32x4_add(base0, wasm_i32x4_splat(2 * j));
      v128_t best = taps[0], where = at;
      for (int t = 1; t < 4; t++) {
        const v128_t take = vreplaces(taps[t], best);
        best = wasm_v128_bitselect(taps[t], best, take);
        where = wasm_v128_bitselect(wasm_i32x4_add(at, wasm_i32x4_splat(offsets[t])), where, take);
      }
      wasm_v128_store(o + j, best);
      wasm_v128_store(ix + j, where);
    }
    for (int j = 0; ow < 4 && j < ow; j++) {
      const int at = 2 * i * w + 2 * j;
      float best = x[at];
      int where = at;
      for (int t = 1; t < 4; t++) {
        const float v = x[at + offsets[t]];
        if (replaces(v, best)) best = v, where = at + offsets[t];
      }
      o[j] = best;
      ix[j] = where;
    }
  }
}

/*
 * The adjoint of 2×2 stride-2 max pooling on one plane whose windows have at least four per row, every
 * input element written once: the gradient of its window where the window's index names it, else 0 (as
 * 0 + g, so −0 becomes +0 as in a scatter-add into zeros). False, with the plane half written, when an
 * index lies outside its own window: the caller then scatters.
 */
static int max_backward_plane_2x2(const float *grad, const int32_t *idx, float *out, const pool_geometry *g) {
  const int w = g->w, ow = g->ow;
  const v128_t zero = wasm_f32x4_splat(0.0f);
  v128_t matched = wasm_i32x4_splat(-1);
  for (int i = 0; i < g->oh; i++) {
    float *r0 = out + 2 * i * w, *r1 = r0 + w;
    const v128_t base0 = wasm_i32x4_make(2 * i * w, 2 * i * w + 2, 2 * i * w + 4, 2 * i * w + 6);
    for (int j0 = 0; j0 < ow; j0 += 4) {
      const int j = imin(j0, ow - 4);
      const v128_t gv = wasm_v128_load(grad + i * ow + j), iv = wasm_v128_load(idx + i * ow + j);
      const v128_t at = wasm_i32x4_add(base0, wasm_i32x4_splat(2 * j));
      const v128_t m00 = wasm_i32x4_eq(iv, at), m01 = wasm_i32x4_eq(iv, wasm_i32x4_add(at, wasm_i32x4_splat(1)));
      const v128_t m10 = wasm_i32x4_eq(iv, wasm_i32x4_add(at, wasm_i32x4_splat(w)));
      const v128_t m11 = wasm_i32x4_eq(iv, wasm_i32x4_add(at, wasm_i32x4_splat(w + 1)));
      matched = wasm_v128_and(matched, wasm_v128_or(wasm_v128_or(m00, m01), wasm_v128_or(m10, m11)));
      const v128_t v00 = wasm_f32x4_add(wasm_v128_and(gv, m00), zero);
      const v128_t v01 = wasm_f32x4_add(wasm_v128_and(gv, m01), zero);
      const v128_t v10 = wasm_f32x4_add(wasm_v128_and(gv, m10), zero);
      const v128_t v11 = wasm_f32x4_add(wasm_v128_and(gv, m11), zero);
      wasm_v128_store(r0 + 2 * j, wasm_i32x4_shuffle(v00, v01, 0, 4, 1, 5));
      wasm_v128_store(r0 + 2 * j + 4, wasm_i32x4_shuffle(v00, v01, 2, 6, 3, 7));
      wasm_v128_store(r1 + 2 * j, wasm_i32x4_shuffle(v10, v11, 0, 4, 1, 5));
      wasm_v128_store(r1 + 2 * j + 4, wasm_i32x4_shuffle(v10, v11, 2, 6, 3, 7));
    }
    for (int c = 2 * ow; c < w; c++) r0[c] = r1[c] = 0.0f;
  }
  zero_floats(out + 2 * g->oh * w, (g->h - 2 * g->oh) * w);
  return wasm_i32x4_all_true(matched);
}

/* Max pooling of one plane, any geometry: −∞ outside the input; a window without taps gives −∞ at index −1. */
static void max_plane(const float *x, float *out, int32_t *idx, const pool_geometry *g) {
  for (int i = 0; i < g->oh; i++) {
    const int h0 = i * g->sh - g->ph, p0 = first_tap(h0, g->dh);
    for (int j = 0; j < g->ow; j++) {
      const int w0 = j * g->sw - g->pw, q0 = first_tap(w0, g->dw);
      float best = -__builtin_inff();
      int where = -1;
      for (int p = p0; p < g->kh; p++) {
        const int hi = h0 + p * g->dh;
        if (hi >= g->h) break;
        for (int q = q0; q < g->kw; q++) {
          const int wi = w0 + q * g->dw;
          if (wi >= g->w) break;
          const float v = x[hi * g->w + wi];
          if (where < 0 || replaces(v, best)) best = v, where = hi * g->w + wi;
        }
      }
      out[i * g->ow + j] = best;
      idx[i * g->ow + j] = where;
    }
  }
}

/* Max pooling with indices. args: geometry (13 words), x, values out, int32 indices out. */
KERNEL(max_pool2d_f32) void max_pool2d_f32(const int32_t *args, int tid, int nthreads) {
  const pool_geometry g = read_geometry(args);
  const float *x = ARG_PTR(const float, args, 13);
  float *out = ARG_PTR(float, args, 14);
  int32_t *idx = ARG_PTR(int32_t, args, 15);
  const int in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  const int fast = is_pool2x2(&g);
  int first, last;
  thread_chunks(g.planes, tid, nthreads, &first, &last);
  for (int c = first; c < last; c++) {
    const float *xc = x + c * in_plane;
    if (fast)
      max_plane_2x2(xc, out + c * out_plane, idx + c * out_plane, &g);
    else
      max_plane(xc, out + c * out_plane, idx + c * out_plane, &g);
  }
}

/*
 * The adjoint of max pooling: each plane zeroed, then every gradient added, in output order, to the input
 * element its index names (indices outside the plane are skipped); a 2×2 stride-2 plane whose indices all lie
 * in their own windows is written directly instead. args: geometry, grad, indices, out.
 */
KERNEL(max_pool2d_backward_f32) void max_pool2d_backward_f32(const int32_t *args, int tid, int nthreads) {
  const pool_geometry g = read_geometry(args);
  const float *grad = ARG_PTR(const float, args, 13);
  const int32_t *idx = ARG_PTR(const int32_t, args, 14);
  float *out = ARG_PTR(float, args, 15);
  const int in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  const int fast = is_pool2x2(&g) && g.ow >= 4;
  int first, last;
  thread_chunks(g.planes, tid, nthreads, &first, &last);
  for (int c = first; c < last; c++) {
    float *o = out + c * in_plane;
    const float *gr = grad + c * out_plane;
    const int32_t *ix = idx + c * out_plane;
    if (fast && max_backward_plane_2x2(gr, ix, o, &g)) continue;
    zero_floats(o, in_plane);
    for (int k = 0; k < out_plane; k++) {
      const uint32_t at = (uint32_t)ix[k];
      if (at < (uint32_t)in_plane) o[at] += gr[k];
    }
  }
}

/*
 * The window of output (i, j) clipped to the input, [*h0, *h1) × [*w0, *w1), and its divisor, as PyTorch
 * 1.13's avg_pool2d: the window clipped to the padded input counts with count_include_pad, the window clipped
 * to the input without; a positive `override` replaces both.
 */
static inline float avg_window(const pool_geometry *g, int i, int j, int include_pad, float override, int *h0,
                               int *h1, int *w0, int *w1) {
  int hs = i * g->sh - g->ph, ws = j * g->sw - g->pw;
  int he = imin(hs + g->kh, g->h + g->ph), we = imin(ws + g->kw, g->w + g->pw);
  const int padded = (he - hs) * (we - ws);
  hs = imax(hs, 0), ws = imax(ws, 0), he = imin(he, g->h), we = imin(we, g->w);
  *h0 = hs, *h1 = he, *w0 = ws, *w1 = we;
  if (override > 0.0f) return override;
  return (float)(include_pad ? padded : (he - hs) * (we - ws));
}

/* Average pooling of one 2×2 stride-2 plane: ((a + b) + c) + d, divided by `divisor`. */
static void avg_plane_2x2(const float *x, float *out, const pool_geometry *g, float divisor) {
  const v128_t div = wasm_f32x4_splat(divisor);
  for (int i = 0; i < g->oh; i++) {
    const float *r0 = x + 2 * i * g->w, *r1 = r0 + g->w;
    float *o = out + i * g->ow;
    int j = 0;
    for (; j + 4 <= g->ow; j += 4) {
      const v128_t a0 = wasm_v128_load(r0 + 2 * j), a1 = wasm_v128_load(r0 + 2 * j + 4);
      const v128_t b0 = wasm_v128_load(r1 + 2 * j), b1 = wasm_v128_load(r1 + 2 * j + 4);
      v128_t s = wasm_f32x4_add(wasm_i32x4_shuffle(a0, a1, 0, 2, 4, 6), wasm_i32x4_shuffle(a0, a1, 1, 3, 5, 7));
      s = wasm_f32x4_add(s, wasm_i32x4_shuffle(b0, b1, 0, 2, 4, 6));
      s = wasm_f32x4_add(s, wasm_i32x4_shuffle(b0, b1, 1, 3, 5, 7));
      wasm_v128_store(o + j, wasm_f32x4_div(s, div));
    }
    for (; j < g->ow; j++) o[j] = (((r0[2 * j] + r0[2 * j + 1]) + r1[2 * j]) + r1[2 * j + 1]) / divisor;
  }
}

/*
 * Average pooling (dilation 1), the window summed in row-major order in float32, then divided; a window
 * wholly in the padding gives 0. args: geometry, countIncludePad, divisorOverride (float bits; 0: none), x, out.
 */
KERNEL(avg_pool2d_f32) void avg_pool2d_f32(const int32_t *args, int tid, int nthreads) {
  const pool_geometry g = read_geometry(args);
  const int include_pad = args[13];
  const float override = arg_f32(args, 14);
  const float *x = ARG_PTR(const float, args, 15);
  float *out = ARG_PTR(float, args, 16);
  const int in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  const int fast = is_pool2x2(&g);
  int first, last;
  thread_chunks(g.planes, tid, nthreads, &first, &last);
  for (int c = first; c < last; c++) {
    const float *xc = x + c * in_plane;
    float *oc = out + c * out_plane;
    if (fast) {
      avg_plane_2x2(xc, oc, &g, override > 0.0f ? override : 4.0f);
      continue;
    }
    for (int i = 0; i < g.oh; i++) {
      for (int j = 0; j < g.ow; j++) {
        int h0, h1, w0, w1;
        const float divisor = avg_window(&g, i, j, include_pad, override, &h0, &h1, &w0, &w1);
        float sum = 0.0f;
        for (int h = h0; h < h1; h++)
          for (int w = w0; w < w1; w++) sum += xc[h * g.w + w];
        oc[i * g.ow + j] = h0 < h1 && w0 < w1 ? sum / divisor : 0.0f;
      }
    }
  }
}

/*
 * The adjoint of average pooling: each plane zeroed, then each gradient divided as in the forward pass and
 * added, in output order, to every input element of its window. args: as avg_pool2d_f32 with grad for x.
 */
KERNEL(avg_pool2d_backward_f32) void avg_pool2d_backward_f32(const int32_t *args, int tid, int nthreads) {
  const pool_geometry g = read_geometry(args);
  const int include_pad = args[13];
  const float override = arg_f32(args, 14);
  const float *grad = ARG_PTR(const float, args, 15);
  float *out = ARG_PTR(float, args, 16);
  const int in_plane = g.h * g.w, out_plane = g.oh * g.ow;
  int first, last;
  thread_chunks(g.planes, tid, nthreads, &first, &last);
  for (int c = first; c < last; c++) {
    float *oc = out + c * in_plane;
    const float *gc = grad + c * out_plane;
    zero_floats(oc, in_plane);
    for (int i = 0; i < g.oh; i++) {
      for (int j = 0; j < g.ow; j++) {
        int h0, h1, w0, w1;
        const float divisor = avg_window(&g, i, j, include_pad, override, &h0, &h1, &w0, &w1);
        const float share = gc[i * g.ow + j] / divisor;
        for (int h = h0; h < h1; h++)
          for (int w = w0; w < w1; w++) oc[h * g.w + w] += share;
      }
    }
  }
}
