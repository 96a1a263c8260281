/*
 * Single-precision 2-D convolution for convnet-ts's wasm backend (NCHW, groups, stride, dilation, implicit
 * zero padding): the forward pass with its bias, and the gradients with respect to the input, the weight and
 * the bias. src/backends/wasm/conv.ts copies the operands into the module's memory and runs the phases.
 *
 * Every product runs on gemm_core.h, the forward pass and the weight gradient with the convolution's windows
 * read in place (implicit im2col), so they store no column matrix:
 *   - forward, per image and group: Y[co, pos] = bias[co] + W[co, :] . windows(x)[:, pos] (NCHW output as is);
 *     a 1x1 stride-1 unpadded convolution reads x as a dense matrix;
 *   - input gradient, per image and group: the columns Wᵀ . dY into scratch, then col2im adds each into the
 *     input element its tap read (one thread per image and group, fixed order);
 *   - weight gradient, per group: dW[co, (c, ky, kx)] = sum over images n, in order, of dY_n[co, :] .
 *     windows(x_n)[(c, ky, kx), :]^T;
 *   - bias gradient: dB[co] = sum over images and positions of dY.
 * Depthwise convolutions (one input channel per group) take a direct SIMD loop instead in the forward pass.
 * Work is cut into chunks fixed by the shapes alone (blocks of the output), each computed by one thread with
 * fixed reduction orders, so results do not depend on the thread count.
 *
 * Small windows (cin * kh * kw <= SMALL_K, a first layer's): the forward pass and the weight gradient skip the
 * engine, whose k = cin * kh * kw steps would be too short to pay for packing and storing a tile. They build
 * the taps of a run of output positions (forward) or of one image (weight gradient) as rows of a small column
 * matrix in the thread's scratch and run register-blocked SIMD loops over it: 4 output channels x 8 positions
 * per step in the forward pass (chunks of SMALL_CHUNK positions), and for the weight gradient one f32x4
 * accumulator per output channel and tap, its lanes summed at the end in a fixed order.
 * The forward kernel also applies ReLU to what it stores when asked (fused conv + bias + ReLU): the
 * activations are then written once, not written, read and written again by a separate pass.
 *
 * Arguments of every kernel: four byte offsets p0..p3 (below), scratch (byte offset), scratch bytes per thread
 * (GC_SCRATCH_BYTES; for the input gradient also room for (in_channels / groups) * kh * kw * out_h * out_w
 * floats of columns), then the geometry: batch, in_channels, out_channels, groups, in_h, in_w, kh, kw, sh, sw,
 * ph, pw, dh, dw, out_h, out_w; then, for the forward kernel, a flag word (1: apply ReLU).
 */
#include "gemm_core.h"

typedef struct {
  int batch, channels_in, channels_out, groups;
  conv_geo g;
} conv_args;

static conv_args read_geometry(const int32_t *args) {
  const int32_t *v = args + 6;
  conv_args c;
  c.batch = v[0], c.channels_in = v[1], c.channels_out = v[2], c.groups = v[3];
  c.g.in_h = v[4], c.g.in_w = v[5], c.g.kh = v[6], c.g.kw = v[7], c.g.sh = v[8], c.g.sw = v[9];
  c.g.ph = v[10], c.g.pw = v[11], c.g.dh = v[12], c.g.dw = v[13], c.g.out_h = v[14], c.g.out_w = v[15];
  c.g.cin = c.channels_in / c.groups, c.g.cout = c.channels_out / c.groups;
  return c;
}

static float *thread_scratch(const int32_t *args, int tid) {
  return (float *)(ARG_PTR(char, args, 4) + tid * args[5]);
}

/* True for a 1x1, stride-1, unpadded convolution whose output is its input's size: windows are the input. */
static int is_pointwise(const conv_geo *g) {
  return g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 && g->pw == 0 && g->out_h == g->in_h &&
         g->out_w == g->in_w;
}

static int blocks(int size, int block) { return (size + block - 1) / block; }

/* Most taps (cin * kh * kw) of a window that the small-window kernels take. */
#define SMALL_K 32

