import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  DTypeError,
  F,
  ShapeError,
  full,
  gradcheck,
  manualSeed,
  nn,
  randn,
  tensor,
} from '../src/index.js';
import { describeEachBackend } from './helpers/backends.js';
import type { Tensor } from '../src/index.js';
import * as convolution from '../src/ops/convolution.js';
import type { ConvOptions, ConvTransposeOptions, CorrelateOptions } from '../src/ops/convolution.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { assertTensorClose } from './helpers/close.js';
import { fixtureSuite } from './helpers/fixtures.js';
import type { Runner } from './helpers/fixtures.js';

type Conv = (x: Tensor, w: Tensor, b?: Tensor | null, options?: ConvOptions & ConvTransposeOptions) => Tensor;
const conv =
  (f: Conv): Runner =>
  ([x, w, b], _args, options) =>
    f(x!, w!, b, options);
const signals =
  (f: (a: Tensor, v: Tensor, options?: CorrelateOptions) => Tensor): Runner =>
  ([a, v], _args, options) =>
    f(a!, v!, options);

fixtureSuite('convolution', {
  conv1d: conv(F.conv1d),
  conv2d: conv(F.conv2d),
  convTranspose1d: conv(F.convTranspose1d),
  convTranspose2d: conv(F.convTranspose2d),
  correlate1d: signals(F.correlate1d),
  convolve1d: signals(F.convolve1d),
});

const f64 = (shape: number[], seed: number): Tensor =>
  randn(shape, { dtype: 'float64', seed }).requiresGrad_();

