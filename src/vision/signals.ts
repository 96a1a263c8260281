/**
 * The seed's three 1-D demonstrations of convolution, as data to plot or print: the full convolution of two
 * short arrays (numpy's `np.convolve(a, b, 'full')`), a piecewise-linear function smoothed by a Gaussian,
 * and the same function "sharpened" by a Laplacian of Gaussian (`scipy.signal.convolve(…, 'same')`) —
 * computed with the library's own {@link convolve1d}, in float64. Also a demonstration of a user's own
 * signal and kernel ({@link convolutionDemo}).
 *
 * Like the seed, the sampled curves are convolved as plain arrays, without the sample spacing `dx`: a
 * Gaussian density sampled at `dx = 10/499` sums to about `1/dx ≈ 50`, so the smoothed curve is about 50×
 * `f`. `scaleByDx: true` multiplies the results by `dx`, which approximates the continuous convolution.
 */
import { tensor } from '../creation.js';
import { ArgumentError } from '../errors.js';
import { convolve1d, correlate1d } from '../ops/convolution.js';

/** numpy's output modes: every overlap, the input's length (centred), or only complete overlaps. */
export type SignalMode = 'full' | 'same' | 'valid';

/** One panel of a demonstration: values at positions `x`, with the seed's title and axis labels. */
export interface SignalPanel {
  /** The panel's title. */
  readonly title: string;
  /** The label of its x axis. */
  readonly xLabel: string;
  /** The label of its y axis. */
  readonly yLabel: string;
  /** Positions: sample indices for arrays, the sampled domain for functions; as long as `values`. */
  readonly x: readonly number[];
  /** The plotted values. */
  readonly values: readonly number[];
}

/** One demonstration: an input, a kernel and the result of convolving (or correlating) them. */
export interface SignalDemo {
  /** The figure's title, as the seed's `suptitle`. */
  readonly title: string;
  /** How to draw the panels: `'bar'` for short discrete arrays, `'line'` for sampled functions. */
  readonly style: 'bar' | 'line';
  /** numpy's mode of the result. */
  readonly mode: SignalMode;
  /** `'convolve'` (`np.convolve`, the kernel flipped) or `'correlate'` (`np.correlate`). */
  readonly operation: 'convolve' | 'correlate';
  /** What the result's values are, when it is worth saying (e.g. that they are not scaled by `dx`). */
  readonly note: string | null;
  /** The signal. */
  readonly input: SignalPanel;
  /** The kernel it is convolved (or correlated) with. */
  readonly kernel: SignalPanel;
  /** The result, in `mode`. */
  readonly result: SignalPanel;
}

/** Options of {@link signalDemos}. */
export interface SignalDemosOptions {
  /** Samples of the domain [−5, 5] of the two function demos (default 500, the seed's), at least 2. */
  samples?: number;
  /** Standard deviation of the Gaussian and of the Laplacian of Gaussian (default 1, the seed's), > 0. */
  sigma?: number;
  /**
   * Multiply the function demos' results by the sample spacing `dx` (default `false`: the seed's plain
   * array convolution, about `1/dx` times larger).
   */
  scaleByDx?: boolean;
}

/** Options of {@link convolutionDemo}. */
export interface ConvolutionDemoOptions {
  /**
   * numpy's mode (default `'full'`). As in numpy, a kernel longer than the signal swaps roles with it, so
   * `'valid'` then gives their complete overlaps too.
   */
  mode?: SignalMode;
  /** Correlate (`np.correlate`, kernel not flipped) instead of convolving (default `false`). */
  correlate?: boolean;
  /** The figure's title (default: the operation, mode and lengths). */
  title?: string;
}

/** The seed's first pair of arrays. */
const SEED_ARRAY_A = [0.1, 0.1, 1, 1, 1, 0.1, 0.1];
const SEED_ARRAY_B = [0.2, 0.2, 0.2, 0.2];

/** Longest array drawn as bars; longer ones are drawn as lines. */
const MAX_BAR_LENGTH = 64;

const MODES: readonly string[] = ['full', 'same', 'valid'];

