import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ArgumentError,
  DTypeError,
  ShapeError,
  gradcheck,
  ones,
  rand,
  tensor,
  vision,
} from '../src/index.js';
import type { Tensor } from '../src/index.js';
import type { ApplyKernelOptions, KernelInput, PaddingMode, PoolImageOptions } from '../src/vision/filter.js';
import * as filterModule from '../src/vision/filter.js';
import { BAND_ELEMENTS, correlateInBands } from '../src/vision/bands.js';
import { describeEachBackend } from './helpers/backends.js';
import { assertAllClose, assertTensorClose } from './helpers/close.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { fixtureSuite } from './helpers/fixtures.js';

/** PyTorch (F.pad + F.conv2d, groups = 3) on a crop of data/images/chelsea.png: scripts/reference/cases_vision.py. */
fixtureSuite('vision', {
  applyKernel: ([image], [spec], options) => vision.applyKernel(image!, spec as KernelInput, options),
  edgeMagnitude: ([image], _args, options) => vision.edgeMagnitude(image!, options),
  poolImage: ([image], _args, options) => vision.poolImage(image!, options as unknown as PoolImageOptions),
});

const SEED_INPUT = tensor([
  [1, 2, 3, 0],
  [4, 5, 6, 1],
  [7, 8, 9, 2],
  [0, 1, 2, 3],
]);

const MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];
const SEPARABLE = [
  'gaussian',
  'gaussian:7:2',
  'box',
  'mean:5',
  'sobel-x',
  'sobel-y',
  'prewitt-x',
  'scharr-y',
];

