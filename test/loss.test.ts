import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  ConvnetError,
  DTypeError,
  F,
  ShapeError,
  gradcheck,
  rand,
  randn,
  tensor,
  zeros,
} from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertTensorClose } from './helpers/close.js';
import { fixtureSuite } from './helpers/fixtures.js';

fixtureSuite('loss', {
  crossEntropy: ([input, target, weight], _args, options) =>
    F.crossEntropy(input!, target!, { ...(options as F.CrossEntropyOptions), weight }),
  nllLoss: ([input, target, weight], _args, options) =>
    F.nllLoss(input!, target!, { ...(options as F.NllLossOptions), weight }),
  mseLoss: ([input, target], _args, options) => F.mseLoss(input!, target!, options),
  binaryCrossEntropyWithLogits: ([input, target, weight, posWeight], _args, options) =>
    F.binaryCrossEntropyWithLogits(input!, target!, {
      ...(options as F.BinaryCrossEntropyWithLogitsOptions),
      weight,
      posWeight,
    }),
});

const indices = (values: number[], shape?: number[]): Tensor => tensor(values, shape, { dtype: 'int32' });

void describe('loss gradcheck (float64)', () => {
  const f64 = (shape: number[], seed: number): Tensor =>
    randn(shape, { dtype: 'float64', seed }).requiresGrad_();
  const probabilities = (shape: number[], seed: number): Tensor =>
    F.softmax(randn(shape, { dtype: 'float64', seed }), 1)
      .detach()
      .requiresGrad_();
  const classWeight = tensor([0.5, 2, 1, 1.5], undefined, { dtype: 'float64' });
  const labels = indices([0, 3, -100, 1, 3]);
  const kdimLabels = indices([0, 2, 1, -100, 3, 3, 1, 0], [2, 2, 2]);
  const cases: [string, (...t: Tensor[]) => Tensor, Tensor[]][] = [
    ['crossEntropy indices, mean', (x) => F.crossEntropy(x, indices([0, 3, 2, 1, 3])), [f64([5, 4], 1)]],
    [
      'crossEntropy weight, ignored entries, smoothing, sum',
      (x) => F.crossEntropy(x, labels, { weight: classWeight, labelSmoothing: 0.2, reduction: 'sum' }),
      [f64([5, 4], 2)],
    ],
    [
      'crossEntropy K-dim, weight, smoothing, mean',
      (x) => F.crossEntropy(x, kdimLabels, { weight: classWeight, labelSmoothing: 0.1 }),
      [f64([2, 4, 2, 2], 3)],
    ],
    [
      'crossEntropy K-dim, none',
      (x) => F.crossEntropy(x, kdimLabels, { reduction: 'none' }),
      [f64([2, 4, 2, 2], 4)],
    ],
    [
      'crossEntropy probabilities, weight, smoothing (input, target, weight)',
      (x, t, w) => F.crossEntropy(x, t, { weight: w, labelSmoothing: 0.3 }),
      [f64([3, 4], 5), probabilities([3, 4], 6), classWeight.clone().requiresGrad_()],
    ],
    [
      'crossEntropy K-dim probabilities, none',
      (x, t) => F.crossEntropy(x, t, { reduction: 'none' }),
      [f64([2, 3, 2], 7), probabilities([2, 3, 2], 8)],
    ],
    [
      'nllLoss weight, ignored entries, mean',
      (x) => F.nllLoss(x, labels, { weight: classWeight }),
      [f64([5, 4], 9)],
    ],
    [
      'nllLoss K-dim, none',
      (x) =>
        F.nllLoss(x, indices([0, 2, 1, 1, 3, 3, 1, 0], [2, 2, 2]), { reduction: 'none', ignoreIndex: 1 }),
      [f64([2, 4, 2, 2], 10)],
    ],
    ['mseLoss (input, target)', (x, t) => F.mseLoss(x, t), [f64([3, 4], 11), f64([3, 4], 12)]],
    ['mseLoss none', (x, t) => F.mseLoss(x, t, { reduction: 'none' }), [f64([2, 3], 13), f64([2, 3], 14)]],
    [
      'binaryCrossEntropyWithLogits weight and posWeight (input, target)',
      (x, t) =>
        F.binaryCrossEntropyWithLogits(x, t, {
          weight: rand([3, 1], { dtype: 'float64', seed: 15 }),
          posWeight: tensor([3, 0.5, 1], undefined, { dtype: 'float64' }),
        }),
      [f64([3, 3], 16), rand([3, 3], { dtype: 'float64', seed: 17 }).requiresGrad_()],
    ],
    [
      'binaryCrossEntropyWithLogits none',
      (x, t) => F.binaryCrossEntropyWithLogits(x, t, { reduction: 'none' }),
      [f64([2, 3], 18), rand([2, 3], { dtype: 'float64', seed: 19 }).requiresGrad_()],
    ],
  ];
  for (const [name, fn, inputs] of cases) {
    void it(name, () => {
      assert.equal(gradcheck(fn, inputs), true);
    });
  }
});

