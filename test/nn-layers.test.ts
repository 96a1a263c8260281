/**
 * Layer behaviour beyond the whole-model fixtures: loss modules against PyTorch, Dropout and BatchNorm in
 * training and evaluation mode, and the typed errors of bad constructor arguments and of wrongly shaped
 * input to `forward`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Tensor } from '../src/index.js';
import {
  ArgumentError,
  DTypeError,
  ShapeError,
  manualSeed,
  nn,
  ones,
  randn,
  tensor,
  zeros,
} from '../src/index.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { assertAllClose, assertTensorClose } from './helpers/close.js';
import { describeEachBackend } from './helpers/backends.js';

interface TensorJson {
  shape: number[];
  values: number[];
}

interface LossCase {
  name: string;
  type: 'CrossEntropyLoss' | 'NLLLoss' | 'MSELoss';
  options: Record<string, unknown>;
  weight: TensorJson | null;
  input: TensorJson;
  target: TensorJson & { dtype: 'float64' | 'int32' };
  stateDictKeys: string[];
  output: TensorJson;
  upstream: TensorJson;
  inputGrad: TensorJson;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn.json', import.meta.url), 'utf8')) as {
  losses: LossCase[];
};

describeEachBackend('nn losses match PyTorch', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const c of fixture.losses) {
      void it(`${c.type}: ${c.name} (${dtype})`, () => {
        const weight = c.weight === null ? null : tensor(c.weight.values, c.weight.shape, { dtype });
        const loss =
          c.type === 'MSELoss' ? new nn.MSELoss(c.options) : new nn[c.type]({ ...c.options, weight });
        assert.deepEqual(Object.keys(loss.stateDict()), c.stateDictKeys);
        const input = tensor(c.input.values, c.input.shape, { dtype, requiresGrad: true });
        const targetDtype = c.target.dtype === 'int32' ? 'int32' : dtype;
        const target = tensor(c.target.values, c.target.shape, { dtype: targetDtype });
        const out = loss.forward(input, target);
        assertTensorClose(out, c.output, undefined, 'output');
        out.backward(tensor(c.upstream.values, c.upstream.shape, { dtype }));
        assertTensorClose(input.grad!, c.inputGrad, undefined, 'input gradient');
      });
    }
  }
});

void describe('nn.Dropout', () => {
  void it('training: zeroes about p of the values and scales the rest by 1/(1 − p)', () => {
    manualSeed(3);
    const drop = new nn.Dropout({ p: 0.25 });
    const out = drop.forward(ones([20000]));
    const zeroFraction = out.data.filter((v) => v === 0).length / out.size;
    assert.ok(Math.abs(zeroFraction - 0.25) < 0.015, `zero fraction ${zeroFraction}`);
    assert.ok(out.data.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6));
  });

  void it('evaluation returns the input itself; the default p is 0.5', () => {
    const drop = new nn.Dropout();
    assert.equal(drop.p, 0.5);
    const x = randn([4, 4]);
    assert.equal(drop.eval().forward(x), x);
    assert.notEqual(drop.train().forward(x), x);
  });

  void it('switches with the model it belongs to', () => {
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout({ p: 0.9 }));
    const x = randn([8, 4]);
    model.eval();
    const first = [...model.forward(x).data];
    assert.deepEqual([...model.forward(x).data], first, 'deterministic in evaluation');
    model.train();
    assert.ok(model.forward(x).data.filter((v) => v === 0).length > 16, 'dropping in training');
  });
});

void describe('nn.BatchNorm', () => {
  const x = randn([6, 3, 4, 4], { dtype: 'float64', seed: 1 }).mul(2).add(1);
  const channelStats = (t: Tensor): { mean: number[]; unbiased: number[] } => {
    const mean = t.mean({ dim: [0, 2, 3] });
    const centered = t.sub(mean.reshape([1, 3, 1, 1]));
    const n = t.size / 3;
    return {
      mean: [...mean.data],
      unbiased: [
        ...centered
          .mul(centered)
          .sum({ dim: [0, 2, 3] })
          .div(n - 1).data,
      ],
    };
  };

  void it('training: batch statistics, running averages with momentum, the counter', () => {
    const bn = new nn.BatchNorm2d(3, { dtype: 'float64' });
    const out = bn.forward(x);
    const { mean, unbiased } = channelStats(x);
    const tol = { rtol: 1e-12, atol: 1e-12 };
    assertAllClose(channelStats(out).mean, [0, 0, 0], tol, 'output mean');
    assertAllClose(
      [...bn.runningMean!.data],
      mean.map((m) => 0.1 * m),
      tol,
      'running mean',
    );
    assertAllClose(
      [...bn.runningVar!.data],
      unbiased.map((v) => 0.9 + 0.1 * v),
      tol,
      'running var',
    );
    assert.equal(bn.numBatchesTracked!.item(), 1);
  });

  void it('evaluation: running statistics, buffers untouched', () => {
    const bn = new nn.BatchNorm2d(3, { dtype: 'float64' });
    bn.forward(x);
    bn.eval();
    const state = Object.fromEntries(Object.entries(bn.stateDict()).map(([k, v]) => [k, [...v.data]]));
    const out = bn.forward(x);
    const rm = bn.runningMean!.reshape([1, 3, 1, 1]);
    const rv = bn.runningVar!.reshape([1, 3, 1, 1]);
    assertTensorClose(out, x.sub(rm).div(rv.add(1e-5).sqrt()));
    assert.deepEqual(
      Object.fromEntries(Object.entries(bn.stateDict()).map(([k, v]) => [k, [...v.data]])),
      state,
    );
  });

  void it('momentum null: the running statistics are plain averages over the batches', () => {
    const bn = new nn.BatchNorm2d(3, { dtype: 'float64', momentum: null });
    const y = randn([6, 3, 4, 4], { dtype: 'float64', seed: 2 });
    bn.forward(x);
    bn.forward(y);
    const a = channelStats(x);
    const b = channelStats(y);
    const tol = { rtol: 1e-12, atol: 1e-12 };
    assertAllClose(
      [...bn.runningMean!.data],
      a.mean.map((m, i) => (m + b.mean[i]!) / 2),
      tol,
      'running mean',
    );
    assertAllClose(
      [...bn.runningVar!.data],
      a.unbiased.map((v, i) => (v + b.unbiased[i]!) / 2),
      tol,
      'running var',
    );
    assert.equal(bn.numBatchesTracked!.item(), 2);
  });

  void it('without running statistics: batch statistics in both modes, no buffers saved', () => {
    const bn = new nn.BatchNorm2d(3, { trackRunningStats: false, affine: false, dtype: 'float64' });
    assert.deepEqual(bn.stateDict(), {});
    assert.equal(bn.runningMean, null);
    const train = [...bn.forward(x).data];
    assert.deepEqual([...bn.eval().forward(x).data], train);
  });

  void it('resetRunningStats and resetParameters', () => {
    const bn = new nn.BatchNorm1d(3);
    bn.forward(randn([5, 3]));
    nn.init.constant_(bn.weight!, 2);
    bn.resetParameters();
    assert.deepEqual([...bn.runningMean!.data, ...bn.runningVar!.data], [0, 0, 0, 1, 1, 1]);
    assert.equal(bn.numBatchesTracked!.item(), 0);
    assert.deepEqual([...bn.weight!.data], [1, 1, 1]);
  });
});

void describe('nn layers keep their settings', () => {
  void it('defaults as PyTorch', () => {
    const conv = new nn.Conv2d(1, 32, 3);
    assert.deepEqual(
      [conv.kernelSize, conv.stride, conv.padding, conv.dilation, conv.groups, conv.paddingMode],
      [[3, 3], [1, 1], [0, 0], [1, 1], 1, 'zeros'],
    );
    assert.deepEqual(conv.weight.shape, [32, 1, 3, 3]);
    assert.deepEqual(new nn.ConvTranspose2d(8, 4, 3, { groups: 2 }).weight.shape, [8, 2, 3, 3]);
    assert.deepEqual(new nn.Conv1d(4, 6, 5, { groups: 2 }).weight.shape, [6, 2, 5]);
    const pool = new nn.MaxPool2d(3);
    assert.equal(pool.stride, 3, 'the stride defaults to the kernel size');
    const flatten = new nn.Flatten();
    assert.deepEqual([flatten.startDim, flatten.endDim], [1, -1]);
    assert.deepEqual(new nn.Flatten().forward(zeros([2, 3, 4, 5])).shape, [2, 60]);
    const bn = new nn.BatchNorm2d(4);
    assert.deepEqual([bn.eps, bn.momentum, bn.affine, bn.trackRunningStats], [1e-5, 0.1, true, true]);
    assert.equal(new nn.LeakyReLU().negativeSlope, 0.01);
    assert.deepEqual(new nn.Softmax().forward(zeros([2, 4])).shape, [2, 4]);
    assert.deepEqual(
      [...new nn.Softmax().forward(zeros([2, 2])).data],
      [0.5, 0.5, 0.5, 0.5],
      'legacy dim 1 for 2-D',
    );
    assert.deepEqual(new nn.AdaptiveAvgPool2d([2, null]).forward(zeros([1, 1, 4, 6])).shape, [1, 1, 2, 6]);
    const identity = new nn.Identity();
    const t = zeros([1]);
    assert.equal(identity.forward(t), t);
  });

  void it('float64 parameters with { dtype }', () => {
    const linear = new nn.Linear(2, 3, { dtype: 'float64' });
    assert.equal(linear.weight.dtype, 'float64');
    assert.equal(new nn.LayerNorm([2, 2], { dtype: 'float64' }).weight!.dtype, 'float64');
    assert.equal(new nn.BatchNorm1d(2, { dtype: 'float64' }).runningVar!.dtype, 'float64');
    assert.equal(new nn.BatchNorm1d(2).numBatchesTracked!.dtype, 'int32');
  });

  void it('loss modules take a class weight as a saved buffer', () => {
    const weight = tensor([1, 2, 3]);
    const loss = new nn.CrossEntropyLoss({ weight });
    assert.equal(loss.weight, weight);
    assert.deepEqual(loss.parameters(), []);
    assert.deepEqual(Object.keys(loss.stateDict()), ['weight']);
    assert.deepEqual(Object.keys(new nn.NLLLoss().stateDict()), []);
  });
});

const x4 = zeros([2, 3, 5, 5]);
const labels = tensor([0, 1], undefined, { dtype: 'int32' });

badInputSuite('nn layers bad input', [
  ['Linear', 'zero in-features', () => new nn.Linear(0, 3), ArgumentError],
  ['Linear', 'fractional out-features', () => new nn.Linear(2, 2.5), ArgumentError],
  [
    'Linear',
    'a non-boolean bias',
    () => new nn.Linear(2, 3, { bias: 1 as unknown as boolean }),
    ArgumentError,
  ],
  ['Linear', 'an integer dtype', () => new nn.Linear(2, 3, { dtype: 'int32' as 'float32' }), DTypeError],
  ['Conv2d', 'zero in-channels', () => new nn.Conv2d(0, 4, 3), ArgumentError],
  ['Conv2d', 'negative out-channels', () => new nn.Conv2d(3, -4, 3), ArgumentError],
  [
    'Conv2d',
    'inChannels not divisible by groups',
    () => new nn.Conv2d(3, 6, 3, { groups: 2 }),
    ArgumentError,
  ],
  [
    'Conv2d',
    'outChannels not divisible by groups',
    () => new nn.Conv2d(4, 6, 3, { groups: 4 }),
    ArgumentError,
  ],
  ['Conv2d', 'zero groups', () => new nn.Conv2d(4, 4, 3, { groups: 0 }), ArgumentError],
  [
    'Conv2d',
    'an unknown padding mode',
    () => new nn.Conv2d(1, 1, 3, { paddingMode: 'mirror' as 'zeros' }),
    ArgumentError,
  ],
  [
    'Conv2d',
    "padding 'same' with stride 2",
    () => new nn.Conv2d(1, 1, 3, { padding: 'same', stride: 2 }),
    ArgumentError,
  ],
  [
    'Conv2d',
    'an unknown padding string',
    () => new nn.Conv2d(1, 1, 3, { padding: 'full' as 'same' }),
    ArgumentError,
  ],
  ['Conv2d', 'a zero kernel size', () => new nn.Conv2d(1, 1, 0), ArgumentError],
  ['Conv2d', 'a kernel size of the wrong length', () => new nn.Conv2d(1, 1, [3, 3, 3]), ArgumentError],
  ['Conv2d', 'negative padding', () => new nn.Conv2d(1, 1, 3, { padding: -1 }), ArgumentError],
  ['Conv1d', 'a zero stride', () => new nn.Conv1d(1, 1, 3, { stride: 0 }), ArgumentError],
  [
    'ConvTranspose2d',
    'a padding mode other than zeros',
    () => new nn.ConvTranspose2d(1, 1, 3, { paddingMode: 'reflect' as 'zeros' }),
    ArgumentError,
  ],
  [
    'ConvTranspose2d',
    'output padding ≥ stride',
    () => new nn.ConvTranspose2d(1, 1, 3, { stride: 2, outputPadding: 2 }),
    ArgumentError,
  ],
  [
    'ConvTranspose1d',
    "padding 'same'",
    () => new nn.ConvTranspose1d(1, 1, 3, { padding: 'same' as unknown as number }),
    ArgumentError,
  ],
  ['MaxPool2d', 'a zero kernel', () => new nn.MaxPool2d(0), ArgumentError],
  ['MaxPool2d', 'padding over half the kernel', () => new nn.MaxPool2d(2, { padding: 2 }), ArgumentError],
  [
    'MaxPool1d',
    'a non-boolean ceilMode',
    () => new nn.MaxPool1d(2, { ceilMode: 0 as unknown as boolean }),
    ArgumentError,
  ],
  ['AvgPool1d', 'a zero stride', () => new nn.AvgPool1d(2, { stride: 0 }), ArgumentError],
  ['AvgPool2d', 'a zero divisor', () => new nn.AvgPool2d(2, { divisorOverride: 0 }), ArgumentError],
  ['AdaptiveAvgPool2d', 'three sizes', () => new nn.AdaptiveAvgPool2d([1, 2, 3]), ArgumentError],
  ['AdaptiveAvgPool2d', 'a negative size', () => new nn.AdaptiveAvgPool2d(-1), ArgumentError],
  ['BatchNorm2d', 'zero features', () => new nn.BatchNorm2d(0), ArgumentError],
  ['BatchNorm2d', 'momentum above 1', () => new nn.BatchNorm2d(3, { momentum: 2 }), ArgumentError],
  ['BatchNorm1d', 'a negative eps', () => new nn.BatchNorm1d(3, { eps: -1 }), ArgumentError],
  ['LayerNorm', 'an empty shape', () => new nn.LayerNorm([]), ArgumentError],
  ['LayerNorm', 'a zero size', () => new nn.LayerNorm(0), ArgumentError],
  ['GroupNorm', 'channels not divisible by groups', () => new nn.GroupNorm(3, 4), ArgumentError],
  ['GroupNorm', 'zero groups', () => new nn.GroupNorm(0, 4), ArgumentError],
  ['Dropout', 'p above 1', () => new nn.Dropout({ p: 1.5 }), ArgumentError],
  ['ELU', 'a negative alpha', () => new nn.ELU({ alpha: -1 }), ArgumentError],
  ['LeakyReLU', 'a NaN slope', () => new nn.LeakyReLU({ negativeSlope: NaN }), ArgumentError],
  ['GELU', 'an unknown approximation', () => new nn.GELU({ approximate: 'erf' as 'tanh' }), ArgumentError],
  ['Softmax', 'a fractional dim', () => new nn.Softmax({ dim: 1.5 }), ArgumentError],
  ['LogSoftmax', 'a string dim', () => new nn.LogSoftmax({ dim: '1' as unknown as number }), ArgumentError],
  ['Flatten', 'a fractional startDim', () => new nn.Flatten({ startDim: 0.5 }), ArgumentError],
  [
    'CrossEntropyLoss',
    'an unknown reduction',
    () => new nn.CrossEntropyLoss({ reduction: 'avg' as 'mean' }),
    ArgumentError,
  ],
  [
    'CrossEntropyLoss',
    'label smoothing above 1',
    () => new nn.CrossEntropyLoss({ labelSmoothing: 2 }),
    ArgumentError,
  ],
  [
    'CrossEntropyLoss',
    'a 2-D class weight',
    () => new nn.CrossEntropyLoss({ weight: ones([2, 2]) }),
    ShapeError,
  ],
  ['NLLLoss', 'a fractional ignoreIndex', () => new nn.NLLLoss({ ignoreIndex: 1.5 }), ArgumentError],
  [
    'NLLLoss',
    'a weight that is not a tensor',
    () => new nn.NLLLoss({ weight: [1, 2] as unknown as Tensor }),
    ArgumentError,
  ],
  ['MSELoss', 'an unknown reduction', () => new nn.MSELoss({ reduction: 'max' as 'sum' }), ArgumentError],
  [
    'Linear.forward',
    'the wrong number of features',
    () => new nn.Linear(4, 2).forward(zeros([3, 5])),
    ShapeError,
    'linear',
  ],
  [
    'Conv2d.forward',
    'the wrong number of channels',
    () => new nn.Conv2d(4, 2, 3).forward(x4),
    ShapeError,
    'conv2d',
  ],
  ['Conv1d.forward', 'a 4-D input', () => new nn.Conv1d(3, 2, 3).forward(x4), ShapeError, 'conv1d'],
  [
    'ConvTranspose2d.forward',
    'the wrong number of channels',
    () => new nn.ConvTranspose2d(2, 2, 3).forward(x4),
    ShapeError,
    'convTranspose2d',
  ],
  [
    'MaxPool2d.forward',
    'a 2-D input',
    () => new nn.MaxPool2d(2).forward(zeros([4, 4])),
    ShapeError,
    'maxPool2d',
  ],
  ['AvgPool1d.forward', 'a 4-D input', () => new nn.AvgPool1d(2).forward(x4), ShapeError, 'avgPool1d'],
  [
    'BatchNorm2d.forward',
    'a 3-D input',
    () => new nn.BatchNorm2d(3).forward(zeros([2, 3, 4])),
    ShapeError,
    'BatchNorm2d',
  ],
  [
    'BatchNorm2d.forward',
    'the wrong number of channels',
    () => new nn.BatchNorm2d(4).forward(x4),
    ShapeError,
    'BatchNorm2d',
  ],
  ['BatchNorm1d.forward', 'a 4-D input', () => new nn.BatchNorm1d(3).forward(x4), ShapeError, 'BatchNorm1d'],
  [
    'BatchNorm1d.forward',
    'one value per channel in training',
    () => new nn.BatchNorm1d(3).forward(zeros([1, 3])),
    ShapeError,
    'batchNorm',
  ],
  [
    'GroupNorm.forward',
    'the wrong number of channels',
    () => new nn.GroupNorm(2, 4).forward(x4),
    ShapeError,
    'GroupNorm',
  ],
  [
    'LayerNorm.forward',
    'a mismatched trailing shape',
    () => new nn.LayerNorm(4).forward(x4),
    ShapeError,
    'layerNorm',
  ],
  ['ReLU.forward', 'an integer tensor', () => new nn.ReLU().forward(labels), DTypeError, 'relu'],
  [
    'Softmax.forward',
    'a dim out of range',
    () => new nn.Softmax({ dim: 4 }).forward(x4),
    ArgumentError,
    'softmax',
  ],
  [
    'Flatten.forward',
    'endDim before startDim',
    () => new nn.Flatten({ startDim: 2, endDim: 1 }).forward(x4),
    ArgumentError,
    'flatten',
  ],
  ['Dropout.forward', 'an integer tensor', () => new nn.Dropout().forward(labels), DTypeError, 'dropout'],
  [
    'CrossEntropyLoss.forward',
    'targets of another batch size',
    () => new nn.CrossEntropyLoss().forward(zeros([3, 4]), labels),
    ShapeError,
    'crossEntropy',
  ],
  [
    'MSELoss.forward',
    'a target of another shape',
    () => new nn.MSELoss().forward(zeros([3]), zeros([4])),
    ShapeError,
    'mseLoss',
  ],
] satisfies BadInputCase[]);
