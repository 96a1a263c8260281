/**
 * The wasm backend's gemm against the js backend's on random products: sizes that are and are not multiples
 * of the 4 × 8 register tile, of the 8-column B slivers and of the k blocks (256 steps), m blocks (64 rows) and
 * n blocks (256 columns), k = 0, empty results, batches with shared (stride 0) operands, every transA/transB
 * combination, and the dtypes that are delegated to the js gemm; and the kernel's bits for 1, 2 and 3 threads.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { GemmSpec } from '../src/backend/backend.js';
import { gemm as jsGemm } from '../src/backends/js/gemm.js';
import { GEMM_SCRATCH_BYTES, gemm as wasmGemm } from '../src/backends/wasm/gemm.js';
import type { TypedArray } from '../src/index.js';
import { assertAllClose } from './helpers/close.js';
import { KernelInstance } from './helpers/wasm-threads.js';

/** Deterministic values in [-1, 1) from a linear congruential generator. */
function randomValues(length: number, seed: number): number[] {
  let state = seed >>> 0 || 1;
  return Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

interface Case {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** Operands shared by the whole batch (batch stride 0). */
  sharedA?: boolean;
  sharedB?: boolean;
}

function specFor(
  c: Case,
  transA: boolean,
  transB: boolean,
  make: (values: number[]) => TypedArray,
): GemmSpec {
  const aMatrices = c.sharedA ? 1 : c.batch;
  const bMatrices = c.sharedB ? 1 : c.batch;
  return {
    a: make(randomValues(aMatrices * c.m * c.k, 7 * c.m + c.k)),
    b: make(randomValues(bMatrices * c.k * c.n, 11 * c.n + c.k)),
    batch: c.batch,
    m: c.m,
    k: c.k,
    n: c.n,
    transA,
    transB,
    aBatchStride: c.sharedA ? 0 : c.m * c.k,
    bBatchStride: c.sharedB ? 0 : c.k * c.n,
  };
}

/** |C| ≤ Σ_p |A(i, p)| |B(p, j)| ≤ k for values in [-1, 1): float32 sums of k products stay within ~k·2⁻²⁰. */
function toleranceFor(k: number): { rtol: number; atol: number } {
  return { rtol: 1e-5, atol: 1e-6 * Math.max(1, k) };
}

const cases: Case[] = [
  { batch: 1, m: 1, k: 1, n: 1 },
  { batch: 1, m: 4, k: 3, n: 8 },
  { batch: 1, m: 3, k: 5, n: 7 },
  { batch: 1, m: 13, k: 17, n: 19 },
  { batch: 1, m: 9, k: 300, n: 10 },
  { batch: 1, m: 6, k: 600, n: 24 },
  { batch: 1, m: 5, k: 20, n: 530 },
  { batch: 1, m: 33, k: 1, n: 65 },
  { batch: 3, m: 5, k: 6, n: 9 },
  { batch: 4, m: 7, k: 5, n: 11, sharedB: true },
  { batch: 3, m: 6, k: 9, n: 4, sharedA: true },
  { batch: 2, m: 4, k: 8, n: 8, sharedA: true, sharedB: true },
];

const name = (c: Case, transA: boolean, transB: boolean): string =>
  `batch ${c.batch}${c.sharedA ? ' (A shared)' : ''}${c.sharedB ? ' (B shared)' : ''}, ` +
  `${c.m}×${c.k}×${c.n}${transA ? ', transA' : ''}${transB ? ', transB' : ''}`;

void describe('wasm gemm matches the js gemm (float32)', () => {
  for (const c of cases) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        void it(name(c, transA, transB), () => {
          const spec = specFor(c, transA, transB, (v) => Float32Array.from(v));
          const actual = wasmGemm(spec);
          assert.ok(actual instanceof Float32Array);
          assertAllClose(actual, jsGemm(spec), toleranceFor(c.k));
        });
      }
    }
  }

  void it('returns zeros for k = 0 and an empty array for an empty result', () => {
    for (const transA of [false, true]) {
      const zeroK = specFor({ batch: 2, m: 3, k: 0, n: 5 }, transA, !transA, (v) => Float32Array.from(v));
      assert.deepEqual(wasmGemm(zeroK), new Float32Array(30));
    }
    for (const c of [
      { batch: 0, m: 3, k: 4, n: 5 },
      { batch: 2, m: 0, k: 4, n: 5 },
      { batch: 2, m: 3, k: 4, n: 0 },
    ]) {
      assert.deepEqual(wasmGemm(specFor(c, false, false, (v) => Float32Array.from(v))), new Float32Array(0));
    }
  });

  void it('reads only the operands, and returns a fresh array each call', () => {
    const spec = specFor({ batch: 2, m: 5, k: 6, n: 7 }, true, false, (v) => Float32Array.from(v));
    const a = spec.a.slice();
    const b = spec.b.slice();
    const first = wasmGemm(spec);
    const second = wasmGemm(spec);
    assert.notEqual(first, second);
    assert.deepEqual(first, second);
    assert.deepEqual(spec.a, a);
    assert.deepEqual(spec.b, b);
  });

  void it('sums the same k steps after a larger product grew the scratch memory', () => {
    const small = specFor({ batch: 1, m: 9, k: 7, n: 13 }, false, true, (v) => Float32Array.from(v));
    const before = wasmGemm(small);
    wasmGemm(specFor({ batch: 2, m: 300, k: 400, n: 200 }, false, false, (v) => Float32Array.from(v)));
    assert.deepEqual(wasmGemm(small), before);
  });
});

