/**
 * Functions that make tensors: from values, filled with constants, ranges, and random.
 */
import type { DType, TypedArray } from './dtype.js';
import { dtypeOf, isFloating } from './dtype.js';
import { ArgumentError, DTypeError, ShapeError } from './errors.js';
import type { Shape } from './shape.js';
import { checkShape, formatShape, sizeOf } from './shape.js';
import { backend } from './backend/registry.js';
import { Generator, generatorFor } from './random.js';
import type { NestedArray } from './tensor.js';
import { Tensor, checkTensor } from './tensor.js';

/** Options of every creation function. */
export interface CreationOptions {
  /** Element type; `'float32'` unless the values say otherwise. */
  dtype?: DType;
  /** Track gradients for this leaf (floating dtypes only). */
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends CreationOptions {
  /** Use a private generator seeded with this, leaving the global one untouched. */
  seed?: number;
  /** Draw from this generator (one the caller keeps, e.g. a data loader's) instead of the global one. */
  generator?: Generator;
}

const DTYPE_NAMES: readonly string[] = ['float32', 'float64', 'int32'];

function checkDtype(dtype: unknown, op: string): DType {
  if (!DTYPE_NAMES.includes(dtype as string)) {
    throw new DTypeError(op, 'dtype', `unknown dtype '${String(dtype)}'; expected float32, float64 or int32`);
  }
  return dtype as DType;
}

function finish(data: TypedArray, shape: Shape, options: CreationOptions | undefined, op: string): Tensor {
  const t = new Tensor(data, shape);
  if (options?.requiresGrad === true) {
    if (!isFloating(t.dtype)) {
      throw new DTypeError(op, 'requiresGrad', `only floating tensors can require gradients, got ${t.dtype}`);
    }
    t.requiresGrad_(true);
  }
  return t;
}

/** Shape of nested arrays, checking they are rectangular and hold only numbers. */
function nestedShape(values: NestedArray, op: string): number[] {
  const shape: number[] = [];
  let level: NestedArray = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0]!;
  }
  const check = (v: NestedArray, dim: number): void => {
    if (dim === shape.length) {
      if (typeof v !== 'number') throw new ArgumentError(op, 'values', `expected a number, got ${typeof v}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[dim]) {
      throw new ShapeError(
        op,
        'values',
        `nested arrays are not rectangular: expected ${shape[dim]} entries at depth ${dim}`,
      );
    }
    for (const item of v) check(item, dim + 1);
  };
  check(values, 0);
  return shape;
}

/** The numbers of rectangular nested arrays in row-major order. */
function flattenNested(values: NestedArray): number[] {
  const out: number[] = [];
  const walk = (v: NestedArray): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else out.push(v);
  };
  walk(values);
  return out;
}

/**
 * A tensor from values: nested arrays (`tensor([[1, 2], [3, 4]])`), a number (a scalar), or a flat array
 * or typed array with a shape (`tensor(new Float32Array(6), [2, 3])`). The dtype defaults to the typed
 * array's, else `float32`.
 */
export function tensor(
  values: NestedArray | readonly number[] | TypedArray,
  shape?: Shape,
  options?: CreationOptions,
): Tensor {
  const op = 'tensor';
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    if (values instanceof DataView || values instanceof BigInt64Array || values instanceof BigUint64Array) {
      throw new ArgumentError(
        op,
        'values',
        `expected a typed array of numbers, got ${values.constructor.name}`,
      );
    }
    flat = values;
    inferred = [values.length];
  } else if (typeof values === 'number') {
    flat = [values];
    inferred = [];
  } else if (Array.isArray(values)) {
    inferred = nestedShape(values, op);
    flat = flattenNested(values);
  } else {
    throw new ArgumentError(
      op,
      'values',
      `expected nested arrays, a number or a typed array, got ${typeof values}`,
    );
  }
  if (shape !== undefined) {
    checkShape(shape, op);
    if (sizeOf(shape) !== flat.length) {
      throw new ShapeError(
        op,
        'shape',
        `shape ${formatShape(shape)} holds ${sizeOf(shape)} values, got ${flat.length}`,
      );
    }
  }
  const dtype = checkDtype(options?.dtype ?? (ArrayBuffer.isView(values) ? dtypeOf(values) : 'float32'), op);
  const data = backend().alloc(dtype, flat.length);
  if (dtype === 'int32') {
    for (let i = 0; i < flat.length; i++) data[i] = Math.trunc(flat[i]!);
  } else {
    data.set(flat);
  }
  return finish(data, shape ?? inferred, options, op);
}

/** `full` on behalf of `op`, so that errors name the function the user called. */
function filled(op: string, shape: Shape, value: number, options: CreationOptions | undefined): Tensor {
  checkShape(shape, op);
  if (typeof value !== 'number')
    throw new ArgumentError(op, 'value', `expected a number, got ${typeof value}`);
  const dtype = checkDtype(options?.dtype ?? 'float32', op);
  return finish(backend().full(dtype, sizeOf(shape), value), shape, options, op);
}

/** A tensor of `shape` filled with `value` (truncated toward zero for `int32`). */
export function full(shape: Shape, value: number, options?: CreationOptions): Tensor {
  return filled('full', shape, value, options);
}

/** A tensor of zeros. */
export function zeros(shape: Shape, options?: CreationOptions): Tensor {
  return filled('zeros', shape, 0, options);
}

/** A tensor of ones. */
export function ones(shape: Shape, options?: CreationOptions): Tensor {
  return filled('ones', shape, 1, options);
}

/** Zeros with the shape and dtype of `t` (the dtype can be overridden). */
export function zerosLike(t: Tensor, options?: CreationOptions): Tensor {
  checkTensor(t, 'zerosLike', 't');
  return filled('zerosLike', t.shape, 0, { ...options, dtype: options?.dtype ?? t.dtype });
}

/** Ones with the shape and dtype of `t` (the dtype can be overridden). */
export function onesLike(t: Tensor, options?: CreationOptions): Tensor {
  checkTensor(t, 'onesLike', 't');
  return filled('onesLike', t.shape, 1, { ...options, dtype: options?.dtype ?? t.dtype });
}

/**
 * Values from `start` up to (not including) `end` in steps of `step`: `arange(5)` is `[0, 1, 2, 3, 4]`,
 * `arange(1, 2, { step: 0.25 })` is `[1, 1.25, 1.5, 1.75]`. Integer arguments give `int32` unless a dtype
 * is given, as in PyTorch.
 */
export function arange(start: number, end?: number, options?: CreationOptions & { step?: number }): Tensor {
  const op = 'arange';
  const [lo, hi] = end === undefined ? [0, start] : [start, end];
  const step = options?.step ?? 1;
  if (![lo, hi, step].every(Number.isFinite))
    throw new ArgumentError(op, '', 'start, end and step must be finite numbers');
  if (step === 0) throw new ArgumentError(op, 'step', 'step must be nonzero');
  if ((hi - lo) / step < 0) {
    throw new ArgumentError(
      op,
      '',
      `upper bound and step are inconsistent (start ${lo}, end ${hi}, step ${step})`,
    );
  }
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const integral = [lo, hi, step].every(Number.isInteger);
  const dtype = checkDtype(options?.dtype ?? (integral ? 'int32' : 'float32'), op);
  const data = backend().alloc(dtype, n);
  for (let i = 0; i < n; i++) data[i] = lo + i * step;
  return finish(data, [n], options, op);
}

/** The generator for a random call: a private one for `options.seed` (checked), else the global one. */
function generator(options: RandomOptions | undefined, op: string): Generator {
  const seed = options?.seed;
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new ArgumentError(op, 'seed', `expected a safe integer, got ${String(seed)}`);
  }
  const given = options?.generator;
  if (given === undefined) return generatorFor(seed);
  if (!(given instanceof Generator)) throw new ArgumentError(op, 'generator', 'expected a Generator');
  if (seed !== undefined) throw new ArgumentError(op, 'generator', 'give either seed or generator, not both');
  return given;
}

function randomTensor(
  op: string,
  shape: Shape,
  options: RandomOptions | undefined,
  draw: (g: Generator) => number,
  floatingOnly = true,
): Tensor {
  checkShape(shape, op);
  const dtype = checkDtype(options?.dtype ?? 'float32', op);
  if (floatingOnly && !isFloating(dtype)) {
    throw new DTypeError(op, 'dtype', `expected a floating dtype, got ${dtype}; use randint for integers`);
  }
  const g = generator(options, op);
  const data = backend().alloc(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(g);
  return finish(data, shape, options, op);
}

/** Standard normal samples (a floating dtype). */
export function randn(shape: Shape, options?: RandomOptions): Tensor {
  return randomTensor('randn', shape, options, (g) => g.normal());
}

/** Uniform samples in [0, 1) (a floating dtype). */
export function rand(shape: Shape, options?: RandomOptions): Tensor {
  return randomTensor('rand', shape, options, (g) => g.uniform());
}

/** Uniform integers in [low, high); `int32` unless a dtype is given. */
export function randint(low: number, high: number, shape: Shape, options?: RandomOptions): Tensor {
  if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
    throw new ArgumentError(
      'randint',
      'high',
      `expected integers with low < high, got low ${low}, high ${high}`,
    );
  }
  return randomTensor(
    'randint',
    shape,
    { ...options, dtype: options?.dtype ?? 'int32' },
    (g) => g.integer(low, high),
    false,
  );
}

/** A random permutation of `0 … n-1` (`int32`). */
export function randperm(n: number, options?: RandomOptions): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError('randperm', 'n', `expected a non-negative integer, got ${n}`);
  const g = generator(options, 'randperm');
  const data = backend().alloc(checkDtype(options?.dtype ?? 'int32', 'randperm'), n);
  for (let i = 0; i < n; i++) data[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = g.integer(0, i + 1);
    const tmp = data[i]!;
    data[i] = data[j]!;
    data[j] = tmp;
  }
  return finish(data, [n], options, 'randperm');
}
