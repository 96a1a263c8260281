import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  DTypeError,
  ShapeError,
  argmax,
  argmin,
  gradcheck,
  max,
  mean,
  min,
  randn,
  sum,
  tensor,
  zeros,
} from '../src/index.js';
import type { ReduceOptions, Tensor } from '../src/index.js';
import * as reduction from '../src/ops/reduction.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { fixtureSuite } from './helpers/fixtures.js';
import type { Runner } from './helpers/fixtures.js';

const reducer =
  (f: (x: Tensor, options?: ReduceOptions) => Tensor): Runner =>
  ([x], _args, options) =>
    f(x!, options);

fixtureSuite('reduction', {
  sum: reducer(sum),
  mean: reducer(mean),
  max: reducer(max),
  min: reducer(min),
  argmax: reducer((x, options) => argmax(x, options as { dim?: number })),
  argmin: reducer((x, options) => argmin(x, options as { dim?: number })),
});

void describe('reduction gradcheck (float64)', () => {
  const dims: [string, ReduceOptions][] = [
    ['all dims', {}],
    ['dim 1', { dim: 1 }],
    ['dims [0, 2] keepDim', { dim: [0, 2], keepDim: true }],
    ['dim -1', { dim: -1 }],
  ];
  const ops: [string, (x: Tensor, options?: ReduceOptions) => Tensor][] = [
    ['sum', sum],
    ['mean', mean],
    ['max', max],
    ['min', min],
  ];
  for (const [op, f] of ops) {
    for (const [name, options] of dims) {
      void it(`${op}: ${name}`, () => {
        const x = randn([2, 3, 4], { dtype: 'float64', seed: 11 }).requiresGrad_();
        assert.equal(
          gradcheck((t) => f(t, options), [x]),
          true,
        );
      });
    }
  }
});

void describe('reduction semantics', () => {
  void it('max and min propagate NaN (its row gets a NaN gradient, as PyTorch); argmax and argmin pick it', () => {
    const x = tensor(
      [
        [1, NaN, 3],
        [4, 5, 6],
      ],
      undefined,
      { requiresGrad: true },
    );
    const out = max(x, { dim: 1 });
    assert.deepEqual([...out.data], [NaN, 6]);
    out.sum().backward();
    assert.deepEqual([...x.grad!.data], [NaN, NaN, NaN, 0, 0, 1]);
    assert.deepEqual([...min(x, { dim: 1 }).data], [NaN, 4]);
    assert.deepEqual([...argmax(x, { dim: 1 }).data], [1, 2]);
    assert.deepEqual([...argmin(x, { dim: 1 }).data], [1, 0]);
    assert.deepEqual([...argmax(tensor([NaN, 1, NaN])).data], [0]);
  });
  void it('max and min of infinities', () => {
    const x = tensor(
      [
        [Infinity, 2],
        [-Infinity, -1],
      ],
      undefined,
      { requiresGrad: true },
    );
    const out = min(x, { dim: 1 });
    assert.deepEqual([...out.data], [2, -Infinity]);
    out.sum().backward();
    assert.deepEqual([...x.grad!.data], [0, 1, 1, 0]);
    assert.deepEqual([...max(tensor([-Infinity, -Infinity])).data], [-Infinity]);
  });
  void it('argmax and argmin return int32; the result dtypes of the others follow the input', () => {
    const x = randn([2, 3]);
    assert.equal(argmax(x).dtype, 'int32');
    assert.equal(argmin(x, { dim: 0 }).dtype, 'int32');
    assert.equal(sum(x.to('float64')).dtype, 'float64');
    assert.equal(max(tensor([1, 5], undefined, { dtype: 'int32' })).item(), 5);
    assert.equal(sum(tensor([1, 5], undefined, { dtype: 'int32' })).dtype, 'int32');
  });
  void it('reductions over an empty dim: sum is 0, mean is NaN, as PyTorch', () => {
    const e = zeros([2, 0]);
    assert.deepEqual([...sum(e, { dim: 1 }).data], [0, 0]);
    assert.deepEqual([...mean(e, { dim: 1 }).data], [NaN, NaN]);
    assert.deepEqual([...max(e, { dim: 0 }).shape], [0]);
  });
  void it('float32 sums accumulate without drift', () => {
    const n = 1 << 20;
    const ones = tensor(new Float32Array(n).fill(0.1), [n]);
    assert.ok(Math.abs(sum(ones).item() - n * 0.1) < 1);
  });
});

const x = randn([2, 3]);
const ints = tensor([1, 2, 3], undefined, { dtype: 'int32' });
const notATensor = [1, 2] as unknown as Tensor;
const cases: BadInputCase[] = [];
for (const [name, f] of Object.entries({ sum, mean, max, min })) {
  cases.push(
    [name, 'a non-tensor', () => f(notATensor), ArgumentError],
    [name, 'an out-of-range dim', () => f(x, { dim: 2 }), ArgumentError],
    [name, 'an out-of-range negative dim', () => f(x, { dim: -3 }), ArgumentError],
    [name, 'a repeated dim', () => f(x, { dim: [1, -1] }), ArgumentError],
    [name, 'a fractional dim', () => f(x, { dim: 0.5 }), ArgumentError],
    [name, 'a string dim', () => f(x, { dim: '0' as unknown as number }), ArgumentError],
  );
}
for (const [name, f] of Object.entries({ argmax, argmin })) {
  cases.push(
    [name, 'a non-tensor', () => f(notATensor), ArgumentError],
    [name, 'an out-of-range dim', () => f(x, { dim: 2 }), ArgumentError],
    [name, 'a list of dims', () => f(x, { dim: [0, 1] as unknown as number }), ArgumentError],
    [name, 'an empty tensor', () => f(zeros([0])), ShapeError],
    [name, 'an empty dim', () => f(zeros([2, 0]), { dim: 1 }), ShapeError],
  );
}
cases.push(
  ['mean', 'an int32 tensor', () => mean(ints), DTypeError],
  ['max', 'an empty tensor', () => max(zeros([0])), ShapeError],
  ['min', 'an empty dim', () => min(zeros([2, 0]), { dim: 1 }), ShapeError],
);
badInputSuite('reduction bad input', cases, [reduction]);
