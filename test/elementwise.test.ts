import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  ShapeError,
  abs,
  add,
  clamp,
  clone,
  div,
  eq,
  erf,
  exp,
  expm1,
  ge,
  gradcheck,
  gt,
  le,
  log,
  log1p,
  lt,
  maximum,
  minimum,
  mul,
  ne,
  neg,
  pow,
  rand,
  randn,
  sign,
  sqrt,
  sub,
  tensor,
  where,
} from '../src/index.js';
import type { Tensor, TensorLike } from '../src/index.js';
import * as elementwise from '../src/ops/elementwise.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { fixtureSuite } from './helpers/fixtures.js';
import type { Runner } from './helpers/fixtures.js';

type Binary = (a: TensorLike, b: TensorLike, options?: { alpha?: number }) => Tensor;

/** Operands `[a, b]`; a `null` operand is the number `args[0]`. */
const binary =
  (f: Binary): Runner =>
  ([a, b], args, options) =>
    f(a ?? (args[0] as number), b ?? (args[0] as number), options);
const unary =
  (f: (x: Tensor) => Tensor): Runner =>
  ([x]) =>
    f(x!);

fixtureSuite('elementwise', {
  add: binary(add),
  sub: binary(sub),
  mul: binary(mul),
  div: binary(div),
  pow: binary(pow),
  maximum: binary(maximum),
  minimum: binary(minimum),
  eq: binary(eq),
  ne: binary(ne),
  lt: binary(lt),
  le: binary(le),
  gt: binary(gt),
  ge: binary(ge),
  neg: unary(neg),
  exp: unary(exp),
  log: unary(log),
  log1p: unary(log1p),
  expm1: unary(expm1),
  sqrt: unary(sqrt),
  abs: unary(abs),
  sign: unary(sign),
  erf: unary(erf),
  clamp: ([x], _args, options) => clamp(x!, options),
  where: ([c, a, b], args) => where(c!, a ?? (args[0] as number), b ?? (args[0] as number)),
});

const f64 = (shape: number[], seed: number): Tensor =>
  randn(shape, { dtype: 'float64', seed }).requiresGrad_();
const positive = (shape: number[], seed: number): Tensor =>
  rand(shape, { dtype: 'float64', seed }).add(0.5).detach().requiresGrad_();

void describe('elementwise gradcheck (float64)', () => {
  const pairs: [string, number[], number[]][] = [
    ['same shape', [2, 3], [2, 3]],
    ['size-1 dims on both sides', [3, 1], [1, 4]],
    ['trailing vector', [2, 3, 4], [4]],
    ['0-d on the left', [], [2, 3]],
  ];
  const ops: [string, Binary, boolean][] = [
    ['add', add, false],
    ['sub', sub, false],
    ['mul', mul, false],
    ['div', div, true],
    ['pow', pow, true],
    ['maximum', maximum, false],
    ['minimum', minimum, false],
  ];
  for (const [op, f, needsPositive] of ops) {
    for (const [name, sa, sb] of pairs) {
      void it(`${op}: ${name}`, () => {
        const a = needsPositive ? positive(sa, 1) : f64(sa, 1);
        const b = needsPositive ? positive(sb, 2) : f64(sb, 2);
        assert.equal(
          gradcheck((u, v) => f(u, v), [a, b]),
          true,
        );
      });
    }
    void it(`${op}: number on either side`, () => {
      const x = needsPositive ? positive([2, 3], 3) : f64([2, 3], 3);
      assert.equal(
        gradcheck((t) => f(t, 1.5), [x]),
        true,
      );
      assert.equal(
        gradcheck((t) => f(0.75, t), [x]),
        true,
      );
    });
  }
  void it('add and sub with alpha', () => {
    const [a, b] = [f64([2, 3], 4), f64([3], 5)];
    assert.equal(
      gradcheck((x, y) => add(x, y, { alpha: -2 }).mul(sub(x, y, { alpha: 0.5 })), [a, b]),
      true,
    );
  });
  void it('pow with a negative base and an integer exponent', () => {
    assert.equal(
      gradcheck((t) => pow(t, 3), [f64([2, 3], 6)]),
      true,
    );
  });
  const unaries: [string, (t: Tensor) => Tensor, boolean][] = [
    ['neg', neg, false],
    ['exp', exp, false],
    ['log', log, true],
    ['log1p', log1p, true],
    ['expm1', expm1, false],
    ['sqrt', sqrt, true],
    ['abs', abs, false],
    ['sign', sign, false],
    ['erf', erf, false],
    ['clone', clone, false],
    ['clamp both bounds', (t) => clamp(t, { min: -0.5, max: 0.5 }), false],
    ['clamp min', (t) => clamp(t, { min: 0.1 }), false],
    ['clamp max', (t) => clamp(t, { max: -0.1 }), false],
  ];
  for (const [name, f, needsPositive] of unaries) {
    void it(name, () => {
      const x = needsPositive ? positive([3, 4], 7) : f64([3, 4], 7);
      assert.equal(gradcheck(f, [x]), true);
    });
  }
  void it('where with broadcasting', () => {
    const cond = tensor([[1], [0], [1]], undefined, { dtype: 'int32' });
    assert.equal(
      gradcheck((a, b) => where(cond, a, b), [f64([4], 8), f64([3, 1], 9)]),
      true,
    );
  });
});