describeEachBackend('vision.applyKernel', () => {
  void it("the seed's unit test: true convolution, valid", () => {
    const out = vision.applyKernel(
      SEED_INPUT,
      [
        [1, 0],
        [0, -1],
      ],
      { convolve: true, padding: 'valid', output: 'none' },
    );
    assert.deepEqual(out.toArray(), [
      [4, 4, -2],
      [4, 4, -4],
      [-6, -6, -6],
    ]);
  });

  void it('separable kernels (two 1-D passes) equal their 2-D matrix', () => {
    const image = rand([3, 11, 13], { dtype: 'float64', seed: 1 });
    for (const spec of SEPARABLE) {
      const k = vision.kernel(spec);
      assert.notEqual(k.separable, null, spec);
      for (const paddingMode of MODES) {
        for (const convolve of [false, true]) {
          const options: ApplyKernelOptions = { paddingMode, convolve, output: 'none' };
          const twoPass = vision.applyKernel(image, k, options);
          const matrix = vision.applyKernel(image, k.matrix, options);
          assertAllClose(twoPass.data, matrix.data, { rtol: 1e-12, atol: 1e-14 }, `${spec} ${paddingMode}`);
        }
      }
    }
    const valid = vision.applyKernel(image, 'box:4', { padding: 'valid', output: 'none' });
    assert.deepEqual(valid.shape, [3, 8, 10]);
    assertTensorClose(
      valid,
      vision.applyKernel(image, vision.kernel('box:4').matrix, { padding: 'valid', output: 'none' }),
    );
  });

  void it('correlation by default, convolution flips the kernel', () => {
    const image = rand([1, 6, 7], { dtype: 'float64', seed: 2 });
    const k = [
      [1, 2, 0],
      [0, -1, 3],
      [2, 0, 0],
    ];
    const flippedK = [...k].reverse().map((row) => [...row].reverse());
    const options = { output: 'none' } as const;
    const correlated = vision.applyKernel(image, k, options);
    assertTensorClose(vision.applyKernel(image, flippedK, { ...options, convolve: true }), correlated);
    assert.ok(
      Math.max(
        ...vision
          .applyKernel(image, k, { ...options, convolve: true })
          .sub(correlated)
          .abs().data,
      ) > 0.1,
    );
    assertTensorClose(
      vision.applyKernel(image, 'sobel-x', { ...options, convolve: true }),
      vision.applyKernel(image, 'sobel-x', options).neg(),
    );
  });

  void it('keeps the rank and the dtype: (H, W), one channel, four channels, float32', () => {
    const gray = rand([5, 6], { seed: 3 });
    const out = vision.applyKernel(gray, 'gaussian:3');
    assert.deepEqual(out.shape, [5, 6]);
    assert.equal(out.dtype, 'float32');
    assert.deepEqual(vision.applyKernel(gray, 'sobel-x', { padding: 'valid' }).shape, [3, 4]);
    assert.deepEqual(vision.applyKernel(rand([4, 5, 6]), 'emboss').shape, [4, 5, 6]);
    assert.deepEqual(vision.applyKernel(rand([1, 5, 6]), 'identity').shape, [1, 5, 6]);
    assertTensorClose(vision.applyKernel(gray, 'identity', { output: 'none' }), gray);
  });

  void it('output modes: clip, abs, normalize over all channels, none', () => {
    const image = tensor([[[0, 0.5, 1]], [[1, 1, 1]]], undefined, { dtype: 'float64' });
    const k = [[-2]];
    assert.deepEqual(vision.applyKernel(image, k, { output: 'none' }).toArray(), [
      [[0, -1, -2]],
      [[-2, -2, -2]],
    ]);
    assert.deepEqual(vision.applyKernel(image, k).toArray(), [[[0, 0, 0]], [[0, 0, 0]]]);
    assert.deepEqual(vision.applyKernel(image, k, { output: 'abs' }).toArray(), [[[0, 1, 1]], [[1, 1, 1]]]);
    assert.deepEqual(vision.applyKernel(image, k, { output: 'normalize' }).toArray(), [
      [[1, 0.5, 0]],
      [[0, 0, 0]],
    ]);
    const flat = vision.applyKernel(ones([2, 3, 3]), 'scale:3', { output: 'normalize' });
    assert.deepEqual([...flat.data], new Array(18).fill(0));
  });

  void it('padding modes fill the border as F.pad does', () => {
    const row = tensor([[1, 2, 3]], undefined, { dtype: 'float64' });
    const previous = [[1, 0, 0]];
    const values = (paddingMode: PaddingMode): number[] => [
      ...vision.applyKernel(row, previous, { paddingMode, output: 'none' }).data,
    ];
    assert.deepEqual(values('zeros'), [0, 1, 2]);
    assert.deepEqual(values('reflect'), [2, 1, 2]);
    assert.deepEqual(values('replicate'), [1, 1, 2]);
    assert.deepEqual(values('circular'), [3, 1, 2]);
  });

  void it('reports progress, and bands of rows give exactly the one-pass result', () => {
    const calls: [number, number][] = [];
    vision.applyKernel(rand([3, 7, 9]), 'gaussian', {
      onProgress: (done, total) => calls.push([done, total]),
    });
    assert.deepEqual(calls, [[7, 7]]);
    const padded = rand([1, 3, 14, 17], { dtype: 'float64', seed: 4 });
    for (const kernels of [
      [vision.kernel('gaussian')],
      [vision.kernel('log:5:1')],
      [vision.kernel('sobel-x'), vision.kernel('sobel-y')],
    ]) {
      const whole = correlateInBands(padded, kernels, BAND_ELEMENTS);
      for (const budget of [1, 100, 300]) {
        const progress: number[] = [];
        const banded = correlateInBands(padded, kernels, budget, (done, total) => {
          assert.equal(total, whole[0]!.shape[2]);
          progress.push(done);
        });
        assert.ok(progress.length > 1, `budget ${budget} splits the image`);
        assert.equal(progress.at(-1), whole[0]!.shape[2]);
        banded.forEach((b, i) => {
          assert.deepEqual(b.shape, whole[i]!.shape);
          assert.deepEqual([...b.data], [...whole[i]!.data], `${kernels[i]!.name}, budget ${budget}`);
        });
      }
    }
  });

  void it('gradients flow through bands as through one pass', () => {
    const input = rand([1, 2, 9, 8], { dtype: 'float64', seed: 5 });
    const gradient = (budget: number): number[] => {
      const x = input.clone().requiresGrad_();
      const [y] = correlateInBands(x, [vision.kernel('gaussian:3')], budget);
      y!.mul(y!).sum().backward();
      return [...x.grad!.data];
    };
    assertAllClose(gradient(1), gradient(BAND_ELEMENTS), { rtol: 1e-12, atol: 1e-14 });
  });
});