void describe('wasm gemm_f32 gives the same bits on 1, 2 and 3 threads', () => {
  const instance = new KernelInstance();
  for (const c of [
    { batch: 2, m: 70, k: 300, n: 270 },
    { batch: 1, m: 130, k: 17, n: 9 },
    { batch: 1, m: 600, k: 5, n: 12 },
    { batch: 3, m: 5, k: 6, n: 520, sharedA: true },
    // One chunk by the usual sizes, cut into four: a linear layer's forward product (fc1 of the bench CNN).
    { batch: 1, m: 64, k: 3136, n: 128 },
  ]) {
    void it(name(c, true, false), () => {
      const spec = specFor(c, true, false, (v) => Float32Array.from(v));
      const results = [1, 2, 3].map((threads) => {
        instance.reset();
        const aAt = instance.put(spec.a as Float32Array);
        const bAt = instance.put(spec.b as Float32Array);
        const cAt = instance.reserve(c.batch * c.m * c.n * 4);
        const scratch = instance.reserve(3 * GEMM_SCRATCH_BYTES);
        const args = [aAt, bAt, cAt, c.batch, c.m, c.k, c.n, 1, 0, spec.aBatchStride, spec.bBatchStride];
        instance.run('gemm_f32', [...args, scratch, GEMM_SCRATCH_BYTES], threads);
        return instance.read(cAt, c.batch * c.m * c.n);
      });
      assertAllClose(results[0]!, jsGemm(spec), toleranceFor(c.k));
      assert.deepEqual(results[1], results[0]);
      assert.deepEqual(results[2], results[0]);
    });
  }
});

void describe('wasm gemm delegates other dtypes to the js gemm', () => {
  for (const [dtype, make] of [
    ['float64', (v: number[]) => Float64Array.from(v)],
    ['int32', (v: number[]) => Int32Array.from(v, (x) => Math.round(10 * x))],
  ] as const) {
    void it(dtype, () => {
      const spec = specFor({ batch: 2, m: 5, k: 9, n: 6, sharedB: true }, true, false, make);
      const actual = wasmGemm(spec);
      assert.equal(actual.constructor, make([]).constructor);
      assert.deepEqual(actual, jsGemm(spec));
    });
  }
});
