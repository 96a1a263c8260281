import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  DTypeError,
  F,
  ShapeError,
  arange,
  cat,
  expand,
  flatten,
  gather,
  gradcheck,
  narrow,
  permute,
  randn,
  reshape,
  slice,
  squeeze,
  stack,
  tensor,
  transpose,
  unsqueeze,
  zeros,
} from '../src/index.js';
import type { Shape, Tensor } from '../src/index.js';
import * as shapeOps from '../src/ops/shape.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { fixtureSuite } from './helpers/fixtures.js';

const some = (inputs: (Tensor | null)[]): Tensor[] => inputs.filter((t): t is Tensor => t !== null);

fixtureSuite('shape', {
  reshape: ([x], [shape]) => reshape(x!, shape as Shape),
  flatten: ([x], _args, options) => flatten(x!, options),
  squeeze: ([x], _args, options) => squeeze(x!, options),
  unsqueeze: ([x], [dim]) => unsqueeze(x!, dim as number),
  permute: ([x], [dims]) => permute(x!, dims as number[]),
  transpose: ([x], [d0, d1]) => transpose(x!, d0 as number, d1 as number),
  expand: ([x], [shape]) => expand(x!, shape as Shape),
  slice: ([x], [dim], options) => slice(x!, dim as number, options),
  narrow: ([x], [dim, start, length]) => narrow(x!, dim as number, start as number, length as number),
  cat: (inputs, _args, options) => cat(some(inputs), options),
  stack: (inputs, _args, options) => stack(some(inputs), options),
  gather: ([x, index], [dim]) => gather(x!, dim as number, index!),
  oneHot: ([x], _args, options) => F.oneHot(x!, options),
});

void describe('shape ops gradcheck (float64)', () => {
  const x = (): Tensor => randn([2, 3, 4], { dtype: 'float64', seed: 21 }).requiresGrad_();
  const cases: [string, (t: Tensor) => Tensor][] = [
    ['reshape', (t) => reshape(t, [4, -1])],
    ['flatten', (t) => flatten(t, { startDim: 1 })],
    ['squeeze', (t) => squeeze(reshape(t, [2, 1, 12]))],
    ['unsqueeze', (t) => unsqueeze(t, -2)],
    ['permute', (t) => permute(t, [2, 0, 1])],
    ['transpose', (t) => transpose(t, 0, 2)],
    ['expand', (t) => expand(narrow(t, 1, 0, 1), [3, 2, 5, 4])],
    ['slice with a step', (t) => slice(t, 2, { start: -3, step: 2 })],
    ['narrow', (t) => narrow(t, 1, 1, 2)],
    ['cat of slices of one tensor', (t) => cat([t, narrow(t, 1, 0, 2), t], { dim: 1 })],
    ['stack', (t) => stack([t, t.mul(2)], { dim: 1 })],
    [
      'gather with repeated indices',
      (t) => gather(t, 1, tensor([[[0, 2, 2, 0]], [[1, 1, 1, 2]]], undefined, { dtype: 'int32' })),
    ],
  ];
  for (const [name, f] of cases) {
    void it(name, () => {
      assert.equal(gradcheck(f, [x()]), true);
    });
  }
  void it('cat and stack of different tensors', () => {
    const a = randn([2, 3], { dtype: 'float64', seed: 1 }).requiresGrad_();
    const b = randn([2, 1], { dtype: 'float64', seed: 2 }).requiresGrad_();
    assert.equal(
      gradcheck((u, v) => cat([u, v, u], { dim: -1 }), [a, b]),
      true,
    );
    assert.equal(
      gradcheck((u, v) => stack([u, v.expand([2, 3])], { dim: 2 }), [a, b]),
      true,
    );
  });
});

