/*
 * The runtime's own kernels: filling and copying float32 (int32) words, cut into fixed chunks shared
 * between threads, so the arena can zero a large block on every thread; and a probe of a thread's stack,
 * which the tests use to check that every thread's instance has its own.
 */
#include "common.h"

/* Words per chunk: 16 KiB, a few microseconds of filling, so a large block has many. */
#define CHUNK_WORDS 4096

/* args: out, count, value (bits). out[i] = value for i < count; out is 16-byte aligned. */
KERNEL(fill_f32) void fill_f32(const int32_t *args, int tid, int nthreads) {
  int32_t *out = ARG_PTR(int32_t, args, 0);
  const int count = args[1];
  const v128_t value = wasm_i32x4_splat(args[2]);
  int first, last;
  thread_chunks((count + CHUNK_WORDS - 1) / CHUNK_WORDS, tid, nthreads, &first, &last);
  const int begin = first * CHUNK_WORDS, end = imin(last * CHUNK_WORDS, count);
  int i = begin;
  for (; i + 4 <= end; i += 4) wasm_v128_store(out + i, value);
  for (; i < end; i++) out[i] = args[2];
}

/* args: src, dst, count. dst[i] = src[i] for i < count; the two ranges do not overlap. */
KERNEL(copy_f32) void copy_f32(const int32_t *args, int tid, int nthreads) {
  const int32_t *src = ARG_PTR(const int32_t, args, 0);
  int32_t *dst = ARG_PTR(int32_t, args, 1);
  const int count = args[2];
  int first, last;
  thread_chunks((count + CHUNK_WORDS - 1) / CHUNK_WORDS, tid, nthreads, &first, &last);
  const int begin = first * CHUNK_WORDS, end = imin(last * CHUNK_WORDS, count);
  int i = begin;
  for (; i + 4 <= end; i += 4) wasm_v128_store(dst + i, wasm_v128_load(src + i));
  for (; i < end; i++) dst[i] = src[i];
}

/*
 * args: out. out[tid] = the address of a local variable of this thread's call, i.e. a point inside the
 * stack of the instance it runs in.
 */
KERNEL(stack_probe) void stack_probe(const int32_t *args, int tid, int nthreads) {
  (void)nthreads;
  volatile int32_t local = tid;
  ARG_PTR(int32_t, args, 0)[tid] = (int32_t)(uintptr_t)&local;
}