static int round_up(int x, int to) { return (x + to - 1) / to * to; }

/* Output positions per chunk of the small-window forward pass (a multiple of 8). */
#define SMALL_CHUNK 512

/* True when the forward pass takes the small-window kernel: few taps (their rows always fit the scratch). */
static int small_forward(const conv_geo *g) { return g->cin * g->kh * g->kw <= SMALL_K; }

/* True when the weight gradient takes the small-window kernel: few taps, and one image's taps and every
 * channel's accumulators (cout_total * k f32x4 and as many scalars) fit the scratch. */
static int small_weight_grad(const conv_geo *g, int channels_out, int scratch_bytes) {
  const int k = g->cin * g->kh * g->kw, positions = g->out_h * g->out_w;
  return k <= SMALL_K && (k * round_up(positions, 4) + channels_out * k * 5) * 4 <= scratch_bytes;
}

/*
 * The taps of output positions pos0 .. pos0+count-1 (row-major over the output) of one group's input: tap t =
 * (c, ky, kx) at rows[t * stride + i] for position pos0 + i, zero outside the input, and zeros from count up
 * to `padded`.
 */
static void build_taps(const float *xg, const conv_geo *g, int pos0, int count, int padded, float *rows,
                       int stride) {
  const int kk = g->kh * g->kw, plane_in = g->in_h * g->in_w;
  for (int t = 0; t < g->cin * kk; t++) {
    const int c = t / kk, ky = (t % kk) / g->kw, kx = t % g->kw;
    float *dst = rows + t * stride;
#define STORE_TAP(i, v) dst[i] = (v)
    FOR_WINDOW_ROW(g, xg + c * plane_in, ky, kx, pos0, count, STORE_TAP);
#undef STORE_TAP
    for (int i = count; i < padded; i++) dst[i] = 0.0f;
  }
}

/*
 * A run of output positions of a small-window convolution: y[co, i] (plane stride `plane`) = bias[co] + sum over
 * taps t of w[co * k + t] * rows[t * w8 + i], for every co < cout and i < out_w, rectified when relu. Four
 * channels and eight positions per step; `edge` is 32 floats of scratch for the run's last, partial step.
 */
static void small_conv_run(const float *rows, int k, int w8, const float *w, const float *bias, int cout,
                           float *y, int plane, int out_w, int relu, float *edge) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  int co = 0;
  for (; co < cout; co += 4) {
    const int lanes = imin(4, cout - co);
    const float *w0 = w + co * k, *w1 = w0 + (lanes > 1 ? k : 0), *w2 = w0 + (lanes > 2 ? 2 * k : 0);
    const float *w3 = w0 + (lanes > 3 ? 3 * k : 0);
    float b[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    for (int r = 0; r < lanes; r++) b[r] = bias ? bias[co + r] : 0.0f;
    for (int ox = 0; ox < out_w; ox += 8) {
      v128_t c00 = wasm_f32x4_splat(b[0]), c01 = c00, c10 = wasm_f32x4_splat(b[1]), c11 = c10;
      v128_t c20 = wasm_f32x4_splat(b[2]), c21 = c20, c30 = wasm_f32x4_splat(b[3]), c31 = c30;
      const float *src = rows + ox;
      for (int t = 0; t < k; t++, src += w8) {
        const v128_t x0 = wasm_v128_load(src), x1 = wasm_v128_load(src + 4);
        v128_t a = wasm_v128_load32_splat(w0 + t);
        c00 = F32X4_MADD(a, x0, c00), c01 = F32X4_MADD(a, x1, c01);
        a = wasm_v128_load32_splat(w1 + t);
        c10 = F32X4_MADD(a, x0, c10), c11 = F32X4_MADD(a, x1, c11);
        a = wasm_v128_load32_splat(w2 + t);
        c20 = F32X4_MADD(a, x0, c20), c21 = F32X4_MADD(a, x1, c21);
        a = wasm_v128_load32_splat(w3 + t);
        c30 = F32X4_MADD(a, x0, c30), c31 = F32X4_MADD(a, x1, c31);
      }
      if (relu) {
        c00 = wasm_f32x4_max(c00, zero), c01 = wasm_f32x4_max(c01, zero);
        c10 = wasm_f32x4_max(c10, zero), c11 = wasm_f32x4_max(c11, zero);
        c20 = wasm_f32x4_max(c20, zero), c21 = wasm_f32x4_max(c21, zero);
        c30 = wasm_f32x4_max(c30, zero), c31 = wasm_f32x4_max(c31, zero);
      }
      float *out = y + co * plane + ox;
      if (lanes == 4 && ox + 8 <= out_w) {
        wasm_v128_store(out, c00), wasm_v128_store(out + 4, c01);
        wasm_v128_store(out + plane, c10), wasm_v128_store(out + plane + 4, c11);
        wasm_v128_store(out + 2 * plane, c20), wasm_v128_store(out + 2 * plane + 4, c21);
        wasm_v128_store(out + 3 * plane, c30), wasm_v128_store(out + 3 * plane + 4, c31);
      } else {
        wasm_v128_store(edge, c00), wasm_v128_store(edge + 4, c01);
        wasm_v128_store(edge + 8, c10), wasm_v128_store(edge + 12, c11);
        wasm_v128_store(edge + 16, c20), wasm_v128_store(edge + 20, c21);
        wasm_v128_store(edge + 24, c30), wasm_v128_store(edge + 28, c31);
        const int cols = imin(8, out_w - ox);
        for (int r = 0; r < lanes; r++) {
          for (int j = 0; j < cols; j++) out[r * plane + j] = edge[r * 8 + j];
        }
      }
    }
  }
}

