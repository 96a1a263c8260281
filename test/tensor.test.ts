import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  AutogradError,
  DTypeError,
  F,
  ShapeError,
  Tensor,
  abs,
  add,
  argmax,
  argmin,
  clamp,
  div,
  eq,
  erf,
  exp,
  expand,
  flatten,
  gather,
  ge,
  gt,
  le,
  log,
  lt,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  narrow,
  ne,
  neg,
  noGrad,
  permute,
  pow,
  rand,
  randn,
  reshape,
  sign,
  slice,
  sqrt,
  squeeze,
  sub,
  sum,
  tensor,
  transpose,
  unsqueeze,
  zeros,
} from '../src/index.js';
import type { Shape } from '../src/index.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { assertTensorClose } from './helpers/close.js';

void describe('Tensor', () => {
  void it('wraps a typed array without copying', () => {
    const data = new Float64Array([1, 2, 3, 4, 5, 6]);
    const t = new Tensor(data, [2, 3]);
    assert.equal(t.data, data);
    assert.equal(t.dtype, 'float64');
    assert.deepEqual([...t.shape], [2, 3]);
    assert.ok(Object.isFrozen(t.shape));
    assert.equal(t.size, 6);
    assert.equal(t.ndim, 2);
    assert.equal(t.requiresGrad, false);
    assert.equal(t.isLeaf, true);
    assert.equal(t.grad, null);
  });
  void it('item, toArray and toString', () => {
    assert.equal(tensor([[7]]).item(), 7);
    assert.deepEqual(
      tensor(
        [
          [1, 2],
          [3, 4],
        ],
        undefined,
        { dtype: 'int32' },
      ).toArray(),
      [
        [1, 2],
        [3, 4],
      ],
    );
    assert.deepEqual(zeros([2, 0]).toArray(), [[], []]);
    assert.equal(
      tensor([
        [1, 2.5],
        [3, 4],
      ]).toString(),
      'tensor([[1, 2.5], [3, 4]], shape=[2, 2], dtype=float32)',
    );
    assert.equal(
      tensor([NaN, Infinity, -Infinity], undefined, { dtype: 'float64', requiresGrad: true }).toString(),
      'tensor([NaN, Infinity, -Infinity], shape=[3], dtype=float64, requiresGrad=true)',
    );
    assert.equal(tensor(3, undefined, { dtype: 'int32' }).toString(), 'tensor(3, shape=[], dtype=int32)');
    assert.equal(String(zeros([20, 20])), 'tensor(<400 values>, shape=[20, 20], dtype=float32)');
  });
  void it('detach shares the values but leaves the graph; clone copies them', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const y = x.mul(2);
    const d = y.detach();
    assert.equal(d.requiresGrad, false);
    assert.equal(d.isLeaf, true);
    assert.equal(d.data, y.data);
    const c = x.clone();
    assert.notEqual(c.data, x.data);
    assert.equal(c.requiresGrad, true);
    c.sum().backward();
    assert.deepEqual([...x.grad!.data], [1, 1]);
  });
  void it('to(dtype) converts, truncating toward zero for int32, with gradients between floats', () => {
    const x = tensor([1.5, -2.7], undefined, { requiresGrad: true });
    assert.equal(x.to('float32'), x);
    assert.deepEqual([...x.to('int32').data], [1, -2]);
    assert.equal(x.to('int32').requiresGrad, false);
    const y = x.to('float64');
    assert.equal(y.dtype, 'float64');
    y.mul(tensor([3, 4], undefined, { dtype: 'float64' }))
      .sum()
      .backward();
    assert.equal(x.grad!.dtype, 'float32');
    assert.deepEqual([...x.grad!.data], [3, 4]);
  });
  void it('t() transposes matrices only', () => {
    assert.deepEqual([...randn([2, 3]).t().shape], [3, 2]);
    assert.throws(() => randn([2, 3, 4]).t(), ShapeError);
  });
  void it('requiresGrad can be set on leaves; a non-leaf keeps it', () => {
    const x = tensor([1, 2]);
    x.requiresGrad = true;
    assert.equal(x.requiresGrad, true);
    const y = x.mul(2);
    assert.equal(y.requiresGrad_(true), y);
    assert.throws(() => y.requiresGrad_(false), AutogradError);
    x.requiresGrad = false;
    assert.equal(x.requiresGrad, false);
  });
});