void describe('convolution gradcheck (float64)', () => {
  const cases: [string, (...t: Tensor[]) => Tensor, Tensor[]][] = [
    ['conv1d, bias', (x, w, b) => F.conv1d(x, w, b), [f64([2, 3, 7], 1), f64([2, 3, 3], 2), f64([2], 3)]],
    [
      'conv1d, stride, padding, dilation, groups',
      (x, w) => F.conv1d(x, w, null, { stride: 2, padding: 2, dilation: 2, groups: 2 }),
      [f64([2, 4, 8], 4), f64([4, 2, 3], 5)],
    ],
    [
      "conv1d, 'same' even kernel, reflect",
      (x, w) => F.conv1d(x, w, null, { padding: 'same', paddingMode: 'reflect' }),
      [f64([1, 2, 6], 6), f64([2, 2, 4], 7)],
    ],
    [
      'conv1d, batch-less, circular',
      (x, w) => F.conv1d(x, w, null, { padding: 2, paddingMode: 'circular' }),
      [f64([2, 5], 8), f64([3, 2, 3], 9)],
    ],
    [
      'conv2d, bias',
      (x, w, b) => F.conv2d(x, w, b),
      [f64([2, 2, 4, 5], 10), f64([3, 2, 2, 3], 11), f64([3], 12)],
    ],
    [
      'conv2d, stride [2, 1], padding [1, 2], dilation [1, 2], groups 2',
      (x, w, b) => F.conv2d(x, w, b, { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }),
      [f64([2, 4, 5, 5], 13), f64([4, 2, 3, 2], 14), f64([4], 15)],
    ],
    [
      "conv2d, 'same' even kernel",
      (x, w) => F.conv2d(x, w, null, { padding: 'same' }),
      [f64([1, 2, 4, 5], 16), f64([2, 2, 2, 4], 17)],
    ],
    [
      'conv2d, depthwise',
      (x, w) => F.conv2d(x, w, null, { groups: 3, padding: 1 }),
      [f64([1, 3, 4, 4], 18), f64([3, 1, 3, 3], 19)],
    ],
    [
      'conv2d, reflect, stride 2',
      (x, w) => F.conv2d(x, w, null, { padding: [1, 2], stride: 2, paddingMode: 'reflect' }),
      [f64([1, 2, 5, 4], 20), f64([2, 2, 3, 3], 21)],
    ],
    [
      'conv2d, replicate',
      (x, w) => F.conv2d(x, w, null, { padding: 2, paddingMode: 'replicate' }),
      [f64([1, 2, 3, 4], 22), f64([2, 2, 3, 2], 23)],
    ],
    [
      'conv2d, circular, batch-less',
      (x, w, b) => F.conv2d(x, w, b, { padding: [1, 2], paddingMode: 'circular' }),
      [f64([2, 4, 3], 24), f64([2, 2, 3, 3], 25), f64([2], 26)],
    ],
    [
      'convTranspose1d, stride 3, padding 1, outputPadding 2, groups 2',
      (x, w, b) => F.convTranspose1d(x, w, b, { stride: 3, padding: 1, outputPadding: 2, groups: 2 }),
      [f64([2, 4, 3], 27), f64([4, 1, 3], 28), f64([2], 29)],
    ],
    [
      'convTranspose1d, outputPadding below the dilation, batch-less',
      (x, w) => F.convTranspose1d(x, w, null, { dilation: 2, outputPadding: 1 }),
      [f64([2, 4], 30), f64([2, 3, 3], 31)],
    ],
    [
      'convTranspose2d, every option',
      (x, w, b) =>
        F.convTranspose2d(x, w, b, {
          stride: [2, 3],
          padding: [1, 0],
          outputPadding: [1, 2],
          dilation: [1, 2],
          groups: 2,
        }),
      [f64([1, 4, 3, 2], 32), f64([4, 2, 2, 2], 33), f64([4], 34)],
    ],
    [
      'convTranspose2d, defaults',
      (x, w) => F.convTranspose2d(x, w),
      [f64([2, 2, 3, 3], 35), f64([2, 3, 2, 2], 36)],
    ],
  ];
  for (const mode of ['valid', 'same', 'full'] as const) {
    for (const [m, n] of [
      [6, 3],
      [3, 6],
      [4, 4],
    ]) {
      cases.push(
        [
          `correlate1d ${m}×${n} ${mode}`,
          (a, v) => F.correlate1d(a, v, { mode }),
          [f64([m!], 40 + m!), f64([n!], 50 + n!)],
        ],
        [
          `convolve1d ${m}×${n} ${mode}`,
          (a, v) => F.convolve1d(a, v, { mode }),
          [f64([m!], 60 + m!), f64([n!], 70 + n!)],
        ],
      );
    }
  }
  cases.push(
    [
      'conv2dRelu, padding 1, reflect',
      (x, w, b) => F.conv2dRelu(x, w, b, { padding: 1, paddingMode: 'reflect' }),
      [f64([2, 2, 5, 4], 80), f64([3, 2, 3, 3], 81), f64([3], 82)],
    ],
    [
      'conv2dReluMaxPool2d, padding 1, pool 2',
      (x, w, b) => F.conv2dReluMaxPool2d(x, w, b, { padding: 1 }, 2),
      [f64([2, 2, 6, 5], 83), f64([3, 2, 3, 3], 84), f64([3], 85)],
    ],
  );
  for (const [name, fn, inputs] of cases) {
    void it(name, () => {
      assert.equal(gradcheck(fn, inputs), true);
    });
  }
});