/* Forward of a small-window convolution: one chunk per (image, group, SMALL_CHUNK output positions). */
static void small_conv2d(const float *x, const float *w, const float *bias, float *y, const conv_args *c,
                         int relu, float *scratch, int tid, int nthreads) {
  const conv_geo *g = &c->g;
  const int k = g->cin * g->kh * g->kw, plane = g->out_h * g->out_w, plane_in = g->in_h * g->in_w;
  const int runs = blocks(plane, SMALL_CHUNK);
  float *edge = scratch, *rows = scratch + 32;
  int first, last;
  thread_chunks(c->batch * c->groups * runs, tid, nthreads, &first, &last);
  for (int chunk = first; chunk < last; chunk++) {
    const int pos0 = chunk % runs * SMALL_CHUNK, count = imin(SMALL_CHUNK, plane - pos0);
    const int image = chunk / runs, n = image / c->groups, gi = image % c->groups;
    const int padded = round_up(count, 8);
    build_taps(x + (n * c->channels_in + gi * g->cin) * plane_in, g, pos0, count, padded, rows, padded);
    float *yg = y + (n * c->channels_out + gi * g->cout) * plane + pos0;
    small_conv_run(rows, k, padded, w + gi * g->cout * k, bias ? bias + gi * g->cout : 0, g->cout, yg, plane,
                   count, relu, edge);
  }
}

/*
 * Weight gradient of a small-window convolution: thread tid takes output channels [first, last) (any split
 * gives the same bits: each dW element is reduced by one thread, over images, then positions, in order). Per
 * image and group it builds the image's taps (k x positions, rounded up to 4 with zeros), then for each of
 * its channels adds dY . taps into one f32x4 accumulator per tap (and a scalar one for a last, partial group
 * of four positions); dW is each accumulator's lanes summed as (l0 + l1) + (l2 + l3), plus the scalar one.
 */
