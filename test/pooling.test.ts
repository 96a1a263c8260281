import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, F, ShapeError, gradcheck, randn, tensor } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { fixtureSuite } from './helpers/fixtures.js';
import type { Runner } from './helpers/fixtures.js';

type Pool = (x: Tensor, kernelSize: number | number[], options?: Record<string, unknown>) => Tensor;
type Adaptive = (x: Tensor, outputSize: number | (number | null)[]) => Tensor;

const windowed =
  (f: Pool): Runner =>
  ([x], [kernelSize], options) =>
    f(x!, kernelSize as number | number[], options);
const adaptive =
  (f: Adaptive): Runner =>
  ([x], [outputSize]) =>
    f(x!, outputSize as number | (number | null)[]);

fixtureSuite('pooling', {
  maxPool1d: windowed(F.maxPool1d),
  maxPool2d: windowed(F.maxPool2d),
  avgPool1d: windowed(F.avgPool1d),
  avgPool2d: windowed(F.avgPool2d),
  adaptiveAvgPool1d: adaptive(F.adaptiveAvgPool1d as Adaptive),
  adaptiveAvgPool2d: adaptive(F.adaptiveAvgPool2d),
});

void describe('pooling seed example', () => {
  void it('2×2 max pooling of the seed input is [[5, 6], [8, 9]]', () => {
    const x = tensor([
      [1, 2, 3, 0],
      [4, 5, 6, 1],
      [7, 8, 9, 2],
      [0, 1, 2, 3],
    ]).reshape([1, 1, 4, 4]);
    assert.deepEqual(F.maxPool2d(x, 2).toArray(), [
      [
        [
          [5, 6],
          [8, 9],
        ],
      ],
    ]);
  });

  void it('a dilated window that holds only padding gives −∞ and passes no gradient, as in PyTorch', () => {
    const x = tensor([[[0.5, -1]]], undefined, { requiresGrad: true });
    const out = F.maxPool1d(x, 2, { stride: 1, padding: 1, dilation: 3 });
    assert.deepEqual(out.toArray(), [[[-Infinity]]]);
    out.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[[0, 0]]]);
  });

  void it('an empty batch gives an empty output', () => {
    assert.deepEqual(F.maxPool2d(randn([0, 2, 5, 5]), 2).shape, [0, 2, 2, 2]);
    assert.deepEqual(F.avgPool1d(randn([0, 2, 5]), 2).shape, [0, 2, 2]);
    assert.deepEqual(F.adaptiveAvgPool2d(randn([0, 2, 5, 5]), 3).shape, [0, 2, 3, 3]);
  });
});

void describe('pooling gradcheck (float64)', () => {
  const cases: [string, number[], (t: Tensor) => Tensor][] = [
    ['maxPool1d', [2, 3, 10], (t) => F.maxPool1d(t, 3, { stride: 2, padding: 1, ceilMode: true })],
    ['maxPool1d dilated', [3, 11], (t) => F.maxPool1d(t, 2, { stride: 1, dilation: 3 })],
    [
      'maxPool2d',
      [2, 2, 7, 6],
      (t) => F.maxPool2d(t, [3, 2], { stride: [2, 1], padding: [1, 1], dilation: [1, 2], ceilMode: true }),
    ],
    ['maxPool2d overlapping windows', [1, 2, 5, 5], (t) => F.maxPool2d(t, 3, { stride: 1 })],
    ['avgPool1d', [2, 3, 10], (t) => F.avgPool1d(t, 4, { stride: 3, padding: 2, ceilMode: true })],
    ['avgPool1d divisorOverride', [3, 9], (t) => F.avgPool1d(t, 3, { stride: 2, divisorOverride: 5 })],
    [
      'avgPool2d',
      [2, 2, 7, 6],
      (t) => F.avgPool2d(t, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }),
    ],
    [
      'avgPool2d divisorOverride',
      [2, 5, 6],
      (t) => F.avgPool2d(t, [2, 3], { stride: 1, divisorOverride: 4 }),
    ],
    ['adaptiveAvgPool1d', [2, 3, 9], (t) => F.adaptiveAvgPool1d(t, 4)],
    ['adaptiveAvgPool2d', [2, 2, 7, 6], (t) => F.adaptiveAvgPool2d(t, [3, 4])],
    ['adaptiveAvgPool2d larger, without batch', [2, 3, 4], (t) => F.adaptiveAvgPool2d(t, [5, null])],
  ];
  for (const [name, shape, fn] of cases) {
    void it(name, () => {
      const input = randn(shape, { dtype: 'float64', seed: 11 }).requiresGrad_();
      assert.equal(gradcheck(fn, [input]), true);
    });
  }
});

