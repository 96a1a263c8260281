/**
 * Ops that rearrange values without arithmetic: reshape, flatten, squeeze, unsqueeze, permute, transpose,
 * expand, narrow and slice, cat and stack, gather and oneHot.
 */
import { promoteTypes } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import {
  broadcastShapes,
  formatShape,
  isList,
  normalizeDim,
  shapesEqual,
  sizeOf,
  stridesOf,
} from '../shape.js';
import type { StridedView } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { Tensor, checkTensor } from '../tensor.js';
import { sumToShape } from './elementwise.js';

/** Options of `flatten`: the (inclusive) range of dims merged into one. */
export interface FlattenOptions {
  /** First dim to merge (default 0). */
  startDim?: number;
  /** Last dim to merge, inclusive (default -1, the last). */
  endDim?: number;
}

/** Options of `slice`: elements `start, start + step, …` before `end` (Python slice semantics). */
export interface SliceOptions {
  /** First index (default 0; negative counts from the end). */
  start?: number;
  /** Index to stop before (default: the dim's size; negative counts from the end). */
  end?: number;
  /** Step between elements, positive (default 1). */
  step?: number;
}

/**
 * The same values in a new shape (one entry may be -1, inferred). Shares the values with the input: no
 * copy is made.
 */
export function reshape(input: Tensor, shape: Shape): Tensor {
  checkTensor(input, 'reshape', 'input');
  if (!isList(shape) || !shape.every((d) => Number.isInteger(d) && d >= -1)) {
    throw new ArgumentError(
      'reshape',
      'shape',
      `expected a list of integers ≥ -1, got ${JSON.stringify(shape)}`,
    );
  }
  const inferred = shape.filter((d) => d === -1).length;
  if (inferred > 1) throw new ArgumentError('reshape', 'shape', 'only one dimension can be inferred (-1)');
  const known = sizeOf(shape.filter((d) => d !== -1));
  let target = [...shape];
  if (inferred === 1) {
    if (known === 0 || input.size % known !== 0) {
      throw new ShapeError(
        'reshape',
        'shape',
        `shape ${formatShape(shape)} is invalid for input of size ${input.size}`,
      );
    }
    target = shape.map((d) => (d === -1 ? input.size / known : d));
  }
  if (sizeOf(target) !== input.size) {
    throw new ShapeError(
      'reshape',
      'shape',
      `shape ${formatShape(shape)} is invalid for input of size ${input.size}`,
    );
  }
  if (shapesEqual(target, input.shape)) return input;
  const out = new Tensor(input.data, target);
  return record(out, 'reshape', [input], (g) => [g.reshape(input.shape)]);
}

/** Merges dims `startDim … endDim` (default: all) into one. */
export function flatten(input: Tensor, options?: FlattenOptions): Tensor {
  checkTensor(input, 'flatten', 'input');
  const start = normalizeDim(options?.startDim ?? 0, input.ndim, 'flatten', 'startDim');
  const end = normalizeDim(options?.endDim ?? -1, input.ndim, 'flatten', 'endDim');
  if (input.ndim === 0) return reshape(input, [1]);
  if (start > end)
    throw new ArgumentError('flatten', 'startDim', `startDim ${start} comes after endDim ${end}`);
  const merged = sizeOf(input.shape.slice(start, end + 1));
  return reshape(input, [...input.shape.slice(0, start), merged, ...input.shape.slice(end + 1)]);
}

/** Removes size-1 dims: all of them, or only `dim` if it has size 1. */
export function squeeze(input: Tensor, options?: { dim?: number }): Tensor {
  checkTensor(input, 'squeeze', 'input');
  if (options?.dim === undefined)
    return reshape(
      input,
      input.shape.filter((d) => d !== 1),
    );
  const dim = normalizeDim(options.dim, input.ndim, 'squeeze');
  if (input.ndim === 0 || input.shape[dim] !== 1) return input;
  return reshape(
    input,
    input.shape.filter((_, i) => i !== dim),
  );
}

/** Inserts a size-1 dim at `dim` (which may be `ndim`, or negative counting from `ndim + 1`). */
export function unsqueeze(input: Tensor, dim: number): Tensor {
  checkTensor(input, 'unsqueeze', 'input');
  const d = normalizeDim(dim, input.ndim + 1, 'unsqueeze');
  return reshape(input, [...input.shape.slice(0, d), 1, ...input.shape.slice(d)]);
}

