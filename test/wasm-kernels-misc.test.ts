/**
 * The wasm backend's float32 pooling, element-wise, sum and optimizer-step kernels against naive references
 * (float64 loops, or Math.fround loops doing the tensor ops' float32 operations), on random shapes with odd
 * sizes, padding, dilation, ceil mode, NaN and ±Infinity; and every kernel bit-identical for 1, 2 and 3
 * threads, by calling the export once per thread id, one after the other (the threads of a run write
 * disjoint outputs, so running them in turn gives what running them at once does).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AvgPoolDivisor, Pool2dGeometry } from '../src/backend/geometry.js';
import { pool2dGeometry } from '../src/backend/geometry.js';
import { loadModule } from '../src/backends/wasm/wasm-module.js';
import { f32bits } from '../src/backends/wasm/runtime.js';
import {
  avgPool2d,
  avgPool2dBackward,
  maxPool2d,
  maxPool2dBackward,
  poolGeometryWords,
} from '../src/backends/wasm/pool.js';
import { binary, broadcastBlocks, clamp, reluBackward, unary } from '../src/backends/wasm/elementwise.js';
import { reduce, sumBlocks } from '../src/backends/wasm/reduce.js';
import { adamStep, sgdStep } from '../src/backends/wasm/optim.js';
import type { AdamStepSpec, SgdStepSpec } from '../src/backend/backend.js';

/** A seeded generator of floats in [-1, 1). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  };
}

function randomArray(n: number, seed: number, specials = false): Float32Array {
  const next = random(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = next();
    out[i] = specials && r > 0.97 ? [NaN, Infinity, -Infinity, -0][i % 4]! : next() * 4;
  }
  return out;
}

/** Equal element by element, NaN equal to NaN and −0 distinct from +0. */
function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) {
      assert.fail(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
    }
  }
}

/** Within `tolerance` relative (absolute below 1), NaN matching NaN and infinities matching exactly. */
function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) || !Number.isFinite(e)) {
      assert.ok(Object.is(a, e), `${what}: element ${i} is ${a}, expected ${e}`);
    } else if (Math.abs(a - e) > tolerance * Math.max(1, Math.abs(e))) {
      assert.fail(`${what}: element ${i} is ${a}, expected ${e}`);
    }
  }
}

/** The module instantiated on its own, with its exports called directly for every thread id in turn. */
class DirectModule {
  private readonly exports: WebAssembly.Exports;
  private readonly memory: WebAssembly.Memory;
  private top: number;

  constructor() {
    const { module, memory } = loadModule();
    this.exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
    this.memory = memory;
    this.top = Math.ceil(((this.exports.__heap_base as WebAssembly.Global).value as number) / 16) * 16;
  }

  /** Copies `data` in; its byte offset. */
  put(data: Float32Array | Int32Array): number {
    const at = this.reserve(data.byteLength);
    new Uint8Array(this.memory.buffer, at, data.byteLength).set(
      new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
    return at;
  }

  reserve(bytes: number): number {
    const at = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    const missing = this.top - this.memory.buffer.byteLength;
    if (missing > 0) this.memory.grow(Math.ceil(missing / 65536));
    return at;
  }

  /** A float32 view of `length` values at `at` (copied). */
  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, at, length).slice();
  }

  i32(at: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, at, length).slice();
  }

  /** Runs `name` as `nthreads` threads would, thread ids 0 … nthreads − 1 one after the other. */
  run(name: string, args: readonly number[], nthreads: number): void {
    const argsAt = this.put(Int32Array.from(args));
    const kernel = this.exports[name] as (args: number, tid: number, nthreads: number) => void;
    for (let tid = 0; tid < nthreads; tid++) kernel(argsAt, tid, nthreads);
  }
}

/**
 * Runs a kernel on fresh inputs for 1, 2 and 3 threads and checks that every output region has the same bits.
 * `setup` puts the inputs and returns the argument words and the output regions (offset, length, int32?).
 */
function assertThreadInvariant(
  name: string,
  setup: (m: DirectModule) => { args: number[]; outputs: { at: number; length: number; int?: boolean }[] },
): void {
  let reference: (Float32Array | Int32Array)[] | null = null;
  for (const nthreads of [1, 2, 3]) {
    const m = new DirectModule();
    const { args, outputs } = setup(m);
    m.run(name, args, nthreads);
    const results = outputs.map((o) => (o.int === true ? m.i32(o.at, o.length) : m.f32(o.at, o.length)));
    const first: (Float32Array | Int32Array)[] = reference ?? results;
    reference = first;
    results.forEach((r, i) => {
      assertSameBits(r, first[i]!, `${name} with ${nthreads} threads, output ${i}`);
    });
  }
}

