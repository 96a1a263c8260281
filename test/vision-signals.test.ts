import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ArgumentError, vision } from '../src/index.js';
import * as signals from '../src/vision/signals.js';
import type { SignalMode } from '../src/vision/signals.js';
import { badInputSuite } from './helpers/bad-input.js';
import { describeEachBackend } from './helpers/backends.js';
import { assertAllClose, toleranceFor } from './helpers/close.js';

/** Values computed by scripts/reference/vision_signals.py with numpy and scipy. */
interface FunctionDemoFixture {
  samples: number;
  sigma: number;
  x: number[];
  f: number[];
  gaussian: number[];
  log: number[];
  smoothed: number[];
  sharpened: number[];
  smoothedTimesDx: number[];
  sharpenedTimesDx: number[];
}
interface Fixture {
  arrays: { a: number[]; b: number[]; full: number[] };
  functions: FunctionDemoFixture[];
  user: { signal: number[]; kernel: number[]; mode: SignalMode; correlate: boolean; result: number[] }[];
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/vision-signals.json', import.meta.url), 'utf8'),
) as Fixture;

const close = (actual: readonly number[], expected: readonly number[], what: string): void => {
  assertAllClose(actual, expected, toleranceFor('float64', expected), what);
};

describeEachBackend('vision.signalDemos against numpy and scipy', () => {
  void it("demo 1 is np.convolve(a, b, 'full') of the seed's arrays, drawn as bars", () => {
    const [arrays] = vision.signalDemos();
    close(arrays!.input.values, fixture.arrays.a, 'a');
    close(arrays!.kernel.values, fixture.arrays.b, 'b');
    close(arrays!.result.values, fixture.arrays.full, 'np.convolve');
    assert.deepEqual(arrays!.result.x, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(arrays!.style, 'bar');
    assert.equal(arrays!.mode, 'full');
  });

  for (const reference of fixture.functions) {
    const options = { samples: reference.samples, sigma: reference.sigma };
    void it(`demos 2 and 3 are scipy.signal.convolve(f, kernel, 'same') (${reference.samples} samples, sigma ${reference.sigma})`, () => {
      const [, smooth, sharpen] = vision.signalDemos(options);
      for (const demo of [smooth!, sharpen!]) {
        close(demo.input.x, reference.x, 'linspace');
        close(demo.input.values, reference.f, 'f(x)');
        assert.equal(demo.style, 'line');
        assert.match(demo.note ?? '', /not scaled by dx/);
      }
      close(smooth!.kernel.values, reference.gaussian, 'Gaussian');
      close(smooth!.result.values, reference.smoothed, 'smoothed');
      close(sharpen!.kernel.values, reference.log, 'Laplacian of Gaussian');
      close(sharpen!.result.values, reference.sharpened, 'sharpened');
    });
    void it(`scaleByDx multiplies the function demos' results by the spacing (${reference.samples} samples)`, () => {
      const [arrays, smooth, sharpen] = vision.signalDemos({ ...options, scaleByDx: true });
      close(arrays!.result.values, fixture.arrays.full, 'np.convolve (not scaled)');
      close(smooth!.result.values, reference.smoothedTimesDx, 'smoothed × dx');
      close(sharpen!.result.values, reference.sharpenedTimesDx, 'sharpened × dx');
      assert.match(smooth!.note ?? '', /multiplied by dx/);
    });
  }

  void it('convolutionDemo equals np.convolve and np.correlate in every mode', () => {
    for (const { signal, kernel, mode, correlate, result } of fixture.user) {
      const demo = vision.convolutionDemo(signal, kernel, { mode, correlate });
      close(
        demo.result.values,
        result,
        `${correlate ? 'correlate' : 'convolve'} ${mode} of ${signal.join(',')}`,
      );
      assert.equal(demo.operation, correlate ? 'correlate' : 'convolve');
    }
  });
});

void describe('vision.signalDemos', () => {
  void it("keeps the seed's titles", () => {
    const titles = vision.signalDemos().map((d) => [d.title, d.input.title, d.kernel.title, d.result.title]);
    assert.deepEqual(titles, [
      [
        'Arrays A & B get folded / convoluted -> resulting in a smoothed version of both',
        'Array a',
        'Array b',
        'Convolution',
      ],
      [
        'Convolution of Piecewise Linear Function with Gaussian Kernel',
        'Original Function f(x)',
        'Smoothing Function (Gaussian)',
        'Smoothed Function',
      ],
      [
        'Convolution of Piecewise Linear Function with Laplacian of Gaussian Kernel',
        'Original Function f(x)',
        'Magnifying Function (Laplacian of Gaussian)',
        'Magnified Function',
      ],
    ]);
  });

  void it('without dx the smoothed curve is about 1/dx ≈ 50 times f away from the borders', () => {
    const [, smooth] = vision.signalDemos();
    const ratio = smooth!.result.values[250]! / smooth!.input.values[250]!;
    assert.ok(ratio > 45 && ratio < 52, `ratio ${ratio}`);
  });

  void it('convolutionDemo draws long arrays as lines and names a correlation', () => {
    const long = Array.from({ length: 100 }, (_, i) => Math.sin(i / 5));
    const demo = vision.convolutionDemo(long, [1, 2, 1], { mode: 'same', correlate: true, title: 'mine' });
    assert.equal(demo.style, 'line');
    assert.equal(demo.title, 'mine');
    assert.equal(demo.result.title, 'Correlation');
    assert.equal(demo.result.values.length, 100);
  });
});

badInputSuite(
  'vision signal demos: bad input',
  [
    ['signalDemos', 'one sample', () => vision.signalDemos({ samples: 1 }), ArgumentError],
    ['signalDemos', 'fractional samples', () => vision.signalDemos({ samples: 10.5 }), ArgumentError],
    ['signalDemos', 'zero sigma', () => vision.signalDemos({ sigma: 0 }), ArgumentError],
    ['signalDemos', 'NaN sigma', () => vision.signalDemos({ sigma: NaN }), ArgumentError],
    [
      'signalDemos',
      'scaleByDx not a boolean',
      () => vision.signalDemos({ scaleByDx: 1 as unknown as boolean }),
      ArgumentError,
    ],
    ['convolutionDemo', 'empty signal', () => vision.convolutionDemo([], [1]), ArgumentError],
    ['convolutionDemo', 'empty kernel', () => vision.convolutionDemo([1], []), ArgumentError],
    ['convolutionDemo', 'NaN in the signal', () => vision.convolutionDemo([1, NaN], [1]), ArgumentError],
    [
      'convolutionDemo',
      'a string in the kernel',
      () => vision.convolutionDemo([1, 2], ['a' as unknown as number]),
      ArgumentError,
    ],
    [
      'convolutionDemo',
      'not an array',
      () => vision.convolutionDemo('1,2' as unknown as number[], [1]),
      ArgumentError,
    ],
    [
      'convolutionDemo',
      'unknown mode',
      () => vision.convolutionDemo([1, 2], [1], { mode: 'wrap' as SignalMode }),
      ArgumentError,
    ],
    [
      'convolutionDemo',
      'correlate not a boolean',
      () => vision.convolutionDemo([1], [1], { correlate: 'yes' as unknown as boolean }),
      ArgumentError,
    ],
    [
      'convolutionDemo',
      'title not a string',
      () => vision.convolutionDemo([1], [1], { title: 3 as unknown as string }),
      ArgumentError,
    ],
  ],
  [signals],
);