/** Copies the values of a strided view of `input` into a new tensor (no autograd). */
function gatherView(input: Tensor, view: StridedView): Tensor {
  return new Tensor(backend().stridedCopy(input.data, view), view.shape);
}

/** A zero tensor of `shape` with `src` added into its strided `view` (no autograd). */
function scatterView(src: Tensor, shape: Shape, view: StridedView): Tensor {
  const data = backend().alloc(src.dtype, sizeOf(shape));
  backend().stridedAccumulate(data, view, src.data);
  return new Tensor(data, shape);
}

/** Reorders the dims: output dim `i` is input dim `dims[i]`. */
export function permute(input: Tensor, dims: readonly number[]): Tensor {
  checkTensor(input, 'permute', 'input');
  if (!isList(dims) || dims.length !== input.ndim) {
    throw new ArgumentError(
      'permute',
      'dims',
      `expected ${input.ndim} dims for a ${input.ndim}-D tensor, got ${JSON.stringify(dims)}`,
    );
  }
  const perm = dims.map((d) => normalizeDim(d, input.ndim, 'permute', 'dims'));
  if (new Set(perm).size !== perm.length)
    throw new ArgumentError('permute', 'dims', `repeated dim in ${JSON.stringify(dims)}`);
  if (perm.every((p, i) => p === i)) return input;
  const strides = stridesOf(input.shape);
  const out = gatherView(input, {
    offset: 0,
    shape: perm.map((p) => input.shape[p]!),
    strides: perm.map((p) => strides[p]!),
  });
  return record(out, 'permute', [input], (g) => [permuteBackward(g, perm)]);
}
/** A permutation is undone by its inverse. */
export function permuteBackward(grad: Tensor, dims: readonly number[]): Tensor {
  const inverse = new Array<number>(dims.length);
  dims.forEach((p, i) => {
    inverse[p] = i;
  });
  return permute(grad, inverse);
}

/** Swaps two dims. */
export function transpose(input: Tensor, dim0: number, dim1: number): Tensor {
  checkTensor(input, 'transpose', 'input');
  const a = normalizeDim(dim0, input.ndim, 'transpose', 'dim0');
  const b = normalizeDim(dim1, input.ndim, 'transpose', 'dim1');
  if (input.ndim === 0) return input;
  const perm = input.shape.map((_, i) => (i === a ? b : i === b ? a : i));
  return permute(input, perm);
}

/** Broadcasts to `shape` (-1 keeps a dim), copying the values. */
export function expand(input: Tensor, shape: Shape): Tensor {
  checkTensor(input, 'expand', 'input');
  if (!isList(shape) || !shape.every((d) => Number.isInteger(d) && d >= -1)) {
    throw new ArgumentError(
      'expand',
      'shape',
      `expected a list of integers ≥ -1, got ${JSON.stringify(shape)}`,
    );
  }
  const lead = shape.length - input.ndim;
  if (lead < 0) {
    throw new ShapeError(
      'expand',
      'shape',
      `cannot expand shape ${formatShape(input.shape)} to fewer dims ${formatShape(shape)}`,
    );
  }
  if (shape.slice(0, lead).includes(-1)) {
    throw new ArgumentError(
      'expand',
      'shape',
      `-1 cannot stand for a new leading dim in ${formatShape(shape)}`,
    );
  }
  const target = shape.map((d, i) => (d === -1 ? input.shape[i - lead]! : d));
  if (!shapesEqual(broadcastShapes(input.shape, target, 'expand'), target)) {
    throw new ShapeError(
      'expand',
      'shape',
      `cannot expand shape ${formatShape(input.shape)} to ${formatShape(shape)}`,
    );
  }
  if (shapesEqual(target, input.shape)) return input;
  const own = stridesOf(input.shape);
  const strides = target.map((_, i) => (i < lead || input.shape[i - lead] === 1 ? 0 : own[i - lead]!));
  const out = gatherView(input, { offset: 0, shape: target, strides });
  return record(out, 'expand', [input], (g) => [sumToShape(g, input.shape)]);
}