describeEachBackend(
  'conv2dRelu, conv2dReluMaxPool2d and nn.Sequential fusion: the bits of the separate ops',
  () => {
    for (const dtype of ['float32', 'float64'] as const) {
      void it(`F.conv2dRelu and Conv2d + ReLU in a Sequential (${dtype})`, () => {
        manualSeed(3);
        const conv = new nn.Conv2d(3, 5, 3, { padding: 1, stride: [1, 2], dtype });
        const model = new nn.Sequential(conv, new nn.ReLU(), new nn.Flatten());
        const x = randn([2, 3, 9, 11], { dtype, seed: 4 }).requiresGrad_();
        const upstream = randn([2, 5 * 9 * 6], { dtype, seed: 5 });
        const separate = F.relu(F.conv2d(x, conv.weight, conv.bias, { padding: 1, stride: [1, 2] }));
        const fused = F.conv2dRelu(x, conv.weight, conv.bias, { padding: 1, stride: [1, 2] });
        assert.deepEqual(fused.toArray(), separate.toArray());
        const grads = (y: Tensor): unknown[] => {
          for (const t of [x, conv.weight, conv.bias!]) t.grad = null;
          y.reshape([2, -1]).mul(upstream).sum().backward();
          return [x.grad!.toArray(), conv.weight.grad!.toArray(), conv.bias!.grad!.toArray()];
        };
        const expected = grads(F.relu(F.conv2d(x, conv.weight, conv.bias, { padding: 1, stride: [1, 2] })));
        assert.deepEqual(
          grads(F.conv2dRelu(x, conv.weight, conv.bias, { padding: 1, stride: [1, 2] })),
          expected,
        );
        assert.deepEqual(grads(model.forward(x)), expected);
      });

      void it(`F.conv2dReluMaxPool2d and Conv2d + ReLU + MaxPool2d in a Sequential (${dtype})`, () => {
        manualSeed(6);
        const conv = new nn.Conv2d(3, 4, 3, { padding: 1, dtype });
        const pool = new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true });
        const model = new nn.Sequential(conv, new nn.ReLU(), pool);
        const x = randn([2, 3, 9, 8], { dtype, seed: 7 }).requiresGrad_();
        const poolOptions = { stride: 2, padding: 1, ceilMode: true };
        const separate = (): Tensor =>
          F.maxPool2d(F.relu(F.conv2d(x, conv.weight, conv.bias, { padding: 1 })), 3, poolOptions);
        const upstream = randn(separate().shape, { dtype, seed: 8 });
        const grads = (y: Tensor): unknown[] => {
          for (const t of [x, conv.weight, conv.bias!]) t.grad = null;
          y.mul(upstream).sum().backward();
          return [y.toArray(), x.grad!.toArray(), conv.weight.grad!.toArray(), conv.bias!.grad!.toArray()];
        };
        const expected = grads(separate());
        assert.deepEqual(
          grads(F.conv2dReluMaxPool2d(x, conv.weight, conv.bias, { padding: 1 }, 3, poolOptions)),
          expected,
        );
        assert.deepEqual(grads(model.forward(x)), expected);
      });
    }
  },
);