void describe('Tensor methods match the functions', () => {
  const a = randn([2, 3], { seed: 1 });
  const b = rand([2, 3], { seed: 2 }).add(0.5);
  const m = randn([3, 4], { seed: 3 });
  const index = tensor([[0, 2, 1]], undefined, { dtype: 'int32' });
  const cases: [string, Tensor, Tensor][] = [
    ['add', a.add(b, { alpha: 2 }), add(a, b, { alpha: 2 })],
    ['sub', a.sub(b), sub(a, b)],
    ['mul', a.mul(b), mul(a, b)],
    ['div', a.div(b), div(a, b)],
    ['pow', b.pow(a), pow(b, a)],
    ['neg', a.neg(), neg(a)],
    ['exp', a.exp(), exp(a)],
    ['log', b.log(), log(b)],
    ['sqrt', b.sqrt(), sqrt(b)],
    ['abs', a.abs(), abs(a)],
    ['sign', a.sign(), sign(a)],
    ['erf', a.erf(), erf(a)],
    ['clamp', a.clamp({ min: 0 }), clamp(a, { min: 0 })],
    ['maximum', a.maximum(b), maximum(a, b)],
    ['minimum', a.minimum(b), minimum(a, b)],
    ['eq', a.eq(b), eq(a, b)],
    ['ne', a.ne(b), ne(a, b)],
    ['lt', a.lt(b), lt(a, b)],
    ['le', a.le(b), le(a, b)],
    ['gt', a.gt(b), gt(a, b)],
    ['ge', a.ge(b), ge(a, b)],
    ['matmul', a.matmul(m), matmul(a, m)],
    ['sum', a.sum({ dim: 1 }), sum(a, { dim: 1 })],
    ['mean', a.mean({ dim: 0, keepDim: true }), mean(a, { dim: 0, keepDim: true })],
    ['max', a.max(), max(a)],
    ['min', a.min({ dim: -1 }), min(a, { dim: -1 })],
    ['argmax', a.argmax({ dim: 1 }), argmax(a, { dim: 1 })],
    ['argmin', a.argmin(), argmin(a)],
    ['reshape', a.reshape([3, 2]), reshape(a, [3, 2])],
    ['view', a.view([6]), reshape(a, [6])],
    ['flatten', a.flatten(), flatten(a)],
    ['squeeze', a.reshape([1, 6]).squeeze(), squeeze(reshape(a, [1, 6]))],
    ['unsqueeze', a.unsqueeze(1), unsqueeze(a, 1)],
    ['permute', a.permute([1, 0]), permute(a, [1, 0])],
    ['transpose', a.transpose(0, 1), transpose(a, 0, 1)],
    ['expand', a.narrow(0, 0, 1).expand([4, 3]), expand(narrow(a, 0, 0, 1), [4, 3])],
    ['narrow', a.narrow(1, 1, 2), narrow(a, 1, 1, 2)],
    ['slice', a.slice(1, { step: 2 }), slice(a, 1, { step: 2 })],
    ['gather', a.gather(1, index), gather(a, 1, index)],
    ['relu', a.relu(), F.relu(a)],
    ['sigmoid', a.sigmoid(), F.sigmoid(a)],
    ['tanh', a.tanh(), F.tanh(a)],
    ['softmax', a.softmax(1), F.softmax(a, 1)],
    ['logSoftmax', a.logSoftmax(0), F.logSoftmax(a, 0)],
  ];
  for (const [name, method, fn] of cases) {
    void it(name, () => {
      assert.equal(method.dtype, fn.dtype);
      assertTensorClose(method, fn);
    });
  }
});

void describe('in-place updates', () => {
  void it('change the values of a tensor and return it', () => {
    const x = tensor([1, 2, 3]);
    assert.equal(x.add_(1), x);
    assert.deepEqual([...x.data], [2, 3, 4]);
    x.sub_(tensor([1, 1, 1]), { alpha: 2 });
    assert.deepEqual([...x.data], [0, 1, 2]);
    x.mul_(3);
    assert.deepEqual([...x.data], [0, 3, 6]);
    x.div_(tensor([1, 3, 2]));
    assert.deepEqual([...x.data], [0, 1, 3]);
    x.addcmul_(tensor([1, 2, 3]), tensor([2, 2, 2]), { value: 0.5 });
    assert.deepEqual([...x.data], [1, 3, 6]);
    x.addcdiv_(tensor([2, 2, 2]), tensor([1, 2, 4]));
    assert.deepEqual([...x.data], [3, 4, 6.5]);
    x.copy_(tensor([7]));
    assert.deepEqual([...x.data], [7, 7, 7]);
    x.fill_(-1);
    assert.deepEqual([...x.data], [-1, -1, -1]);
    x.zero_();
    assert.deepEqual([...x.data], [0, 0, 0]);
  });
  void it('broadcast the other operand to the tensor, and keep its dtype', () => {
    const x = zeros([2, 3], { dtype: 'float64' });
    x.add_(tensor([1, 2, 3]));
    assert.equal(x.dtype, 'float64');
    assert.deepEqual([...x.data], [1, 2, 3, 1, 2, 3]);
    const i = tensor([1, 2], undefined, { dtype: 'int32' });
    i.mul_(3);
    assert.deepEqual([...i.data], [3, 6]);
  });
  void it('on a leaf that requires grad are allowed under noGrad (an optimizer step)', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true });
    w.mul(w).sum().backward();
    noGrad(() => w.sub_(w.grad!, { alpha: 0.5 }));
    assert.deepEqual([...w.data], [0, 0]);
    assert.equal(w.requiresGrad, true);
    w.grad!.zero_();
    assert.deepEqual([...w.grad!.data], [0, 0]);
  });
  void it('show through views, as in PyTorch', () => {
    const x = zeros([2, 2]);
    const v = x.reshape([4]);
    v.add_(1);
    assert.deepEqual([...x.data], [1, 1, 1, 1]);
  });
});

