/*
 * Single-precision depthwise convolution for convnet-ts's wasm backend, in WebAssembly SIMD (128-bit).
 * Built with gemm.c by scripts/build-wasm.sh; src/backends/wasm/depthwise.ts copies the (padded) input and
 * the kernels into this module's memory and calls depthwise_f32. The loops are the js backend's
 * (src/backends/js/depthwise.ts) with the output row cut into blocks of 16 values: a block's sums stay in
 * four f32x4 registers while every kernel tap adds its weight times 16 consecutive inputs, so each output
 * value is stored once. A stride along the row other than 1, and the last values of a row, take the scalar
 * loop. Sums accumulate in float32.
 */
#include <wasm_simd128.h>

/* Output values per register block along a row: four f32x4 accumulators. */
#define BLOCK 16

/* One output row of one plane: out[ox] = sum over taps of k[ky][kx] * in[(ky * dh) * in_w + kx * dw + ox * sw]. */
static void depthwise_row(const float *in, const float *k, float *out, int in_w, int kh, int kw, int sw, int dh,
                          int dw, int out_w) {
  int ox = 0;
  if (sw == 1) {
    for (; ox + BLOCK <= out_w; ox += BLOCK) {
      v128_t s0 = wasm_f32x4_splat(0.0f), s1 = s0, s2 = s0, s3 = s0;
      for (int ky = 0; ky < kh; ky++) {
        const float *row = in + ky * dh * in_w + ox;
        for (int kx = 0; kx < kw; kx++) {
          const v128_t w = wasm_f32x4_splat(k[ky * kw + kx]);
          const float *p = row + kx * dw;
          s0 = wasm_f32x4_add(s0, wasm_f32x4_mul(w, wasm_v128_load(p)));
          s1 = wasm_f32x4_add(s1, wasm_f32x4_mul(w, wasm_v128_load(p + 4)));
          s2 = wasm_f32x4_add(s2, wasm_f32x4_mul(w, wasm_v128_load(p + 8)));
          s3 = wasm_f32x4_add(s3, wasm_f32x4_mul(w, wasm_v128_load(p + 12)));
        }
      }
      wasm_v128_store(out + ox, s0);
      wasm_v128_store(out + ox + 4, s1);
      wasm_v128_store(out + ox + 8, s2);
      wasm_v128_store(out + ox + 12, s3);
    }
  }
  for (; ox < out_w; ox++) {
    float sum = 0.0f;
    for (int ky = 0; ky < kh; ky++) {
      const float *row = in + ky * dh * in_w + ox * sw;
      for (int kx = 0; kx < kw; kx++) sum += k[ky * kw + kx] * row[kx * dw];
    }
    out[ox] = sum;
  }
}

/*
 * x: (batch, channels, in_h, in_w), already padded; w: (channels * multiplier, kh, kw);
 * out: (batch, channels * multiplier, out_h, out_w). Output channel o reads input channel o / multiplier.
 */
__attribute__((export_name("depthwise_f32"))) void depthwise_f32(const float *x, const float *w, float *out,
                                                                  int batch, int channels, int multiplier,
                                                                  int in_h, int in_w, int kh, int kw, int sh,
                                                                  int sw, int dh, int dw, int out_h,
                                                                  int out_w) {
  const int out_channels = channels * multiplier;
  for (int n = 0; n < batch; n++) {
    for (int o = 0; o < out_channels; o++) {
      const float *plane = x + (n * channels + o / multiplier) * in_h * in_w;
      const float *k = w + o * kh * kw;
      float *dst = out + (n * out_channels + o) * out_h * out_w;
      for (int oy = 0; oy < out_h; oy++) {
        depthwise_row(plane + oy * sh * in_w, k, dst + oy * out_w, in_w, kh, kw, sw, dh, dw, out_w);
      }
    }
  }
}
