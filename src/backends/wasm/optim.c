/*
 * In-place optimizer steps of the wasm backend, float32: SGD and Adam/AdamW with the operations of
 * src/optim/sgd.ts and src/optim/adam.ts in their order, each rounded to float32 as the tensor ops round it
 * (a scaled operand `alpha·b` is one product, then one sum; no fused multiply-add), so the results equal the
 * tensor-op version's. Scalars arrive already rounded to float32. Work is cut into chunks of OPTIM_CHUNK
 * elements.
 */
#include "common.h"

#define OPTIM_CHUNK 16384

static inline void optim_range(int n, int tid, int nthreads, int *begin, int *end) {
  int first, last;
  thread_chunks((n + OPTIM_CHUNK - 1) / OPTIM_CHUNK, tid, nthreads, &first, &last);
  *begin = imin(first * OPTIM_CHUNK, n);
  *end = imin(last * OPTIM_CHUNK, n);
}

#define LOAD(p, i) wasm_v128_load((p) + (i))
#define STORE(p, i, v) wasm_v128_store((p) + (i), (v))
#define MUL wasm_f32x4_mul
#define ADD wasm_f32x4_add

/* Flags of sgd_step_f32. */
enum { SGD_MAXIMIZE = 1, SGD_DECAY = 2, SGD_MOMENTUM = 4, SGD_FIRST = 8, SGD_NESTEROV = 16 };

/* One SGD element step on lanes (vectors) or a single lane (a splat, stored from lane 0 by the caller). */
static inline v128_t sgd_lanes(v128_t p, v128_t g, v128_t *b, int flags, v128_t wd, v128_t momentum,
                               v128_t keep, v128_t neg_lr) {
  v128_t d = flags & SGD_MAXIMIZE ? wasm_f32x4_neg(g) : g;
  if (flags & SGD_DECAY) d = ADD(d, MUL(wd, p));
  if (flags & SGD_MOMENTUM) {
    *b = flags & SGD_FIRST ? d : ADD(MUL(*b, momentum), MUL(keep, d));
    d = flags & SGD_NESTEROV ? ADD(d, MUL(momentum, *b)) : *b;
  }
  return ADD(p, MUL(neg_lr, d));
}

/*
 * One SGD step in place: d = ±g (+ wd·p); with momentum b = d on the first step, else b = momentum·b +
 * (1 − dampening)·d, then d = nesterov ? d + momentum·b : b; p = p + (−lr)·d.
 * args: param, grad, buffer (unused without momentum), n, flags, wd, momentum, 1 − dampening, −lr.
 */
KERNEL(sgd_step_f32) void sgd_step_f32(const int32_t *args, int tid, int nthreads) {
  float *param = ARG_PTR(float, args, 0);
  const float *grad = ARG_PTR(const float, args, 1);
  float *buffer = ARG_PTR(float, args, 2);
  const int flags = args[4];
  const v128_t wd = wasm_f32x4_splat(arg_f32(args, 5)), momentum = wasm_f32x4_splat(arg_f32(args, 6));
  const v128_t keep = wasm_f32x4_splat(arg_f32(args, 7)), neg_lr = wasm_f32x4_splat(arg_f32(args, 8));
  const int with_buffer = flags & SGD_MOMENTUM;
  int i, end;
  optim_range(args[3], tid, nthreads, &i, &end);
  for (; i + 4 <= end; i += 4) {
    v128_t b = with_buffer ? LOAD(buffer, i) : wasm_f32x4_splat(0.0f);
    STORE(param, i, sgd_lanes(LOAD(param, i), LOAD(grad, i), &b, flags, wd, momentum, keep, neg_lr));
    if (with_buffer) STORE(buffer, i, b);
  }
  for (; i < end; i++) {
    v128_t b = wasm_f32x4_splat(with_buffer ? buffer[i] : 0.0f);
    const v128_t p = sgd_lanes(wasm_f32x4_splat(param[i]), wasm_f32x4_splat(grad[i]), &b, flags, wd, momentum,
                               keep, neg_lr);
    param[i] = wasm_f32x4_extract_lane(p, 0);
    if (with_buffer) buffer[i] = wasm_f32x4_extract_lane(b, 0);
  }
}

/* Flags of adam_step_f32. */
enum { ADAM_MAXIMIZE = 1, ADAM_L2 = 2, ADAM_DECOUPLED = 4, ADAM_AMSGRAD = 8 };

/* The scalars of an Adam step, each a splat of its float32 value. */
typedef struct {
  v128_t wd, shrink, beta1, one_minus_beta1, beta2, one_minus_beta2, bias_correction2_sqrt, eps, neg_step_size;
} adam_scalars;

