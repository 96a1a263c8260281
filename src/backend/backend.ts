/**
 * The one interface between ops and compute. Ops validate their arguments, work out shapes and call these
 * methods; only a backend touches the values. Every array a method returns is new, contiguous and
 * row-major. Inputs are never modified, except `target` in {@link Backend.stridedAccumulate}.
 *
 * Ops pass arguments that are already valid (shapes checked, dtypes promoted), so a backend need not check
 * them again. A backend that lacks a method throws a {@link BackendError} naming it, so a faster backend can
 * land kernel by kernel.
 */
import type { DType, TypedArray } from '../dtype.js';
import type { Shape } from '../shape.js';

/** Element-wise functions of one argument. Float-only ones (`exp`, `erf`…) receive float arrays. */
export type UnaryOp =
  | 'neg'
  | 'abs'
  | 'sign'
  | 'exp'
  | 'expm1'
  | 'log'
  | 'log1p'
  | 'sqrt'
  | 'reciprocal'
  | 'sin'
  | 'cos'
  | 'tanh'
  | 'sigmoid'
  | 'erf'
  | 'relu'
  | 'floor'
  | 'ceil'
  | 'round';

/** Arithmetic functions of two arguments; the result has the operands' dtype. */
export type ArithmeticOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'maximum' | 'minimum';
/** Comparisons; the result is an `int32` mask of 0 and 1. */
export type ComparisonOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge';
/** Element-wise functions of two arguments. */
export type BinaryOp = ArithmeticOp | ComparisonOp;

/** Reductions over a set of axes. `max` and `min` propagate NaN. */
export type ReduceOp = 'sum' | 'prod' | 'max' | 'min';

/** How `pad` fills the border: a constant, the mirror image without the edge, the edge, or wrap-around. */
export type PadMode = 'constant' | 'reflect' | 'replicate' | 'circular';

/** A strided view into a flat array: element `[i0, i1, …]` is at `offset + Σ i_d * strides[d]`. */
export interface StridedView {
  readonly offset: number;
  readonly shape: Shape;
  readonly strides: readonly number[];
}

/**
 * Sliding windows over the trailing `windowShape.length` axes of an array of shape `inputShape`: valid
 * windows only, `out_d = floor((L_d - dilation_d * (w_d - 1) - 1) / stride_d) + 1`.
 */
export interface WindowSpec {
  readonly inputShape: Shape;
  readonly windowShape: Shape;
  readonly stride: readonly number[];
  readonly dilation: readonly number[];
}

/**
 * A depthwise correlation over the two trailing axes: `x` is `(N, C, H, W)`, already padded, and `weight`
 * holds `C · multiplier` kernels `(kH, kW)`; output channel `c · multiplier + j` correlates input channel `c`
 * with kernel `c · multiplier + j`. The output is `(N, C · multiplier, outH, outW)` with, per axis,
 * `out = floor((L − dilation · (k − 1) − 1) / stride) + 1`. A 1-D correlation has `H = kH = outH = 1`.
 */
export interface DepthwiseSpec {
  readonly batch: number;
  readonly channels: number;
  readonly multiplier: number;
  /** `[H, W]` of the (padded) input. */
  readonly inputShape: readonly [number, number];
  readonly kernelShape: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly outputShape: readonly [number, number];
}

/**
 * A batch of matrix products `C[b] = op(A[b]) · op(B[b])` with `op(A[b])` of shape `(m, k)` and `op(B[b])`
 * of shape `(k, n)`. `A[b]` starts at `b * aBatchStride` and is stored `(m, k)`, or `(k, m)` when `transA`;
 * likewise `B`. A batch stride of 0 reuses one matrix for every batch entry.
 */
export interface GemmSpec {
  readonly a: TypedArray;
  readonly b: TypedArray;
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly aBatchStride: number;
  readonly bBatchStride: number;
}

/** Padding of every axis of an array: `before[d]` and `after[d]` elements (negative values crop). */
export interface PadSpec {
  readonly inputShape: Shape;
  readonly before: readonly number[];
  readonly after: readonly number[];
  readonly mode: PadMode;
  /** Fill value for `'constant'`. */
  readonly value: number;
}

