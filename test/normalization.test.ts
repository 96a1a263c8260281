import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  ConvnetError,
  DTypeError,
  F,
  ShapeError,
  gradcheck,
  ones,
  randn,
  stack,
  tensor,
  zeros,
} from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertTensorClose } from './helpers/close.js';
import { fixtureSuite } from './helpers/fixtures.js';

fixtureSuite('normalization', {
  batchNorm: ([x, runningMean, runningVar, weight, bias], _args, options) =>
    F.batchNorm(x!, runningMean?.detach() ?? null, runningVar?.detach() ?? null, {
      ...(options as F.BatchNormOptions),
      weight,
      bias,
    }),
  batchNormRunningStats: ([x, runningMean, runningVar, weight, bias], _args, options) => {
    const mean = runningMean!.clone();
    const variance = runningVar!.clone();
    F.batchNorm(x!, mean, variance, { ...(options as F.BatchNormOptions), weight, bias, training: true });
    return stack([mean, variance]);
  },
  layerNorm: ([x, weight, bias], [normalizedShape], options) =>
    F.layerNorm(x!, normalizedShape as number | number[], { ...(options as F.NormOptions), weight, bias }),
  groupNorm: ([x, weight, bias], [numGroups], options) =>
    F.groupNorm(x!, numGroups as number, { ...(options as F.NormOptions), weight, bias }),
});

void describe('normalization gradcheck (float64)', () => {
  const f64 = (shape: number[], seed: number): Tensor =>
    randn(shape, { dtype: 'float64', seed }).requiresGrad_();
  const runningMean = randn([3], { dtype: 'float64', seed: 1 });
  const runningVar = randn([3], { dtype: 'float64', seed: 2 }).abs().add(0.5);
  const cases: [string, (...t: Tensor[]) => Tensor, Tensor[]][] = [
    [
      'batchNorm training 4-D, affine',
      (x, weight, bias) => F.batchNorm(x, null, null, { weight, bias, training: true }),
      [f64([2, 3, 2, 3], 3), f64([3], 4), f64([3], 5)],
    ],
    [
      'batchNorm training 2-D, no affine, eps 0.1',
      (x) => F.batchNorm(x, null, null, { training: true, eps: 0.1 }),
      [f64([4, 3], 6)],
    ],
    [
      'batchNorm eval 3-D, affine',
      (x, weight, bias) => F.batchNorm(x, runningMean, runningVar, { weight, bias }),
      [f64([2, 3, 4], 7), f64([3], 8), f64([3], 9)],
    ],
    [
      'layerNorm last two dims, affine',
      (x, weight, bias) => F.layerNorm(x, [3, 2], { weight, bias }),
      [f64([2, 3, 2], 10), f64([3, 2], 11), f64([3, 2], 12)],
    ],
    ['layerNorm last dim, no affine', (x) => F.layerNorm(x, 5), [f64([3, 5], 13)]],
    [
      'groupNorm 2 groups, affine',
      (x, weight, bias) => F.groupNorm(x, 2, { weight, bias }),
      [f64([2, 4, 3], 14), f64([4], 15), f64([4], 16)],
    ],
    ['groupNorm bias only', (x, bias) => F.groupNorm(x, 3, { bias }), [f64([2, 6], 17), f64([6], 18)]],
  ];
  for (const [name, fn, inputs] of cases) {
    void it(name, () => {
      assert.equal(gradcheck(fn, inputs), true);
    });
  }
});