/** A naive max pooling: first maximum, first NaN, −∞ padding, index −1 for a window without taps. */
function naiveMaxPool(x: Float32Array, g: Pool2dGeometry): { values: number[]; indices: number[] } {
  const [H, W] = g.inputSize;
  const [oh, ow] = g.outputSize;
  const values: number[] = [];
  const indices: number[] = [];
  for (let c = 0; c < g.planes; c++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        let where = -1;
        for (let p = 0; p < g.kernelSize[0]; p++) {
          for (let q = 0; q < g.kernelSize[1]; q++) {
            const h = i * g.stride[0] - g.padding[0] + p * g.dilation[0];
            const w = j * g.stride[1] - g.padding[1] + q * g.dilation[1];
            if (h < 0 || h >= H || w < 0 || w >= W) continue;
            const v = x[c * H * W + h * W + w]!;
            if (where < 0 || (!Number.isNaN(best) && (v > best || Number.isNaN(v)))) {
              best = v;
              where = h * W + w;
            }
          }
        }
        values.push(best);
        indices.push(where);
      }
    }
  }
  return { values, indices };
}

/** A naive average pooling in float64 with PyTorch 1.13's divisors. */
function naiveAvgPool(x: Float32Array, g: Pool2dGeometry, d: AvgPoolDivisor): number[] {
  const [H, W] = g.inputSize;
  const [oh, ow] = g.outputSize;
  const out: number[] = [];
  for (let c = 0; c < g.planes; c++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const hs = i * g.stride[0] - g.padding[0];
        const ws = j * g.stride[1] - g.padding[1];
        const he = Math.min(hs + g.kernelSize[0], H + g.padding[0]);
        const we = Math.min(ws + g.kernelSize[1], W + g.padding[1]);
        const padded = (he - hs) * (we - ws);
        const [h0, h1, w0, w1] = [Math.max(hs, 0), Math.min(he, H), Math.max(ws, 0), Math.min(we, W)];
        let sum = 0;
        for (let h = h0; h < h1; h++) for (let w = w0; w < w1; w++) sum += x[c * H * W + h * W + w]!;
        const divisor = d.divisorOverride ?? (d.countIncludePad ? padded : (h1 - h0) * (w1 - w0));
        out.push(h0 < h1 && w0 < w1 ? sum / divisor : 0);
      }
    }
  }
  return out;
}

/** The adjoint of {@link naiveAvgPool}, in float64. */
function naiveAvgPoolBackward(grad: Float32Array, g: Pool2dGeometry, d: AvgPoolDivisor): Float64Array {
  const [H, W] = g.inputSize;
  const [oh, ow] = g.outputSize;
  const out = new Float64Array(g.planes * H * W);
  for (let c = 0, k = 0; c < g.planes; c++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++, k++) {
        const hs = i * g.stride[0] - g.padding[0];
        const ws = j * g.stride[1] - g.padding[1];
        const he = Math.min(hs + g.kernelSize[0], H + g.padding[0]);
        const we = Math.min(ws + g.kernelSize[1], W + g.padding[1]);
        const padded = (he - hs) * (we - ws);
        const [h0, h1, w0, w1] = [Math.max(hs, 0), Math.min(he, H), Math.max(ws, 0), Math.min(we, W)];
        const divisor = d.divisorOverride ?? (d.countIncludePad ? padded : (h1 - h0) * (w1 - w0));
        for (let h = h0; h < h1; h++)
          for (let w = w0; w < w1; w++) out[c * H * W + h * W + w]! += grad[k]! / divisor;
      }
    }
  }
  return out;
}