/* The js backend's maximum: a > b ? a : b, NaN when either is NaN. */
static inline v128_t vmaximum(v128_t a, v128_t b) {
  return wasm_v128_bitselect(a, b, wasm_v128_or(wasm_f32x4_gt(a, b), wasm_f32x4_ne(a, a)));
}

/* One Adam element step on lanes; m, v and vmax are updated through their pointers. */
static inline v128_t adam_lanes(v128_t p, v128_t g, v128_t *m, v128_t *v, v128_t *vmax, int flags,
                                const adam_scalars *s) {
  if (flags & ADAM_MAXIMIZE) g = wasm_f32x4_neg(g);
  if (flags & ADAM_DECOUPLED) p = MUL(p, s->shrink);
  if (flags & ADAM_L2) g = ADD(g, MUL(s->wd, p));
  *m = ADD(MUL(*m, s->beta1), MUL(s->one_minus_beta1, g));
  *v = ADD(MUL(*v, s->beta2), MUL(s->one_minus_beta2, MUL(g, g)));
  v128_t second = *v;
  if (flags & ADAM_AMSGRAD) second = *vmax = vmaximum(*vmax, *v);
  const v128_t denom = ADD(wasm_f32x4_div(wasm_f32x4_sqrt(second), s->bias_correction2_sqrt), s->eps);
  return ADD(p, MUL(s->neg_step_size, wasm_f32x4_div(*m, denom)));
}

/*
 * One Adam/AdamW step in place: g = ±g; AdamW p = p·(1 − lr·wd), Adam g = g + wd·p; m = β₁m + (1 − β₁)g;
 * v = β₂v + (1 − β₂)(g·g); amsgrad vmax = maximum(vmax, v); p = p + (−stepSize)·(m / (√v̂ / √(1 − β₂ᵗ) + eps)).
 * args: param, grad, m, v, vmax (unused without amsgrad), n, flags, then float bits: wd, 1 − lr·wd, β₁,
 * 1 − β₁, β₂, 1 − β₂, √(1 − β₂ᵗ), eps, −lr / (1 − β₁ᵗ).
 */
KERNEL(adam_step_f32) void adam_step_f32(const int32_t *args, int tid, int nthreads) {
  float *param = ARG_PTR(float, args, 0);
  const float *grad = ARG_PTR(const float, args, 1);
  float *m = ARG_PTR(float, args, 2);
  float *v = ARG_PTR(float, args, 3);
  float *vmax = ARG_PTR(float, args, 4);
  const int flags = args[6];
  const adam_scalars s = {
      wasm_f32x4_splat(arg_f32(args, 7)),  wasm_f32x4_splat(arg_f32(args, 8)),
      wasm_f32x4_splat(arg_f32(args, 9)),  wasm_f32x4_splat(arg_f32(args, 10)),
      wasm_f32x4_splat(arg_f32(args, 11)), wasm_f32x4_splat(arg_f32(args, 12)),
      wasm_f32x4_splat(arg_f32(args, 13)), wasm_f32x4_splat(arg_f32(args, 14)),
      wasm_f32x4_splat(arg_f32(args, 15)),
  };
  const int ams = flags & ADAM_AMSGRAD;
  int i, end;
  optim_range(args[5], tid, nthreads, &i, &end);
  for (; i + 4 <= end; i += 4) {
    v128_t mi = LOAD(m, i), vi = LOAD(v, i), wi = ams ? LOAD(vmax, i) : mi;
    STORE(param, i, adam_lanes(LOAD(param, i), LOAD(grad, i), &mi, &vi, &wi, flags, &s));
    STORE(m, i, mi);
    STORE(v, i, vi);
    if (ams) STORE(vmax, i, wi);
  }
  for (; i < end; i++) {
    v128_t mi = wasm_f32x4_splat(m[i]), vi = wasm_f32x4_splat(v[i]);
    v128_t wi = wasm_f32x4_splat(ams ? vmax[i] : 0.0f);
    const v128_t p = adam_lanes(wasm_f32x4_splat(param[i]), wasm_f32x4_splat(grad[i]), &mi, &vi, &wi, flags, &s);
    param[i] = wasm_f32x4_extract_lane(p, 0);
    m[i] = wasm_f32x4_extract_lane(mi, 0);
    v[i] = wasm_f32x4_extract_lane(vi, 0);
    if (ams) vmax[i] = wasm_f32x4_extract_lane(wi, 0);
  }
}