static void small_weight_grad_kernel(const float *grad, const float *x, float *dw, const conv_args *c,
                                     float *scratch, int tid, int nthreads) {
  const conv_geo *g = &c->g;
  const int k = g->cin * g->kh * g->kw, positions = g->out_h * g->out_w, p4 = positions / 4 * 4;
  const int padded = round_up(positions, 4), plane_in = g->in_h * g->in_w;
  int first, last;
  thread_chunks(c->channels_out, tid, nthreads, &first, &last);
  if (first >= last) return;
  v128_t *acc = (v128_t *)scratch;
  float *tails = (float *)(acc + (last - first) * k), *rows = tails + (last - first) * k;
  for (int i = 0; i < (last - first) * k; i++) acc[i] = wasm_f32x4_splat(0.0f), tails[i] = 0.0f;
  for (int n = 0; n < c->batch; n++) {
    for (int gi = first / g->cout; gi <= (last - 1) / g->cout; gi++) {
      build_taps(x + (n * c->channels_in + gi * g->cin) * plane_in, g, 0, positions, padded, rows, padded);
      const int lo = imax(first, gi * g->cout), hi = imin(last, (gi + 1) * g->cout);
      for (int co = lo; co < hi; co++) {
        const float *dy = grad + (n * c->channels_out + co) * positions;
        v128_t *a = acc + (co - first) * k;
        float *tail = tails + (co - first) * k;
        for (int t0 = 0; t0 < k; t0 += 8) {
          const int tn = imin(8, k - t0);
          const float *r = rows + t0 * padded;
          v128_t s0 = a[t0], s1 = tn > 1 ? a[t0 + 1] : s0, s2 = tn > 2 ? a[t0 + 2] : s0, s3 = tn > 3 ? a[t0 + 3] : s0;
          v128_t s4 = tn > 4 ? a[t0 + 4] : s0, s5 = tn > 5 ? a[t0 + 5] : s0, s6 = tn > 6 ? a[t0 + 6] : s0;
          v128_t s7 = tn > 7 ? a[t0 + 7] : s0;
          if (tn == 8) {
            for (int p = 0; p < p4; p += 4) {
              const v128_t d = wasm_v128_load(dy + p);
              s0 = F32X4_MADD(d, wasm_v128_load(r + p), s0);
              s1 = F32X4_MADD(d, wasm_v128_load(r + padded + p), s1);
              s2 = F32X4_MADD(d, wasm_v128_load(r + 2 * padded + p), s2);
              s3 = F32X4_MADD(d, wasm_v128_load(r + 3 * padded + p), s3);
              s4 = F32X4_MADD(d, wasm_v128_load(r + 4 * padded + p), s4);
              s5 = F32X4_MADD(d, wasm_v128_load(r + 5 * padded + p), s5);
              s6 = F32X4_MADD(d, wasm_v128_load(r + 6 * padded + p), s6);
              s7 = F32X4_MADD(d, wasm_v128_load(r + 7 * padded + p), s7);
            }
            a[t0] = s0, a[t0 + 1] = s1, a[t0 + 2] = s2, a[t0 + 3] = s3;
            a[t0 + 4] = s4, a[t0 + 5] = s5, a[t0 + 6] = s6, a[t0 + 7] = s7;
          } else {
            for (int t = 0; t < tn; t++) {
              v128_t s = a[t0 + t];
              const float *rt = r + t * padded;
              for (int p = 0; p < p4; p += 4) s = F32X4_MADD(wasm_v128_load(dy + p), wasm_v128_load(rt + p), s);
              a[t0 + t] = s;
            }
          }
        }
        for (int t = 0; t < k; t++) {
          float s = tail[t];
          for (int p = p4; p < positions; p++) s += dy[p] * rows[t * padded + p];
          tail[t] = s;
        }
      }
    }
  }
  for (int co = first; co < last; co++) {
    for (int t = 0; t < k; t++) {
      const v128_t s = acc[(co - first) * k + t];
      dw[co * k + t] = ((wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 1)) +
                        (wasm_f32x4_extract_lane(s, 2) + wasm_f32x4_extract_lane(s, 3))) +
                       tails[(co - first) * k + t];
    }
  }
}

