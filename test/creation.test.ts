import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  DTypeError,
  Generator,
  ShapeError,
  arange,
  full,
  manualSeed,
  ones,
  onesLike,
  rand,
  randint,
  randn,
  randperm,
  tensor,
  zeros,
  zerosLike,
} from '../src/index.js';
import type { NestedArray, Shape, Tensor } from '../src/index.js';
import * as creation from '../src/creation.js';
import * as random from '../src/random.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';

const values = (t: Tensor): number[] => [...t.data];

void describe('tensor()', () => {
  void it('reads nested arrays, float32 by default', () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual([...t.shape], [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.equal(t.size, 6);
    assert.equal(t.ndim, 2);
    assert.deepEqual(values(t), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(t.toArray(), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });
  void it('reads a number as a 0-d tensor', () => {
    const t = tensor(2.5, undefined, { dtype: 'float64' });
    assert.deepEqual([...t.shape], []);
    assert.equal(t.item(), 2.5);
    assert.equal(t.toArray(), 2.5);
  });
  void it('reads flat and typed arrays with a shape, inferring the dtype of typed arrays', () => {
    assert.deepEqual([...tensor([1, 2, 3, 4, 5, 6], [3, 2]).shape], [3, 2]);
    const f64 = tensor(new Float64Array([1, 2, 3, 4]), [2, 2]);
    assert.equal(f64.dtype, 'float64');
    assert.equal(tensor(new Int32Array([1, 2])).dtype, 'int32');
    assert.equal(tensor(new Float32Array(6), [1, 2, 3]).dtype, 'float32');
    assert.equal(tensor(new Float64Array([1]), [], { dtype: 'float32' }).dtype, 'float32');
  });
  void it('copies its values', () => {
    const source = new Float32Array([1, 2]);
    const t = tensor(source);
    source[0] = 9;
    assert.equal(t.data[0], 1);
  });
  void it('converts to int32 by truncation toward zero, as PyTorch', () => {
    assert.deepEqual(values(tensor([1.7, -1.7, 2], undefined, { dtype: 'int32' })), [1, -1, 2]);
  });
  void it('reads empty arrays', () => {
    assert.deepEqual([...tensor([]).shape], [0]);
    assert.deepEqual([...tensor([[], []]).shape], [2, 0]);
  });
  void it('makes a leaf that requires grad on request', () => {
    const t = tensor([1, 2], undefined, { requiresGrad: true });
    assert.equal(t.requiresGrad, true);
    assert.equal(t.isLeaf, true);
    assert.equal(tensor([1, 2]).requiresGrad, false);
  });
});

void describe('filled tensors and ranges', () => {
  void it('zeros, ones, full and the …Like versions', () => {
    assert.deepEqual(values(zeros([2, 2])), [0, 0, 0, 0]);
    assert.deepEqual(values(ones([3], { dtype: 'int32' })), [1, 1, 1]);
    assert.equal(ones([3], { dtype: 'int32' }).dtype, 'int32');
    assert.deepEqual(values(full([2], 2.5, { dtype: 'float64' })), [2.5, 2.5]);
    assert.deepEqual(values(full([2], 2.5, { dtype: 'int32' })), [2, 2]);
    assert.deepEqual([...zeros([]).shape], []);
    assert.equal(zeros([2, 0, 3]).size, 0);
    const like = zerosLike(tensor([[1, 2]], undefined, { dtype: 'float64' }));
    assert.deepEqual([...like.shape], [1, 2]);
    assert.equal(like.dtype, 'float64');
    assert.deepEqual(values(onesLike(like, { dtype: 'int32' })), [1, 1]);
    assert.equal(onesLike(like, { dtype: 'int32' }).dtype, 'int32');
    assert.equal(zeros([2], { requiresGrad: true }).requiresGrad, true);
    assert.equal(zerosLike(like, { dtype: undefined }).dtype, 'float64');
  });
  void it('arange, as torch.arange', () => {
    const cases: [Tensor, number[], string][] = [
      [arange(5), [0, 1, 2, 3, 4], 'int32'],
      [arange(2, 5), [2, 3, 4], 'int32'],
      [arange(0, 5, { step: 2 }), [0, 2, 4], 'int32'],
      [arange(5, 0, { step: -1 }), [5, 4, 3, 2, 1], 'int32'],
      [arange(-1, -10, { step: -3 }), [-1, -4, -7], 'int32'],
      [arange(0, 1, { step: 0.25 }), [0, 0.25, 0.5, 0.75], 'float32'],
      [arange(0.5, 3), [0.5, 1.5, 2.5], 'float32'],
      [arange(3, undefined, { dtype: 'float64' }), [0, 1, 2], 'float64'],
      [arange(0), [], 'int32'],
      [arange(3, 3), [], 'int32'],
    ];
    for (const [t, expected, dtype] of cases) {
      assert.deepEqual(values(t), expected);
      assert.equal(t.dtype, dtype);
    }
    assert.equal(arange(0, 0.3, { step: 0.1 }).size, 3);
    assert.equal(arange(1, 2, { step: 0.1 }).size, 10);
  });
});

void describe('random', () => {
  void it('manualSeed makes the global stream repeat', () => {
    manualSeed(42);
    const a = randn([5]);
    const u = rand([3]);
    manualSeed(42);
    assert.deepEqual(values(randn([5])), values(a));
    assert.deepEqual(values(rand([3])), values(u));
    manualSeed(43);
    assert.notDeepEqual(values(randn([5])), values(a));
  });
  void it('{ seed } gives a private stream and leaves the global one alone', () => {
    manualSeed(1);
    const expected = values(randn([3]));
    manualSeed(1);
    const seeded = values(randn([4], { seed: 9 }));
    assert.deepEqual(values(randn([3])), expected);
    assert.deepEqual(values(randn([4], { seed: 9 })), seeded);
    assert.notDeepEqual(values(randn([4], { seed: 10 })), seeded);
    assert.deepEqual(values(randperm(8, { seed: 3 })), values(randperm(8, { seed: 3 })));
    assert.deepEqual(values(randint(0, 100, [8], { seed: 3 })), values(randint(0, 100, [8], { seed: 3 })));
  });
  void it('randn has mean 0 and standard deviation 1', () => {
    const x = randn([200000], { dtype: 'float64', seed: 5 });
    const mean = x.mean().item();
    const std = Math.sqrt(x.sub(mean).pow(2).mean().item());
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(std - 1) < 0.01, `std ${std}`);
    assert.equal(randn([2]).dtype, 'float32');
  });
  void it('rand is uniform on [0, 1)', () => {
    const x = rand([100000], { dtype: 'float64', seed: 6 });
    assert.ok(x.min().item() >= 0 && x.max().item() < 1);
    assert.ok(Math.abs(x.mean().item() - 0.5) < 0.01);
  });
  void it('randint draws every integer of [low, high) and nothing else, as int32', () => {
    const x = randint(-3, 4, [5000], { seed: 7 });
    assert.equal(x.dtype, 'int32');
    assert.deepEqual(
      [...new Set(x.data)].sort((a, b) => a - b),
      [-3, -2, -1, 0, 1, 2, 3],
    );
    assert.equal(randint(0, 10, [2], { dtype: 'float32' }).dtype, 'float32');
    assert.equal(randint(0, 10, [2], { dtype: undefined }).dtype, 'int32');
  });
  void it('a caller-kept generator advances across calls, like the global one', () => {
    const kept = new Generator(5);
    const first = values(randperm(20, { generator: kept }));
    const second = values(randperm(20, { generator: kept }));
    const replay = new Generator(5);
    assert.deepEqual(values(randperm(20, { generator: replay })), first);
    assert.deepEqual(values(randperm(20, { generator: replay })), second);
    assert.notDeepEqual(first, second);
    assert.deepEqual(values(randn([4], { generator: new Generator(9) })), values(randn([4], { seed: 9 })));
  });

  void it('randperm is a permutation', () => {
    const p = randperm(50, { seed: 8 });
    assert.equal(p.dtype, 'int32');
    assert.deepEqual(
      [...p.data].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(
      [...p.data],
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.equal(randperm(0).size, 0);
  });
  void it('a Generator restores its state', () => {
    const g = new Generator(11);
    g.normal();
    const state = g.getState();
    const next = [g.normal(), g.uniform(), g.normal()];
    g.setState(state);
    assert.deepEqual([g.normal(), g.uniform(), g.normal()], next);
  });
});

const notAList = 3 as unknown as Shape;
const cases: BadInputCase[] = [
  ['tensor', 'a string', () => tensor('abc' as unknown as number), ArgumentError],
  ['tensor', 'null', () => tensor(null as unknown as number), ArgumentError],
  ['tensor', 'a BigInt64Array', () => tensor(new BigInt64Array(2) as unknown as Int32Array), ArgumentError],
  ['tensor', 'ragged nested arrays', () => tensor([[1, 2], [3]]), ShapeError],
  ['tensor', 'a number beside an array', () => tensor([[1, 2], 3]), ShapeError],
  ['tensor', 'a string entry', () => tensor([1, 'a'] as unknown as NestedArray), ArgumentError],
  ['tensor', 'a shape of the wrong size', () => tensor([1, 2, 3], [2, 2]), ShapeError],
  ['tensor', 'a negative size', () => tensor([1, 2], [-1, -2]), ArgumentError],
  ['tensor', 'an unknown dtype', () => tensor([1], undefined, { dtype: 'int64' as 'int32' }), DTypeError],
  [
    'tensor',
    'int32 requiring grad',
    () => tensor([1], undefined, { dtype: 'int32', requiresGrad: true }),
    DTypeError,
  ],
  ['full', 'a string value', () => full([2], 'a' as unknown as number), ArgumentError],
  ['full', 'a shape that is not a list', () => full(notAList, 1), ArgumentError],
  ['full', 'an unknown dtype', () => full([2], 1, { dtype: 'bool' as 'int32' }), DTypeError],
  ['zeros', 'a negative size', () => zeros([2, -1]), ArgumentError],
  ['zeros', 'an unknown dtype', () => zeros([2], { dtype: 'float16' as 'float32' }), DTypeError],
  ['ones', 'a fractional size', () => ones([1.5]), ArgumentError],
  ['ones', 'int32 requiring grad', () => ones([1], { dtype: 'int32', requiresGrad: true }), DTypeError],
  ['zerosLike', 'a non-tensor', () => zerosLike([1, 2] as unknown as Tensor), ArgumentError],
  ['onesLike', 'a non-tensor', () => onesLike({ shape: [2] } as unknown as Tensor), ArgumentError],
  ['arange', 'a string', () => arange('5' as unknown as number), ArgumentError],
  ['arange', 'a zero step', () => arange(0, 5, { step: 0 }), ArgumentError],
  ['arange', 'a step of the wrong sign', () => arange(5, 0), ArgumentError],
  ['arange', 'an infinite end', () => arange(0, Infinity), ArgumentError],
  ['arange', 'an unknown dtype', () => arange(3, undefined, { dtype: 'uint8' as 'int32' }), DTypeError],
  ['randn', 'a negative size', () => randn([-1]), ArgumentError],
  ['randn', 'an int32 dtype', () => randn([2], { dtype: 'int32' }), DTypeError],
  ['randn', 'a fractional seed', () => randn([2], { seed: 1.5 }), ArgumentError],
  ['rand', 'a shape that is not a list', () => rand(notAList), ArgumentError],
  ['rand', 'an int32 dtype', () => rand([2], { dtype: 'int32' }), DTypeError],
  ['rand', 'a string seed', () => rand([2], { seed: '1' as unknown as number }), ArgumentError],
  ['randint', 'low ≥ high', () => randint(5, 2, [3]), ArgumentError],
  ['randint', 'a fractional bound', () => randint(0.5, 2, [3]), ArgumentError],
  ['randint', 'a shape that is not a list', () => randint(0, 2, notAList), ArgumentError],
  ['randint', 'an unknown dtype', () => randint(0, 2, [3], { dtype: 'int8' as 'int32' }), DTypeError],
  ['randperm', 'a negative n', () => randperm(-1), ArgumentError],
  ['randperm', 'a fractional n', () => randperm(1.5), ArgumentError],
  ['randperm', 'an unknown dtype', () => randperm(3, { dtype: 'x' as 'int32' }), DTypeError],
  ['randperm', 'a fractional seed', () => randperm(3, { seed: 0.5 }), ArgumentError],
  [
    'randperm',
    'both a seed and a generator',
    () => randperm(3, { seed: 1, generator: new Generator(1) }),
    ArgumentError,
  ],
  [
    'randperm',
    'a generator that is not a Generator',
    () => randperm(3, { generator: {} as unknown as Generator }),
    ArgumentError,
  ],
  [
    'manualSeed',
    'a fractional seed',
    () => {
      manualSeed(1.5);
    },
    ArgumentError,
  ],
  [
    'manualSeed',
    'a string seed',
    () => {
      manualSeed('1' as unknown as number);
    },
    ArgumentError,
  ],
  ['Generator', 'a fractional seed', () => new Generator(1.5), ArgumentError],
  [
    'Generator',
    'a malformed state',
    () => {
      new Generator().setState([1, 2]);
    },
    ArgumentError,
    'Generator.setState',
  ],
];
badInputSuite('creation bad input', cases, [creation, random]);