const POOLS: { name: string; g: Pool2dGeometry }[] = [
  ['2x2 s2 even', 5, [8, 12], [2, 2], [2, 2], [0, 0], [1, 1], false],
  ['2x2 s2 odd sizes', 3, [7, 13], [2, 2], [2, 2], [0, 0], [1, 1], false],
  ['2x2 s2 odd ceil', 3, [7, 9], [2, 2], [2, 2], [0, 0], [1, 1], true],
  ['3x3 s2 pad 1', 4, [9, 10], [3, 3], [2, 2], [1, 1], [1, 1], false],
  ['3x2 s1x2 pad 1x0 ceil', 2, [6, 11], [3, 2], [1, 2], [1, 0], [1, 1], true],
  ['3x3 s3 pad 1 ceil', 3, [10, 8], [3, 3], [3, 3], [1, 1], [1, 1], true],
  ['dilated 2x3 d2x2 pad 1', 3, [9, 11], [2, 3], [1, 2], [1, 1], [2, 2], false],
  ['1-D 1x3', 6, [1, 17], [1, 3], [1, 2], [0, 1], [1, 1], true],
  ['batch 1 1x1 plane', 1, [1, 1], [1, 1], [1, 1], [0, 0], [1, 1], false],
].map(([name, planes, inputSize, kernelSize, stride, padding, dilation, ceilMode]) => ({
  name: name as string,
  g: pool2dGeometry({
    planes: planes as number,
    inputSize: inputSize as [number, number],
    kernelSize: kernelSize as [number, number],
    stride: stride as [number, number],
    padding: padding as [number, number],
    dilation: dilation as [number, number],
    ceilMode: ceilMode as boolean,
  }),
}));

const DIVISORS: AvgPoolDivisor[] = [
  { countIncludePad: true, divisorOverride: null },
  { countIncludePad: false, divisorOverride: null },
  { countIncludePad: true, divisorOverride: 3 },
];

void describe('wasm pooling kernels', () => {
  for (const { name, g } of POOLS) {
    void it(`max pooling with indices, ${name}`, () => {
      const x = randomArray(g.planes * g.inputSize[0] * g.inputSize[1], 7, true);
      const { values, indices } = maxPool2d(x, g);
      const expected = naiveMaxPool(x, g);
      assertSameBits(values, Float32Array.from(expected.values), 'values');
      assertSameBits(indices, expected.indices, 'indices');
      const grad = randomArray(values.length, 8);
      const dx = maxPool2dBackward(grad, indices, g);
      const ref = new Float64Array(dx.length);
      const planeIn = g.inputSize[0] * g.inputSize[1];
      const planeOut = g.outputSize[0] * g.outputSize[1];
      indices.forEach((at, k) => {
        if (at >= 0) ref[Math.floor(k / planeOut) * planeIn + at]! += grad[k]!;
      });
      assertClose(dx, ref, 1e-6, 'max pooling gradient');
    });

    if (g.dilation[0] !== 1 || g.dilation[1] !== 1) continue;
    for (const d of DIVISORS) {
      void it(`average pooling, ${name}, countIncludePad ${d.countIncludePad}, override ${d.divisorOverride}`, () => {
        const x = randomArray(g.planes * g.inputSize[0] * g.inputSize[1], 9);
        assertClose(avgPool2d(x, g, d), naiveAvgPool(x, g, d), 1e-6, 'average pooling');
        const grad = randomArray(g.planes * g.outputSize[0] * g.outputSize[1], 10);
        assertClose(
          avgPool2dBackward(grad, g, d),
          naiveAvgPoolBackward(grad, g, d),
          1e-6,
          'average pooling gradient',
        );
      });
    }
  }

  void it('max pooling gradient scatters indices outside their own windows too', () => {
    const g = POOLS[0]!.g;
    const planeIn = g.inputSize[0] * g.inputSize[1];
    const planeOut = g.outputSize[0] * g.outputSize[1];
    const indices = Int32Array.from({ length: g.planes * planeOut }, (_, k) => (k * 7) % planeIn);
    const grad = randomArray(indices.length, 5);
    const ref = new Float64Array(g.planes * planeIn);
    indices.forEach((at, k) => {
      ref[Math.floor(k / planeOut) * planeIn + at]! += grad[k]!;
    });
    assertClose(maxPool2dBackward(grad, indices, g), ref, 1e-6, 'scattered gradient');
  });

  void it('treats the first of several NaN, and the first of equal maxima, as the maximum', () => {
    const g = pool2dGeometry({
      planes: 1,
      inputSize: [2, 2],
      kernelSize: [2, 2],
      stride: [2, 2],
      padding: [0, 0],
      dilation: [1, 1],
      ceilMode: false,
    });
    assert.deepEqual(maxPool2d(Float32Array.of(1, NaN, 5, NaN), g).indices, Int32Array.of(1));
    assert.deepEqual(maxPool2d(Float32Array.of(3, 1, 3, 3), g).indices, Int32Array.of(0));
    assert.deepEqual(
      maxPool2d(Float32Array.of(-Infinity, -Infinity, -Infinity, -Infinity), g).indices,
      Int32Array.of(0),
    );
  });

  for (const { name, g } of POOLS.slice(0, 6)) {
    void it(`pooling kernels are bit-identical for 1, 2 and 3 threads, ${name}`, () => {
      const inSize = g.planes * g.inputSize[0] * g.inputSize[1];
      const outSize = g.planes * g.outputSize[0] * g.outputSize[1];
      const words = poolGeometryWords(g);
      const divisor = [0, 0];
      assertThreadInvariant('max_pool2d_f32', (m) => {
        const [x, v, i] = [
          m.put(randomArray(inSize, 1, true)),
          m.reserve(outSize * 4),
          m.reserve(outSize * 4),
        ];
        return {
          args: [...words, x, v, i],
          outputs: [
            { at: v, length: outSize },
            { at: i, length: outSize, int: true },
          ],
        };
      });
      assertThreadInvariant('max_pool2d_backward_f32', (m) => {
        const indices = maxPool2d(randomArray(inSize, 1), g).indices;
        const [gr, ix, o] = [m.put(randomArray(outSize, 2)), m.put(indices), m.reserve(inSize * 4)];
        return { args: [...words, gr, ix, o], outputs: [{ at: o, length: inSize }] };
      });
      assertThreadInvariant('avg_pool2d_f32', (m) => {
        const [x, o] = [m.put(randomArray(inSize, 3)), m.reserve(outSize * 4)];
        return { args: [...words, ...divisor, x, o], outputs: [{ at: o, length: outSize }] };
      });
      assertThreadInvariant('avg_pool2d_backward_f32', (m) => {
        const [gr, o] = [m.put(randomArray(outSize, 4)), m.reserve(inSize * 4)];
        return { args: [...words, ...divisor, gr, o], outputs: [{ at: o, length: inSize }] };
      });
    });
  }
});

