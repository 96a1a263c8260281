/**
 * Closeness checks for tensors and arrays, reporting the worst entry when they fail.
 */
import assert from 'node:assert/strict';
import type { DType } from '../../src/index.js';
import { Tensor } from '../../src/index.js';

/** Tolerances: `|actual − expected| ≤ atol + rtol · |expected|`. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * The tolerance the fixtures are held to: 1e-4 relative in float32 and 1e-10 in float64, with an absolute
 * floor scaled by the largest expected magnitude (entries near zero have no meaningful relative error).
 */
export function toleranceFor(dtype: DType, expected: ArrayLike<number>): Tolerance {
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  return dtype === 'float64' ? { rtol: 1e-10, atol: 1e-12 * scale } : { rtol: 1e-4, atol: 1e-5 * scale };
}

/** Asserts two arrays of numbers agree within `tolerance`, naming the worst entry otherwise. */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: Tolerance,
  what = 'values',
): void {
  assert.equal(
    actual.length,
    expected.length,
    `${what}: length ${actual.length} ≠ expected ${expected.length}`,
  );
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const excess = Math.abs(a - e) - (tolerance.atol + tolerance.rtol * Math.abs(e));
    if (!(excess <= worstExcess)) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    assert.fail(
      `${what}: entry ${worst} is ${actual[worst]}, expected ${expected[worst]} (rtol ${tolerance.rtol}, atol ${tolerance.atol})`,
    );
  }
}

/** Asserts a tensor has the expected shape and values (nested arrays or flat). */
export function assertTensorClose(
  actual: Tensor,
  expected: { shape: readonly number[]; values: ArrayLike<number> } | Tensor,
  tolerance?: Tolerance,
  what = 'tensor',
): void {
  assert.ok(actual instanceof Tensor, `${what}: expected a Tensor`);
  const values = expected instanceof Tensor ? expected.data : expected.values;
  assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assertAllClose(actual.data, values, tolerance ?? toleranceFor(actual.dtype, values), what);
}