void describe('batchNorm buffers and statistics', () => {
  void it('training normalises every channel to mean 0 and variance 1', () => {
    const x = randn([6, 3, 4], { dtype: 'float64', seed: 20 }).mul(3).add(2);
    const y = F.batchNorm(x, null, null, { training: true, eps: 0 });
    assertTensorClose(y.mean({ dim: [0, 2] }), zeros([3], { dtype: 'float64' }), { rtol: 0, atol: 1e-12 });
    const variance = y.mul(y).mean({ dim: [0, 2] });
    assertTensorClose(variance, ones([3], { dtype: 'float64' }), { rtol: 0, atol: 1e-12 });
  });

  void it('updates the running buffers in place with the unbiased variance', () => {
    const x = tensor([
      [1, 10],
      [3, 20],
      [8, 60],
    ]);
    const runningMean = zeros([2]);
    const runningVar = ones([2]);
    F.batchNorm(x, runningMean, runningVar, { training: true, momentum: 0.5 });
    assertTensorClose(runningMean, tensor([2, 15]));
    assertTensorClose(runningVar, tensor([0.5 + 0.5 * 13, 0.5 + 0.5 * 700]));
  });

  void it('leaves the buffers alone in evaluation mode', () => {
    const runningMean = tensor([0.5, -1]);
    const runningVar = tensor([2, 3]);
    F.batchNorm(randn([4, 2], { seed: 21 }), runningMean, runningVar);
    assertTensorClose(runningMean, tensor([0.5, -1]));
    assertTensorClose(runningVar, tensor([2, 3]));
  });

  void it('gives no gradient to the running buffers', () => {
    const runningMean = zeros([2]).requiresGrad_();
    const x = randn([3, 2], { seed: 22 }).requiresGrad_();
    F.batchNorm(x, runningMean, ones([2]))
      .sum()
      .backward();
    assert.equal(runningMean.grad, null);
    assert.ok(x.grad !== null);
  });
});