describeEachBackend('vision.edgeMagnitude and vision.poolImage', () => {
  void it('edge magnitude is |gx| + |gy| or √(gx² + gy²), clipped', () => {
    const image = rand([2, 6, 7], { dtype: 'float64', seed: 6 }).mul(0.1);
    const options = { output: 'none' } as const;
    const gx = vision.applyKernel(image, 'sobel-x', options);
    const gy = vision.applyKernel(image, 'sobel-y', options);
    assertTensorClose(vision.edgeMagnitude(image), gx.abs().add(gy.abs()).clamp({ max: 1 }));
    assertTensorClose(
      vision.edgeMagnitude(image, { norm: 'l2' }),
      gx.mul(gx).add(gy.mul(gy)).sqrt().clamp({ max: 1 }),
    );
    assert.deepEqual(vision.edgeMagnitude(rand([6, 7]), { padding: 'valid' }).shape, [4, 5]);
    const calls: number[] = [];
    vision.edgeMagnitude(image, { onProgress: (done) => calls.push(done) });
    assert.deepEqual(calls, [6]);
  });

  void it("the seed's 2×2 max pooling, and average pooling", () => {
    assert.deepEqual(vision.poolImage(SEED_INPUT, { kernelSize: 2 }).toArray(), [
      [5, 6],
      [8, 9],
    ]);
    assert.deepEqual(vision.poolImage(SEED_INPUT, { mode: 'avg', kernelSize: 2 }).toArray(), [
      [3, 2.5],
      [4, 4],
    ]);
    assert.deepEqual(vision.poolImage(rand([3, 41, 60]), { kernelSize: 20 }).shape, [3, 2, 3]);
    assert.deepEqual(
      vision.poolImage(rand([3, 41, 60]), { kernelSize: 20, ceilMode: true }).shape,
      [3, 3, 3],
    );
  });
});

void describe('vision.applyKernel gradcheck (float64, output none)', () => {
  for (const [what, spec] of [
    ['separable gaussian:3:0.8, reflect', 'gaussian:3:0.8'],
    ['non-separable asymmetric matrix', '1,2,0;0,-1,3;2,0,0'],
  ] as const) {
    void it(what, () => {
      const image = rand([2, 4, 5], { dtype: 'float64', seed: 7 }).requiresGrad_();
      const f = (x: Tensor): Tensor =>
        vision.applyKernel(x, spec, { paddingMode: 'reflect', convolve: true, output: 'none' });
      assert.equal(gradcheck(f, [image]), true);
    });
  }
});

void it('error messages explain what to change', () => {
  const image = rand([3, 4, 5]);
  assert.throws(
    () => vision.applyKernel(image, 'box:4'),
    /'same' needs odd kernel sizes .* got 4×4; use padding 'valid'/,
  );
  assert.throws(
    () => vision.applyKernel(image, 'gaussian:7', { padding: 'valid' }),
    /'valid' needs an image at least as large as the 7×7 kernel, got 4×5/,
  );
  assert.throws(
    () => vision.applyKernel(image, 'gaussian:9', { paddingMode: 'reflect' }),
    /reflect padding of 4 rows and 4 columns \(for a 9×9 kernel\) must be smaller than the image's 4×5/,
  );
  assert.throws(() => vision.applyKernel(image, 'sobel'), /applyKernel\(kernel\): .*unknown kernel 'sobel'/);
});

