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
 * Arguments of every kernel: four byte offsets p0..p3 (below), scratch (byte offset), scratch bytes per thread
 * (GC_SCRATCH_BYTES; for the input gradient also room for (in_channels / groups) * kh * kw * out_h * out_w
 * floats of columns), then the geometry: batch, in_channels, out_channels, groups, in_h, in_w, kh, kw, sh, sw,
 * ph, pw, dh, dw, out_h, out_w.
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

/* Depthwise forward of one output plane: y = bias + sum over taps of w[ky, kx] * x(window), zero outside. */
static void depthwise_plane(const float *x, const float *w, float bias, float *y, const conv_geo *g) {
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
          wasm_v128_store(out + ox, acc);
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
      out[ox] = acc;
    }
  }
}

/* Forward: p0 x, p1 weight, p2 bias (0: none), p3 y. */
KERNEL(conv2d_f32) void conv2d_f32(const int32_t *args, int tid, int nthreads) {
  const conv_args c = read_geometry(args);
  const float *x = ARG_PTR(const float, args, 0), *w = ARG_PTR(const float, args, 1);
  const float *bias = ARG_PTR(const float, args, 2);
  float *y = ARG_PTR(float, args, 3);
  const conv_geo *g = &c.g;
  const int plane_in = g->in_h * g->in_w, positions = g->out_h * g->out_w, kk = g->kh * g->kw;
  int first, last;
  if (g->cin == 1 && c.groups == c.channels_in && c.groups > 1) {
    thread_chunks(c.batch * c.channels_out, tid, nthreads, &first, &last);
    for (int plane = first; plane < last; plane++) {
      const int n = plane / c.channels_out, co = plane % c.channels_out, ci = co / g->cout;
      depthwise_plane(x + (n * c.channels_in + ci) * plane_in, w + co * kk, bias ? bias[co] : 0.0f,
                      y + plane * positions, g);
    }
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
               positions, 0, bias ? bias + gi * g->cout + i0 : 0, scratch);
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
      gemm_block(&a, &b, 0, k, j0, imin(nch, positions - j0), g->cout, out + j0, positions, 0, 0, scratch);
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
                 dwg + i0 * cols + j0, cols, n > 0, 0, scratch);
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
