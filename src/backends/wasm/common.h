/*
 * What every kernel of the wasm backend shares: the calling convention, reading float arguments, splitting
 * work between threads, and the multiply-add that relaxed SIMD fuses.
 *
 * Calling convention. Every exported kernel is
 *
 *     KERNEL(name) void name(const int32_t *args, int tid, int nthreads)
 *
 * `args` points at int32 words in the module's memory, written by the TypeScript glue: sizes, flags, byte
 * offsets of arrays, and float32 values stored as their bits (read them with arg_f32). A call runs on
 * `nthreads` threads at once, thread `tid` (0 is the calling thread) doing its share; a run is also a
 * barrier, so an op that needs two phases is two runs. Kernels keep no mutable static state (threads share
 * the memory): scratch space comes in through `args`, one slice per thread.
 *
 * Determinism. Results must be bit-identical for every thread count: cut the work into chunks whose size
 * does not depend on nthreads (thread_chunks below), compute each output element in exactly one chunk, and
 * keep every reduction's order fixed.
 */
#ifndef CONVNET_WASM_COMMON_H
#define CONVNET_WASM_COMMON_H

#include <stdint.h>
#include <wasm_simd128.h>

#define KERNEL(name) __attribute__((export_name(#name)))

/* Argument word i read as the float32 it holds. */
static inline float arg_f32(const int32_t *args, int i) {
  union {
    int32_t bits;
    float value;
  } word = {args[i]};
  return word.value;
}

/* Argument word i read as a pointer (a byte offset into the memory). */
#define ARG_PTR(type, args, i) ((type *)(uintptr_t)(uint32_t)(args)[i])

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }

/*
 * The chunks [*first, *last) of `count` chunks that thread tid of nthreads takes: contiguous runs, as even
 * as they can be. What a chunk computes must not depend on nthreads; only who computes it does.
 */
static inline void thread_chunks(int count, int tid, int nthreads, int *first, int *last) {
  const int base = count / nthreads, extra = count % nthreads;
  *first = tid * base + imin(tid, extra);
  *last = *first + base + (tid < extra ? 1 : 0);
}

/*
 * a * b + c on four lanes: one fused instruction with relaxed SIMD, a multiply and an add without it.
 * clang 16's wasm_simd128.h has no relaxed-SIMD intrinsics yet (they came with clang 17), so the fused one
 * is its builtin.
 */
#ifdef __wasm_relaxed_simd__
#define F32X4_MADD(a, b, c) \
  ((v128_t)__builtin_wasm_relaxed_madd_f32x4((__f32x4)(a), (__f32x4)(b), (__f32x4)(c)))
#else
#define F32X4_MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

#endif