void describe('elementwise semantics', () => {
  void it('maximum and minimum propagate NaN and send the gradient to both operands, as PyTorch', () => {
    for (const f of [maximum, minimum]) {
      const a = tensor([1, NaN, 2], undefined, { requiresGrad: true });
      const b = tensor([1, 2, NaN], undefined, { requiresGrad: true });
      const out = f(a, b);
      assert.deepEqual([...out.data], [1, NaN, NaN]);
      out.backward(tensor([1, 2, 3]));
      assert.deepEqual([...a.grad!.data], [0.5, 2, 3]);
      assert.deepEqual([...b.grad!.data], [0.5, 2, 3]);
    }
  });
  void it('sign of NaN and of -0 is 0, clamp keeps NaN', () => {
    assert.deepEqual([...sign(tensor([NaN, -0, -3])).data], [0, 0, -1]);
    assert.deepEqual([...clamp(tensor([NaN, 3]), { min: 0, max: 1 }).data], [NaN, 1]);
  });
  void it('promotes dtypes as PyTorch', () => {
    const i = tensor([1, 2, 3], undefined, { dtype: 'int32' });
    const f32 = tensor([1, 2, 3]);
    const f64v = tensor([1, 2, 3], undefined, { dtype: 'float64' });
    const scalar64 = tensor(2, undefined, { dtype: 'float64' });
    const cases: [string, Tensor, string][] = [
      ['int32 + int32', add(i, i), 'int32'],
      ['int32 + integer number', add(i, 2), 'int32'],
      ['int32 + fraction', add(i, 0.5), 'float32'],
      ['int32 + float32', add(i, f32), 'float32'],
      ['float32 + float64', add(f32, f64v), 'float64'],
      ['float32 + 0-d float64 keeps float32', mul(f32, scalar64), 'float32'],
      ['int32 + 0-d float64 takes the float', mul(i, scalar64), 'float64'],
      ['0-d float64 + 0-d float32', add(scalar64, tensor(1)), 'float64'],
      ['int32 / int32 is true division', div(i, i), 'float32'],
      ['int32 / integer number', div(i, 2), 'float32'],
      ['exp of int32', exp(i), 'float32'],
      ['comparison', lt(f64v, 2), 'int32'],
      ['where of two integer numbers', where(i, 1, 0), 'int32'],
      ['where of a number and a float64 tensor', where(i, 1, f64v), 'float64'],
      ['clamp of int32 with a fraction', clamp(i, { min: 1.5 }), 'float32'],
      ['clamp of int32 with integers', clamp(i, { min: 1, max: 2 }), 'int32'],
    ];
    for (const [name, result, dtype] of cases) assert.equal(result.dtype, dtype, name);
    assert.deepEqual([...div(tensor([7, -7], undefined, { dtype: 'int32' }), 2).data], [3.5, -3.5]);
  });
  void it('an int32 operand gets no gradient, a float one does', () => {
    const i = tensor([1, 2, 3], undefined, { dtype: 'int32' });
    const x = tensor([0.5, 1, 2], undefined, { requiresGrad: true });
    mul(i, x).sum().backward();
    assert.deepEqual([...x.grad!.data], [1, 2, 3]);
  });
  void it('mixed float dtypes send each operand a gradient of its own dtype', () => {
    const a = tensor([1, 2], undefined, { requiresGrad: true });
    const b = tensor([3, 4], undefined, { dtype: 'float64', requiresGrad: true });
    mul(a, b).sum().backward();
    assert.equal(a.grad!.dtype, 'float32');
    assert.equal(b.grad!.dtype, 'float64');
    assert.deepEqual([...a.grad!.data], [3, 4]);
  });
});

const x = randn([2, 3]);
const ints = tensor([1, 2, 3], undefined, { dtype: 'int32' });
const notATensor = [1, 2] as unknown as Tensor;
const cases: BadInputCase[] = [];
for (const [name, f] of Object.entries({
  add,
  sub,
  mul,
  div,
  pow,
  maximum,
  minimum,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
})) {
  cases.push(
    [name, 'a string operand', () => f(x, 'a' as unknown as number), ArgumentError],
    [name, 'an array operand on the left', () => f(notATensor, x), ArgumentError],
    [name, 'two numbers', () => f(1, 2), ArgumentError],
    [name, 'shapes that do not broadcast', () => f(x, randn([3, 2])), ShapeError],
  );
}
for (const [name, f] of Object.entries({ neg, exp, log, log1p, expm1, sqrt, abs, sign, erf, clone })) {
  cases.push([name, 'a non-tensor', () => f(notATensor), ArgumentError]);
}
cases.push(
  ['add', 'a non-number alpha', () => add(x, x, { alpha: 'two' as unknown as number }), ArgumentError],
  ['sub', 'a NaN alpha', () => sub(x, x, { alpha: NaN }), ArgumentError],
  ['pow', 'an int32 tensor to a negative integer power', () => pow(ints, -1), ArgumentError],
  ['clamp', 'no options', () => clamp(x, undefined as unknown as { min: number }), ArgumentError],
  ['clamp', 'neither bound', () => clamp(x, {}), ArgumentError],
  ['clamp', 'a string bound', () => clamp(x, { min: '0' as unknown as number }), ArgumentError],
  ['clamp', 'a NaN bound', () => clamp(x, { max: NaN }), ArgumentError],
  ['clamp', 'a non-tensor', () => clamp(notATensor, { min: 0 }), ArgumentError],
  ['where', 'a non-tensor condition', () => where([1, 0] as unknown as Tensor, x, x), ArgumentError],
  ['where', 'a condition that does not broadcast', () => where(tensor([1, 0]), x, x), ShapeError],
  ['where', 'a string branch', () => where(ints, 'a' as unknown as number, 1), ArgumentError],
);
badInputSuite('elementwise bad input', cases, [elementwise]);
