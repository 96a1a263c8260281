/**
 * Reductions: `sum`, `mean`, `max`, `min` over one or more dims (all by default), `argmax`, `argmin`.
 */
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { formatShape, isList, normalizeDim, sizeOf } from '../shape.js';
import type { ReduceOp } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { Tensor, checkTensor } from '../tensor.js';
import { div, eq, mul } from './elementwise.js';
import { expand } from './shape.js';

/** Options of `sum`, `mean`, `max`, `min`. */
export interface ReduceOptions {
  /** The dim or dims to reduce; all of them when left out or empty (as PyTorch's `dim=[]`). */
  dim?: number | readonly number[];
  /** Keep reduced dims with size 1 (default false). */
  keepDim?: boolean;
}

/** Options of `argmax` and `argmin`. */
export interface ArgReduceOptions {
  /** The dim to search along; the flattened tensor when left out. */
  dim?: number;
  /** Keep the dim with size 1 (default false). */
  keepDim?: boolean;
}

/** The sorted, distinct axes named by `dim` (all axes when undefined or an empty list). */
function reducedAxes(x: Tensor, dim: ReduceOptions['dim'], op: string): number[] {
  const dims: readonly number[] =
    dim === undefined ? [] : typeof dim !== 'number' && isList(dim) ? dim : [dim as number];
  if (dims.length === 0) return x.shape.map((_, i) => i);
  const axes = dims.map((d) => normalizeDim(d, x.ndim, op));
  if (new Set(axes).size !== axes.length)
    throw new ArgumentError(op, 'dim', `dim ${JSON.stringify(dim)} names an axis twice`);
  return x.ndim === 0 ? [] : axes.sort((a, b) => a - b);
}

/** The shape of the result with reduced axes kept as size 1. */
function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function rawReduce(op: ReduceOp, x: Tensor, axes: readonly number[], keepDim: boolean): Tensor {
  const data = backend().reduce(op, x.data, x.shape, axes);
  const kept = keptShape(x.shape, axes);
  return new Tensor(data, keepDim ? kept : x.shape.filter((_, i) => !axes.includes(i)));
}

/** The gradient of a reduction's result, reshaped with size-1 dims and broadcast back to the input's shape. */
function spread(grad: Tensor, inputShape: Shape, axes: readonly number[]): Tensor {
  return expand(grad.reshape(keptShape(inputShape, axes)), inputShape);
}

/** Sum of elements over `dim` (all by default). */
export function sum(input: Tensor, options?: ReduceOptions): Tensor {
  checkTensor(input, 'sum', 'input');
  const axes = reducedAxes(input, options?.dim, 'sum');
  const out = rawReduce('sum', input, axes, options?.keepDim ?? false);
  return record(out, 'sum', [input], (g) => [sumBackward(g, input.shape, axes)]);
}
/** Every summed element contributes with weight 1: the gradient is broadcast back. */
export function sumBackward(grad: Tensor, inputShape: Shape, axes: readonly number[]): Tensor {
  return spread(grad, inputShape, axes);
}

/** Mean over `dim` (all by default); floating inputs only, as in PyTorch. */
export function mean(input: Tensor, options?: ReduceOptions): Tensor {
  checkTensor(input, 'mean', 'input');
  if (!isFloating(input.dtype)) {
    throw new DTypeError(
      'mean',
      'input',
      `expected a floating tensor, got ${input.dtype}; convert it with .to('float32')`,
    );
  }
  const axes = reducedAxes(input, options?.dim, 'mean');
  const count = sizeOf(axes.map((a) => input.shape[a]!));
  const out = div(rawReduce('sum', input, axes, options?.keepDim ?? false), count);
  return record(out, 'mean', [input], (g) => [meanBackward(g, input.shape, axes)]);
}
/** Each of the n averaged elements contributes 1/n. */
export function meanBackward(grad: Tensor, inputShape: Shape, axes: readonly number[]): Tensor {
  return div(spread(grad, inputShape, axes), sizeOf(axes.map((a) => inputShape[a]!)));
}

function extremum(op: 'max' | 'min', input: Tensor, options: ReduceOptions | undefined): Tensor {
  checkTensor(input, op, 'input');
  const axes = reducedAxes(input, options?.dim, op);
  if (axes.some((a) => input.shape[a] === 0)) {
    throw new ShapeError(
      op,
      'input',
      `cannot reduce over an empty dimension of shape ${formatShape(input.shape)}`,
    );
  }
  const out = rawReduce(op, input, axes, options?.keepDim ?? false);
  return record(out, op, [input], (g) => [extremumBackward(g, input, out, axes)]);
}
/** The gradient goes to the elements equal to the extremum, split evenly among ties. */
export function extremumBackward(grad: Tensor, input: Tensor, out: Tensor, axes: readonly number[]): Tensor {
  const hits = eq(input, spread(out, input.shape, axes)).to(grad.dtype);
  const count = spread(rawReduce('sum', hits, axes, true), input.shape, axes);
  return div(mul(spread(grad, input.shape, axes), hits), count);
}

/** Maximum over `dim` (all by default). */
export function max(input: Tensor, options?: ReduceOptions): Tensor {
  return extremum('max', input, options);
}

/** Minimum over `dim` (all by default). */
export function min(input: Tensor, options?: ReduceOptions): Tensor {
  return extremum('min', input, options);
}

function argExtremum(op: 'argmax' | 'argmin', input: Tensor, options: ArgReduceOptions | undefined): Tensor {
  checkTensor(input, op, 'input');
  if (options?.dim === undefined) {
    if (input.size === 0) throw new ShapeError(op, 'input', 'cannot search an empty tensor');
    const flat = input.reshape([input.size]);
    const index = new Tensor(backend().argReduce(op, flat.data, flat.shape, 0), []);
    return options?.keepDim ? index.reshape(input.shape.map(() => 1)) : index;
  }
  const axis = normalizeDim(options.dim, input.ndim, op);
  if (input.shape[axis] === 0) {
    throw new ShapeError(op, 'input', `cannot search empty dim ${axis} of shape ${formatShape(input.shape)}`);
  }
  const shape = input.ndim === 0 ? [1] : input.shape;
  const data = backend().argReduce(op, input.data, shape, input.ndim === 0 ? 0 : axis);
  const kept = keptShape(input.shape, [axis]);
  return new Tensor(data, options.keepDim ? kept : input.shape.filter((_, i) => i !== axis));
}

/** Index (int32) of the first maximum along `dim`, or in the flattened tensor. */
export function argmax(input: Tensor, options?: ArgReduceOptions): Tensor {
  return argExtremum('argmax', input, options);
}

/** Index (int32) of the first minimum along `dim`, or in the flattened tensor. */
export function argmin(input: Tensor, options?: ArgReduceOptions): Tensor {
  return argExtremum('argmin', input, options);
}