void describe('convolution: the seeds', () => {
  void it('the true convolution (kernel flipped, valid mode) of the 4 × 4 example', () => {
    const x = tensor([
      [1, 2, 3, 0],
      [4, 5, 6, 1],
      [7, 8, 9, 2],
      [0, 1, 2, 3],
    ]).reshape([1, 4, 4]);
    const flipped = tensor([
      [-1, 0],
      [0, 1],
    ]).reshape([1, 1, 2, 2]);
    assert.deepEqual(F.conv2d(x, flipped).toArray(), [
      [
        [4, 4, -2],
        [4, 4, -4],
        [-6, -6, -6],
      ],
    ]);
  });

  void it('convolve1d commutes in every mode, values and gradients', () => {
    for (const mode of ['valid', 'same', 'full'] as const) {
      for (const [m, n] of [
        [7, 3],
        [4, 4],
        [2, 5],
      ]) {
        const upstream = randn(
          [mode === 'full' ? m! + n! - 1 : mode === 'same' ? Math.max(m!, n!) : Math.abs(m! - n!) + 1],
          {
            dtype: 'float64',
            seed: 3,
          },
        );
        const run = (first: 0 | 1): Tensor[] => {
          const a = randn([m!], { dtype: 'float64', seed: 1 }).requiresGrad_();
          const v = randn([n!], { dtype: 'float64', seed: 2 }).requiresGrad_();
          const out = first === 0 ? F.convolve1d(a, v, { mode }) : F.convolve1d(v, a, { mode });
          out.backward(upstream);
          return [out, a.grad!, v.grad!];
        };
        const [out, da, dv] = run(0);
        const [outSwapped, daSwapped, dvSwapped] = run(1);
        assertTensorClose(outSwapped!, out!, undefined, `${mode} ${m}×${n} values`);
        assertTensorClose(daSwapped!, da!, undefined, `${mode} ${m}×${n} gradient of the first signal`);
        assertTensorClose(dvSwapped!, dv!, undefined, `${mode} ${m}×${n} gradient of the second signal`);
      }
    }
  });

  void it('the multi-channel convolution (15, 3, 13, 13) ⋆ (8, 3, 5, 3) is sig2col times the reshaped kernel', () => {
    const x = randn([15, 3, 13, 13], { dtype: 'float64', seed: 1 });
    const k = randn([8, 3, 5, 3], { dtype: 'float64', seed: 2 });
    const windows = F.sig2col(x, [5, 3]);
    assert.deepEqual(windows.shape, [15, 3, 9, 11, 5, 3]);
    const rows = windows.permute([0, 2, 3, 1, 4, 5]).reshape([15 * 9 * 11, 3 * 5 * 3]);
    const expected = rows
      .matmul(k.reshape([8, 45]).t())
      .reshape([15, 9, 11, 8])
      .permute([0, 3, 1, 2]);
    assertTensorClose(F.conv2d(x, k), expected);
  });

  void it('conv2d with a (Co, Ci, R1, R2) kernel: bias broadcast as (1, Co, 1, 1), its gradient summed over N, H, W', () => {
    const x = randn([2, 3, 6, 5], { dtype: 'float64', seed: 4 });
    const k = randn([4, 3, 3, 2], { dtype: 'float64', seed: 5 });
    const b = randn([4], { dtype: 'float64', seed: 6 }).requiresGrad_();
    const out = F.conv2d(x, k, b);
    assertTensorClose(out, F.conv2d(x, k).add(b.reshape([1, 4, 1, 1])));
    const upstream = randn(out.shape, { dtype: 'float64', seed: 7 });
    out.backward(upstream);
    assertTensorClose(b.grad!, upstream.sum({ dim: [0, 2, 3] }));
  });

  void it('the backward rules can be called by hand and agree with autograd', () => {
    const x = randn([2, 4, 5, 4], { dtype: 'float64', seed: 8 }).requiresGrad_();
    const w = randn([4, 2, 3, 2], { dtype: 'float64', seed: 9 }).requiresGrad_();
    const b = randn([4], { dtype: 'float64', seed: 10 }).requiresGrad_();
    const options: ConvOptions = { stride: [2, 1], padding: 1, groups: 2, paddingMode: 'replicate' };
    const out = F.conv2d(x, w, b, options);
    const upstream = randn(out.shape, { dtype: 'float64', seed: 11 });
    out.backward(upstream);
    const [dx, dw, db] = F.conv2dBackward(upstream, x, w, b, options);
    assertTensorClose(dx, x.grad!);
    assertTensorClose(dw, w.grad!);
    assertTensorClose(db!, b.grad!);
  });

  void it('convTranspose2d is the adjoint of conv2d: ⟨conv(x), y⟩ = ⟨x, convTranspose(y)⟩', () => {
    const options = { stride: [2, 3], padding: [1, 2], dilation: [2, 1], groups: 2 };
    const x = randn([2, 4, 9, 10], { dtype: 'float64', seed: 12 });
    const w = randn([6, 2, 3, 3], { dtype: 'float64', seed: 13 });
    const convolved = F.conv2d(x, w, null, options);
    const y = randn(convolved.shape, { dtype: 'float64', seed: 14 });
    const outputPadding = [9, 10].map(
      (l, i) =>
        l -
        ((convolved.shape[2 + i]! - 1) * options.stride[i]! -
          2 * options.padding[i]! +
          options.dilation[i]! * 2 +
          1),
    );
    const transposed = F.convTranspose2d(y, w, null, { ...options, outputPadding });
    assert.deepEqual(transposed.shape, x.shape);
    assert.ok(Math.abs(convolved.mul(y).sum().item() - x.mul(transposed).sum().item()) < 1e-9);
  });
});