/**
 * The seed's three demonstrations, in its order: (1) `np.convolve([.1,.1,1,1,1,.1,.1], [.2,.2,.2,.2],
 * 'full')`; (2) the piecewise-linear `f` on `linspace(−5, 5, samples)` convolved (`'same'`) with the
 * Gaussian density of standard deviation `sigma` sampled on the same points; (3) `f` convolved with the 1-D
 * Laplacian of Gaussian `−1/(π σ⁴) · (1 − x²/2σ²) · exp(−x²/2σ²)`. Results are float64 values equal to
 * numpy's and scipy's; without `scaleByDx` they are not multiplied by the sample spacing (see the module
 * comment), and each function demo's `note` says so.
 *
 * @example
 * const [arrays, smooth, sharpen] = vision.signalDemos();
 * arrays.result.values  // [0.02, 0.04, 0.24, 0.44, 0.62, 0.62, 0.44, 0.24, 0.04, 0.02] (to rounding)
 */
export function signalDemos(options?: SignalDemosOptions): SignalDemo[] {
  const op = 'signalDemos';
  const samples = options?.samples ?? 500;
  const sigma = options?.sigma ?? 1;
  const scaleByDx = options?.scaleByDx ?? false;
  if (!Number.isSafeInteger(samples) || samples < 2) {
    throw new ArgumentError(op, 'samples', `expected an integer ≥ 2, got ${String(samples)}`);
  }
  if (typeof sigma !== 'number' || !(sigma > 0 && Number.isFinite(sigma))) {
    throw new ArgumentError(op, 'sigma', `expected a finite number > 0, got ${String(sigma)}`);
  }
  if (typeof scaleByDx !== 'boolean') {
    throw new ArgumentError(op, 'scaleByDx', `expected a boolean, got ${typeof scaleByDx}`);
  }
  const arrays = discreteDemo(
    SEED_ARRAY_A,
    SEED_ARRAY_B,
    'full',
    false,
    'Arrays A & B get folded / convoluted -> resulting in a smoothed version of both',
    ['Array a', 'Array b'],
  );
  const x = linspace(-5, 5, samples);
  const dx = x[1]! - x[0]!;
  const f = x.map(piecewiseLinear);
  const original: SignalPanel = {
    title: 'Original Function f(x)',
    xLabel: 'x',
    yLabel: 'f(x)',
    x,
    values: f,
  };
  const sampled = (kernelValues: number[]): number[] => {
    const y = convolveValues(f, kernelValues, 'same', false);
    return scaleByDx ? y.map((v) => v * dx) : y;
  };
  const note = scaleByDx
    ? `result multiplied by dx = ${dx.toPrecision(4)} (approximates the continuous convolution)`
    : `result not scaled by dx = ${dx.toPrecision(4)}, as in the seed: about ${(1 / dx).toPrecision(3)}× the continuous convolution`;
  const suffix = scaleByDx ? ' (× dx)' : '';
  const gaussian = x.map((v) => gaussianDensity(v, sigma));
  const log = x.map((v) => laplacianOfGaussian(v, sigma));
  return [
    arrays,
    {
      title: 'Convolution of Piecewise Linear Function with Gaussian Kernel',
      style: 'line',
      mode: 'same',
      operation: 'convolve',
      note,
      input: original,
      kernel: {
        title: 'Smoothing Function (Gaussian)',
        xLabel: 'x',
        yLabel: 'Smoothing Kernel',
        x,
        values: gaussian,
      },
      result: {
        title: `Smoothed Function${suffix}`,
        xLabel: 'x',
        yLabel: 'Smoothed f(x)',
        x,
        values: sampled(gaussian),
      },
    },
    {
      title: 'Convolution of Piecewise Linear Function with Laplacian of Gaussian Kernel',
      style: 'line',
      mode: 'same',
      operation: 'convolve',
      note,
      input: original,
      kernel: {
        title: 'Magnifying Function (Laplacian of Gaussian)',
        xLabel: 'x',
        yLabel: 'Magnifying Kernel',
        x,
        values: log,
      },
      result: {
        title: `Magnified Function${suffix}`,
        xLabel: 'x',
        yLabel: 'Magnified f(x)',
        x,
        values: sampled(log),
      },
    },
  ];
}

/**
 * A demonstration of a user's own `signal` and `kernel` (finite numbers, at least one each): `np.convolve`
 * (or `np.correlate` with `correlate: true`) in numpy's `mode`, computed in float64 with the library's
 * {@link convolve1d} / {@link correlate1d}. Panels are indexed by sample; arrays up to 64 long are drawn as
 * bars, longer ones as lines.
 *
 * @example
 * vision.convolutionDemo([1, 2, 3], [0, 1, 0.5]).result.values  // [0, 1, 2.5, 4, 1.5]
 */
