/**
 * `F.interpolate`: nearest, linear and bilinear resizing with the coordinate mapping of
 * `torch.nn.functional.interpolate` 1.13. Every mode is separable: each spatial axis in turn is resampled
 * by a weighted gather (output position `o` = Σⱼ weightⱼ · input[indexⱼ], one tap for nearest, two for
 * linear), and the backward rule is the exact adjoint, a weighted scatter-add, applied in reverse order.
 */
import type { DType, TypedArray } from '../dtype.js';
import { isFloating, typedArrayFor } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { formatShape, isList, sizeOf } from '../shape.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { Tensor, checkTensor } from '../tensor.js';

/** How `interpolate` computes a value between input samples. */
export type InterpolateMode = 'nearest' | 'linear' | 'bilinear';

/** Options of `interpolate`. Exactly one of `size` and `scaleFactor` is given. */
export interface InterpolateOptions {
  /** Output spatial size: one integer ≥ 1 for every spatial axis, or one per axis. */
  size?: number | readonly number[] | null;
  /** Multiplier of each spatial size (the output size is `floor(size · scaleFactor)`), one or one per axis. */
  scaleFactor?: number | readonly number[] | null;
  /** `'nearest'` (default; 3-D or 4-D input), `'linear'` (3-D) or `'bilinear'` (4-D). */
  mode?: InterpolateMode;
  /**
   * Linear modes only: map the corner samples of input and output onto each other (`true`), or their outer
   * edges (`false`, the default).
   */
  alignCorners?: boolean | null;
  /**
   * With `scaleFactor`: map coordinates by the ratio of the (integer) sizes instead of by `1 / scaleFactor`
   * (default false, as in PyTorch 1.13).
   */
  recomputeScaleFactor?: boolean | null;
}

/**
 * The resampling of one axis: output position `o` is `Σⱼ weights[o·taps + j] · input[index[o·taps + j]]`
 * along `axis` (a plain copy of `input[index[o]]` when `weights` is `null`).
 */
export interface AxisResampling {
  /** The axis of the input this resamples. */
  readonly axis: number;
  /** Its length in the input. */
  readonly inputSize: number;
  /** Its length in the output. */
  readonly outputSize: number;
  /** Input elements that contribute to each output position (1 for nearest, 2 for linear). */
  readonly taps: number;
  /** `outputSize · taps` input indices along the axis. */
  readonly index: Int32Array;
  /** The weight of each index, or `null` for a plain copy (nearest). */
  readonly weights: TypedArray | null;
}

/** Everything `interpolate` and its backward need: the input shape and the axes in the order they are resampled. */
export interface InterpolationPlan {
  /** The shape of the op's input. */
  readonly inputShape: Shape;
  /** The shape of its output. */
  readonly outShape: Shape;
  /** The resampled axes, in the order they are resampled. */
  readonly axes: readonly AxisResampling[];
}

const MODES: readonly string[] = ['nearest', 'linear', 'bilinear'];

/**
 * Nearest source of every output position, as PyTorch's `nearest` kernel finds it: `floor(o · scale)`
 * with `scale = 1 / scaleFactor` if a scale factor is used, else `inputSize / outputSize`, computed in the
 * input's precision (float32 arithmetic for float32 input), and clamped to the last input element.
 */
function nearestAxis(
  axis: number,
  inputSize: number,
  outputSize: number,
  scaleFactor: number | null,
  dtype: DType,
): AxisResampling {
  const round = dtype === 'float32' ? Math.fround : (v: number): number => v;
  const scale = round(scaleFactor === null ? inputSize / outputSize : 1 / scaleFactor);
  const index = new Int32Array(outputSize);
  for (let o = 0; o < outputSize; o++) index[o] = Math.min(Math.floor(round(o * scale)), inputSize - 1);
  return { axis, inputSize, outputSize, taps: 1, index, weights: null };
}

/**
 * Linear interpolation weights of every output position, as PyTorch's `linear` kernels compute them. The
 * source coordinate is `o · (in − 1)/(out − 1)` with `alignCorners`, else `(o + 0.5) · scale − 0.5`
 * clamped at 0, with `scale = 1 / scaleFactor` if a scale factor is used, else `in / out`; it falls between
 * samples `i₀ = floor(src)` and `i₁ = min(i₀ + 1, in − 1)` with weights `1 − λ` and `λ = src − i₀`. Equal
 * sizes copy.
 */
function linearAxis(
  axis: number,
  inputSize: number,
  outputSize: number,
  scaleFactor: number | null,
  alignCorners: boolean,
  dtype: DType,
): AxisResampling {
  const index = new Int32Array(2 * outputSize);
  const weights = typedArrayFor(dtype, 2 * outputSize);
  let scale: number;
  if (alignCorners) scale = outputSize > 1 ? (inputSize - 1) / (outputSize - 1) : 0;
  else scale = scaleFactor === null ? inputSize / outputSize : 1 / scaleFactor;
  for (let o = 0; o < outputSize; o++) {
    let source = o;
    if (outputSize !== inputSize) source = alignCorners ? scale * o : Math.max(scale * (o + 0.5) - 0.5, 0);
    const i0 = Math.min(Math.floor(source), inputSize - 1);
    const lambda = Math.min(Math.max(source - i0, 0), 1);
    index[2 * o] = i0;
    index[2 * o + 1] = i0 < inputSize - 1 ? i0 + 1 : i0;
    weights[2 * o] = 1 - lambda;
    weights[2 * o + 1] = lambda;
  }
  return { axis, inputSize, outputSize, taps: 2, index, weights };
}