void describe('average pooling as a strided convolution', () => {
  const cases: [string, number[], Parameters<typeof F.avgPool2d>[2]][] = [
    ['2 × 2 windows, stride 2', [2, 2], undefined],
    ['3 × 2 windows, stride [2, 1], padding [1, 0]', [3, 2], { stride: [2, 1], padding: [1, 0] }],
  ];
  for (const [name, window, options] of cases) {
    void it(`${name}: values and gradients`, () => {
      const channels = 3;
      const run = (pool: boolean): Tensor[] => {
        const x = randn([2, channels, 7, 6], { dtype: 'float64', seed: 1 }).requiresGrad_();
        const weights = full([channels, 1, ...window], 1 / (window[0]! * window[1]!), { dtype: 'float64' });
        const out = pool
          ? F.avgPool2d(x, window, options)
          : F.conv2d(x, weights, null, {
              stride: options?.stride ?? window,
              padding: options?.padding ?? 0,
              groups: channels,
            });
        out.backward(randn(out.shape, { dtype: 'float64', seed: 2 }));
        return [out, x.grad!];
      };
      const [pooled, poolGrad] = run(true);
      const [convolved, convGrad] = run(false);
      assertTensorClose(pooled!, convolved!);
      assertTensorClose(poolGrad!, convGrad!);
    });
  }
});

const x = randn([2, 4, 6, 6]);
const w = randn([6, 2, 3, 3]);
const b = randn([6]);
const x1 = randn([2, 4, 6]);
const w1 = randn([6, 4, 3]);
const wt = randn([4, 3, 3, 3]);
const wt1 = randn([4, 3, 3]);
const ints = (shape: number[]): Tensor => randn(shape).to('int32');
const notATensor = [1, 2, 3] as unknown as Tensor;
const g2 = { groups: 2 };