export function convolutionDemo(
  signal: readonly number[],
  kernel: readonly number[],
  options?: ConvolutionDemoOptions,
): SignalDemo {
  const op = 'convolutionDemo';
  checkValues(signal, op, 'signal');
  checkValues(kernel, op, 'kernel');
  const mode = options?.mode ?? 'full';
  const correlate = options?.correlate ?? false;
  if (!MODES.includes(mode)) {
    throw new ArgumentError(op, 'mode', `expected 'full', 'same' or 'valid', got ${JSON.stringify(mode)}`);
  }
  if (typeof correlate !== 'boolean') {
    throw new ArgumentError(op, 'correlate', `expected a boolean, got ${typeof correlate}`);
  }
  if (options?.title !== undefined && typeof options.title !== 'string') {
    throw new ArgumentError(op, 'title', `expected a string, got ${typeof options.title}`);
  }
  const operation = correlate ? 'correlate' : 'convolve';
  const title = options?.title ?? `np.${operation}(signal, kernel, '${mode}')`;
  return discreteDemo(signal, kernel, mode, correlate, title, ['Signal', 'Kernel']);
}

/** A demonstration of two checked arrays, with panel titles `names` for the input and the kernel. */
function discreteDemo(
  signal: readonly number[],
  kernel: readonly number[],
  mode: SignalMode,
  correlate: boolean,
  title: string,
  names: readonly [string, string],
): SignalDemo {
  const values = convolveValues(signal, kernel, mode, correlate);
  const longest = Math.max(signal.length, kernel.length, values.length);
  const panel = (panelTitle: string, v: readonly number[]): SignalPanel => ({
    title: panelTitle,
    xLabel: 'Index',
    yLabel: 'Value',
    x: v.map((_, i) => i),
    values: [...v],
  });
  return {
    title,
    style: longest <= MAX_BAR_LENGTH ? 'bar' : 'line',
    mode,
    operation: correlate ? 'correlate' : 'convolve',
    note: null,
    input: panel(names[0], signal),
    kernel: panel(names[1], kernel),
    result: panel(correlate ? 'Correlation' : 'Convolution', values),
  };
}

/** `np.convolve` / `np.correlate` of two float arrays with the library's 1-D ops, in float64. */
function convolveValues(
  signal: readonly number[],
  kernel: readonly number[],
  mode: SignalMode,
  correlate: boolean,
): number[] {
  const a = tensor(signal, undefined, { dtype: 'float64' });
  const v = tensor(kernel, undefined, { dtype: 'float64' });
  const out = correlate ? correlate1d(a, v, { mode }) : convolve1d(a, v, { mode });
  return Array.from(out.data);
}

/** Fails unless `values` is a non-empty array of finite numbers. */
function checkValues(values: unknown, op: string, argument: string): asserts values is readonly number[] {
  if (!Array.isArray(values)) {
    throw new ArgumentError(op, argument, `expected an array of numbers, got ${typeof values}`);
  }
  if (values.length === 0) throw new ArgumentError(op, argument, 'expected at least one value, got none');
  const bad = values.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) {
    throw new ArgumentError(
      op,
      argument,
      `expected finite numbers, got ${String(values[bad])} at index ${bad}`,
    );
  }
}

/** `n` evenly spaced numbers from `start` to `stop` inclusive, computed as `np.linspace` does. */
function linspace(start: number, stop: number, n: number): number[] {
  const step = (stop - start) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? stop : start + i * step));
}

/** The seed's piecewise-linear function: slopes 0.5, −1, 0.5, −1, 0.5 with kinks at −3, −1, 1, 3. */
function piecewiseLinear(x: number): number {
  if (x < -3) return 0.5 * x + 4;
  if (x < -1) return -x - 1;
  if (x < 1) return 0.5 * x + 1;
  if (x < 3) return -x + 3;
  return 0.5 * x - 2;
}

/** The normal density with mean 0 and standard deviation `sigma` at `x`. */
function gaussianDensity(x: number, sigma: number): number {
  return Math.exp(-(x ** 2) / (2 * sigma ** 2)) / (sigma * Math.sqrt(2 * Math.PI));
}

/** The seed's 1-D Laplacian of Gaussian: `−1/(π σ⁴) · (1 − x²/2σ²) · exp(−x²/2σ²)`. */
function laplacianOfGaussian(x: number, sigma: number): number {
  const r = x ** 2 / (2 * sigma ** 2);
  return (-1 / (Math.PI * sigma ** 4)) * (1 - r) * Math.exp(-r);
}