void describe('normalization bad input', () => {
  const x = randn([2, 3, 4]);
  const c3 = zeros([3]);
  const c4 = zeros([4]);
  const cases: [string, () => unknown, new (...args: never[]) => ConvnetError, string, string][] = [
    [
      'batchNorm of a non-tensor',
      () => F.batchNorm([1] as unknown as Tensor, c3, c3),
      ArgumentError,
      'batchNorm',
      'input',
    ],
    ['batchNorm of integers', () => F.batchNorm(x.to('int32'), c3, c3), DTypeError, 'batchNorm', 'input'],
    ['batchNorm of a 1-D input', () => F.batchNorm(zeros([3]), c3, c3), ShapeError, 'batchNorm', 'input'],
    [
      'batchNorm runningMean of the wrong length',
      () => F.batchNorm(x, c4, c3),
      ShapeError,
      'batchNorm',
      'runningMean',
    ],
    [
      'batchNorm runningVar of the wrong length',
      () => F.batchNorm(x, c3, c4),
      ShapeError,
      'batchNorm',
      'runningVar',
    ],
    [
      'batchNorm runningVar of another dtype',
      () => F.batchNorm(x, c3, c3.to('float64')),
      DTypeError,
      'batchNorm',
      'runningVar',
    ],
    [
      'batchNorm weight of the wrong length',
      () => F.batchNorm(x, c3, c3, { weight: c4 }),
      ShapeError,
      'batchNorm',
      'weight',
    ],
    [
      'batchNorm bias of the wrong length',
      () => F.batchNorm(x, c3, c3, { bias: zeros([1, 3]) }),
      ShapeError,
      'batchNorm',
      'bias',
    ],
    [
      'batchNorm weight of another dtype',
      () => F.batchNorm(x, c3, c3, { weight: c3.to('float64') }),
      DTypeError,
      'batchNorm',
      'weight',
    ],
    [
      'batchNorm in evaluation without runningMean',
      () => F.batchNorm(x, null, c3),
      ArgumentError,
      'batchNorm',
      'runningMean',
    ],
    [
      'batchNorm in evaluation without runningVar',
      () => F.batchNorm(x, c3, null),
      ArgumentError,
      'batchNorm',
      'runningVar',
    ],
    [
      'batchNorm training with one value per channel',
      () => F.batchNorm(zeros([1, 3]), null, null, { training: true }),
      ShapeError,
      'batchNorm',
      'input',
    ],
    [
      'batchNorm training with one value per channel, 3-D',
      () => F.batchNorm(zeros([1, 3, 1]), c3, c3, { training: true }),
      ShapeError,
      'batchNorm',
      'input',
    ],
    [
      'batchNorm with a NaN momentum',
      () => F.batchNorm(x, c3, c3, { momentum: NaN }),
      ArgumentError,
      'batchNorm',
      'momentum',
    ],
    [
      'batchNorm with a negative eps',
      () => F.batchNorm(x, c3, c3, { eps: -1 }),
      ArgumentError,
      'batchNorm',
      'eps',
    ],
    [
      'batchNorm with a string training flag',
      () => F.batchNorm(x, c3, c3, { training: 'yes' as unknown as boolean }),
      ArgumentError,
      'batchNorm',
      'training',
    ],
    ['layerNorm of integers', () => F.layerNorm(x.to('int32'), [4]), DTypeError, 'layerNorm', 'input'],
    [
      'layerNorm with normalizedShape not the trailing dims',
      () => F.layerNorm(x, [3]),
      ShapeError,
      'layerNorm',
      'normalizedShape',
    ],
    [
      'layerNorm with normalizedShape longer than the input',
      () => F.layerNorm(x, [1, 2, 3, 4]),
      ShapeError,
      'layerNorm',
      'normalizedShape',
    ],
    [
      'layerNorm with an empty normalizedShape',
      () => F.layerNorm(x, []),
      ArgumentError,
      'layerNorm',
      'normalizedShape',
    ],
    [
      'layerNorm with a fractional size',
      () => F.layerNorm(x, 4.5),
      ArgumentError,
      'layerNorm',
      'normalizedShape',
    ],
    [
      'layerNorm weight of the wrong shape',
      () => F.layerNorm(x, [3, 4], { weight: c4 }),
      ShapeError,
      'layerNorm',
      'weight',
    ],
    [
      'layerNorm bias of the wrong shape',
      () => F.layerNorm(x, [4], { bias: c3 }),
      ShapeError,
      'layerNorm',
      'bias',
    ],
    ['layerNorm with a NaN eps', () => F.layerNorm(x, [4], { eps: NaN }), ArgumentError, 'layerNorm', 'eps'],
    [
      'groupNorm with numGroups not dividing C',
      () => F.groupNorm(x, 2),
      ShapeError,
      'groupNorm',
      'numGroups',
    ],
    ['groupNorm with zero groups', () => F.groupNorm(x, 0), ArgumentError, 'groupNorm', 'numGroups'],
    ['groupNorm with fractional groups', () => F.groupNorm(x, 1.5), ArgumentError, 'groupNorm', 'numGroups'],
    ['groupNorm of a 1-D input', () => F.groupNorm(zeros([6]), 3), ShapeError, 'groupNorm', 'input'],
    ['groupNorm of integers', () => F.groupNorm(x.to('int32'), 3), DTypeError, 'groupNorm', 'input'],
    [
      'groupNorm weight of the wrong length',
      () => F.groupNorm(x, 3, { weight: c4 }),
      ShapeError,
      'groupNorm',
      'weight',
    ],
    [
      'groupNorm bias of another dtype',
      () => F.groupNorm(x, 3, { bias: c3.to('float64') }),
      DTypeError,
      'groupNorm',
      'bias',
    ],
    [
      'groupNorm with a negative eps',
      () => F.groupNorm(x, 3, { eps: -0.1 }),
      ArgumentError,
      'groupNorm',
      'eps',
    ],
  ];
  for (const [name, call, error, op, argument] of cases) {
    void it(name, () => {
      assert.throws(call, (e: unknown) => {
        assert.ok(e instanceof error, `expected ${error.name}, got ${String(e)}`);
        assert.equal(e.op, op, e.message);
        assert.equal(e.argument, argument, e.message);
        return true;
      });
    });
  }

  void it('messages name the shapes involved', () => {
    assert.throws(() => F.layerNorm(x, [3]), /\[2, 3, 4\]/);
    assert.throws(() => F.groupNorm(x, 2), /\[2, 3, 4\]/);
    assert.throws(() => F.batchNorm(x, c4, c3), /\[4\]/);
    assert.throws(
      () => F.batchNorm(zeros([1, 3]), null, null, { training: true }),
      /more than 1 value per channel/,
    );
  });
});