void describe('loss semantics', () => {
  const logits = randn([4, 3], { dtype: 'float64', seed: 30 });
  const labels = indices([2, 0, 1, 1]);

  void it('crossEntropy is nllLoss of logSoftmax', () => {
    const weight = tensor([1, 2, 0.5], undefined, { dtype: 'float64' });
    for (const reduction of ['none', 'mean', 'sum'] as const) {
      assertTensorClose(
        F.crossEntropy(logits, labels, { weight, reduction }),
        F.nllLoss(F.logSoftmax(logits, 1), labels, { weight, reduction }),
      );
    }
  });

  void it('one-hot probabilities give the same loss and gradient as class indices', () => {
    const oneHot = F.oneHot(labels, { numClasses: 3 }).to('float64');
    const a = logits.clone().requiresGrad_();
    const b = logits.clone().requiresGrad_();
    const byIndex = F.crossEntropy(a, labels, { labelSmoothing: 0.2 });
    const byProbability = F.crossEntropy(b, oneHot, { labelSmoothing: 0.2 });
    assertTensorClose(byIndex, byProbability);
    byIndex.backward();
    byProbability.backward();
    assertTensorClose(a.grad!, b.grad!);
  });

  void it('the gradient of cross entropy is softmax minus one-hot, over N', () => {
    const x = logits.clone().requiresGrad_();
    F.crossEntropy(x, labels).backward();
    const expected = F.softmax(logits, 1)
      .sub(F.oneHot(labels, { numClasses: 3 }))
      .div(4);
    assertTensorClose(x.grad!, expected);
  });

  void it('when every target is ignored, the mean is NaN and the gradient zero, as in PyTorch', () => {
    const ignored = indices([-100, -100, -100, -100]);
    for (const loss of [
      (x: Tensor) => F.crossEntropy(x, ignored),
      (x: Tensor) => F.crossEntropy(x, ignored, { labelSmoothing: 0.1 }),
      (x: Tensor) => F.nllLoss(x, ignored),
    ]) {
      const x = logits.clone().requiresGrad_();
      const value = loss(x);
      assert.ok(Number.isNaN(value.item()));
      value.backward();
      assertTensorClose(x.grad!, zeros([4, 3], { dtype: 'float64' }));
    }
    assert.equal(F.crossEntropy(logits, ignored, { reduction: 'sum' }).item(), 0);
  });

  void it('nllLoss ignores -Infinity log-probabilities away from the target', () => {
    const logProbabilities = tensor([
      [0, -Infinity],
      [-Infinity, 0],
    ]);
    assert.equal(F.nllLoss(logProbabilities, indices([0, -100])).item(), 0);
  });

  void it('binaryCrossEntropyWithLogits does not overflow', () => {
    const x = tensor([-1000, 1000], undefined, { dtype: 'float32' });
    const loss = F.binaryCrossEntropyWithLogits(x, tensor([1, 0]), { reduction: 'none' });
    assertTensorClose(loss, tensor([1000, 1000]));
  });
});

