import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, F, gradcheck, randn, tensor } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { fixtureSuite } from './helpers/fixtures.js';
import type { Runner } from './helpers/fixtures.js';

const unary =
  (f: (x: Tensor, options?: Record<string, unknown>) => Tensor): Runner =>
  ([x], _args, options) =>
    f(x!, options);
const alongDim =
  (f: (x: Tensor, dim: number) => Tensor): Runner =>
  ([x], [dim]) =>
    f(x!, dim as number);

fixtureSuite('activation', {
  relu: unary(F.relu),
  elu: unary(F.elu),
  leakyRelu: unary(F.leakyRelu),
  sigmoid: unary(F.sigmoid),
  tanh: unary(F.tanh),
  gelu: unary(F.gelu),
  silu: unary(F.silu),
  softmax: alongDim(F.softmax),
  logSoftmax: alongDim(F.logSoftmax),
});

void describe('activation gradcheck (float64)', () => {
  const cases: [string, (t: Tensor) => Tensor][] = [
    ['relu', F.relu],
    ['elu', (t) => F.elu(t, { alpha: 0.7 })],
    ['leakyRelu', (t) => F.leakyRelu(t, { negativeSlope: 0.1 })],
    ['sigmoid', F.sigmoid],
    ['tanh', F.tanh],
    ['gelu', F.gelu],
    ['gelu tanh', (t) => F.gelu(t, { approximate: 'tanh' })],
    ['silu', F.silu],
    ['softmax', (t) => F.softmax(t, 1)],
    ['logSoftmax', (t) => F.logSoftmax(t, 0)],
  ];
  for (const [name, fn] of cases) {
    void it(name, () => {
      const input = randn([3, 4], { dtype: 'float64', seed: 7 }).mul(2).requiresGrad_();
      assert.equal(gradcheck(fn, [input]), true);
    });
  }
});

void describe('activation bad input', () => {
  const ints = tensor([1, 2, 3], undefined, { dtype: 'int32' });
  const x = randn([2, 3]);
  const cases: [string, () => unknown, new (...args: never[]) => Error][] = [
    ['elu with a negative alpha', () => F.elu(x, { alpha: -1 }), ArgumentError],
    ['elu with a NaN alpha', () => F.elu(x, { alpha: NaN }), ArgumentError],
    [
      'leakyRelu with a string slope',
      () => F.leakyRelu(x, { negativeSlope: 'a' as unknown as number }),
      ArgumentError,
    ],
    ['gelu with an unknown approximation', () => F.gelu(x, { approximate: 'erf' as 'tanh' }), ArgumentError],
    ['softmax over a missing dim', () => F.softmax(x, 2), ArgumentError],
    ['logSoftmax of integers', () => F.logSoftmax(ints, 0), DTypeError],
    ['relu of integers', () => F.relu(ints), DTypeError],
    ['sigmoid of a non-tensor', () => F.sigmoid([1, 2] as unknown as Tensor), ArgumentError],
  ];
  for (const [name, call, error] of cases) {
    void it(name, () => {
      assert.throws(call, error);
    });
  }
});
