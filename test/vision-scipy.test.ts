/**
 * `vision.applyKernel` against a second, independent reference: scipy.ndimage's `correlate` and `convolve`
 * (no PyTorch, no OpenCV, no convnet-ts), computed by `scripts/reference/vision_scipy.py` on a 12 × 14 RGB
 * crop of `data/images/chelsea.png` and stored in `test/fixtures/vision-scipy.json`.
 *
 * What it proves: for every named kernel of `KERNEL_DEFINITIONS` at its default parameters, with `'same'`
 * padding in each of the four padding modes (zeros, reflect, replicate, circular — scipy's 'constant',
 * 'mirror', 'nearest', 'wrap', a correspondence the script asserts against `numpy.pad`), both correlation
 * and true convolution, plus one `'valid'` correlation per kernel, the raw output (`output: 'none'`) equals
 * scipy's on every backend, in float64 (to the 10 significant digits stored) and float32 (1e-4 relative).
 * Also that the fixture covers that whole cross product (a kernel added later without a reference fails),
 * and that the script's kernel matrices, built from the definitions, are the library's to 1e-12 and its
 * defaults give the canonical name the script assumed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tensor, vision } from '../src/index.js';
import type { PaddingMode } from '../src/vision/filter.js';
import { describeEachBackend } from './helpers/backends.js';
import { assertAllClose, toleranceFor } from './helpers/close.js';
import type { Tolerance } from './helpers/close.js';

interface ScipyCase {
  kernel: string;
  options: { padding: 'same' | 'valid'; paddingMode?: PaddingMode; convolve: boolean };
  /** Index into `outputs`. */
  output: number;
}

interface ScipyDocument {
  digits: number;
  input: { shape: number[]; values: number[] };
  kernels: { spec: string; name: string; matrix: number[][] }[];
  cases: ScipyCase[];
  outputs: { shape: number[]; values: number[] }[];
}

const reference = JSON.parse(
  readFileSync(new URL('./fixtures/vision-scipy.json', import.meta.url), 'utf8'),
) as ScipyDocument;

const MODES: readonly PaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

function describeCase(c: ScipyCase): string {
  const { padding, paddingMode, convolve } = c.options;
  const border = padding === 'same' ? `same, ${paddingMode}` : 'valid';
  return `${c.kernel}, ${border}, ${convolve ? 'convolution' : 'correlation'}`;
}

/** float64: values rounded to 10 significant digits are off by at most 5e-10 relative; 1e-9, with a floor for cancellations near 0. */
function tolerance(dtype: 'float64' | 'float32', expected: readonly number[]): Tolerance {
  if (dtype === 'float32') return toleranceFor(dtype, expected);
  const scale = Math.max(1, ...expected.map(Math.abs));
  return { rtol: 1e-9, atol: 1e-12 * scale };
}

void describe('vision-scipy fixture', () => {
  void it('covers every named kernel × padding mode × correlation and convolution, and valid', () => {
    const present = new Set(reference.cases.map((c) => describeCase(c)));
    const missing: string[] = [];
    for (const { name } of vision.KERNEL_DEFINITIONS) {
      const expected = [`${name}, valid, correlation`];
      for (const mode of MODES) {
        for (const kind of ['correlation', 'convolution']) expected.push(`${name}, same, ${mode}, ${kind}`);
      }
      missing.push(...expected.filter((label) => !present.has(label)));
    }
    assert.deepEqual(missing, []);
    assert.equal(present.size, reference.cases.length, 'no case is stored twice');
  });

  void it("the script's kernel matrices are vision.kernel(spec)'s, with the defaults it assumed", () => {
    assert.deepEqual(
      reference.kernels.map((k) => k.spec),
      vision.KERNEL_DEFINITIONS.map((d) => d.name),
    );
    for (const { spec, name, matrix } of reference.kernels) {
      const k = vision.kernel(spec);
      assert.equal(k.name, name, `${spec}'s defaults`);
      assert.deepEqual([k.matrix.length, k.matrix[0]!.length], [matrix.length, matrix[0]!.length], spec);
      assertAllClose(k.matrix.flat(), matrix.flat(), { rtol: 1e-12, atol: 1e-12 }, spec);
    }
  });
});

describeEachBackend('vision.applyKernel matches scipy.ndimage', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const c of reference.cases) {
      void it(`${describeCase(c)} (${dtype})`, () => {
        const image = tensor(reference.input.values, reference.input.shape, { dtype });
        const expected = reference.outputs[c.output]!;
        const out = vision.applyKernel(image, c.kernel, { ...c.options, output: 'none' });
        assert.equal(out.dtype, dtype);
        assert.deepEqual(out.shape, expected.shape);
        assertAllClose(out.data, expected.values, tolerance(dtype, expected.values), describeCase(c));
      });
    }
  }
});
