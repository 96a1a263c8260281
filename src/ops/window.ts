/**
 * Sliding windows: option normalisation for per-dimension sizes, and the assignment's `sig2col` (im2col)
 * with its adjoint `col2sig`, which the reference backend builds convolution on. The output-size arithmetic
 * lives in `backend/geometry.ts` and is exported from here as part of `F`.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { convOutputSize } from '../backend/geometry.js';
import type { Shape } from '../shape.js';
import { formatShape, isList } from '../shape.js';
import type { WindowSpec } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { Tensor, checkTensor } from '../tensor.js';

/** Options of `sig2col` and `col2sig`: per windowed axis, or one number for all. */
export interface WindowOptions {
  /** Step between window positions (default 1). */
  stride?: number | readonly number[];
  /** Step between the elements of a window (default 1). */
  dilation?: number | readonly number[];
}

/**
 * Expands a size option to one integer per spatial dim, checking each is an integer ≥ `min`:
 * `normalizeTuple(2, 2, …)` is `[2, 2]`.
 */
export function normalizeTuple(
  value: number | readonly number[],
  n: number,
  op: string,
  argument: string,
  min = 1,
): number[] {
  const values =
    typeof value === 'number' ? new Array<number>(n).fill(value) : isList(value) ? [...value] : null;
  if (values === null || values.length !== n || !values.every((v) => Number.isInteger(v) && v >= min)) {
    throw new ArgumentError(
      op,
      argument,
      `expected an integer ≥ ${min} or a list of ${n} such integers, got ${JSON.stringify(value)}`,
    );
  }
  return values;
}

/** Validates windows over the trailing axes of `inputShape` and returns the backend's spec. */
function windowSpec(
  op: string,
  inputShape: Shape,
  windowShape: Shape,
  options: WindowOptions | undefined,
): WindowSpec {
  if (
    !isList(windowShape) ||
    windowShape.length === 0 ||
    !windowShape.every((w) => Number.isInteger(w) && w >= 1)
  ) {
    throw new ArgumentError(
      op,
      'windowShape',
      `expected a non-empty list of positive integers, got ${JSON.stringify(windowShape)}`,
    );
  }
  const d = windowShape.length;
  if (d > inputShape.length) {
    throw new ShapeError(
      op,
      'windowShape',
      `a ${d}-D window needs at least ${d} input dims, got shape ${formatShape(inputShape)}`,
    );
  }
  const stride = normalizeTuple(options?.stride ?? 1, d, op, 'stride');
  const dilation = normalizeTuple(options?.dilation ?? 1, d, op, 'dilation');
  const lead = inputShape.length - d;
  windowShape.forEach((w, i) => {
    const extent = dilation[i]! * (w - 1) + 1;
    if (extent > inputShape[lead + i]!) {
      throw new ShapeError(
        op,
        'windowShape',
        `window ${formatShape(windowShape)} (dilated extent ${extent}) is larger than the input along axis ${lead + i} (shape ${formatShape(inputShape)})`,
      );
    }
  });
  return { inputShape, windowShape, stride, dilation };
}

/** `inputShape[:-d] + out + windowShape`, the shape `sig2col` produces. */
function columnsShape(spec: WindowSpec): number[] {
  const d = spec.windowShape.length;
  const lead = spec.inputShape.length - d;
  const out = spec.windowShape.map((w, i) =>
    convOutputSize(spec.inputShape[lead + i]!, w, spec.stride[i]!, 0, 0, spec.dilation[i]!),
  );
  return [...spec.inputShape.slice(0, lead), ...out, ...spec.windowShape];
}

/**
 * Represents a signal so that each block holds the elements of one sliding window (im2col). The trailing
 * `windowShape.length` axes are windowed; the result has shape `x.shape[:-d] + out + windowShape` with
 * `out = floor((L − dilation·(w − 1) − 1) / stride) + 1` per axis (valid windows only, no padding).
 *
 * @example
 * F.sig2col(randn([15, 3, 13, 13]), [5, 3]).shape            // [15, 3, 9, 11, 5, 3]
 * F.sig2col(randn([15, 3, 13, 13]), [2, 2], { stride: 2 }).shape  // [15, 3, 6, 6, 2, 2]
 */
export function sig2col(input: Tensor, windowShape: Shape, options?: WindowOptions): Tensor {
  checkTensor(input, 'sig2col', 'input');
  const spec = windowSpec('sig2col', input.shape, windowShape, options);
  const out = new Tensor(backend().sig2col(input.data, spec), columnsShape(spec));
  return record(out, 'sig2col', [input], (g) => [sig2colBackward(g, spec)]);
}
/** sig2col copies each input element into every window that contains it, so its adjoint sums them back: col2sig. */
export function sig2colBackward(grad: Tensor, spec: WindowSpec): Tensor {
  return new Tensor(backend().col2sig(grad.data, spec), spec.inputShape);
}

/**
 * The adjoint of `sig2col` (col2im): adds every window of `cols` (shape `inputShape[:-d] + out +
 * windowShape`) back into a tensor of `inputShape`; where windows overlap, their values add up.
 */
export function col2sig(
  cols: Tensor,
  inputShape: Shape,
  windowShape: Shape,
  options?: WindowOptions,
): Tensor {
  checkTensor(cols, 'col2sig', 'cols');
  if (!isList(inputShape) || !inputShape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ArgumentError(
      'col2sig',
      'inputShape',
      `expected a list of non-negative integers, got ${JSON.stringify(inputShape)}`,
    );
  }
  const spec = windowSpec('col2sig', inputShape, windowShape, options);
  const expected = columnsShape(spec);
  if (cols.ndim !== expected.length || cols.shape.some((s, i) => s !== expected[i])) {
    throw new ShapeError(
      'col2sig',
      'cols',
      `expected shape ${formatShape(expected)} for input shape ${formatShape(inputShape)}, got ${formatShape(cols.shape)}`,
    );
  }
  const out = new Tensor(backend().col2sig(cols.data, spec), inputShape);
  return record(out, 'col2sig', [cols], (g) => [col2sigBackward(g, spec)]);
}
/** The adjoint of an adjoint is the original map: the gradient of col2sig is sig2col of the gradient. */
export function col2sigBackward(grad: Tensor, spec: WindowSpec): Tensor {
  return new Tensor(backend().sig2col(grad.data, spec), columnsShape(spec));
}

export { convOutputSize, convTransposeOutputSize, poolOutputSize } from '../backend/geometry.js';