const cases: BadInputCase[] = [];
for (const [fn, f, input, weight] of [
  ['conv1d', F.conv1d, x1, randn([6, 2, 3])],
  ['conv2d', F.conv2d, x, w],
] as const) {
  const call =
    (options: ConvOptions, i: Tensor = input, k: Tensor = weight, bias: Tensor | null = null) =>
    () =>
      f(i, k, bias, { groups: 2, ...options });
  cases.push(
    [fn, 'a non-tensor input', () => f(notATensor, weight), ArgumentError],
    [fn, 'a non-tensor weight', () => f(input, notATensor), ArgumentError],
    [fn, 'a non-tensor bias', () => f(input, weight, notATensor, g2), ArgumentError],
    [fn, 'an input of too low rank', () => f(input.reshape([-1]), weight, null, g2), ShapeError],
    [
      fn,
      'an input of too high rank',
      () => f(input.reshape([1, ...input.shape]), weight, null, g2),
      ShapeError,
    ],
    [fn, 'a weight of the wrong rank', () => f(input, weight.reshape([6, -1]), null, g2), ShapeError],
    [fn, 'an integer input', () => f(ints(input.shape as number[]), weight, null, g2), DTypeError],
    [fn, 'a float64 weight with a float32 input', () => f(input, weight.to('float64'), null, g2), DTypeError],
    [fn, 'a float64 bias with a float32 input', call({}, input, weight, b.to('float64')), DTypeError],
    [fn, 'a bias of the wrong length', call({}, input, weight, randn([5])), ShapeError],
    [fn, 'a 2-D bias', call({}, input, weight, randn([6, 1])), ShapeError],
    [fn, 'input channels that do not match the weight', call({ groups: 1 }), ShapeError],
    [fn, 'groups not dividing the input channels', call({ groups: 3 }), ShapeError],
    [fn, 'groups not dividing the output channels', call({ groups: 4 }), ShapeError],
    [fn, 'groups 0', call({ groups: 0 }), ArgumentError],
    [fn, 'fractional groups', call({ groups: 1.5 }), ArgumentError],
    [fn, 'stride 0', call({ stride: 0 }), ArgumentError],
    [fn, 'a negative stride', call({ stride: -1 }), ArgumentError],
    [fn, 'a stride list of the wrong length', call({ stride: [1, 1, 1] }), ArgumentError],
    [fn, 'dilation 0', call({ dilation: 0 }), ArgumentError],
    [fn, 'negative padding', call({ padding: -1 }), ArgumentError],
    [fn, 'an unknown padding string', call({ padding: 'full' as 'same' }), ArgumentError],
    [fn, "padding 'same' with stride 2", call({ padding: 'same', stride: 2 }), ArgumentError],
    [fn, 'an unknown padding mode', call({ padding: 1, paddingMode: 'constant' as 'zeros' }), ArgumentError],
    [fn, 'reflect padding as large as the input', call({ padding: 6, paddingMode: 'reflect' }), ShapeError],
    [fn, 'circular padding larger than the input', call({ padding: 7, paddingMode: 'circular' }), ShapeError],
    [fn, 'a kernel larger than the input', call({ dilation: 3 }), ShapeError],
  );
}
cases.push(
  [
    'conv2d',
    'a kernel larger than the padded input along one axis',
    () => F.conv2d(randn([1, 1, 2, 5]), randn([1, 1, 4, 1]), null, { padding: [0, 1] }),
    ShapeError,
  ],
  ['conv2dRelu', 'a non-tensor input', () => F.conv2dRelu(notATensor, w), ArgumentError, 'conv2d'],
  ['conv2dRelu', 'an integer input', () => F.conv2dRelu(ints(x.shape as number[]), w), DTypeError, 'conv2d'],
  ['conv2dRelu', 'groups 0', () => F.conv2dRelu(x, w, null, { groups: 0 }), ArgumentError, 'conv2d'],
  [
    'conv2dReluMaxPool2d',
    'a non-tensor input',
    () => F.conv2dReluMaxPool2d(notATensor, w, null, {}, 2),
    ArgumentError,
    'conv2d',
  ],
  [
    'conv2dReluMaxPool2d',
    'pool padding over half the kernel',
    () => F.conv2dReluMaxPool2d(randn([1, 2, 6, 6]), w, null, {}, 2, { padding: 2 }),
    ArgumentError,
    'maxPool2d',
  ],
  [
    'conv2dReluMaxPool2d',
    'a pool window larger than the convolution output',
    () => F.conv2dReluMaxPool2d(randn([1, 2, 6, 6]), w, null, {}, 9),
    ShapeError,
    'maxPool2d',
  ],
  [
    'conv1dBackward',
    'a gradient of the wrong shape',
    () => F.conv1dBackward(randn([2, 6, 5]), x1, w1),
    ShapeError,
    'conv1d',
  ],
  [
    'conv2dBackward',
    'a gradient of the wrong shape',
    () => F.conv2dBackward(randn([2, 6, 4]), x, w, null, g2),
    ShapeError,
    'conv2d',
  ],
  [
    'conv2dBackward',
    'a non-tensor gradient',
    () => F.conv2dBackward(notATensor, x, w, null, g2),
    ArgumentError,
    'conv2d',
  ],
);
for (const [fn, f, input, weight] of [
  ['convTranspose1d', F.convTranspose1d, x1, wt1],
  ['convTranspose2d', F.convTranspose2d, x, wt],
] as const) {
  const call =
    (options: ConvTransposeOptions, i: Tensor = input, k: Tensor = weight, bias: Tensor | null = null) =>
    () =>
      f(i, k, bias, options);
  cases.push(
    [fn, 'a non-tensor input', () => f(notATensor, weight), ArgumentError],
    [fn, 'a non-tensor weight', () => f(input, notATensor), ArgumentError],
    [fn, 'a non-tensor bias', () => f(input, weight, notATensor), ArgumentError],
    [fn, 'an input of the wrong rank', () => f(input.reshape([-1]), weight), ShapeError],
    [fn, 'a weight of the wrong rank', () => f(input, weight.reshape([4, -1])), ShapeError],
    [fn, 'an integer input', () => f(ints(input.shape as number[]), weight), DTypeError],
    [fn, 'a float64 weight with a float32 input', () => f(input, weight.to('float64')), DTypeError],
    [
      fn,
      'a float64 bias with a float32 input',
      call({}, input, weight, randn([3], { dtype: 'float64' })),
      DTypeError,
    ],
    [
      fn,
      'a bias of the wrong length (Cout = weight.shape[1] · groups)',
      call({ groups: 2 }, input, weight, randn([3])),
      ShapeError,
    ],
    [
      fn,
      'input channels that do not match weight.shape[0]',
      call({}, randn([2, 3, ...input.shape.slice(2)])),
      ShapeError,
    ],
    [fn, 'groups not dividing the input channels', call({ groups: 3 }), ShapeError],
    [fn, 'groups 0', call({ groups: 0 }), ArgumentError],
    [fn, 'stride 0', call({ stride: 0 }), ArgumentError],
    [fn, 'dilation -1', call({ dilation: -1 }), ArgumentError],
    [fn, 'negative padding', call({ padding: -1 }), ArgumentError],
    [fn, "padding 'same'", call({ padding: 'same' as unknown as number }), ArgumentError],
    [
      fn,
      'outputPadding equal to the stride and the dilation',
      call({ stride: 2, dilation: 2, outputPadding: 2 }),
      ArgumentError,
    ],
    [fn, 'outputPadding with stride 1 and dilation 1', call({ outputPadding: 1 }), ArgumentError],
    [fn, 'negative outputPadding', call({ outputPadding: -1 }), ArgumentError],
    [fn, 'padding that leaves no output', call({ padding: 5 }), ShapeError],
  );
}
cases.push(
  [
    'convTranspose1dBackward',
    'a gradient of the wrong shape',
    () => F.convTranspose1dBackward(x1, x1, wt1),
    ShapeError,
    'convTranspose1d',
  ],
  [
    'convTranspose2dBackward',
    'a gradient of the wrong shape',
    () => F.convTranspose2dBackward(x, x, wt),
    ShapeError,
    'convTranspose2d',
  ],
);
const s = randn([5]);
const k = randn([3]);
for (const [fn, f] of [
  ['correlate1d', F.correlate1d],
  ['convolve1d', F.convolve1d],
] as const) {
  cases.push(
    [fn, 'a non-tensor input', () => f(notATensor, k), ArgumentError],
    [fn, 'a non-tensor kernel', () => f(s, notATensor), ArgumentError],
    [fn, 'a 2-D input', () => f(randn([2, 3]), k), ShapeError],
    [fn, 'a 0-D kernel', () => f(s, randn([])), ShapeError],
    [fn, 'an empty input', () => f(randn([0]), k), ShapeError],
    [fn, 'an empty kernel', () => f(s, randn([0])), ShapeError],
    [fn, 'an integer input', () => f(ints([5]), k), DTypeError],
    [fn, 'a float64 kernel with a float32 input', () => f(s, k.to('float64')), DTypeError],
    [fn, 'an unknown mode', () => f(s, k, { mode: 'circular' as 'full' }), ArgumentError],
  );
}
cases.push([
  'correlate1dBackward',
  'a gradient of the wrong shape',
  () => F.correlate1dBackward(randn([4]), s, k),
  ShapeError,
  'correlate1d',
]);

badInputSuite('convolution bad input', cases, [convolution]);

void it('errors name the shapes involved', () => {
  assert.throws(
    () => F.conv2d(x, randn([6, 3, 3, 3])),
    (e: unknown) =>
      e instanceof ShapeError &&
      e.argument === 'input' &&
      e.message.includes('[2, 4, 6, 6]') &&
      e.message.includes('[6, 3, 3, 3]'),
  );
});