/** The compute interface every backend implements. */
export interface Backend {
  /** The name `setBackend` knows it by. */
  readonly name: string;

  /** A new zero-filled array. */
  alloc(dtype: DType, size: number): TypedArray;
  /** A new array filled with `value`. */
  full(dtype: DType, size: number, value: number): TypedArray;
  /** A copy converted to `dtype` (floats to `int32` truncate toward zero, as PyTorch does). */
  cast(x: TypedArray, dtype: DType): TypedArray;

  /** `op` applied to every element. */
  unary(op: UnaryOp, x: TypedArray): TypedArray;
  /**
   * `op(a, b)` with numpy broadcasting from `aShape` and `bShape` to `outShape`. `a` and `b` share one
   * dtype; arithmetic results have it too, comparison results are `int32`.
   */
  binary(
    op: BinaryOp,
    a: TypedArray,
    aShape: Shape,
    b: TypedArray,
    bShape: Shape,
    outShape: Shape,
  ): TypedArray;
  /**
   * `min(max(x, lo), hi)` element-wise, so `hi` wins when `lo > hi`; NaN stays NaN and an infinite bound
   * leaves that side open. One pass, the same dtype.
   */
  clamp(x: TypedArray, lo: number, hi: number): TypedArray;
  /** `cond ? a : b` element-wise, all three broadcast to `outShape`; `a` and `b` share one dtype. */
  where(
    cond: Int32Array,
    condShape: Shape,
    a: TypedArray,
    aShape: Shape,
    b: TypedArray,
    bShape: Shape,
    outShape: Shape,
  ): TypedArray;

  /** Reduces over `axes` (sorted, distinct); the result has the shape with those axes removed. */
  reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray;
  /** Index of the first maximum (minimum) along `axis`; NaN counts as the maximum (minimum). */
  argReduce(op: 'argmax' | 'argmin', x: TypedArray, shape: Shape, axis: number): Int32Array;

  /** Batched matrix product, see {@link GemmSpec}; the result is `(batch, m, n)`. */
  gemm(spec: GemmSpec): TypedArray;

  /**
   * Depthwise convolution (each output channel sees one input channel), see {@link DepthwiseSpec}: the direct
   * loop that `conv1d`/`conv2d` use instead of `sig2col` + `gemm` when every group has one input and one
   * output channel, where a product with one output column would waste the GEMM.
   */
  depthwiseConv2d(x: TypedArray, weight: TypedArray, spec: DepthwiseSpec): TypedArray;

  /** The elements of a strided view, copied into a new contiguous array of shape `view.shape`. */
  stridedCopy(x: TypedArray, view: StridedView): TypedArray;
  /** Adds `src` (contiguous, shape `view.shape`) into the strided view of `target`, in place. */
  stridedAccumulate(target: TypedArray, view: StridedView, src: TypedArray): void;

  /**
   * im2col: every sliding window of the trailing axes laid out as its own block, shape
   * `inputShape[:-d] + out + windowShape` (see {@link WindowSpec}).
   */
  sig2col(x: TypedArray, spec: WindowSpec): TypedArray;
  /** col2im, the adjoint of `sig2col`: windows added back into an array of `inputShape`, overlaps summed. */
  col2sig(cols: TypedArray, spec: WindowSpec): TypedArray;

  /** Pads (or crops) every axis, see {@link PadSpec}. */
  pad(x: TypedArray, spec: PadSpec): TypedArray;
  /** The adjoint of `pad`: each output gradient added back to the input element it was copied from. */
  padBackward(grad: TypedArray, spec: PadSpec): TypedArray;

  /** `out[i…] = x[i… with axis dim replaced by index[i…]]`; the result has `indexShape`. */
  gather(x: TypedArray, shape: Shape, dim: number, index: Int32Array, indexShape: Shape): TypedArray;
  /** Zeros of `outShape`, then `out[i… with axis dim replaced by index[i…]] += src[i…]` (src has `indexShape`). */
  scatterAdd(src: TypedArray, indexShape: Shape, dim: number, index: Int32Array, outShape: Shape): TypedArray;
}
