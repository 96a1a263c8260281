/*
 * Single-precision element-wise kernels for convnet-ts's wasm backend, in WebAssembly SIMD (128-bit). Built
 * with the other kernels by scripts/build-wasm.sh; src/backends/wasm/elementwise.ts copies the operand into
 * this module's memory and calls them.
 */
#include <wasm_simd128.h>

/*
 * out[i] = min(max(x[i], lo), hi) for i < n. WebAssembly's f32x4.max and f32x4.min return NaN when either
 * operand is NaN, so NaN stays NaN, and hi wins when lo > hi: the js backend's clamp, four lanes at a time.
 */
__attribute__((export_name("clamp_f32"))) void clamp_f32(const float *x, float *out, int n, float lo, float hi) {
  const v128_t low = wasm_f32x4_splat(lo);
  const v128_t high = wasm_f32x4_splat(hi);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    wasm_v128_store(out + i, wasm_f32x4_min(wasm_f32x4_max(wasm_v128_load(x + i), low), high));
  }
  for (; i < n; i++) {
    const float v = x[i];
    const float above = v < lo ? lo : v;
    out[i] = above > hi ? hi : above;
  }
}