/** Elements `start, start + step, …` before `end` along `dim`, with Python's rules for negative and out-of-range bounds. */
export function slice(input: Tensor, dim: number, options?: SliceOptions): Tensor {
  checkTensor(input, 'slice', 'input');
  if (input.ndim === 0) throw new ShapeError('slice', 'input', 'cannot slice a 0-d tensor');
  const d = normalizeDim(dim, input.ndim, 'slice');
  const length = input.shape[d]!;
  const step = options?.step ?? 1;
  if (!Number.isInteger(step) || step <= 0)
    throw new ArgumentError('slice', 'step', `step must be a positive integer, got ${step}`);
  const bound = (v: number | undefined, fallback: number, name: string): number => {
    if (v === undefined) return fallback;
    if (!Number.isInteger(v)) throw new ArgumentError('slice', name, `expected an integer, got ${v}`);
    return Math.min(Math.max(v < 0 ? v + length : v, 0), length);
  };
  const start = bound(options?.start, 0, 'start');
  const end = Math.max(bound(options?.end, length, 'end'), start);
  const count = Math.ceil((end - start) / step);
  const strides = stridesOf(input.shape);
  const view: StridedView = {
    offset: start * strides[d]!,
    shape: input.shape.map((s, i) => (i === d ? count : s)),
    strides: strides.map((s, i) => (i === d ? s * step : s)),
  };
  if (shapesEqual(view.shape, input.shape)) return input;
  const out = gatherView(input, view);
  return record(out, 'slice', [input], (g) => [sliceBackward(g, input.shape, view)]);
}
/** The slice's elements receive their gradient; the rest get zero. */
export function sliceBackward(grad: Tensor, inputShape: Shape, view: StridedView): Tensor {
  return scatterView(grad, inputShape, view);
}

/** `length` elements from `start` along `dim`, as `torch.narrow`. */
export function narrow(input: Tensor, dim: number, start: number, length: number): Tensor {
  checkTensor(input, 'narrow', 'input');
  if (input.ndim === 0) throw new ShapeError('narrow', 'input', 'cannot narrow a 0-d tensor');
  const d = normalizeDim(dim, input.ndim, 'narrow');
  const size = input.shape[d]!;
  const s = start < 0 ? start + size : start;
  if (!Number.isInteger(s) || !Number.isInteger(length) || s < 0 || length < 0 || s + length > size) {
    throw new ArgumentError(
      'narrow',
      'start',
      `start ${start} + length ${length} exceeds dimension size ${size}`,
    );
  }
  return slice(input, d, { start: s, end: s + length });
}

/**
 * Joins tensors of the same shape (but for `dim`) along `dim` (default 0). Mixed dtypes are promoted, as
 * `torch.cat` does.
 */
export function cat(tensors: readonly Tensor[], options?: { dim?: number }): Tensor {
  if (!isList(tensors) || tensors.length === 0)
    throw new ArgumentError('cat', 'tensors', 'expected a non-empty list of tensors');
  tensors.forEach((t, i) => {
    checkTensor(t, 'cat', `tensors[${i}]`);
    if (t.ndim === 0) throw new ShapeError('cat', `tensors[${i}]`, 'a 0-d tensor cannot be concatenated');
  });
  const first = tensors[0]!;
  const d = normalizeDim(options?.dim ?? 0, first.ndim, 'cat');
  const dtype = tensors.reduce((acc, t) => promoteTypes(acc, t.dtype), first.dtype);
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, j) => j !== d && s !== first.shape[j])) {
      throw new ShapeError(
        'cat',
        `tensors[${i}]`,
        `shape ${formatShape(t.shape)} does not match ${formatShape(first.shape)} outside dim ${d}`,
      );
    }
  });
  const outShape = first.shape.map((s, j) =>
    j === d ? tensors.reduce((acc, t) => acc + t.shape[d]!, 0) : s,
  );
  const strides = stridesOf(outShape);
  const data = backend().alloc(dtype, sizeOf(outShape));
  const views: StridedView[] = [];
  let offset = 0;
  for (const t of tensors) {
    const view = { offset: offset * strides[d]!, shape: t.shape, strides };
    backend().stridedAccumulate(data, view, t.dtype === dtype ? t.data : backend().cast(t.data, dtype));
    views.push(view);
    offset += t.shape[d]!;
  }
  const out = new Tensor(data, outShape);
  return record(out, 'cat', tensors, (g) => catBackward(g, views));
}
/** Each input gets back its own block of the gradient (the engine converts it to the input's dtype). */
export function catBackward(grad: Tensor, views: readonly StridedView[]): Tensor[] {
  return views.map((view) => gatherView(grad, view));
}