/** PyTorch's round: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const UNARY_REFERENCES: Record<string, (x: number) => number> = {
  relu: (x) => (x > 0 || x !== x ? x : 0),
  neg: (x) => -x,
  abs: Math.abs,
  sqrt: Math.sqrt,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
};

void describe('wasm element-wise kernels', () => {
  const x = randomArray(1031, 11, true);
  x.set([0.5, 1.5, 2.5, -0.5, -2.5, -0, 0, 3.5], 0);
  for (const [op, f] of Object.entries(UNARY_REFERENCES)) {
    void it(`unary ${op} equals the reference bit for bit`, () => {
      assertSameBits(unary(op as 'relu', x), Float32Array.from(x, f), op);
    });
  }

  const BINARY_REFERENCES: Record<string, (a: number, b: number) => number> = {
    add: (a, b) => a + b,
    sub: (a, b) => a - b,
    mul: (a, b) => a * b,
    div: (a, b) => a / b,
    maximum: (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b),
    minimum: (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b),
  };

  /** The reference of a numpy-broadcast binary op. */
  function naiveBinary(
    f: (a: number, b: number) => number,
    a: Float32Array,
    as: number[],
    b: Float32Array,
    bs: number[],
    os: number[],
  ): Float32Array {
    const size = os.reduce((p, d) => p * d, 1);
    const out = new Float32Array(size);
    const index = (shape: number[], coord: number[]): number => {
      let at = 0;
      shape.forEach((d, i) => {
        at = at * d + (d === 1 ? 0 : coord[coord.length - shape.length + i]!);
      });
      return at;
    };
    for (let k = 0; k < size; k++) {
      const coord: number[] = [];
      let rest = k;
      for (let d = os.length - 1; d >= 0; d--) {
        coord.unshift(rest % os[d]!);
        rest = Math.floor(rest / os[d]!);
      }
      out[k] = f(a[index(as, coord)]!, b[index(bs, coord)]!);
    }
    return out;
  }

  const BROADCASTS: [number[], number[], number[]][] = [
    [
      [5, 7, 3],
      [5, 7, 3],
      [5, 7, 3],
    ],
    [[37], [1], [37]],
    [[1], [3, 11], [3, 11]],
    [
      [4, 6, 5, 3],
      [1, 6, 1, 1],
      [4, 6, 5, 3],
    ],
    [
      [9, 13],
      [1, 13],
      [9, 13],
    ],
    [
      [1, 13],
      [9, 13],
      [9, 13],
    ],
    [
      [3, 1, 7],
      [3, 5, 1],
      [3, 5, 7],
    ],
    [
      [2, 1, 5],
      [1, 4, 1],
      [2, 4, 5],
    ],
    [
      [6, 5],
      [6, 1],
      [6, 5],
    ],
    [[], [], []],
  ];
  for (const [op, f] of Object.entries(BINARY_REFERENCES)) {
    void it(`binary ${op} with broadcasting equals the reference bit for bit`, () => {
      BROADCASTS.forEach(([as, bs, os], n) => {
        const a = randomArray(
          as.reduce((p, d) => p * d, 1),
          20 + n,
          true,
        );
        const b = randomArray(
          bs.reduce((p, d) => p * d, 1),
          40 + n,
          true,
        );
        if (b.length > 2) b.set([0, -0], 0);
        if (a.length > 2) a.set([-0, 0], 0);
        const got = binary(op as 'add', a, as, b, bs, os);
        assertSameBits(got, naiveBinary(f, a, as, b, bs, os), `${op} ${JSON.stringify([as, bs])}`);
      });
    });
  }

  void it('folds broadcasts into at most three blocks', () => {
    assert.deepEqual(broadcastBlocks([64, 32, 28, 28], [1, 32, 1, 1], [64, 32, 28, 28]), {
      sizes: [64, 32, 784],
      aStrides: [25088, 784, 1],
      bStrides: [0, 1, 0],
    });
    assert.equal(broadcastBlocks([2, 1, 2, 1], [1, 2, 1, 2], [2, 2, 2, 2]), null);
  });

  void it('clamp and reluBackward equal the js formulas bit for bit', () => {
    const v = randomArray(1000, 12, true);
    const expect = (lo: number, hi: number): Float32Array =>
      Float32Array.from(v, (x) => {
        const above = x < lo ? lo : x;
        return above > hi ? hi : above;
      });
    for (const [lo, hi] of [
      [-1, 1],
      [0, Infinity],
      [-Infinity, 0.25],
      [2, -2],
      [0, 0],
    ] as const) {
      assertSameBits(clamp(v, lo, hi), expect(Math.fround(lo), Math.fround(hi)), `clamp ${lo} ${hi}`);
    }
    const grad = randomArray(1000, 13, true);
    assertSameBits(
      reluBackward(grad, v),
      Float32Array.from(grad, (g, i) => (v[i]! > 0 ? g : 0)),
      'reluBackward',
    );
  });

  void it('element-wise kernels are bit-identical for 1, 2 and 3 threads', () => {
    const n = 50001;
    for (let op = 0; op < 7; op++) {
      assertThreadInvariant('unary_f32', (m) => {
        const [xa, o] = [m.put(randomArray(n, 14, true)), m.reserve(n * 4)];
        return { args: [op, xa, o, n], outputs: [{ at: o, length: n }] };
      });
    }
    for (let op = 0; op < 6; op++) {
      assertThreadInvariant('binary_f32', (m) => {
        const [a, b, o] = [m.put(randomArray(n, 15, true)), m.put(randomArray(7, 16)), m.reserve(n * 4)];
        return {
          args: [op, a, b, o, 3, 7, 2381, 7 * 2381, 2381, 1, 0, 1, 0],
          outputs: [{ at: o, length: n }],
        };
      });
    }
    assertThreadInvariant('clamp_f32', (m) => {
      const [xa, o] = [m.put(randomArray(n, 17, true)), m.reserve(n * 4)];
      return { args: [xa, o, n, f32bits(-0.5), f32bits(0.5)], outputs: [{ at: o, length: n }] };
    });
    assertThreadInvariant('relu_backward_f32', (m) => {
      const [g, y, o] = [m.put(randomArray(n, 18)), m.put(randomArray(n, 19, true)), m.reserve(n * 4)];
      return { args: [g, y, o, n], outputs: [{ at: o, length: n }] };
    });
  });
});