const image = rand([3, 4, 5]);
const cases: BadInputCase[] = [
  [
    'applyKernel',
    'a non-tensor image',
    () => vision.applyKernel([[1]] as unknown as Tensor, 'identity'),
    ArgumentError,
  ],
  ['applyKernel', 'a 4-D image', () => vision.applyKernel(rand([1, 3, 4, 5]), 'identity'), ShapeError],
  ['applyKernel', 'a 1-D image', () => vision.applyKernel(rand([5]), 'identity'), ShapeError],
  [
    'applyKernel',
    'an int32 image',
    () => vision.applyKernel(tensor([[1]], undefined, { dtype: 'int32' }), 'identity'),
    DTypeError,
  ],
  ['applyKernel', 'an empty image', () => vision.applyKernel(rand([3, 0, 5]), 'identity'), ShapeError],
  ['applyKernel', 'an unknown kernel name', () => vision.applyKernel(image, 'blur'), ArgumentError],
  ['applyKernel', 'a ragged matrix', () => vision.applyKernel(image, [[1, 2], [3]]), ArgumentError],
  [
    'applyKernel',
    'a kernel that is a number',
    () => vision.applyKernel(image, 3 as unknown as string),
    ArgumentError,
  ],
  [
    'applyKernel',
    'a Kernel whose factors do not fit its matrix',
    () =>
      vision.applyKernel(image, {
        name: 'bad',
        matrix: [[1, 2, 1]],
        separable: { column: [1, 2], row: [1] },
      }),
    ArgumentError,
  ],
  ['applyKernel', "an even kernel with 'same'", () => vision.applyKernel(image, 'box:2'), ArgumentError],
  [
    'applyKernel',
    "an even user matrix with 'same'",
    () =>
      vision.applyKernel(image, [
        [1, 0],
        [0, -1],
      ]),
    ArgumentError,
  ],
  [
    'applyKernel',
    "an image smaller than the kernel with 'valid'",
    () => vision.applyKernel(image, 'box:5', { padding: 'valid' }),
    ArgumentError,
  ],
  [
    'applyKernel',
    'reflect padding as large as the image',
    () => vision.applyKernel(image, 'gaussian:9', { paddingMode: 'reflect' }),
    ArgumentError,
  ],
  [
    'applyKernel',
    'circular padding larger than the image',
    () => vision.applyKernel(image, 'gaussian:11', { paddingMode: 'circular' }),
    ArgumentError,
  ],
  [
    'applyKernel',
    'an unknown padding',
    () => vision.applyKernel(image, 'identity', { padding: 'full' as 'same' }),
    ArgumentError,
  ],
  [
    'applyKernel',
    'an unknown padding mode',
    () => vision.applyKernel(image, 'identity', { paddingMode: 'wrap' as 'circular' }),
    ArgumentError,
  ],
  [
    'applyKernel',
    'an unknown output mode',
    () => vision.applyKernel(image, 'identity', { output: 'scale' as 'clip' }),
    ArgumentError,
  ],
  [
    'applyKernel',
    'a non-boolean convolve',
    () => vision.applyKernel(image, 'identity', { convolve: 'yes' as unknown as boolean }),
    ArgumentError,
  ],
  [
    'applyKernel',
    'a non-function onProgress',
    () => vision.applyKernel(image, 'identity', { onProgress: 1 as unknown as () => void }),
    ArgumentError,
  ],
  [
    'applyKernel',
    'options that are not an object',
    () => vision.applyKernel(image, 'identity', 'same' as unknown as ApplyKernelOptions),
    ArgumentError,
  ],
  [
    'edgeMagnitude',
    'a non-tensor image',
    () => vision.edgeMagnitude(null as unknown as Tensor),
    ArgumentError,
  ],
  ['edgeMagnitude', 'a 4-D image', () => vision.edgeMagnitude(rand([1, 1, 4, 4])), ShapeError],
  [
    'edgeMagnitude',
    'an int32 image',
    () => vision.edgeMagnitude(tensor([[1, 2]], undefined, { dtype: 'int32' })),
    DTypeError,
  ],
  [
    'edgeMagnitude',
    'an unknown operator',
    () => vision.edgeMagnitude(image, { operator: 'roberts' as 'sobel' }),
    ArgumentError,
  ],
  [
    'edgeMagnitude',
    'an unknown norm',
    () => vision.edgeMagnitude(image, { norm: 'max' as 'l1' }),
    ArgumentError,
  ],
  [
    'edgeMagnitude',
    "an image smaller than 3×3 with 'valid'",
    () => vision.edgeMagnitude(rand([2, 5]), { padding: 'valid' }),
    ArgumentError,
  ],
  [
    'edgeMagnitude',
    'reflect padding of a one-row image',
    () => vision.edgeMagnitude(rand([1, 5]), { paddingMode: 'reflect' }),
    ArgumentError,
  ],
  [
    'poolImage',
    'a non-tensor image',
    () => vision.poolImage(undefined as unknown as Tensor, { kernelSize: 2 }),
    ArgumentError,
  ],
  ['poolImage', 'a 4-D image', () => vision.poolImage(rand([1, 1, 4, 4]), { kernelSize: 2 }), ShapeError],
  [
    'poolImage',
    'an int32 image',
    () => vision.poolImage(tensor([[1, 2]], undefined, { dtype: 'int32' }), { kernelSize: 1 }),
    DTypeError,
  ],
  [
    'poolImage',
    'no options',
    () => vision.poolImage(image, undefined as unknown as PoolImageOptions),
    ArgumentError,
  ],
  ['poolImage', 'a zero window', () => vision.poolImage(image, { kernelSize: 0 }), ArgumentError],
  ['poolImage', 'a fractional window', () => vision.poolImage(image, { kernelSize: 1.5 }), ArgumentError],
  [
    'poolImage',
    'a window with three sizes',
    () => vision.poolImage(image, { kernelSize: [1, 2, 3] as unknown as number }),
    ArgumentError,
  ],
  [
    'poolImage',
    'a window larger than the image',
    () => vision.poolImage(image, { kernelSize: [2, 6] }),
    ArgumentError,
  ],
  [
    'poolImage',
    'a negative stride',
    () => vision.poolImage(image, { kernelSize: 2, stride: -1 }),
    ArgumentError,
  ],
  [
    'poolImage',
    'an unknown mode',
    () => vision.poolImage(image, { kernelSize: 2, mode: 'min' as 'max' }),
    ArgumentError,
  ],
  [
    'poolImage',
    'a non-boolean ceilMode',
    () => vision.poolImage(image, { kernelSize: 2, ceilMode: 1 as unknown as boolean }),
    ArgumentError,
  ],
];
badInputSuite('vision filter bad input', cases, [filterModule]);