/* Depthwise forward of one output plane: y = bias + sum over taps of w[ky, kx] * x(window), zero outside. */
static void depthwise_plane(const float *x, const float *w, float bias, float *y, const conv_geo *g, int relu) {
  const v128_t zero = wasm_f32x4_splat(0.0f);
  /* Output columns whose every tap lies inside the row: ox*sw - pw >= 0, ox*sw - pw + (kw-1)*dw < in_w. */
  const int lo = imin(g->out_w, (g->pw + g->sw - 1) / g->sw);
  const int reach = g->in_w - 1 + g->pw - (g->kw - 1) * g->dw;
  const int hi = imax(lo, imin(g->out_w, reach < 0 ? 0 : reach / g->sw + 1));
  for (int oy = 0; oy < g->out_h; oy++) {
    float *out = y + oy * g->out_w;
    const int iy0 = oy * g->sh - g->ph;
    for (int ox = 0; ox < g->out_w; ox++) {
      if (ox == lo && g->sw == 1) {
        for (; ox + 4 <= hi; ox += 4) {
          v128_t acc = wasm_f32x4_splat(bias);
          for (int ky = 0; ky < g->kh; ky++) {
            const int iy = iy0 + ky * g->dh;
            if (iy < 0 || iy >= g->in_h) continue;
            const float *row = x + iy * g->in_w + ox - g->pw;
            for (int kx = 0; kx < g->kw; kx++) {
              acc = F32X4_MADD(wasm_f32x4_splat(w[ky * g->kw + kx]), wasm_v128_load(row + kx * g->dw), acc);
            }
          }
          wasm_v128_store(out + ox, relu ? wasm_f32x4_max(acc, zero) : acc);
        }
        if (ox >= g->out_w) break;
      }
      float acc = bias;
      for (int ky = 0; ky < g->kh; ky++) {
        const int iy = iy0 + ky * g->dh;
        if (iy < 0 || iy >= g->in_h) continue;
        const float *row = x + iy * g->in_w;
        for (int kx = 0; kx < g->kw; kx++) {
          const int ix = ox * g->sw - g->pw + kx * g->dw;
          if (ix >= 0 && ix < g->in_w) acc += w[ky * g->kw + kx] * row[ix];
        }
      }
      out[ox] = relu && !(acc > 0.0f || acc != acc) ? 0.0f : acc;
    }
  }
}

/* Forward: p0 x, p1 weight, p2 bias (0: none), p3 y; word 22: 1 to store max(y, 0) (fused ReLU). */
KERNEL(conv2d_f32) void conv2d_f32(const int32_t *args, int tid, int nthreads) {
  const conv_args c = read_geometry(args);
  const float *x = ARG_PTR(const float, args, 0), *w = ARG_PTR(const float, args, 1);
  const float *bias = ARG_PTR(const float, args, 2);
  float *y = ARG_PTR(float, args, 3);
  const conv_geo *g = &c.g;
  const int plane_in = g->in_h * g->in_w, positions = g->out_h * g->out_w, kk = g->kh * g->kw;
  const int relu = args[22];
  int first, last;
  if (g->cin == 1 && c.groups == c.channels_in && c.groups > 1) {
    thread_chunks(c.batch * c.channels_out, tid, nthreads, &first, &last);
    for (int plane = first; plane < last; plane++) {
      const int n = plane / c.channels_out, co = plane % c.channels_out, ci = co / g->cout;
      depthwise_plane(x + (n * c.channels_in + ci) * plane_in, w + co * kk, bias ? bias[co] : 0.0f,
                      y + plane * positions, g, relu);
    }
    return;
  }
  if (small_forward(g)) {
    small_conv2d(x, w, bias, y, &c, relu, thread_scratch(args, tid), tid, nthreads);
    return;
  }
  const int k = g->cin * kk, nch = chunk_cols(positions);
  const int m_blocks = blocks(g->cout, GC_MC), n_blocks = blocks(positions, nch);
  const int pointwise = is_pointwise(g);
  float *scratch = thread_scratch(args, tid);
  thread_chunks(c.batch * c.groups * m_blocks * n_blocks, tid, nthreads, &first, &last);
  for (int chunk = first; chunk < last; chunk++) {
    const int image = chunk / (m_blocks * n_blocks), n = image / c.groups, gi = image % c.groups;
    const int i0 = (chunk / n_blocks) % m_blocks * GC_MC, j0 = chunk % n_blocks * nch;
    const float *xg = x + (n * c.channels_in + gi * g->cin) * plane_in;
    const operand a = {OP_DENSE, w + gi * g->cout * k, k, 1, g};
    const operand b = pointwise ? (operand){OP_DENSE, xg, plane_in, 1, g} : (operand){OP_WINDOWS, xg, 0, 0, g};
    float *yg = y + (n * c.channels_out + gi * g->cout) * positions;
    gemm_block(&a, &b, i0, imin(GC_MC, g->cout - i0), j0, imin(nch, positions - j0), k, yg + i0 * positions + j0,
               positions, 0, bias ? bias + gi * g->cout + i0 : 0, relu, scratch);
  }
}