void describe('wasm sums', () => {
  /** A float64 sum over `axes`. */
  function naiveSum(x: Float32Array, shape: number[], axes: number[]): Float64Array {
    const keptShape = shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const out = new Float64Array(keptShape.reduce((p, d) => p * d, 1));
    for (let k = 0; k < x.length; k++) {
      let rest = k;
      let at = 0;
      let scale = 1;
      for (let d = shape.length - 1; d >= 0; d--) {
        const c = rest % shape[d]!;
        rest = Math.floor(rest / shape[d]!);
        if (!axes.includes(d)) at += c * scale;
        scale *= keptShape[d]!;
      }
      out[at]! += x[k]!;
    }
    return out;
  }

  const CASES: [number[], number[]][] = [
    [[64, 128], [0]],
    [[33, 70], [0]],
    [
      [7, 5, 13],
      [0, 2],
    ],
    [[5, 9, 3], [2]],
    [
      [4, 1, 6, 7],
      [0, 1],
    ],
    [
      [11, 19],
      [0, 1],
    ],
    [
      [3, 4, 5],
      [1, 2],
    ],
    [[5], [0]],
    [[2, 1, 3], [1]],
  ];
  for (const [shape, axes] of CASES) {
    void it(`sum of ${JSON.stringify(shape)} over ${JSON.stringify(axes)}`, () => {
      const x = randomArray(
        shape.reduce((p, d) => p * d, 1),
        30,
      );
      assertClose(reduce('sum', x, shape, axes), naiveSum(x, shape, axes), 1e-6, 'sum');
    });
  }

  void it('takes reduced leading and trailing blocks only; propagates NaN and infinities', () => {
    assert.deepEqual(sumBlocks([64, 32, 28, 28], [0, 2, 3]), [64, 32, 784]);
    assert.equal(sumBlocks([3, 4, 5], [1]), null);
    const got = reduce('sum', Float32Array.of(1, NaN, Infinity, 2, 3, 4, -Infinity, Infinity), [2, 4], [0]);
    assertSameBits(got, Float32Array.of(4, NaN, NaN, Infinity), 'special sums');
  });

  void it('sums are bit-identical for 1, 2 and 3 threads', () => {
    const views: [number, number, number][] = [
      [40, 1000, 1],
      [9, 30, 257],
      [1, 7, 1000],
    ];
    for (const [outer, kept, inner] of views) {
      assertThreadInvariant('sum_f32', (m) => {
        const [xa, o] = [m.put(randomArray(outer * kept * inner, 31)), m.reserve(kept * 4)];
        return { args: [xa, o, outer, kept, inner], outputs: [{ at: o, length: kept }] };
      });
    }
  });
});

