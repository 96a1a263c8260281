import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, F, ShapeError, arange, gradcheck, randn, tensor } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import type { InterpolateOptions } from '../src/ops/interpolate.js';
import { fixtureSuite } from './helpers/fixtures.js';

fixtureSuite('interpolate', {
  interpolate: ([x], _args, options) => F.interpolate(x!, options),
});

void describe('interpolate examples', () => {
  void it('nearest doubling repeats every sample', () => {
    const x = tensor([[[1, 2, 3]]]);
    assert.deepEqual(F.interpolate(x, { scaleFactor: 2 }).toArray(), [[[1, 1, 2, 2, 3, 3]]]);
  });

  void it('linear with alignCorners keeps the end samples and spaces the rest evenly', () => {
    const x = tensor([[[0, 4]]]);
    assert.deepEqual(F.interpolate(x, { size: 5, mode: 'linear', alignCorners: true }).toArray(), [
      [[0, 1, 2, 3, 4]],
    ]);
  });

  void it('nearest maps coordinates in the input precision, as PyTorch does (31 → 71 by 2.3)', () => {
    // PyTorch 1.13: output 69 reads input 29 in float32 (69 · fround(1/2.3) < 30) but input 30 in float64.
    const pick = (dtype: 'float32' | 'float64'): number =>
      F.interpolate(arange(0, 31, { dtype }).reshape([1, 1, 31]), { scaleFactor: 2.3 }).data[69]!;
    assert.equal(pick('float32'), 29);
    assert.equal(pick('float64'), 30);
  });
});

void describe('interpolate gradcheck (float64)', () => {
  const cases: [string, number[], InterpolateOptions][] = [
    ['nearest 1-D', [2, 3, 5], { size: 8 }],
    ['nearest 2-D scaleFactor', [1, 2, 4, 5], { scaleFactor: [1.5, 0.6] }],
    ['linear up', [2, 2, 5], { size: 9, mode: 'linear' }],
    ['linear down, alignCorners', [2, 2, 9], { size: 4, mode: 'linear', alignCorners: true }],
    ['bilinear', [1, 2, 4, 5], { size: [7, 3], mode: 'bilinear' }],
    [
      'bilinear scaleFactor, alignCorners',
      [1, 2, 4, 5],
      { scaleFactor: 1.7, mode: 'bilinear', alignCorners: true },
    ],
  ];
  for (const [name, shape, options] of cases) {
    void it(name, () => {
      const input = randn(shape, { dtype: 'float64', seed: 5 }).requiresGrad_();
      assert.equal(
        gradcheck((t: Tensor) => F.interpolate(t, options), [input]),
        true,
      );
    });
  }
});

void describe('interpolate bad input', () => {
  const x1 = randn([1, 2, 5]);
  const x2 = randn([1, 2, 4, 4]);
  const bad = (v: unknown): never => v as never;
  const cases: [string, () => unknown, new (...args: never[]) => Error][] = [
    ['a non-tensor', () => F.interpolate(bad([1, 2]), { size: 2 }), ArgumentError],
    ['no options', () => F.interpolate(x1, bad(undefined)), ArgumentError],
    ['a 2-D input', () => F.interpolate(randn([2, 5]), { size: 3 }), ShapeError],
    ['a 5-D input', () => F.interpolate(randn([1, 1, 2, 2, 2]), { size: 3 }), ShapeError],
    ['an empty spatial dim', () => F.interpolate(randn([1, 2, 0]), { size: 3 }), ShapeError],
    [
      'integers',
      () => F.interpolate(tensor([[[1, 2]]], undefined, { dtype: 'int32' }), { size: 3 }),
      DTypeError,
    ],
    ['neither size nor scaleFactor', () => F.interpolate(x1, {}), ArgumentError],
    ['both size and scaleFactor', () => F.interpolate(x1, { size: 3, scaleFactor: 2 }), ArgumentError],
    ['an unknown mode', () => F.interpolate(x1, { size: 3, mode: bad('bicubic') }), ArgumentError],
    ["'linear' on 4-D input", () => F.interpolate(x2, { size: 3, mode: 'linear' }), ShapeError],
    ["'bilinear' on 3-D input", () => F.interpolate(x1, { size: 3, mode: 'bilinear' }), ShapeError],
    [
      "alignCorners true with 'nearest'",
      () => F.interpolate(x1, { size: 3, alignCorners: true }),
      ArgumentError,
    ],
    [
      "alignCorners false with 'nearest'",
      () => F.interpolate(x2, { size: 3, alignCorners: false }),
      ArgumentError,
    ],
    [
      'a string alignCorners',
      () => F.interpolate(x1, { size: 3, mode: 'linear', alignCorners: bad('yes') }),
      ArgumentError,
    ],
    ['size of the wrong length (2 for 3-D input)', () => F.interpolate(x1, { size: [3, 3] }), ShapeError],
    ['size of the wrong length (1 for 4-D input)', () => F.interpolate(x2, { size: [3] }), ShapeError],
    ['scaleFactor of the wrong length', () => F.interpolate(x2, { scaleFactor: [2, 2, 2] }), ShapeError],
    ['size 0', () => F.interpolate(x1, { size: 0 }), ArgumentError],
    ['a fractional size', () => F.interpolate(x2, { size: [2, 2.5] }), ArgumentError],
    ['a string size', () => F.interpolate(x1, { size: bad('3') }), ArgumentError],
    ['a negative scaleFactor', () => F.interpolate(x1, { scaleFactor: -2 }), ArgumentError],
    ['an infinite scaleFactor', () => F.interpolate(x1, { scaleFactor: Infinity }), ArgumentError],
    ['a scaleFactor that leaves no output', () => F.interpolate(x1, { scaleFactor: 0.1 }), ShapeError],
    [
      'recomputeScaleFactor with a size',
      () => F.interpolate(x1, { size: 3, recomputeScaleFactor: true }),
      ArgumentError,
    ],
  ];
  for (const [name, call, error] of cases) {
    void it(name, () => {
      assert.throws(call, error);
    });
  }

  void it('errors name the op, the argument and the shapes', () => {
    assert.throws(
      () => F.interpolate(x1, { size: [3, 3] }),
      (e: unknown) =>
        e instanceof ShapeError &&
        e.op === 'interpolate' &&
        e.argument === 'size' &&
        e.message.includes('[1, 2, 5]'),
    );
  });
});