void describe('pooling bad input', () => {
  const x1 = randn([2, 3, 8]);
  const x2 = randn([2, 3, 8, 8]);
  const ints1 = tensor([[[1, 2, 3, 4]]], undefined, { dtype: 'int32' });
  const ints2 = tensor(
    [
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ],
    undefined,
    { dtype: 'int32' },
  );
  const bad = (v: unknown): never => v as never;
  const cases: [string, () => unknown, new (...args: never[]) => Error][] = [];
  const windowedOps: [string, Pool, Tensor, Tensor, number][] = [
    ['maxPool1d', F.maxPool1d, x1, ints1, 1],
    ['maxPool2d', F.maxPool2d, x2, ints2, 2],
    ['avgPool1d', F.avgPool1d, x1, ints1, 1],
    ['avgPool2d', F.avgPool2d, x2, ints2, 2],
  ];
  for (const [name, f, x, ints, d] of windowedOps) {
    cases.push(
      [`${name} of a non-tensor`, () => f(bad([1, 2, 3]), 2), ArgumentError],
      [`${name} of a ${d}-D tensor`, () => f(randn(new Array<number>(d).fill(6)), 2), ShapeError],
      [`${name} of a ${d + 3}-D tensor`, () => f(randn(new Array<number>(d + 3).fill(4)), 2), ShapeError],
      [`${name} with zero channels`, () => f(randn([2, 0, ...new Array<number>(d).fill(6)]), 2), ShapeError],
      [`${name} of integers`, () => f(ints, 1), DTypeError],
      [`${name} with kernel 0`, () => f(x, 0), ArgumentError],
      [`${name} with a fractional kernel`, () => f(x, 1.5), ArgumentError],
      [`${name} with ${d + 1} kernel sizes`, () => f(x, new Array<number>(d + 1).fill(2)), ArgumentError],
      [`${name} with stride 0`, () => f(x, 2, { stride: 0 }), ArgumentError],
      [`${name} with negative padding`, () => f(x, 2, { padding: -1 }), ArgumentError],
      [`${name} with padding over half the kernel`, () => f(x, 3, { padding: 2 }), ArgumentError],
      [`${name} with a kernel larger than the input`, () => f(x, 9), ShapeError],
      [`${name} with a string ceilMode`, () => f(x, 2, { ceilMode: 'yes' }), ArgumentError],
    );
  }
  cases.push(
    ['maxPool1d with dilation 0', () => F.maxPool1d(x1, 2, { dilation: 0 }), ArgumentError],
    ['maxPool2d with dilation [1, -1]', () => F.maxPool2d(x2, 2, { dilation: [1, -1] }), ArgumentError],
    [
      'maxPool2d padding is measured against the kernel, not the dilated kernel (PyTorch 1.13)',
      () => F.maxPool2d(x2, 3, { dilation: 2, padding: 2 }),
      ArgumentError,
    ],
    ['maxPool2d with a dilated window too large', () => F.maxPool2d(x2, 3, { dilation: 4 }), ShapeError],
    ['avgPool1d with divisorOverride 0', () => F.avgPool1d(x1, 2, { divisorOverride: 0 }), ArgumentError],
    ['avgPool2d with divisorOverride 0', () => F.avgPool2d(x2, 2, { divisorOverride: 0 }), ArgumentError],
    ['avgPool2d with divisorOverride 1.5', () => F.avgPool2d(x2, 2, { divisorOverride: 1.5 }), ArgumentError],
    [
      'avgPool2d with a boolean countIncludePad string',
      () => F.avgPool2d(x2, 2, { countIncludePad: bad('no') }),
      ArgumentError,
    ],
  );
  const adaptiveOps: [string, Adaptive, Tensor, Tensor, number][] = [
    ['adaptiveAvgPool1d', F.adaptiveAvgPool1d as Adaptive, x1, ints1, 1],
    ['adaptiveAvgPool2d', F.adaptiveAvgPool2d, x2, ints2, 2],
  ];
  for (const [name, f, x, ints, d] of adaptiveOps) {
    cases.push(
      [`${name} of a non-tensor`, () => f(bad({}), 2), ArgumentError],
      [`${name} of a ${d}-D tensor`, () => f(randn(new Array<number>(d).fill(6)), 2), ShapeError],
      [`${name} of a ${d + 3}-D tensor`, () => f(randn(new Array<number>(d + 3).fill(3)), 2), ShapeError],
      [
        `${name} with an empty spatial dim`,
        () => f(randn([1, 2, ...new Array<number>(d).fill(0)]), 2),
        ShapeError,
      ],
      [`${name} of integers`, () => f(ints, 1), DTypeError],
      [`${name} to a negative size`, () => f(x, -1), ArgumentError],
      [`${name} to a fractional size`, () => f(x, 2.5), ArgumentError],
      [`${name} with ${d + 1} sizes`, () => f(x, new Array<number>(d + 1).fill(2)), ArgumentError],
      [`${name} with a string size`, () => f(x, bad('2')), ArgumentError],
    );
  }
  for (const [name, call, error] of cases) {
    void it(name, () => {
      assert.throws(call, error);
    });
  }

  void it('errors name the op, the argument and the shapes', () => {
    assert.throws(
      () => F.maxPool2d(randn([1, 1, 2, 2]), 3),
      (e: unknown) =>
        e instanceof ShapeError &&
        e.op === 'maxPool2d' &&
        e.argument === 'input' &&
        e.message.includes('[1, 1, 2, 2]') &&
        e.message.includes('Output size is too small'),
    );
    assert.throws(
      () => F.avgPool1d(x1, 3, { padding: 2 }),
      (e: unknown) =>
        e instanceof ArgumentError &&
        e.argument === 'padding' &&
        e.message.includes('at most half of kernel size'),
    );
  });
});
