import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, F, ShapeError, gradcheck, randn, tensor } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import type { PadOptions } from '../src/ops/padding.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { fixtureSuite } from './helpers/fixtures.js';

fixtureSuite('padding', {
  pad: ([x], [amounts], options) => F.pad(x!, amounts as number[], options),
});

void describe('pad gradcheck (float64)', () => {
  const cases: [string, number[], PadOptions][] = [
    ['constant', [1, 2, 0, 1], {}],
    ['constant with negative amounts', [-1, 2, 1, -1], { value: 3 }],
    ['reflect', [2, 1, 1, 2], { mode: 'reflect' }],
    ['replicate', [3, 0, 2, 4], { mode: 'replicate' }],
    ['circular', [4, 1, 1, 3], { mode: 'circular' }],
  ];
  for (const [name, amounts, options] of cases) {
    void it(name, () => {
      const x = randn([2, 2, 4, 5], { dtype: 'float64', seed: 3 }).requiresGrad_();
      assert.equal(
        gradcheck((t: Tensor) => F.pad(t, amounts, options), [x]),
        true,
      );
    });
  }
});

void describe('pad values by hand', () => {
  void it('reflect mirrors without repeating the edge, replicate repeats it, circular wraps', () => {
    const x = tensor([[1, 2, 3]]);
    assert.deepEqual(F.pad(x, [2, 2], { mode: 'reflect' }).toArray(), [[3, 2, 1, 2, 3, 2, 1]]);
    assert.deepEqual(F.pad(x, [2, 2], { mode: 'replicate' }).toArray(), [[1, 1, 1, 2, 3, 3, 3]]);
    assert.deepEqual(F.pad(x, [2, 2], { mode: 'circular' }).toArray(), [[2, 3, 1, 2, 3, 1, 2]]);
    assert.deepEqual(F.pad(x, [1, 0], { value: 9 }).toArray(), [[9, 1, 2, 3]]);
  });
});

const x = randn([1, 2, 3, 4]);
const cases: BadInputCase[] = [
  ['pad', 'a non-tensor input', () => F.pad([1, 2] as unknown as Tensor, [1, 1]), ArgumentError],
  ['pad', 'an odd-length padding list', () => F.pad(x, [1, 1, 1]), ArgumentError],
  ['pad', 'fractional amounts', () => F.pad(x, [0.5, 1]), ArgumentError],
  ['pad', 'more padded dims than the input has', () => F.pad(x, [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), ShapeError],
  ['pad', 'an unknown mode', () => F.pad(x, [1, 1], { mode: 'wrap' as 'circular' }), ArgumentError],
  [
    'pad',
    'a non-numeric fill value',
    () => F.pad(x, [1, 1], { value: '0' as unknown as number }),
    ArgumentError,
  ],
  ['pad', 'reflect padding as large as the dim', () => F.pad(x, [4, 0], { mode: 'reflect' }), ShapeError],
  ['pad', 'circular padding larger than the dim', () => F.pad(x, [5, 0], { mode: 'circular' }), ShapeError],
  [
    'pad',
    'negative padding outside constant mode',
    () => F.pad(x, [-1, 0], { mode: 'replicate' }),
    ArgumentError,
  ],
  ['pad', 'cropping more than the dim holds', () => F.pad(x, [-3, -2]), ShapeError],
];
badInputSuite('pad bad input', cases);
