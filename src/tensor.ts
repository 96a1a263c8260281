/**
 * `Tensor`: an n-dimensional array of numbers with a shape and a dtype, values stored row-major in a typed
 * array, and the record autograd needs. Methods are thin wrappers over the functional ops in `ops/`.
 */
import type { DType, TypedArray } from './dtype.js';
import { dtypeOf, isFloating } from './dtype.js';
import { ArgumentError, AutogradError, DTypeError, ShapeError } from './errors.js';
import type { Shape } from './shape.js';
import { checkShape, formatShape, shapesEqual, sizeOf } from './shape.js';
import type { GradFn } from './autograd/graph.js';
import { runBackward } from './autograd/graph.js';
import { isGradEnabled } from './autograd/grad-mode.js';
import { backend } from './backend/registry.js';
import * as ew from './ops/elementwise.js';
import * as red from './ops/reduction.js';
import * as sh from './ops/shape.js';
import * as act from './ops/activation.js';
import { matmul } from './ops/linalg.js';

/** A tensor or a plain number, wherever an op accepts either. */
export type TensorLike = Tensor | number;

/** Nested arrays of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/** An n-dimensional array with autograd. Create one with `tensor`, `zeros`, `randn`… */
export class Tensor {
  /** Size of each dimension; `[]` for a scalar. */
  readonly shape: Shape;
  /** The values, row-major. A live view: write to it only under `noGrad`, and only if you own the tensor. */
  readonly data: TypedArray;
  /** Gradient accumulated by `backward()`, or `null`. */
  grad: Tensor | null = null;
  private requiresGradFlag = false;
  private gradFnRecord: GradFn | null = null;
  private retainGradFlag = false;

