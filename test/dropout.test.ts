import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  ConvnetError,
  DTypeError,
  F,
  gradcheck,
  manualSeed,
  ones,
  randn,
  zeros,
} from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertTensorClose } from './helpers/close.js';

/** The distinct values of a tensor, sorted. */
function distinct(t: Tensor): number[] {
  return [...new Set(t.data)].sort((a, b) => a - b);
}

void describe('dropout mask', () => {
  for (const p of [0.1, 0.3, 0.5, 0.9]) {
    void it(`p = ${p}: keeps about 1 − p of a large tensor, scaled by 1 / (1 − p)`, () => {
      const x = ones([200, 500]);
      const y = F.dropout(x, { p, seed: 11 });
      const kept = y.ne(0).to('float64').mean().item();
      assert.ok(Math.abs(kept - (1 - p)) < 0.01, `kept fraction ${kept}, expected ${1 - p}`);
      assert.deepEqual(distinct(y), [0, Math.fround(1 / (1 - p))]);
      const meanTolerance = 5 * Math.sqrt(p / ((1 - p) * x.size));
      assert.ok(Math.abs(y.to('float64').mean().item() - 1) < meanTolerance, 'the mean is preserved');
    });
  }

  void it('float64 inputs get the exact scale', () => {
    const y = F.dropout(ones([1000], { dtype: 'float64' }), { p: 0.3, seed: 12 });
    assert.deepEqual(distinct(y), [0, 1 / 0.7]);
  });

  void it('scales the input values, not only ones', () => {
    const x = randn([50, 40], { seed: 13 });
    const y = F.dropout(x, { p: 0.25, seed: 14 });
    const mask = F.dropout(ones([50, 40]), { p: 0.25, seed: 14 });
    assertTensorClose(y, x.mul(mask));
  });

  void it('is deterministic for a seed and leaves the global generator alone', () => {
    const x = ones([64]);
    manualSeed(3);
    const first = F.dropout(x, { seed: 99 });
    const afterSeeded = randn([4]);
    manualSeed(3);
    assertTensorClose(randn([4]), afterSeeded);
    assertTensorClose(F.dropout(x, { seed: 99 }), first);
    assert.notDeepEqual([...F.dropout(x, { seed: 100 }).data], [...first.data]);
  });

  void it('draws from the global generator without a seed', () => {
    const x = ones([64]);
    manualSeed(5);
    const a = F.dropout(x);
    const b = F.dropout(x);
    manualSeed(5);
    assertTensorClose(F.dropout(x), a);
    assert.notDeepEqual([...b.data], [...a.data]);
  });
});

void describe('dropout special cases', () => {
  const x = randn([3, 4], { seed: 20 });

  void it('returns the input itself when not training or when p = 0', () => {
    assert.equal(F.dropout(x, { training: false }), x);
    assert.equal(F.dropout(x, { p: 0.9, training: false }), x);
    assert.equal(F.dropout(x, { p: 0 }), x);
  });

  void it('p = 1 gives zeros and a zero gradient', () => {
    const input = x.clone().requiresGrad_();
    const y = F.dropout(input, { p: 1 });
    assertTensorClose(y, zeros([3, 4]));
    y.sum().backward();
    assertTensorClose(input.grad!, zeros([3, 4]));
  });

  void it('the gradient is the scaled mask', () => {
    const input = x.clone().requiresGrad_();
    const y = F.dropout(input, { p: 0.4, seed: 21 });
    y.sum().backward();
    assertTensorClose(input.grad!, F.dropout(ones([3, 4]), { p: 0.4, seed: 21 }));
  });

  void it('gradcheck (float64, fixed seed)', () => {
    const input = randn([4, 5], { dtype: 'float64', seed: 22 }).requiresGrad_();
    assert.equal(
      gradcheck((t) => F.dropout(t, { p: 0.3, seed: 23 }), [input]),
      true,
    );
  });
});

void describe('dropout bad input', () => {
  const x = randn([2, 3]);
  const cases: [string, () => unknown, new (...args: never[]) => ConvnetError, string][] = [
    ['a negative p', () => F.dropout(x, { p: -0.1 }), ArgumentError, 'p'],
    ['p above 1', () => F.dropout(x, { p: 1.5 }), ArgumentError, 'p'],
    ['a NaN p', () => F.dropout(x, { p: NaN }), ArgumentError, 'p'],
    ['a string p', () => F.dropout(x, { p: '0.5' as unknown as number }), ArgumentError, 'p'],
    [
      'a non-boolean training flag',
      () => F.dropout(x, { training: 1 as unknown as boolean }),
      ArgumentError,
      'training',
    ],
    ['a fractional seed', () => F.dropout(x, { seed: 1.5 }), ArgumentError, 'seed'],
    ['integers', () => F.dropout(x.to('int32')), DTypeError, 'input'],
    ['a non-tensor', () => F.dropout([1, 2] as unknown as Tensor), ArgumentError, 'input'],
  ];
  for (const [name, call, error, argument] of cases) {
    void it(name, () => {
      assert.throws(call, (e: unknown) => {
        assert.ok(e instanceof error, `expected ${error.name}, got ${String(e)}`);
        assert.equal(e.op, 'dropout', e.message);
        assert.equal(e.argument, argument, e.message);
        return true;
      });
    });
  }
});
