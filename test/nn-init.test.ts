/**
 * `nn.init` and `nn.utils.clipGradNorm_` against PyTorch (test/fixtures/nn.json): default layer init and
 * the init functions draw from the distributions PyTorch's formulas prescribe, `calculateGain` and
 * `_calculateFanInAndFanOut` give PyTorch's numbers, `manualSeed` makes models reproducible, and gradient
 * clipping returns PyTorch's total norm and clipped gradients.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { Tensor } from '../src/index.js';
import {
  ArgumentError,
  DTypeError,
  Generator,
  ShapeError,
  manualSeed,
  nn,
  tensor,
  zeros,
} from '../src/index.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { assertAllClose, assertTensorClose } from './helpers/close.js';

interface Stats {
  maxAbs: number;
  mean: number;
  std: number;
}

interface InitCase {
  name: string;
  kind: 'uniform' | 'normal';
  bound?: number;
  std?: number;
  torch: Stats;
  spec?: { type: string; args: unknown[]; options?: Record<string, unknown> };
  parameter?: 'weight' | 'bias';
  fn?: string;
  shape?: number[];
  options?: Record<string, unknown>;
}

interface TensorJson {
  shape: number[];
  values: number[];
}

interface ClipCase {
  name: string;
  maxNorm: number;
  normType: number | 'inf';
  grads: (TensorJson | null)[];
  totalNorm: number;
  clipped: (TensorJson | null)[];
}

interface Fixture {
  init: InitCase[];
  gains: { nonlinearity: nn.init.Nonlinearity; param: number | null; gain: number }[];
  fans: { shape: number[]; fans: [number, number] }[];
  clipGradNorm: ClipCase[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn.json', import.meta.url), 'utf8')) as Fixture;

function stats(t: Tensor): Stats {
  const values = [...t.data];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { maxAbs: values.reduce((a, v) => Math.max(a, Math.abs(v)), 0), mean, std: Math.sqrt(variance) };
}

const layers = nn as unknown as Record<string, new (...args: unknown[]) => nn.Module>;
const initFunctions = nn.init as unknown as Record<
  string,
  (t: Tensor, options?: Record<string, unknown>) => Tensor
>;

/**
 * A sample of n values from the distribution: its mean is within 5 standard errors of 0 and its standard
 * deviation within 5 of its own standard errors (≈ σ/√(2n), or σ/√(5n) for a uniform) of the formula's;
 * a uniform sample stays inside ±bound and comes as close to it as all but one in a million samples do
 * (above `bound · 10^(−6/n)`).
 */
function assertDistribution(actual: Stats, n: number, c: InitCase, who: string): void {
  const std = c.kind === 'uniform' ? c.bound! / Math.sqrt(3) : c.std!;
  assert.ok(Math.abs(actual.mean) < (5 * std) / Math.sqrt(n), `${who}: mean ${actual.mean}`);
  const stdError = c.kind === 'uniform' ? std / Math.sqrt(5 * n) : std / Math.sqrt(2 * n);
  assert.ok(Math.abs(actual.std - std) < 5 * stdError, `${who}: std ${actual.std}, expected ${std}`);
  if (c.kind === 'uniform') {
    assert.ok(actual.maxAbs <= c.bound!, `${who}: max |value| ${actual.maxAbs} > bound ${c.bound!}`);
    const near = c.bound! * 1e-6 ** (1 / n);
    assert.ok(actual.maxAbs > near, `${who}: max |value| ${actual.maxAbs} far below ${c.bound!}`);
  }
}