/*
 * dX of one image and group: zeros, then every column value added to the input element its tap read, in the
 * fixed order (c, ky, kx, position). Taps outside the input read nothing and add nothing.
 */
static void col2im(const float *cols, float *dx, const conv_geo *g) {
  const int plane_in = g->in_h * g->in_w, positions = g->out_h * g->out_w;
  for (int i = 0; i < g->cin * plane_in; i++) dx[i] = 0.0f;
  for (int c = 0; c < g->cin; c++) {
    float *plane = dx + c * plane_in;
    for (int ky = 0; ky < g->kh; ky++) {
      for (int kx = 0; kx < g->kw; kx++) {
        const float *col = cols + ((c * g->kh + ky) * g->kw + kx) * positions;
        /* Output columns whose tap kx lands inside the row: 0 <= ox*sw - pw + kx*dw < in_w. */
        const int shift = kx * g->dw - g->pw;
        const int lo = shift >= 0 ? 0 : (-shift + g->sw - 1) / g->sw;
        const int hi = imin(g->out_w, g->in_w - 1 - shift < 0 ? 0 : (g->in_w - 1 - shift) / g->sw + 1);
        for (int oy = 0; oy < g->out_h; oy++) {
          const int iy = oy * g->sh - g->ph + ky * g->dh;
          if (iy < 0 || iy >= g->in_h) continue;
          float *row = plane + iy * g->in_w + shift;
          const float *src = col + oy * g->out_w;
          if (g->sw == 1) {
            int ox = lo;
            for (; ox + 4 <= hi; ox += 4) {
              wasm_v128_store(row + ox, wasm_f32x4_add(wasm_v128_load(row + ox), wasm_v128_load(src + ox)));
            }
            for (; ox < hi; ox++) row[ox] += src[ox];
          } else {
            for (int ox = lo; ox < hi; ox++) row[ox * g->sw] += src[ox];
          }
        }
      }
    }
  }
}

/*
 * Input gradient: p0 output gradient, p1 weight, p3 dx. Per image and group, the columns Wᵀ . dY (K x
 * positions, K = cin * kh * kw) go to the thread's scratch after the product's own (GC_SCRATCH_BYTES), then
 * col2im adds them into dx; a pointwise convolution's columns are dx itself.
 */
KERNEL(conv2d_input_grad_f32) void conv2d_input_grad_f32(const int32_t *args, int tid, int nthreads) {
  const conv_args c = read_geometry(args);
  const float *grad = ARG_PTR(const float, args, 0), *w = ARG_PTR(const float, args, 1);
  float *dx = ARG_PTR(float, args, 3);
  const conv_geo *g = &c.g;
  const int plane_in = g->in_h * g->in_w, positions = g->out_h * g->out_w, k = g->cin * g->kh * g->kw;
  const int pointwise = is_pointwise(g), nch = chunk_cols(positions);
  float *scratch = thread_scratch(args, tid), *cols = scratch + GC_SCRATCH_BYTES / 4;
  int first, last;
  thread_chunks(c.batch * c.groups, tid, nthreads, &first, &last);
  for (int image = first; image < last; image++) {
    const int n = image / c.groups, gi = image % c.groups;
    const float *gg = grad + (n * c.channels_out + gi * g->cout) * positions;
    float *dxg = dx + (n * c.channels_in + gi * g->cin) * plane_in;
    float *out = pointwise ? dxg : cols;
    /* A = Wᵀ: element (i, co) of the group's weight (cout x k) at co * k + i. */
    const operand a = {OP_DENSE, w + gi * g->cout * k, 1, k, g};
    const operand b = {OP_DENSE, gg, positions, 1, g};
    for (int j0 = 0; j0 < positions; j0 += nch) {
      gemm_block(&a, &b, 0, k, j0, imin(nch, positions - j0), g->cout, out + j0, positions, 0, 0, 0, scratch);
    }
    if (!pointwise) col2im(cols, dxg, g);
  }
}