  /**
   * Wraps `data` (not copied) as a tensor of `shape`. Most code wants `tensor()` or another creation
   * function instead.
   */
  constructor(data: TypedArray, shape: Shape) {
    if (!(data instanceof Float32Array || data instanceof Float64Array || data instanceof Int32Array)) {
      throw new ArgumentError(
        'Tensor',
        'data',
        `expected a Float32Array, Float64Array or Int32Array, got ${data === null ? 'null' : (data as object).constructor.name}`,
      );
    }
    checkShape(shape, 'Tensor');
    if (sizeOf(shape) !== data.length) {
      throw new ShapeError(
        'Tensor',
        'shape',
        `shape ${formatShape(shape)} holds ${sizeOf(shape)} values, got ${data.length}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  /** The element type. */
  get dtype(): DType {
    return dtypeOf(this.data);
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /** True if gradients flow to this tensor. */
  get requiresGrad(): boolean {
    return this.requiresGradFlag;
  }

  /** Leaves only: turns gradient tracking on or off. */
  set requiresGrad(flag: boolean) {
    this.requiresGrad_(flag);
  }

  /** The op that made this tensor while gradients were recorded, or `null` for a leaf. */
  get gradFn(): GradFn | null {
    return this.gradFnRecord;
  }

  /** True for tensors created by the user rather than by a recorded op. */
  get isLeaf(): boolean {
    return this.gradFnRecord === null;
  }

  /** True if `retainGrad()` asked for this non-leaf's gradient to be kept. */
  get retainsGrad(): boolean {
    return this.retainGradFlag;
  }

  /**
   * Turns gradient tracking on (default) or off for a leaf; returns `this`. A non-leaf already requires grad,
   * so turning it on is a no-op, as in PyTorch.
   */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf) {
      if (flag) return this;
      throw new AutogradError(
        'requiresGrad_',
        '',
        'can only change requiresGrad of a leaf tensor; use detach()',
      );
    }
    if (flag && !isFloating(this.dtype)) {
      throw new DTypeError(
        'requiresGrad_',
        '',
        `only floating tensors can require gradients, got ${this.dtype}`,
      );
    }
    this.requiresGradFlag = flag;
    return this;
  }

  /** Keeps this non-leaf tensor's gradient in `.grad` after `backward()` (a no-op for a leaf). */
  retainGrad(): this {
    if (!this.requiresGrad) {
      throw new AutogradError(
        'retainGrad',
        '',
        "can't retain the gradient of a tensor that does not require grad",
      );
    }
    this.retainGradFlag = true;
    return this;
  }

  /** @internal Called by `record` when an op that needs gradients made this tensor. */
  setGradFn(fn: GradFn): void {
    this.gradFnRecord = fn;
    this.requiresGradFlag = true;
  }

  /** @internal Adds `g` into `.grad` (a copy the first time, so grads never alias other tensors). */
  accumulateGrad(g: Tensor): void {
    this.grad = this.grad === null ? g.clone() : this.grad.add(g);
  }

  /**
   * Computes the gradient of this tensor with respect to every leaf that requires one, adding it to their
   * `.grad`. A non-scalar needs `grad`, the gradient of some scalar with respect to this tensor, of the same
   * shape (it is converted to this tensor's dtype).
   */
  backward(grad?: Tensor): void {
    if (grad === undefined) {
      if (this.size !== 1) {
        throw new AutogradError(
          'backward',
          'grad',
          `grad can be implicitly created only for scalar outputs, got shape ${formatShape(this.shape)}`,
        );
      }
      grad = new Tensor(backend().full(this.dtype, 1, 1), this.shape);
    } else {
      checkTensor(grad, 'backward', 'grad');
      if (!shapesEqual(grad.shape, this.shape)) {
        throw new ShapeError(
          'backward',
          'grad',
          `expected a gradient of shape ${formatShape(this.shape)}, got ${formatShape(grad.shape)}`,
        );
      }
    }
    runBackward(
      this,
      grad.dtype === this.dtype ? grad : new Tensor(backend().cast(grad.data, this.dtype), this.shape),
    );
  }

  /** The value of a one-element tensor as a number. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError(
        'item',
        '',
        `only one-element tensors can be converted to a number, got shape ${formatShape(this.shape)}`,
      );
    }
    return this.data[0]!;
  }

  /** The values as nested arrays (a number for a scalar). */
  toArray(): NestedArray {
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return this.data[offset]!;
      const inner = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim]! }, (_, i) => build(dim + 1, offset + i * inner));
    };
    return build(0, 0);
  }

  /**
   * A human-readable summary, e.g. `tensor([[1, 2], [3, 4]], shape=[2, 2], dtype=float32)`; tensors of more
   * than 100 values show their size instead of their values.
   */
  toString(): string {
    const format = (v: NestedArray): string =>
      Array.isArray(v) ? `[${v.map(format).join(', ')}]` : String(v);
    const body = this.size <= 100 ? format(this.toArray()) : `<${this.size} values>`;
    return `tensor(${body}, shape=${formatShape(this.shape)}, dtype=${this.dtype}${this.requiresGrad ? ', requiresGrad=true' : ''})`;
  }

  /** A new tensor sharing the values but cut off from the graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape);
  }

  /** A copy of the values (differentiable). */
  clone(): Tensor {
    return ew.clone(this);
  }

  /** A copy converted to `dtype` (differentiable between float types). */
  to(dtype: DType): Tensor {
    return ew.to(this, dtype);
  }

  /** `this + alpha·other`, broadcasting (see `add`). */
  add(other: TensorLike, options?: { alpha?: number }): Tensor {
    return ew.add(this, other, options);
  }
  /** `this − alpha·other`, broadcasting (see `sub`). */
  sub(other: TensorLike, options?: { alpha?: number }): Tensor {
    return ew.sub(this, other, options);
  }
  /** Element-wise product, broadcasting (see `mul`). */
  mul(other: TensorLike): Tensor {
    return ew.mul(this, other);
  }
  /** Element-wise quotient, broadcasting (see `div`). */
  div(other: TensorLike): Tensor {
    return ew.div(this, other);
  }
  /** Element-wise power `this ** exponent` (see `pow`). */
  pow(exponent: TensorLike): Tensor {
    return ew.pow(this, exponent);
  }
  /** Element-wise `−this`. */
  neg(): Tensor {
    return ew.neg(this);
  }
  /** Element-wise `eˣ`. */
  exp(): Tensor {
    return ew.exp(this);
  }
  /** Element-wise natural logarithm. */
  log(): Tensor {
    return ew.log(this);
  }
  /** Element-wise square root. */
  sqrt(): Tensor {
    return ew.sqrt(this);
  }
  /** Element-wise absolute value. */
  abs(): Tensor {
    return ew.abs(this);
  }
  /** Element-wise sign: −1, 0 or 1. */
  sign(): Tensor {
    return ew.sign(this);
  }
  /** Element-wise error function. */
  erf(): Tensor {
    return ew.erf(this);
  }
  /** Values limited to `[min, max]` (either bound optional; see `clamp`). */
  clamp(options: { min?: number; max?: number }): Tensor {
    return ew.clamp(this, options);
  }
  /** Element-wise maximum with `other`, broadcasting. */
  maximum(other: TensorLike): Tensor {
    return ew.maximum(this, other);
  }
  /** Element-wise minimum with `other`, broadcasting. */
  minimum(other: TensorLike): Tensor {
    return ew.minimum(this, other);
  }
  /** Element-wise `this == other` as an `int32` mask of 0 and 1 (see `eq`). */
  eq(other: TensorLike): Tensor {
    return ew.eq(this, other);
  }
  /** Element-wise `this != other` as an `int32` mask of 0 and 1. */
  ne(other: TensorLike): Tensor {
    return ew.ne(this, other);
  }
  /** Element-wise `this < other` as an `int32` mask of 0 and 1. */
  lt(other: TensorLike): Tensor {
    return ew.lt(this, other);
  }
  /** Element-wise `this <= other` as an `int32` mask of 0 and 1. */
  le(other: TensorLike): Tensor {
    return ew.le(this, other);
  }
  /** Element-wise `this > other` as an `int32` mask of 0 and 1. */
  gt(other: TensorLike): Tensor {
    return ew.gt(this, other);
  }
  /** Element-wise `this >= other` as an `int32` mask of 0 and 1. */
  ge(other: TensorLike): Tensor {
    return ew.ge(this, other);
  }
  /** Matrix product with `torch.matmul` semantics (see `matmul`). */
  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  /** Sum over `dim` (all dims by default; see `sum`). */
  sum(options?: red.ReduceOptions): Tensor {
    return red.sum(this, options);
  }
  /** Mean over `dim` (all dims by default; floating tensors only). */
  mean(options?: red.ReduceOptions): Tensor {
    return red.mean(this, options);
  }
  /** Maximum over `dim` (all dims by default). */
  max(options?: red.ReduceOptions): Tensor {
    return red.max(this, options);
  }
  /** Minimum over `dim` (all dims by default). */
  min(options?: red.ReduceOptions): Tensor {
    return red.min(this, options);
  }
  /** Index of the maximum along `dim` (of the flattened tensor by default), as `int32`. */
  argmax(options?: red.ArgReduceOptions): Tensor {
    return red.argmax(this, options);
  }
  /** Index of the minimum along `dim` (of the flattened tensor by default), as `int32`. */
  argmin(options?: red.ArgReduceOptions): Tensor {
    return red.argmin(this, options);
  }

  /** The same values in a new shape of the same size; one dim may be `-1` (see `reshape`). */
  reshape(shape: Shape): Tensor {
    return sh.reshape(this, shape);
  }
  /** Same as `reshape` (every tensor is contiguous). */
  view(shape: Shape): Tensor {
    return sh.reshape(this, shape);
  }
  /** Dims `startDim` to `endDim` (default: all) merged into one (see `flatten`). */
  flatten(options?: sh.FlattenOptions): Tensor {
    return sh.flatten(this, options);
  }
  /** Size-1 dims removed: all of them, or only `dim`. */
  squeeze(options?: { dim?: number }): Tensor {
    return sh.squeeze(this, options);
  }
  /** A size-1 dim inserted at `dim`. */
  unsqueeze(dim: number): Tensor {
    return sh.unsqueeze(this, dim);
  }
  /** The dims reordered: dim `i` of the result is dim `dims[i]` of this tensor. */
  permute(dims: readonly number[]): Tensor {
    return sh.permute(this, dims);
  }
  /** Dims `dim0` and `dim1` swapped. */
  transpose(dim0: number, dim1: number): Tensor {
    return sh.transpose(this, dim0, dim1);
  }
  /** Transpose of a matrix (≤ 2-D), as `Tensor.t()` in PyTorch. */
  t(): Tensor {
    if (this.ndim > 2) {
      throw new ShapeError(
        't',
        '',
        `expects a tensor with ≤ 2 dims, got shape ${formatShape(this.shape)}; use transpose`,
      );
    }
    return this.ndim < 2 ? this : sh.transpose(this, 0, 1);
  }
  /** Size-1 dims broadcast to `shape` (new leading dims allowed; `-1` keeps a dim). */
  expand(shape: Shape): Tensor {
    return sh.expand(this, shape);
  }
  /** `length` elements from `start` along `dim`, as `torch.narrow`. */
  narrow(dim: number, start: number, length: number): Tensor {
    return sh.narrow(this, dim, start, length);
  }
  /** Elements `start, start + step, …` before `end` along `dim`, with Python's slicing rules. */
  slice(dim: number, options?: sh.SliceOptions): Tensor {
    return sh.slice(this, dim, options);
  }
  /** Values picked along `dim` by `index` (an `int32` tensor), as `torch.gather`. */
  gather(dim: number, index: Tensor): Tensor {
    return sh.gather(this, dim, index);
  }

  /** Element-wise `max(x, 0)` (see `F.relu`). */
  relu(): Tensor {
    return act.relu(this);
  }
  /** Element-wise logistic function `1 / (1 + e⁻ˣ)`. */
  sigmoid(): Tensor {
    return act.sigmoid(this);
  }
  /** Element-wise hyperbolic tangent. */
  tanh(): Tensor {
    return act.tanh(this);
  }
  /** Softmax along `dim`: positive values that sum to 1 (see `F.softmax`). */
  softmax(dim: number): Tensor {
    return act.softmax(this, dim);
  }
  /** The logarithm of the softmax along `dim`, computed stably (see `F.logSoftmax`). */
  logSoftmax(dim: number): Tensor {
    return act.logSoftmax(this, dim);
  }

  /** In place: `this += alpha * other`. Only outside recording or on tensors that need no gradient. */
  add_(other: TensorLike, options?: { alpha?: number }): this {
    return this.assign('add_', ew.add(this, other, options));
  }
  /** In place: `this -= alpha * other`. */
  sub_(other: TensorLike, options?: { alpha?: number }): this {
    return this.assign('sub_', ew.sub(this, other, options));
  }
  /** In place: `this *= other`. */
  mul_(other: TensorLike): this {
    return this.assign('mul_', ew.mul(this, other));
  }
  /** In place: `this /= other`. */
  div_(other: TensorLike): this {
    return this.assign('div_', ew.div(this, other));
  }
  /** In place: `this += value * t1 * t2`. */
  addcmul_(t1: Tensor, t2: Tensor, options?: { value?: number }): this {
    return this.assign('addcmul_', ew.add(this, ew.mul(t1, t2), { alpha: options?.value ?? 1 }));
  }
  /** In place: `this += value * t1 / t2`. */
  addcdiv_(t1: Tensor, t2: Tensor, options?: { value?: number }): this {
    return this.assign('addcdiv_', ew.add(this, ew.div(t1, t2), { alpha: options?.value ?? 1 }));
  }
  /** In place: copies `source` (broadcast to this shape) into this tensor. */
  copy_(source: TensorLike): this {
    const values = ew.asTensor(source, this.dtype, 'copy_', 'source');
    return this.assign('copy_', sh.expand(values.to(this.dtype), this.shape));
  }
  /** In place: every element set to `value`. */
  fill_(value: number): this {
    if (typeof value !== 'number')
      throw new ArgumentError('fill_', 'value', `expected a number, got ${typeof value}`);
    return this.assign('fill_', new Tensor(backend().full(this.dtype, this.size, value), this.shape));
  }
  /** In place: every element set to 0. */
  zero_(): this {
    return this.fill_(0);
  }

  private assign(op: string, result: Tensor): this {
    if (isGradEnabled() && this.requiresGrad) {
      throw new AutogradError(
        op,
        '',
        'a tensor that requires grad cannot be modified in place while gradients are recorded; use noGrad()',
      );
    }
    if (isGradEnabled() && result.requiresGrad) {
      throw new AutogradError(
        op,
        '',
        'an in-place update from a tensor that requires grad would lose its gradient; use the out-of-place op or noGrad()',
      );
    }
    if (sizeOf(result.shape) !== this.size || result.shape.length > this.shape.length) {
      throw new ShapeError(
        op,
        '',
        `result of shape ${formatShape(result.shape)} does not fit in ${formatShape(this.shape)}`,
      );
    }
    if (result.dtype !== this.dtype && !isFloating(this.dtype)) {
      throw new DTypeError(
        op,
        '',
        `result of dtype ${result.dtype} cannot be stored in a ${this.dtype} tensor`,
      );
    }
    this.data.set(result.data);
    return this;
  }
}

/** Throws unless `value` is a `Tensor`. */
export function checkTensor(value: unknown, op: string, argument: string): asserts value is Tensor {
  if (!(value instanceof Tensor)) {
    throw new ArgumentError(op, argument, `expected a Tensor, got ${value === null ? 'null' : typeof value}`);
  }
}
