import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, F, ShapeError, arange, gradcheck, randn } from '../src/index.js';
import type { Shape, Tensor } from '../src/index.js';
import type { WindowOptions } from '../src/ops/window.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { fixtureSuite } from './helpers/fixtures.js';

fixtureSuite('window', {
  sig2col: ([x], [windowShape], options) => F.sig2col(x!, windowShape as Shape, options),
  col2sig: ([cols], [inputShape, windowShape], options) =>
    F.col2sig(cols!, inputShape as Shape, windowShape as Shape, options),
});

void describe('window: the seeds', () => {
  void it('sig2col of (15, 3, 13, 13) with window (5, 3) has shape (15, 3, 9, 11, 5, 3)', () => {
    assert.deepEqual(F.sig2col(randn([15, 3, 13, 13]), [5, 3]).shape, [15, 3, 9, 11, 5, 3]);
  });

  void it('window (2, 2) with stride (2, 2) gives (15, 3, 6, 6, 2, 2)', () => {
    assert.deepEqual(
      F.sig2col(randn([15, 3, 13, 13]), [2, 2], { stride: [2, 2] }).shape,
      [15, 3, 6, 6, 2, 2],
    );
  });

  void it('each block holds the elements of one window', () => {
    const x = arange(0, 12).reshape([3, 4]);
    assert.deepEqual(F.sig2col(x, [2, 2], { stride: [1, 2] }).toArray(), [
      [
        [
          [0, 1],
          [4, 5],
        ],
        [
          [2, 3],
          [6, 7],
        ],
      ],
      [
        [
          [4, 5],
          [8, 9],
        ],
        [
          [6, 7],
          [10, 11],
        ],
      ],
    ]);
    assert.deepEqual(F.sig2col(arange(0, 7), [3], { dilation: 2, stride: 2 }).toArray(), [
      [0, 2, 4],
      [2, 4, 6],
    ]);
  });

  void it('col2sig is the adjoint of sig2col: ⟨sig2col(x), c⟩ = ⟨x, col2sig(c)⟩', () => {
    const options = { stride: [2, 1], dilation: [1, 3] };
    const x = randn([2, 3, 9, 10], { dtype: 'float64', seed: 1 });
    const windows = F.sig2col(x, [3, 2], options);
    const c = randn(windows.shape, { dtype: 'float64', seed: 2 });
    const back = F.col2sig(c, x.shape, [3, 2], options);
    assert.ok(Math.abs(windows.mul(c).sum().item() - x.mul(back).sum().item()) < 1e-9);
  });

  void it('col2sig adds overlapping windows: the count of windows covering each element', () => {
    const ones = F.sig2col(randn([1, 5]), [3])
      .mul(0)
      .add(1);
    assert.deepEqual(F.col2sig(ones, [1, 5], [3]).toArray(), [[1, 2, 3, 2, 1]]);
  });

  void it('the output-size formulas', () => {
    assert.equal(F.convOutputSize(13, 5, 1, 0, 0, 1), 9);
    assert.equal(F.convOutputSize(13, 2, 2, 0, 0, 1), 6);
    assert.equal(F.convOutputSize(10, 3, 3, 1, 2, 2), 3);
    assert.equal(F.convTransposeOutputSize(4, 3, 2, 1, 1, 1), 8);
    assert.equal(F.convTransposeOutputSize(3, 2, 3, 0, 2, 2), 11);
  });
});

void describe('window gradcheck (float64)', () => {
  const cases: [string, Shape, Shape, WindowOptions][] = [
    ['1-D window with stride and dilation', [2, 9], [3], { stride: 2, dilation: 2 }],
    [
      '2-D window with stride [2, 1] and dilation [1, 2]',
      [2, 6, 6],
      [2, 3],
      { stride: [2, 1], dilation: [1, 2] },
    ],
    ['2-D window with gaps between windows', [1, 7, 5], [2, 2], { stride: 3 }],
    ['3-D window', [3, 4, 4], [2, 3, 2], { stride: [1, 1, 2] }],
  ];
  for (const [name, shape, window, options] of cases) {
    void it(`sig2col, ${name}`, () => {
      const x = randn(shape, { dtype: 'float64', seed: 1 }).requiresGrad_();
      assert.equal(
        gradcheck((t) => F.sig2col(t, window, options), [x]),
        true,
      );
    });
    void it(`col2sig, ${name}`, () => {
      const columns = F.sig2col(randn(shape, { dtype: 'float64' }), window, options).shape;
      const c = randn(columns, { dtype: 'float64', seed: 2 }).requiresGrad_();
      assert.equal(
        gradcheck((t) => F.col2sig(t, shape, window, options), [c]),
        true,
      );
    });
  }
});

const x = randn([2, 5, 6]);
const cols = F.sig2col(x, [2, 3]);
const notATensor = [1, 2] as unknown as Tensor;
const cases: BadInputCase[] = [
  ['sig2col', 'a non-tensor input', () => F.sig2col(notATensor, [2]), ArgumentError],
  ['sig2col', 'an empty window', () => F.sig2col(x, []), ArgumentError],
  ['sig2col', 'a window of size 0', () => F.sig2col(x, [0, 2]), ArgumentError],
  ['sig2col', 'a fractional window', () => F.sig2col(x, [1.5]), ArgumentError],
  ['sig2col', 'a window that is not a list', () => F.sig2col(x, 3 as unknown as Shape), ArgumentError],
  ['sig2col', 'a window with more dims than the input', () => F.sig2col(x, [1, 1, 1, 1]), ShapeError],
  ['sig2col', 'a window larger than the input', () => F.sig2col(x, [6, 2]), ShapeError],
  [
    'sig2col',
    'a dilated window larger than the input',
    () => F.sig2col(x, [2, 2], { dilation: [1, 6] }),
    ShapeError,
  ],
  ['sig2col', 'stride 0', () => F.sig2col(x, [2, 2], { stride: 0 }), ArgumentError],
  ['sig2col', 'a negative dilation', () => F.sig2col(x, [2, 2], { dilation: -1 }), ArgumentError],
  [
    'sig2col',
    'a stride list of the wrong length',
    () => F.sig2col(x, [2, 2], { stride: [1, 1, 1] }),
    ArgumentError,
  ],
  ['col2sig', 'non-tensor columns', () => F.col2sig(notATensor, [2, 5, 6], [2, 3]), ArgumentError],
  ['col2sig', 'columns of the wrong shape', () => F.col2sig(cols, [2, 5, 7], [2, 3]), ShapeError],
  [
    'col2sig',
    'columns of the wrong rank',
    () => F.col2sig(cols.reshape([2, -1]), [2, 5, 6], [2, 3]),
    ShapeError,
  ],
  ['col2sig', 'a negative input size', () => F.col2sig(cols, [2, -5, 6], [2, 3]), ArgumentError],
  [
    'col2sig',
    'an input shape that is not a list',
    () => F.col2sig(cols, 6 as unknown as Shape, [2, 3]),
    ArgumentError,
  ],
  ['col2sig', 'a window larger than the input', () => F.col2sig(cols, [2, 5, 6], [6, 3]), ShapeError],
  ['col2sig', 'stride 0', () => F.col2sig(cols, [2, 5, 6], [2, 3], { stride: 0 }), ArgumentError],
];
badInputSuite('window bad input', cases);