void describe('shape ops semantics', () => {
  void it('reshape, flatten, squeeze and unsqueeze share the values (views)', () => {
    const x = arange(6, undefined, { dtype: 'float32' });
    const views = [
      reshape(x, [2, 3]),
      flatten(reshape(x, [3, 2])),
      unsqueeze(x, 0),
      squeeze(reshape(x, [1, 6])),
    ];
    x.data[0] = 42;
    for (const v of views) assert.equal(v.data[0], 42);
  });
  void it('an empty slice has a zero-length dim and a zero gradient', () => {
    const x = randn([3, 7], { requiresGrad: true });
    const s = slice(x, 1, { start: 5, end: 2 });
    assert.deepEqual([...s.shape], [3, 0]);
    cat([s, x], { dim: 1 }).sum().backward();
    assert.deepEqual([...x.grad!.data], new Array<number>(21).fill(1));
  });
  void it('cat promotes dtypes, as torch.cat', () => {
    const out = cat([tensor([1, 2]), tensor([3], undefined, { dtype: 'float64' })]);
    assert.equal(out.dtype, 'float64');
    assert.deepEqual([...out.data], [1, 2, 3]);
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    cat([a, tensor([3], undefined, { dtype: 'float64' })])
      .sum()
      .backward();
    assert.equal(a.grad!.dtype, 'float32');
  });
  void it('oneHot returns int32 of shape [...input, classes]', () => {
    const out = F.oneHot(tensor([[0], [2]], undefined, { dtype: 'int32' }), { numClasses: 3 });
    assert.equal(out.dtype, 'int32');
    assert.deepEqual([...out.shape], [2, 1, 3]);
  });
  void it('Tensor.t() transposes a matrix and leaves vectors alone', () => {
    const m = randn([2, 3]);
    assert.deepEqual([...m.t().shape], [3, 2]);
    assert.deepEqual([...randn([3]).t().shape], [3]);
  });
});