void describe('wasm optimizer steps', () => {
  const f = Math.fround;

  /** SGD by the tensor ops' float32 operations. */
  function naiveSgd(
    p: Float32Array,
    g: Float32Array,
    b: Float32Array | null,
    first: boolean,
    s: SgdStepSpec,
  ): void {
    for (let i = 0; i < p.length; i++) {
      let d = s.maximize ? -g[i]! : g[i]!;
      if (s.weightDecay !== 0) d = f(d + f(f(s.weightDecay) * p[i]!));
      if (b !== null) {
        b[i] = first ? d : f(f(b[i]! * f(s.momentum)) + f(f(1 - s.dampening) * d));
        d = s.nesterov ? f(d + f(f(s.momentum) * b[i]!)) : b[i]!;
      }
      p[i] = f(p[i]! + f(f(-s.lr) * d));
    }
  }

  /** Adam by the tensor ops' float32 operations. */
  function naiveAdam(
    p: Float32Array,
    g0: Float32Array,
    m: Float32Array,
    v: Float32Array,
    vmax: Float32Array | null,
    s: AdamStepSpec,
  ): void {
    const c = {
      bc2: f(Math.sqrt(1 - s.beta2 ** s.step)),
      step: f(-(s.lr / (1 - s.beta1 ** s.step))),
    };
    for (let i = 0; i < p.length; i++) {
      let g = s.maximize ? -g0[i]! : g0[i]!;
      if (s.decoupled) p[i] = f(p[i]! * f(1 - s.lr * s.weightDecay));
      else if (s.weightDecay !== 0) g = f(g + f(f(s.weightDecay) * p[i]!));
      m[i] = f(f(m[i]! * f(s.beta1)) + f(f(1 - s.beta1) * g));
      v[i] = f(f(v[i]! * f(s.beta2)) + f(f(1 - s.beta2) * f(g * g)));
      let second = v[i]!;
      if (vmax !== null) second = vmax[i] = Math.max(vmax[i]!, v[i]!);
      const denom = f(f(f(Math.sqrt(second)) / c.bc2) + f(s.eps));
      p[i] = f(p[i]! + f(c.step * f(m[i]! / denom)));
    }
  }

  const SGD_SPECS: [SgdStepSpec, boolean, boolean][] = [
    [{ lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false }, false, false],
    [
      { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 1e-4, nesterov: false, maximize: false },
      true,
      true,
    ],
    [
      { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0, nesterov: false, maximize: true },
      true,
      false,
    ],
    [
      { lr: 0.01, momentum: 0.8, dampening: 0, weightDecay: 0.01, nesterov: true, maximize: false },
      true,
      false,
    ],
  ];
  SGD_SPECS.forEach(([spec, withBuffer, first], n) => {
    void it(`sgdStep ${JSON.stringify(spec)} first ${first}`, () => {
      const size = 1027;
      const [p, g, b] = [randomArray(size, 50 + n), randomArray(size, 60 + n), randomArray(size, 70 + n)];
      const [rp, rb] = [p.slice(), b.slice()];
      sgdStep(p, g, withBuffer ? b : null, first, spec);
      naiveSgd(rp, g, withBuffer ? rb : null, first, spec);
      assertClose(p, rp, 1e-6, 'param');
      assertClose(b, rb, 1e-6, 'buffer');
    });
  });

  const ADAM_SPECS: AdamStepSpec[] = [
    {
      lr: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0,
      decoupled: false,
      amsgrad: false,
      maximize: false,
      step: 1,
    },
    {
      lr: 1e-2,
      beta1: 0.8,
      beta2: 0.99,
      eps: 1e-6,
      weightDecay: 0.1,
      decoupled: false,
      amsgrad: true,
      maximize: false,
      step: 7,
    },
    {
      lr: 1e-3,
      beta1: 0.9,
      beta2: 0.999,
      eps: 1e-8,
      weightDecay: 0.01,
      decoupled: true,
      amsgrad: false,
      maximize: true,
      step: 3,
    },
    {
      lr: 3e-4,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-8,
      weightDecay: 0.05,
      decoupled: true,
      amsgrad: true,
      maximize: false,
      step: 100,
    },
  ];
  ADAM_SPECS.forEach((spec, n) => {
    void it(`adamStep ${JSON.stringify(spec)}`, () => {
      const size = 1029;
      const p = randomArray(size, 80 + n);
      const g = randomArray(size, 90 + n);
      const m = randomArray(size, 100 + n);
      const v = Float32Array.from(randomArray(size, 110 + n), Math.abs);
      const vmax = Float32Array.from(randomArray(size, 120 + n), Math.abs);
      const [rp, rm, rv, rmax] = [p.slice(), m.slice(), v.slice(), vmax.slice()];
      adamStep(p, g, m, v, spec.amsgrad ? vmax : null, spec);
      naiveAdam(rp, g, rm, rv, spec.amsgrad ? rmax : null, spec);
      for (const [got, want, what] of [
        [p, rp, 'param'],
        [m, rm, 'expAvg'],
        [v, rv, 'expAvgSq'],
        [vmax, rmax, 'maxExpAvgSq'],
      ] as const) {
        assertClose(got, want, 1e-6, what);
      }
    });
  });

  void it('optimizer steps are bit-identical for 1, 2 and 3 threads', () => {
    const n = 40003;
    assertThreadInvariant('sgd_step_f32', (m) => {
      const [p, g, b] = [m.put(randomArray(n, 1)), m.put(randomArray(n, 2)), m.put(randomArray(n, 3))];
      const args = [p, g, b, n, 2 | 4 | 16, f32bits(1e-4), f32bits(0.9), f32bits(1), f32bits(-0.05)];
      return {
        args,
        outputs: [
          { at: p, length: n },
          { at: b, length: n },
        ],
      };
    });
    assertThreadInvariant('adam_step_f32', (m) => {
      const [p, g, e, v, w] = [1, 2, 3, 4, 5].map((s) =>
        m.put(Float32Array.from(randomArray(n, s), Math.abs)),
      );
      const scalars = [
        0.01,
        1 - 1e-5,
        0.9,
        0.1,
        0.999,
        0.001,
        Math.sqrt(1 - 0.999 ** 3),
        1e-8,
        -1e-3 / (1 - 0.9 ** 3),
      ];
      const args = [p!, g!, e!, v!, w!, n, 4 | 8, ...scalars.map(f32bits)];
      return { args, outputs: [p!, e!, v!, w!].map((at) => ({ at, length: n })) };
    });
  });
});