void describe('loss bad input', () => {
  const x = randn([3, 4]);
  const labels = indices([0, 3, 1]);
  const probabilities = F.softmax(randn([3, 4]), 1);
  const kdim = randn([2, 4, 3, 3]);
  const cases: [string, () => unknown, new (...args: never[]) => ConvnetError, string, string][] = [
    [
      'crossEntropy of a non-tensor',
      () => F.crossEntropy(null as unknown as Tensor, labels),
      ArgumentError,
      'crossEntropy',
      'input',
    ],
    ['crossEntropy of integers', () => F.crossEntropy(labels, labels), DTypeError, 'crossEntropy', 'input'],
    [
      'crossEntropy of a 0-D input',
      () => F.crossEntropy(zeros([]), indices([0], [])),
      ShapeError,
      'crossEntropy',
      'input',
    ],
    [
      'crossEntropy target batch mismatch',
      () => F.crossEntropy(x, indices([0, 1])),
      ShapeError,
      'crossEntropy',
      'target',
    ],
    [
      'crossEntropy K-dim target of the wrong shape',
      () => F.crossEntropy(kdim, indices([0, 1, 2, 3, 0, 1], [2, 3])),
      ShapeError,
      'crossEntropy',
      'target',
    ],
    [
      'crossEntropy integer target of the input shape',
      () => F.crossEntropy(x, probabilities.to('int32')),
      DTypeError,
      'crossEntropy',
      'target',
    ],
    [
      'crossEntropy float target of the wrong shape',
      () => F.crossEntropy(x, zeros([3])),
      ShapeError,
      'crossEntropy',
      'target',
    ],
    [
      'crossEntropy float target of another dtype',
      () => F.crossEntropy(x, probabilities.to('float64')),
      DTypeError,
      'crossEntropy',
      'target',
    ],
    [
      'crossEntropy class index too large',
      () => F.crossEntropy(x, indices([0, 4, 1])),
      ArgumentError,
      'crossEntropy',
      'target',
    ],
    [
      'crossEntropy negative class index other than ignoreIndex',
      () => F.crossEntropy(x, indices([0, -1, 1])),
      ArgumentError,
      'crossEntropy',
      'target',
    ],
    [
      'crossEntropy class index equal to the default ignoreIndex once it changed',
      () => F.crossEntropy(x, indices([-100, 1, 1]), { ignoreIndex: 1 }),
      ArgumentError,
      'crossEntropy',
      'target',
    ],
    [
      'crossEntropy weight of the wrong length',
      () => F.crossEntropy(x, labels, { weight: zeros([3]) }),
      ShapeError,
      'crossEntropy',
      'weight',
    ],
    [
      'crossEntropy 2-D weight',
      () => F.crossEntropy(x, labels, { weight: zeros([1, 4]) }),
      ShapeError,
      'crossEntropy',
      'weight',
    ],
    [
      'crossEntropy weight of another dtype',
      () => F.crossEntropy(x, labels, { weight: zeros([4], { dtype: 'float64' }) }),
      DTypeError,
      'crossEntropy',
      'weight',
    ],
    [
      'crossEntropy unknown reduction',
      () => F.crossEntropy(x, labels, { reduction: 'avg' as 'mean' }),
      ArgumentError,
      'crossEntropy',
      'reduction',
    ],
    [
      'crossEntropy labelSmoothing above 1',
      () => F.crossEntropy(x, labels, { labelSmoothing: 1.5 }),
      ArgumentError,
      'crossEntropy',
      'labelSmoothing',
    ],
    [
      'crossEntropy negative labelSmoothing',
      () => F.crossEntropy(x, labels, { labelSmoothing: -0.1 }),
      ArgumentError,
      'crossEntropy',
      'labelSmoothing',
    ],
    [
      'crossEntropy NaN labelSmoothing',
      () => F.crossEntropy(x, probabilities, { labelSmoothing: NaN }),
      ArgumentError,
      'crossEntropy',
      'labelSmoothing',
    ],
    [
      'crossEntropy ignoreIndex with probability targets',
      () => F.crossEntropy(x, probabilities, { ignoreIndex: 0 }),
      ArgumentError,
      'crossEntropy',
      'ignoreIndex',
    ],
    [
      'crossEntropy fractional ignoreIndex',
      () => F.crossEntropy(x, labels, { ignoreIndex: 0.5 }),
      ArgumentError,
      'crossEntropy',
      'ignoreIndex',
    ],
    ['nllLoss of integers', () => F.nllLoss(labels, labels), DTypeError, 'nllLoss', 'input'],
    ['nllLoss float target', () => F.nllLoss(x, probabilities), DTypeError, 'nllLoss', 'target'],
    [
      'nllLoss target batch mismatch',
      () => F.nllLoss(x, indices([0, 1, 2, 3])),
      ShapeError,
      'nllLoss',
      'target',
    ],
    [
      'nllLoss class index out of range',
      () => F.nllLoss(x, indices([0, 1, 7])),
      ArgumentError,
      'nllLoss',
      'target',
    ],
    [
      'nllLoss weight of the wrong length',
      () => F.nllLoss(x, labels, { weight: zeros([5]) }),
      ShapeError,
      'nllLoss',
      'weight',
    ],
    [
      'nllLoss unknown reduction',
      () => F.nllLoss(x, labels, { reduction: 'batchmean' as 'mean' }),
      ArgumentError,
      'nllLoss',
      'reduction',
    ],
    ['mseLoss shape mismatch', () => F.mseLoss(x, zeros([3, 1])), ShapeError, 'mseLoss', 'target'],
    [
      'mseLoss target of another dtype',
      () => F.mseLoss(x, zeros([3, 4], { dtype: 'float64' })),
      DTypeError,
      'mseLoss',
      'target',
    ],
    ['mseLoss of integers', () => F.mseLoss(labels, labels), DTypeError, 'mseLoss', 'input'],
    [
      'mseLoss unknown reduction',
      () => F.mseLoss(x, x, { reduction: 'max' as 'sum' }),
      ArgumentError,
      'mseLoss',
      'reduction',
    ],
    [
      'binaryCrossEntropyWithLogits shape mismatch',
      () => F.binaryCrossEntropyWithLogits(x, zeros([4, 3])),
      ShapeError,
      'binaryCrossEntropyWithLogits',
      'target',
    ],
    [
      'binaryCrossEntropyWithLogits integer target',
      () => F.binaryCrossEntropyWithLogits(x, zeros([3, 4], { dtype: 'int32' })),
      DTypeError,
      'binaryCrossEntropyWithLogits',
      'target',
    ],
    [
      'binaryCrossEntropyWithLogits weight that does not broadcast',
      () => F.binaryCrossEntropyWithLogits(x, x, { weight: zeros([3]) }),
      ShapeError,
      'binaryCrossEntropyWithLogits',
      'weight',
    ],
    [
      'binaryCrossEntropyWithLogits weight with more dims',
      () => F.binaryCrossEntropyWithLogits(x, x, { weight: zeros([2, 3, 4]) }),
      ShapeError,
      'binaryCrossEntropyWithLogits',
      'weight',
    ],
    [
      'binaryCrossEntropyWithLogits posWeight that does not broadcast',
      () => F.binaryCrossEntropyWithLogits(x, x, { posWeight: zeros([2]) }),
      ShapeError,
      'binaryCrossEntropyWithLogits',
      'posWeight',
    ],
    [
      'binaryCrossEntropyWithLogits posWeight of another dtype',
      () => F.binaryCrossEntropyWithLogits(x, x, { posWeight: zeros([4], { dtype: 'float64' }) }),
      DTypeError,
      'binaryCrossEntropyWithLogits',
      'posWeight',
    ],
    [
      'binaryCrossEntropyWithLogits unknown reduction',
      () => F.binaryCrossEntropyWithLogits(x, x, { reduction: 'Mean' as 'mean' }),
      ArgumentError,
      'binaryCrossEntropyWithLogits',
      'reduction',
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

  void it('messages name the shapes and the offending class index', () => {
    assert.throws(() => F.crossEntropy(x, indices([0, 1])), /\[3\].*\[3, 4\].*\[2\]/);
    assert.throws(() => F.crossEntropy(x, indices([0, 4, 1])), /class index 4 .* 4 classes/);
    assert.throws(() => F.nllLoss(x, indices([0, -5, 1])), /class index -5/);
    assert.throws(() => F.binaryCrossEntropyWithLogits(x, x, { weight: zeros([3]) }), /\[3\].*\[3, 4\]/);
  });
});