/**
 * The shapes one axis's resampling works with, `shape` seen as `[pre, axis, post]`: the input, the gathered
 * taps `[pre, out · taps, post]`, the same split per output `[pre, out, taps, post]`, the gradient per
 * output `[pre, out, 1, post]` and the weights `[out, taps, 1]`. A trailing `post` of 1 is left out, so
 * that the backend's innermost loops run along the resampled axis instead of over single elements.
 */
function axisShapes(shape: Shape, r: AxisResampling) {
  const pre = sizeOf(shape.slice(0, r.axis));
  const post = sizeOf(shape.slice(r.axis + 1));
  const tail = post === 1 ? [] : [post];
  return {
    input: [pre, r.inputSize, ...tail],
    gathered: [pre, r.outputSize * r.taps, ...tail],
    taps: [pre, r.outputSize, r.taps, ...tail],
    perOutput: [pre, r.outputSize, 1, ...tail],
    weights: post === 1 ? [r.outputSize, r.taps] : [r.outputSize, r.taps, 1],
    indexStrides: post === 1 ? [0, 1] : [0, 1, 0],
  };
}

/** The index of every gathered element, broadcast from `r.index`. */
function fullIndex(r: AxisResampling, shapes: ReturnType<typeof axisShapes>): Int32Array {
  return backend().stridedCopy(r.index, {
    offset: 0,
    shape: shapes.gathered,
    strides: shapes.indexStrides,
  }) as Int32Array;
}

/** Resamples one axis of `x` (shape `shape`): a gather of every tap, weighted and summed over the taps. */
function resampleAxis(x: TypedArray, shape: Shape, r: AxisResampling): TypedArray {
  const be = backend();
  const shapes = axisShapes(shape, r);
  const picked = be.gather(x, shapes.input, 1, fullIndex(r, shapes), shapes.gathered);
  if (r.weights === null) return picked;
  const weighted = be.binary('mul', picked, shapes.taps, r.weights, shapes.weights, shapes.taps);
  return be.reduce('sum', weighted, shapes.taps, [2]);
}

/** The adjoint of {@link resampleAxis}: each gradient, times each tap's weight, added back to that tap's source. */
function resampleAxisAdjoint(grad: TypedArray, outShape: Shape, r: AxisResampling): TypedArray {
  const be = backend();
  const shapes = axisShapes(outShape, r);
  const spread =
    r.weights === null
      ? grad
      : be.binary('mul', grad, shapes.perOutput, r.weights, shapes.weights, shapes.taps);
  return be.scatterAdd(spread, shapes.gathered, 1, fullIndex(r, shapes), shapes.input);
}

/** Reads a per-axis option (one number for every axis, or a list of `d`), checking each with `valid`. */
function perAxis(
  value: number | readonly number[],
  d: number,
  inputShape: Shape,
  argument: string,
  valid: (v: number) => boolean,
  expected: string,
): number[] {
  if (isList(value) && (value as readonly number[]).length !== d) {
    throw new ShapeError(
      'interpolate',
      argument,
      `expected ${d} entries for the ${d} spatial dims of input ${formatShape(inputShape)}, got ${JSON.stringify(value)}`,
    );
  }
  const values =
    typeof value === 'number' ? new Array<number>(d).fill(value) : isList(value) ? [...value] : null;
  if (values === null || !values.every((v) => typeof v === 'number' && valid(v))) {
    throw new ArgumentError(
      'interpolate',
      argument,
      `expected ${expected} or a list of ${d}, got ${JSON.stringify(value)}`,
    );
  }
  return values;
}