const x = randn([2, 3]);
const ints = tensor([[0, 1, 2]], undefined, { dtype: 'int32' });
const notATensor = [1, 2] as unknown as Tensor;
const cases: BadInputCase[] = [
  ['reshape', 'a non-tensor', () => reshape(notATensor, [2]), ArgumentError],
  ['reshape', 'a size mismatch', () => reshape(x, [4]), ShapeError],
  ['reshape', 'two inferred dims', () => reshape(x, [-1, -1]), ArgumentError],
  ['reshape', 'an inferred dim that does not divide', () => reshape(x, [-1, 4]), ShapeError],
  ['reshape', 'a negative size', () => reshape(x, [-2, -3]), ArgumentError],
  ['reshape', 'a shape that is not a list', () => reshape(x, 6 as unknown as Shape), ArgumentError],
  ['flatten', 'a non-tensor', () => flatten(notATensor), ArgumentError],
  ['flatten', 'startDim after endDim', () => flatten(x, { startDim: 1, endDim: 0 }), ArgumentError],
  ['flatten', 'an out-of-range endDim', () => flatten(x, { endDim: 2 }), ArgumentError],
  [
    'flatten',
    'an out-of-range startDim of a 0-d tensor',
    () => flatten(tensor(1), { startDim: 1 }),
    ArgumentError,
  ],
  ['squeeze', 'a non-tensor', () => squeeze(notATensor), ArgumentError],
  ['squeeze', 'an out-of-range dim', () => squeeze(x, { dim: 2 }), ArgumentError],
  ['unsqueeze', 'a non-tensor', () => unsqueeze(notATensor, 0), ArgumentError],
  ['unsqueeze', 'an out-of-range dim', () => unsqueeze(x, 3), ArgumentError],
  ['unsqueeze', 'a fractional dim', () => unsqueeze(x, 0.5), ArgumentError],
  ['permute', 'a non-tensor', () => permute(notATensor, [0]), ArgumentError],
  ['permute', 'too few dims', () => permute(x, [0]), ArgumentError],
  ['permute', 'a repeated dim', () => permute(x, [1, -1]), ArgumentError],
  ['permute', 'an out-of-range dim', () => permute(x, [0, 2]), ArgumentError],
  ['permute', 'dims that are not a list', () => permute(x, 'ab' as unknown as number[]), ArgumentError],
  ['transpose', 'a non-tensor', () => transpose(notATensor, 0, 1), ArgumentError],
  ['transpose', 'an out-of-range dim', () => transpose(x, 0, 2), ArgumentError],
  ['transpose', 'an out-of-range dim of a 0-d tensor', () => transpose(tensor(1), 0, 3), ArgumentError],
  ['expand', 'a non-tensor', () => expand(notATensor, [2]), ArgumentError],
  ['expand', 'a non-size-1 dim', () => expand(x, [4, 3]), ShapeError],
  ['expand', 'fewer dims', () => expand(x, [3]), ShapeError],
  ['expand', 'a shape that is not a list', () => expand(x, 'big' as unknown as Shape), ArgumentError],
  ['expand', 'a fractional size', () => expand(x, [2, 3.5]), ArgumentError],
  ['expand', '-1 for a new leading dim', () => expand(x, [-1, 2, 3]), ArgumentError],
  ['slice', 'a non-tensor', () => slice(notATensor, 0), ArgumentError],
  ['slice', 'a zero step', () => slice(x, 0, { step: 0 }), ArgumentError],
  ['slice', 'a negative step', () => slice(x, 0, { step: -1 }), ArgumentError],
  ['slice', 'a fractional start', () => slice(x, 0, { start: 0.5 }), ArgumentError],
  ['slice', 'an out-of-range dim', () => slice(x, 2), ArgumentError],
  ['slice', 'a 0-d tensor', () => slice(tensor(1), 0), ShapeError],
  ['narrow', 'a non-tensor', () => narrow(notATensor, 0, 0, 1), ArgumentError],
  ['narrow', 'past the end', () => narrow(x, 1, 2, 2), ArgumentError],
  ['narrow', 'a negative length', () => narrow(x, 1, 0, -1), ArgumentError],
  ['narrow', 'a start before the beginning', () => narrow(x, 1, -4, 1), ArgumentError],
  ['narrow', 'a fractional length', () => narrow(x, 1, 0, 1.5), ArgumentError],
  ['narrow', 'a 0-d tensor', () => narrow(tensor(1), 0, 0, 1), ShapeError],
  ['cat', 'an empty list', () => cat([]), ArgumentError],
  ['cat', 'not a list', () => cat(x as unknown as Tensor[]), ArgumentError],
  ['cat', 'a non-tensor entry', () => cat([x, notATensor]), ArgumentError],
  ['cat', 'mismatched shapes', () => cat([x, randn([3, 3])], { dim: 1 }), ShapeError],
  ['cat', 'mismatched ranks', () => cat([x, randn([2, 3, 1])]), ShapeError],
  ['cat', '0-d tensors', () => cat([tensor(1), tensor(2)]), ShapeError],
  ['cat', 'an out-of-range dim', () => cat([x, x], { dim: 2 }), ArgumentError],
  ['stack', 'an empty list', () => stack([]), ArgumentError],
  ['stack', 'a non-tensor entry', () => stack([x, notATensor]), ArgumentError],
  ['stack', 'mismatched shapes', () => stack([x, randn([3, 2])]), ShapeError],
  ['stack', 'an out-of-range dim', () => stack([x, x], { dim: 3 }), ArgumentError],
  ['gather', 'a non-tensor input', () => gather(notATensor, 0, ints), ArgumentError],
  ['gather', 'a non-tensor index', () => gather(x, 0, [[0]] as unknown as Tensor), ArgumentError],
  ['gather', 'a float index', () => gather(x, 1, tensor([[0]])), DTypeError],
  [
    'gather',
    'an index out of range',
    () => gather(x, 1, tensor([[3]], undefined, { dtype: 'int32' })),
    ArgumentError,
  ],
  [
    'gather',
    'a negative index',
    () => gather(x, 1, tensor([[-1]], undefined, { dtype: 'int32' })),
    ArgumentError,
  ],
  [
    'gather',
    'an index of another rank',
    () => gather(x, 1, tensor([0], undefined, { dtype: 'int32' })),
    ShapeError,
  ],
  [
    'gather',
    'an index larger than the input',
    () => gather(x, 1, zeros([3, 1], { dtype: 'int32' })),
    ShapeError,
  ],
  ['gather', 'an out-of-range dim', () => gather(x, 2, ints), ArgumentError],
  ['oneHot', 'a non-tensor', () => F.oneHot(notATensor), ArgumentError],
  ['oneHot', 'float labels', () => F.oneHot(tensor([0, 1])), DTypeError],
  ['oneHot', 'a negative label', () => F.oneHot(tensor([-1], undefined, { dtype: 'int32' })), ArgumentError],
  ['oneHot', 'a label ≥ numClasses', () => F.oneHot(ints, { numClasses: 2 }), ArgumentError],
  ['oneHot', 'numClasses 0', () => F.oneHot(ints, { numClasses: 0 }), ArgumentError],
  ['oneHot', 'fractional numClasses', () => F.oneHot(ints, { numClasses: 3.5 }), ArgumentError],
  [
    'oneHot',
    'no labels to infer numClasses from',
    () => F.oneHot(zeros([0], { dtype: 'int32' })),
    ArgumentError,
  ],
];
badInputSuite('shape ops bad input', cases, [shapeOps]);