/* Weight gradient: p0 output gradient, p1 x, p3 dw. */
KERNEL(conv2d_weight_grad_f32) void conv2d_weight_grad_f32(const int32_t *args, int tid, int nthreads) {
  const conv_args c = read_geometry(args);
  const float *grad = ARG_PTR(const float, args, 0), *x = ARG_PTR(const float, args, 1);
  float *dw = ARG_PTR(float, args, 3);
  const conv_geo *g = &c.g;
  const int plane_in = g->in_h * g->in_w, positions = g->out_h * g->out_w, kk = g->kh * g->kw;
  const int cols = g->cin * kk, nch = chunk_cols(cols);
  const int m_blocks = blocks(g->cout, GC_MC), n_blocks = blocks(cols, nch);
  const int pointwise = is_pointwise(g);
  float *scratch = thread_scratch(args, tid);
  if (small_weight_grad(g, c.channels_out, args[5])) {
    small_weight_grad_kernel(grad, x, dw, &c, scratch, tid, nthreads);
    return;
  }
  int first, last;
  thread_chunks(c.groups * m_blocks * n_blocks, tid, nthreads, &first, &last);
  for (int chunk = first; chunk < last; chunk++) {
    const int gi = chunk / (m_blocks * n_blocks);
    const int i0 = (chunk / n_blocks) % m_blocks * GC_MC, j0 = chunk % n_blocks * nch;
    float *dwg = dw + gi * g->cout * cols;
    for (int n = 0; n < c.batch; n++) {
      const float *gg = grad + (n * c.channels_out + gi * g->cout) * positions;
      const float *xg = x + (n * c.channels_in + gi * g->cin) * plane_in;
      const operand a = {OP_DENSE, gg, positions, 1, g};
      const operand b = pointwise ? (operand){OP_DENSE, xg, 1, plane_in, g} : (operand){OP_WINDOWS_T, xg, 0, 0, g};
      gemm_block(&a, &b, i0, imin(GC_MC, g->cout - i0), j0, imin(nch, cols - j0), positions,
                 dwg + i0 * cols + j0, cols, n > 0, 0, 0, scratch);
    }
  }
}

/* Bias gradient: p0 output gradient, p3 db. Each channel sums image by image, four lanes then across them. */
KERNEL(conv2d_bias_grad_f32) void conv2d_bias_grad_f32(const int32_t *args, int tid, int nthreads) {
  const conv_args c = read_geometry(args);
  const float *grad = ARG_PTR(const float, args, 0);
  float *db = ARG_PTR(float, args, 3);
  const int positions = c.g.out_h * c.g.out_w;
  int first, last;
  thread_chunks(c.channels_out, tid, nthreads, &first, &last);
  for (int co = first; co < last; co++) {
    float total = 0.0f;
    for (int n = 0; n < c.batch; n++) {
      const float *plane = grad + (n * c.channels_out + co) * positions;
      v128_t lanes = wasm_f32x4_splat(0.0f);
      int p = 0;
      for (; p + 4 <= positions; p += 4) lanes = wasm_f32x4_add(lanes, wasm_v128_load(plane + p));
      float sum = (wasm_f32x4_extract_lane(lanes, 0) + wasm_f32x4_extract_lane(lanes, 1)) +
                  (wasm_f32x4_extract_lane(lanes, 2) + wasm_f32x4_extract_lane(lanes, 3));
      for (; p < positions; p++) sum += plane[p];
      total += sum;
    }
    db[co] = total;
  }
}