/** Validates the call and works out the per-axis resampling. */
function interpolationPlan(input: Tensor, options: InterpolateOptions): InterpolationPlan {
  checkTensor(input, 'interpolate', 'input');
  if (typeof options !== 'object' || options === null)
    throw new ArgumentError('interpolate', 'options', 'expected an options object with size or scaleFactor');
  const { size, scaleFactor } = options;
  const mode = options.mode ?? 'nearest';
  const alignCorners = options.alignCorners ?? null;
  const recompute = options.recomputeScaleFactor ?? false;
  if (!MODES.includes(mode))
    throw new ArgumentError('interpolate', 'mode', `expected one of ${MODES.join(', ')}, got '${mode}'`);
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(
      'interpolate',
      'input',
      `expected a 3-D (N, C, L) or 4-D (N, C, H, W) tensor, got shape ${formatShape(input.shape)}`,
    );
  }
  if (mode === 'linear' && input.ndim !== 3)
    throw new ShapeError(
      'interpolate',
      'input',
      `mode 'linear' needs 3-D input (N, C, L), got shape ${formatShape(input.shape)}`,
    );
  if (mode === 'bilinear' && input.ndim !== 4) {
    throw new ShapeError(
      'interpolate',
      'input',
      `mode 'bilinear' needs 4-D input (N, C, H, W), got shape ${formatShape(input.shape)}`,
    );
  }
  if (!isFloating(input.dtype))
    throw new DTypeError('interpolate', 'input', `expected a floating tensor, got ${input.dtype}`);
  if (alignCorners !== null && typeof alignCorners !== 'boolean')
    throw new ArgumentError('interpolate', 'alignCorners', `expected a boolean, got ${String(alignCorners)}`);
  if (alignCorners !== null && mode === 'nearest') {
    throw new ArgumentError(
      'interpolate',
      'alignCorners',
      "alignCorners can only be set with the interpolating modes 'linear' and 'bilinear'",
    );
  }
  if (typeof recompute !== 'boolean')
    throw new ArgumentError(
      'interpolate',
      'recomputeScaleFactor',
      `expected a boolean, got ${String(recompute)}`,
    );
  const hasSize = size !== undefined && size !== null;
  const hasScale = scaleFactor !== undefined && scaleFactor !== null;
  if (hasSize === hasScale) {
    throw new ArgumentError(
      'interpolate',
      hasSize ? 'scaleFactor' : 'size',
      hasSize
        ? 'only one of size and scaleFactor should be given'
        : 'either size or scaleFactor should be given',
    );
  }
  if (hasSize && recompute)
    throw new ArgumentError(
      'interpolate',
      'recomputeScaleFactor',
      'recomputeScaleFactor is not meaningful with an explicit size',
    );

  const d = input.ndim - 2;
  const spatial = input.shape.slice(2);
  if (spatial.some((n) => n === 0))
    throw new ShapeError(
      'interpolate',
      'input',
      `expected non-zero spatial sizes, got shape ${formatShape(input.shape)}`,
    );
  let outSizes: number[];
  let scales: (number | null)[];
  if (hasSize) {
    outSizes = perAxis(size, d, input.shape, 'size', (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1');
    scales = outSizes.map(() => null);
  } else {
    const factors = perAxis(
      scaleFactor!,
      d,
      input.shape,
      'scaleFactor',
      (v) => Number.isFinite(v) && v > 0,
      'a positive number',
    );
    outSizes = factors.map((f, i) => Math.floor(spatial[i]! * f));
    if (outSizes.some((o) => o < 1)) {
      throw new ShapeError(
        'interpolate',
        'scaleFactor',
        `scaleFactor ${JSON.stringify(scaleFactor)} takes input ${formatShape(input.shape)} to spatial size ${formatShape(outSizes)}; input and output sizes should be greater than 0`,
      );
    }
    scales = recompute ? factors.map(() => null) : factors;
  }
  const axes = spatial
    .map((length, i) =>
      mode === 'nearest'
        ? nearestAxis(2 + i, length, outSizes[i]!, scales[i]!, input.dtype)
        : linearAxis(2 + i, length, outSizes[i]!, scales[i]!, alignCorners ?? false, input.dtype),
    )
    .reverse();
  return { inputShape: input.shape, outShape: [...input.shape.slice(0, 2), ...outSizes], axes };
}

/**
 * Resizes the spatial axes of `input` `(N, C, L)` or `(N, C, H, W)` to `size`, or by `scaleFactor`, as
 * `torch.nn.functional.interpolate` 1.13 does. `'nearest'` copies the sample at `floor(o · scale)`;
 * `'linear'` and `'bilinear'` interpolate between the two (four) nearest samples, with `alignCorners`
 * choosing the coordinate mapping. A given `scaleFactor` also sets the mapping (`1 / scaleFactor`), unless
 * `recomputeScaleFactor`.
 *
 * @example
 * F.interpolate(x, { scaleFactor: 2 })                                   // (N, C, 2H, 2W), nearest
 * F.interpolate(x, { size: [5, 7], mode: 'bilinear', alignCorners: true })
 */
export function interpolate(input: Tensor, options: InterpolateOptions): Tensor {
  const plan = interpolationPlan(input, options);
  let data = input.data;
  let shape = input.shape;
  for (const r of plan.axes) {
    data = resampleAxis(data, shape, r);
    shape = shape.map((n, i) => (i === r.axis ? r.outputSize : n));
  }
  return record(new Tensor(data, plan.outShape), 'interpolate', [input], (g) => [
    interpolateBackward(g, plan),
  ]);
}
/**
 * Each axis's resampling is linear, out = R x with R the weighted gather; its adjoint Rᵀ scatter-adds every
 * gradient, times the tap's weight, onto the tap's source. The whole map is a product of those, so the
 * adjoints run in reverse order.
 */
export function interpolateBackward(grad: Tensor, plan: InterpolationPlan): Tensor {
  let data = grad.data;
  let shape = plan.outShape;
  for (const r of [...plan.axes].reverse()) {
    data = resampleAxisAdjoint(data, shape, r);
    shape = shape.map((n, i) => (i === r.axis ? r.inputSize : n));
  }
  return new Tensor(data, plan.inputShape);
}