/** Stacks tensors of one shape along a new dim (default 0). */
export function stack(tensors: readonly Tensor[], options?: { dim?: number }): Tensor {
  if (!isList(tensors) || tensors.length === 0)
    throw new ArgumentError('stack', 'tensors', 'expected a non-empty list of tensors');
  tensors.forEach((t, i) => {
    checkTensor(t, 'stack', `tensors[${i}]`);
    if (!shapesEqual(t.shape, tensors[0]!.shape)) {
      throw new ShapeError(
        'stack',
        `tensors[${i}]`,
        `expected shape ${formatShape(tensors[0]!.shape)}, got ${formatShape(t.shape)}`,
      );
    }
  });
  const d = normalizeDim(options?.dim ?? 0, tensors[0]!.ndim + 1, 'stack');
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    { dim: d },
  );
}

/** Checks that `index` is an int32 tensor whose values lie in `[0, size)`. */
function checkIndex(index: Tensor, size: number, op: string, argument: string): void {
  checkTensor(index, op, argument);
  if (index.dtype !== 'int32')
    throw new DTypeError(op, argument, `expected an int32 tensor, got ${index.dtype}`);
  for (let i = 0; i < index.size; i++) {
    const v = index.data[i]!;
    if (v < 0 || v >= size)
      throw new ArgumentError(op, argument, `index ${v} is out of bounds for size ${size}`);
  }
}

/** `out[i][j] = input[index[i][j]][j]` for `dim = 0`, and so on: picks along `dim` by `index` (int32). */
export function gather(input: Tensor, dim: number, index: Tensor): Tensor {
  checkTensor(input, 'gather', 'input');
  const d = normalizeDim(dim, input.ndim, 'gather');
  checkIndex(index, input.shape[d] ?? 1, 'gather', 'index');
  if (index.ndim !== input.ndim || index.shape.some((s, i) => i !== d && s > input.shape[i]!)) {
    throw new ShapeError(
      'gather',
      'index',
      `index of shape ${formatShape(index.shape)} does not fit input of shape ${formatShape(input.shape)} outside dim ${d}`,
    );
  }
  const out = new Tensor(
    backend().gather(input.data, input.shape, d, index.data as Int32Array, index.shape),
    index.shape,
  );
  return record(out, 'gather', [input], (g) => [gatherBackward(g, input.shape, d, index)]);
}
/** Each picked element's gradient is added back where it was picked from. */
export function gatherBackward(grad: Tensor, inputShape: Shape, dim: number, index: Tensor): Tensor {
  return new Tensor(
    backend().scatterAdd(grad.data, index.shape, dim, index.data as Int32Array, inputShape),
    inputShape,
  );
}

/**
 * One-hot encoding of int32 class indices: shape `[...input.shape, numClasses]`, int32. `numClasses`
 * defaults to (and, as in PyTorch, `-1` means) the largest index + 1.
 */
export function oneHot(input: Tensor, options?: { numClasses?: number }): Tensor {
  checkTensor(input, 'oneHot', 'input');
  if (input.dtype !== 'int32')
    throw new DTypeError('oneHot', 'input', `expected int32 class indices, got ${input.dtype}`);
  let largest = -1;
  for (let i = 0; i < input.size; i++) largest = Math.max(largest, input.data[i]!);
  const requested = options?.numClasses ?? -1;
  const classes = requested === -1 ? largest + 1 : requested;
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ArgumentError('oneHot', 'numClasses', `expected a positive integer, got ${classes}`);
  }
  checkIndex(input, classes, 'oneHot', 'input');
  const outShape = [...input.shape, classes];
  return new Tensor(
    backend().scatterAdd(
      backend().full('int32', input.size, 1),
      outShape.map((s, i) => (i === input.ndim ? 1 : s)),
      input.ndim,
      input.data as Int32Array,
      outShape,
    ),
    outShape,
  );
}
