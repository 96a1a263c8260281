import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  DTypeError,
  F,
  ShapeError,
  gradcheck,
  matmul,
  randn,
  tensor,
  zeros,
} from '../src/index.js';
import type { Tensor } from '../src/index.js';
import * as linalg from '../src/ops/linalg.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { fixtureSuite } from './helpers/fixtures.js';

fixtureSuite('linalg', {
  matmul: ([a, b]) => matmul(a!, b!),
  linear: ([x, w, b]) => F.linear(x!, w!, b),
});

const f64 = (shape: number[], seed: number): Tensor =>
  randn(shape, { dtype: 'float64', seed }).requiresGrad_();

void describe('linalg gradcheck (float64)', () => {
  const shapes: [number[], number[]][] = [
    [[4], [4]],
    [[3], [3, 5]],
    [[2, 3], [3]],
    [
      [2, 3],
      [3, 4],
    ],
    [[3], [2, 3, 4]],
    [[2, 4, 3], [3]],
    [
      [2, 4, 3],
      [3, 2],
    ],
    [
      [4, 3],
      [2, 3, 5],
    ],
    [
      [2, 4, 3],
      [2, 3, 5],
    ],
    [
      [2, 1, 3, 4],
      [3, 4, 2],
    ],
    [
      [1, 3, 2, 3],
      [4, 1, 3, 2],
    ],
  ];
  for (const [sa, sb] of shapes) {
    void it(`matmul ${JSON.stringify(sa)} · ${JSON.stringify(sb)}`, () => {
      assert.equal(gradcheck(matmul, [f64(sa, 1), f64(sb, 2)]), true);
    });
  }
  const linearInputs: [string, number[], boolean][] = [
    ['2-D with bias', [5, 4], true],
    ['2-D without bias', [5, 4], false],
    ['1-D with bias', [4], true],
    ['leading dims with bias', [2, 3, 4], true],
    ['leading dims without bias', [2, 1, 2, 4], false],
  ];
  for (const [name, shape, withBias] of linearInputs) {
    void it(`linear ${name}`, () => {
      const inputs = [f64(shape, 3), f64([3, 4], 4)];
      if (withBias) inputs.push(f64([3], 5));
      assert.equal(
        gradcheck((x, w, b) => F.linear(x, w, b), inputs),
        true,
      );
    });
  }
  void it('linear with only some inputs requiring grad', () => {
    const x = randn([5, 4], { dtype: 'float64', seed: 6 });
    assert.equal(
      gradcheck((w, b) => F.linear(x, w, b), [f64([3, 4], 7), f64([3], 8)]),
      true,
    );
  });
});

void describe('linalg semantics', () => {
  void it('matmul follows IEEE arithmetic: 0 · ∞ is NaN', () => {
    assert.deepEqual([...matmul(tensor([[0, 1]]), tensor([[Infinity], [2]])).data], [NaN]);
  });
  void it('an empty inner dim gives zeros', () => {
    const out = matmul(zeros([2, 0]), zeros([0, 3]));
    assert.deepEqual([...out.shape], [2, 3]);
    assert.deepEqual([...out.data], [0, 0, 0, 0, 0, 0]);
  });
  void it('keeps the dtype of its operands', () => {
    assert.equal(
      matmul(randn([2, 2], { dtype: 'float64' }), randn([2], { dtype: 'float64' })).dtype,
      'float64',
    );
    assert.equal(F.linear(randn([2, 2]), randn([3, 2])).dtype, 'float32');
  });
});

const m = randn([2, 3]);
const w = randn([4, 3]);
const ints = tensor([[1, 2, 3]], undefined, { dtype: 'int32' });
const notATensor = [1, 2] as unknown as Tensor;
const cases: BadInputCase[] = [
  ['matmul', 'a non-tensor input', () => matmul(notATensor, m), ArgumentError],
  ['matmul', 'a non-tensor other', () => matmul(m, notATensor), ArgumentError],
  ['matmul', 'int32 operands', () => matmul(ints, ints.t()), DTypeError],
  ['matmul', 'float32 with float64', () => matmul(m, randn([3], { dtype: 'float64' })), DTypeError],
  ['matmul', 'a 0-d operand', () => matmul(m, tensor(2)), ShapeError],
  ['matmul', 'inner dims that differ', () => matmul(m, randn([2, 3])), ShapeError],
  ['matmul', 'vectors of different lengths', () => matmul(randn([3]), randn([4])), ShapeError],
  [
    'matmul',
    'batch dims that do not broadcast',
    () => matmul(randn([2, 2, 3]), randn([3, 3, 2])),
    ShapeError,
  ],
  ['linear', 'a non-tensor input', () => F.linear(notATensor, w), ArgumentError],
  ['linear', 'a non-tensor weight', () => F.linear(m, notATensor), ArgumentError],
  ['linear', 'a non-tensor bias', () => F.linear(m, w, [1, 2, 3, 4] as unknown as Tensor), ArgumentError],
  ['linear', 'an int32 input', () => F.linear(ints, w), DTypeError],
  [
    'linearBackward',
    'a gradient of the wrong shape',
    () => F.linearBackward(randn([2, 5]), m, w, null),
    ShapeError,
    'linear',
  ],
  [
    'linearBackward',
    'a non-tensor gradient',
    () => F.linearBackward(notATensor, m, w, null),
    ArgumentError,
    'linear',
  ],
  ['linear', 'a float64 weight for float32 input', () => F.linear(m, w.to('float64')), DTypeError],
  ['linear', 'a 1-D weight', () => F.linear(m, randn([3])), ShapeError],
  ['linear', 'a 0-d input', () => F.linear(tensor(1), w), ShapeError],
  ['linear', 'in features that differ', () => F.linear(randn([2, 4]), w), ShapeError],
  ['linear', 'a bias of the wrong size', () => F.linear(m, w, randn([3])), ShapeError],
  ['linear', 'a 2-D bias', () => F.linear(m, w, randn([1, 4])), ShapeError],
  ['linear', 'a float64 bias', () => F.linear(m, w, randn([4], { dtype: 'float64' })), DTypeError],
];
badInputSuite('linalg bad input', cases, [linalg]);