void describe('nn.init matches PyTorch', () => {
  for (const c of fixture.init) {
    void it(c.name, () => {
      manualSeed(5);
      let sample: Tensor;
      if (c.spec !== undefined) {
        const module = new layers[c.spec.type]!(...c.spec.args, c.spec.options ?? {});
        sample = module.getParameter(c.parameter!);
      } else {
        sample = initFunctions[c.fn!]!(zeros(c.shape!), c.options);
      }
      assertDistribution(c.torch, sample.size, c, 'PyTorch');
      assertDistribution(stats(sample), sample.size, c, 'convnet-ts');
    });
  }

  void it('calculateGain', () => {
    for (const { nonlinearity, param, gain } of fixture.gains) {
      const options = param === null ? undefined : { param };
      assertAllClose(
        [nn.init.calculateGain(nonlinearity, options)],
        [gain],
        { rtol: 1e-15, atol: 0 },
        nonlinearity,
      );
    }
  });

  void it('_calculateFanInAndFanOut', () => {
    for (const { shape, fans } of fixture.fans) {
      assert.deepEqual(nn.init._calculateFanInAndFanOut(zeros(shape)), fans, JSON.stringify(shape));
    }
  });
});

void describe('nn.init behaviour', () => {
  void it('manualSeed makes models reproducible; a generator gives a private stream', () => {
    const build = (): nn.Sequential => new nn.Sequential(new nn.Conv2d(1, 4, 3), new nn.Linear(8, 2));
    manualSeed(42);
    const a = build();
    manualSeed(42);
    const b = build();
    const c = build();
    const values = (m: nn.Module): number[] => m.parameters().flatMap((p) => [...p.data]);
    assert.deepEqual(values(a), values(b));
    assert.notDeepEqual(values(b), values(c));
    const g1 = nn.init.normal_(zeros([10]), { generator: new Generator(1) });
    const g2 = nn.init.normal_(zeros([10]), { generator: new Generator(1) });
    assert.deepEqual([...g1.data], [...g2.data]);
  });

  void it('fills in place, without recording, and returns the tensor', () => {
    const linear = new nn.Linear(3, 2);
    const weight = linear.weight;
    assert.equal(nn.init.constant_(weight, 0.5), weight);
    assert.deepEqual([...weight.data], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    assert.equal(weight.isLeaf, true);
    assert.equal(weight.requiresGrad, true);
    nn.init.ones_(weight);
    assert.ok(weight.data.every((v) => v === 1));
    nn.init.zeros_(linear.bias!);
    assert.ok(linear.bias!.data.every((v) => v === 0));
    const u = nn.init.uniform_(zeros([1000]), { a: 2, b: 3 });
    assert.ok(u.data.every((v) => v >= 2 && v < 3));
    const n = nn.init.normal_(zeros([4000], { dtype: 'float64' }), { mean: 5, std: 0.1 });
    const s = stats(n);
    assert.ok(Math.abs(s.mean - 5) < 0.01 && Math.abs(s.std - 0.1) < 0.01, JSON.stringify(s));
  });

  void it('empty tensors are left alone, as PyTorch does', () => {
    const empty = zeros([0, 3]);
    assert.equal(nn.init.kaimingUniform_(empty), empty);
    assert.equal(nn.init.xavierNormal_(empty), empty);
  });

  void it('resetParameters draws again; norm layers reset to ones and zeros', () => {
    const conv = new nn.Conv2d(2, 3, 3);
    const before = [...conv.weight.data];
    conv.resetParameters();
    assert.notDeepEqual([...conv.weight.data], before);
  });
});

void describe('nn.utils.clipGradNorm_ matches PyTorch', () => {
  for (const c of fixture.clipGradNorm) {
    for (const dtype of ['float64', 'float32'] as const) {
      void it(`${c.name} (${dtype})`, () => {
        const params = c.grads.map((g, i) => {
          const shape = g?.shape ?? c.clipped[i]?.shape ?? [1];
          const p = zeros(shape, { dtype, requiresGrad: true });
          if (g !== null) p.grad = tensor(g.values, g.shape, { dtype });
          return p;
        });
        const normType = c.normType === 'inf' ? Infinity : c.normType;
        const total = nn.utils.clipGradNorm_(params.length === 1 ? params[0]! : params, c.maxNorm, {
          normType,
        });
        assert.equal(total.dtype, dtype);
        assertTensorClose(total, { shape: [], values: [c.totalNorm] }, undefined, 'total norm');
        c.clipped.forEach((expected, i) => {
          if (expected === null) assert.equal(params[i]!.grad, null);
          else assertTensorClose(params[i]!.grad!, expected, undefined, `gradient ${i}`);
        });
      });
    }
  }

  void it('no gradients: a zero norm; a non-finite norm throws only when asked', () => {
    assert.equal(nn.utils.clipGradNorm_([zeros([2], { requiresGrad: true })], 1).item(), 0);
    const p = zeros([2], { requiresGrad: true });
    p.grad = tensor([Infinity, 1]);
    assert.throws(() => nn.utils.clipGradNorm_([p], 1, { errorIfNonfinite: true }), ArgumentError);
    assert.deepEqual([...p.grad.data], [Infinity, 1], 'nothing scaled');
    assert.equal(nn.utils.clipGradNorm_([p], 1).item(), Infinity);
    assert.equal(nn.utils.clipGradNorm, nn.utils.clipGradNorm_);
  });
});

const weight = zeros([3, 4]);

badInputSuite('nn.init and nn.utils bad input', [
  ['calculateGain', 'an unknown nonlinearity', () => nn.init.calculateGain('swish' as 'relu'), ArgumentError],
  [
    'calculateGain',
    'a non-numeric slope',
    () => nn.init.calculateGain('leaky_relu', { param: NaN }),
    ArgumentError,
  ],
  [
    '_calculateFanInAndFanOut',
    'a 1-D tensor',
    () => nn.init._calculateFanInAndFanOut(zeros([3])),
    ShapeError,
  ],
  ['uniform_', 'a > b', () => nn.init.uniform_(weight, { a: 1, b: 0 }), ArgumentError],
  ['uniform_', 'an integer tensor', () => nn.init.uniform_(zeros([2], { dtype: 'int32' })), DTypeError],
  ['normal_', 'a negative std', () => nn.init.normal_(weight, { std: -1 }), ArgumentError],
  ['normal_', 'not a tensor', () => nn.init.normal_([1] as unknown as Tensor), ArgumentError],
  [
    'constant_',
    'a non-numeric value',
    () => nn.init.constant_(weight, '1' as unknown as number),
    ArgumentError,
  ],
  ['ones_', 'an integer tensor', () => nn.init.ones_(zeros([2], { dtype: 'int32' })), DTypeError],
  ['zeros_', 'not a tensor', () => nn.init.zeros_(null as unknown as Tensor), ArgumentError],
  [
    'xavierUniform_',
    'a 1-D tensor',
    () => nn.init.xavierUniform_(zeros([3])),
    ShapeError,
    '_calculateFanInAndFanOut',
  ],
  [
    'xavierNormal_',
    'an infinite gain',
    () => nn.init.xavierNormal_(weight, { gain: Infinity }),
    ArgumentError,
  ],
  [
    'kaimingUniform_',
    'an unknown mode',
    () => nn.init.kaimingUniform_(weight, { mode: 'fan_avg' as 'fan_in' }),
    ArgumentError,
  ],
  [
    'kaimingNormal_',
    'an unknown nonlinearity',
    () => nn.init.kaimingNormal_(weight, { nonlinearity: 'elu' as 'relu' }),
    ArgumentError,
    'calculateGain',
  ],
  ['clipGradNorm_', 'a negative maxNorm', () => nn.utils.clipGradNorm_([weight], -1), ArgumentError],
  [
    'clipGradNorm_',
    'a zero normType',
    () => nn.utils.clipGradNorm_([weight], 1, { normType: 0 }),
    ArgumentError,
  ],
  [
    'clipGradNorm_',
    'not tensors',
    () => nn.utils.clipGradNorm_([1] as unknown as Tensor[], 1),
    ArgumentError,
  ],
  [
    'clipGradNorm_',
    'a non-boolean errorIfNonfinite',
    () => nn.utils.clipGradNorm_([weight], 1, { errorIfNonfinite: 1 as unknown as boolean }),
    ArgumentError,
  ],
] satisfies BadInputCase[]);