const x = randn([2, 3]);
const leaf = randn([2, 3], { requiresGrad: true });
const ints = tensor([1, 2, 3], undefined, { dtype: 'int32' });
const cases: BadInputCase[] = [
  [
    'Tensor',
    'a plain array as data',
    () => new Tensor([1, 2] as unknown as Float32Array, [2]),
    ArgumentError,
  ],
  ['Tensor', 'a shape of the wrong size', () => new Tensor(new Float32Array(3), [2, 2]), ShapeError],
  ['Tensor', 'a negative size', () => new Tensor(new Float32Array(0), [-1, 0] as Shape), ArgumentError],
  ['Tensor.item', 'more than one element', () => x.item(), ShapeError],
  ['Tensor.to', 'an unknown dtype', () => x.to('int64' as 'int32'), DTypeError],
  ['Tensor.requiresGrad_', 'an int32 tensor', () => ints.requiresGrad_(), DTypeError],
  ['Tensor.requiresGrad_', 'via the setter on an int32 tensor', () => (ints.requiresGrad = true), DTypeError],
  ['Tensor.retainGrad', 'a tensor that does not require grad', () => x.retainGrad(), AutogradError],
  ['Tensor.t', 'a 3-D tensor', () => randn([1, 2, 3]).t(), ShapeError],
  [
    'Tensor.backward',
    'a non-scalar without grad',
    () => {
      leaf.mul(2).backward();
    },
    AutogradError,
  ],
  [
    'Tensor.backward',
    'a grad of another shape',
    () => {
      leaf.mul(2).backward(randn([3, 2]));
    },
    ShapeError,
  ],
  [
    'Tensor.backward',
    'a grad that is not a tensor',
    () => {
      leaf.sum().backward(1 as unknown as Tensor);
    },
    ArgumentError,
  ],
  [
    'Tensor.backward',
    'a tensor that does not require grad',
    () => {
      x.sum().backward();
    },
    AutogradError,
  ],
  ['Tensor.add_', 'a leaf that requires grad, while recording', () => leaf.add_(1), AutogradError],
  [
    'Tensor.mul_',
    'an operand that requires grad, while recording',
    () => x.clone().mul_(leaf),
    AutogradError,
  ],
  ['Tensor.fill_', 'a leaf that requires grad, while recording', () => leaf.fill_(0), AutogradError],
  ['Tensor.zero_', 'a leaf that requires grad, while recording', () => leaf.zero_(), AutogradError, 'fill_'],
  ['Tensor.add_', 'a result that does not fit', () => x.clone().add_(randn([4, 2, 3])), ShapeError],
  [
    'Tensor.sub_',
    'an operand that does not broadcast',
    () => x.clone().sub_(randn([3, 2])),
    ShapeError,
    'sub',
  ],
  ['Tensor.div_', 'an int32 tensor (true division)', () => ints.clone().div_(2), DTypeError],
  ['Tensor.add_', 'a fraction into an int32 tensor', () => ints.clone().add_(0.5), DTypeError],
  [
    'Tensor.copy_',
    'a source that does not broadcast',
    () => x.clone().copy_(randn([4])),
    ShapeError,
    'expand',
  ],
  ['Tensor.copy_', 'a string source', () => x.clone().copy_('a' as unknown as number), ArgumentError],
  ['Tensor.fill_', 'a string value', () => x.clone().fill_('a' as unknown as number), ArgumentError],
];
badInputSuite('Tensor bad input', cases);
