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
import type { AvgPoolDivisor, Conv2dGeometry, Pool2dGeometry } from './geometry.js';

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
  /** Flat index of element `[0, 0, …]`. */
  readonly offset: number;
  /** The view's shape, which is also the shape of its contiguous copy. */
  readonly shape: Shape;
  /** Elements (not bytes) to step in the flat array per index along each axis of `shape`. */
  readonly strides: readonly number[];
}

/**
 * Sliding windows over the trailing `windowShape.length` axes of an array of shape `inputShape`: valid
 * windows only, `out_d = floor((L_d - dilation_d * (w_d - 1) - 1) / stride_d) + 1`.
 */
export interface WindowSpec {
  /** Shape of the whole input; the leading `inputShape.length - windowShape.length` axes are not windowed. */
  readonly inputShape: Shape;
  /** Taps per window along each windowed axis. */
  readonly windowShape: Shape;
  /** Elements between the starts of consecutive windows, per windowed axis. */
  readonly stride: readonly number[];
  /** Elements between consecutive taps of a window, per windowed axis (1: adjacent). */
  readonly dilation: readonly number[];
}

/**
 * A batch of matrix products `C[b] = op(A[b]) · op(B[b])` with `op(A[b])` of shape `(m, k)` and `op(B[b])`
 * of shape `(k, n)`. `A[b]` starts at `b * aBatchStride` and is stored `(m, k)`, or `(k, m)` when `transA`;
 * likewise `B`. A batch stride of 0 reuses one matrix for every batch entry.
 */
export interface GemmSpec {
  /** The left operands, row-major, `A[b]` from element `b * aBatchStride`; its dtype is the result's. */
  readonly a: TypedArray;
  /** The right operands, row-major, `B[b]` from element `b * bBatchStride`; the same dtype as `a`. */
  readonly b: TypedArray;
  /** Number of products; the result is `(batch, m, n)`. */
  readonly batch: number;
  /** Rows of `op(A)` and of the result. */
  readonly m: number;
  /** Columns of `op(A)` and rows of `op(B)`: the length of each dot product. */
  readonly k: number;
  /** Columns of `op(B)` and of the result. */
  readonly n: number;
  /** `A[b]` is stored `(k, m)` and `op(A) = Aᵀ`; otherwise stored `(m, k)` and used as is. */
  readonly transA: boolean;
  /** `B[b]` is stored `(n, k)` and `op(B) = Bᵀ`; otherwise stored `(k, n)` and used as is. */
  readonly transB: boolean;
  /** Elements from one `A[b]` to the next (`m·k` for a stacked batch, 0 to reuse one matrix). */
  readonly aBatchStride: number;
  /** Elements from one `B[b]` to the next (`k·n` for a stacked batch, 0 to reuse one matrix). */
  readonly bBatchStride: number;
}

/** Padding of every axis of an array: `before[d]` and `after[d]` elements (negative values crop). */
export interface PadSpec {
  /** Shape of the input; the result has `inputShape[d] + before[d] + after[d]` along axis `d`. */
  readonly inputShape: Shape;
  /** Elements added before each axis (negative: removed from its start), one per axis. */
  readonly before: readonly number[];
  /** Elements added after each axis (negative: removed from its end), one per axis. */
  readonly after: readonly number[];
  /** How the added elements are filled, see {@link PadMode}. */
  readonly mode: PadMode;
  /** Fill value for `'constant'`. */
  readonly value: number;
}

/** Which gradients {@link Backend.conv2dBackward} computes. */
export interface ConvGradientNeeds {
  /** Compute the gradient with respect to the input `x`. */
  readonly input: boolean;
  /** Compute the gradient with respect to the weight (the only one that reads `x`). */
  readonly weight: boolean;
  /** Compute the gradient with respect to the bias. */
  readonly bias: boolean;
}

/** The gradients of a convolution; `null` for each one not asked for. */
export interface ConvGradients {
  /** `(N, Cin, H, W)`. */
  readonly input: TypedArray | null;
  /** `(Cout, Cin/groups, kH, kW)`. */
  readonly weight: TypedArray | null;
  /** `(Cout)`: the upstream gradient summed over the batch and every position. */
  readonly bias: TypedArray | null;
}

/** The hyperparameters of one {@link Backend.sgdStep}, as PyTorch's `SGD`. */
export interface SgdStepSpec {
  /** Learning rate: `param −= lr · d`. */
  readonly lr: number;
  /** Momentum factor, used when a momentum buffer is passed: `b = momentum·b + (1 − dampening)·d`. */
  readonly momentum: number;
  /** Dampening of momentum: the new `d` enters the buffer weighted `1 − dampening` (not on the first step). */
  readonly dampening: number;
  /** L2 penalty: `weightDecay · param` is added to the gradient (0: none). */
  readonly weightDecay: number;
  /** Nesterov momentum: step along `d + momentum·b` instead of `b`. */
  readonly nesterov: boolean;
  /** Maximize the objective: the gradient's sign is flipped before anything else. */
  readonly maximize: boolean;
}

/** The hyperparameters of one {@link Backend.adamStep}, as PyTorch's `Adam` and `AdamW`. */
export interface AdamStepSpec {
  /** Learning rate. */
  readonly lr: number;
  /** Decay rate of the running mean of the gradient, `m` (PyTorch's `betas[0]`). */
  readonly beta1: number;
  /** Decay rate of the running mean of the squared gradient, `v` (PyTorch's `betas[1]`). */
  readonly beta2: number;
  /** Added to the bias-corrected `√v` in the denominator, for numerical stability. */
  readonly eps: number;
  /** Weight decay: `weightDecay · θ` added to the gradient (Adam), or the shrink of `decoupled` (0: none). */
  readonly weightDecay: number;
  /** AdamW: the decay shrinks the parameter (`θ ← θ (1 − lr·weightDecay)`) instead of joining the gradient. */
  readonly decoupled: boolean;
  /** AMSGrad: divide by the running maximum of `v` (kept in `maxExpAvgSq`) instead of `v`. */
  readonly amsgrad: boolean;
  /** Maximize the objective: the gradient's sign is flipped before anything else. */
  readonly maximize: boolean;
  /** The parameter's step count, this step included (1 on the first step). */
  readonly step: number;
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
   * A grouped 2-D convolution with zero padding (see {@link Conv2dGeometry}), plus `bias` (one value per
   * output channel) when it is not null: `x` `(N, Cin, H, W)`, `weight` `(Cout, Cin/groups, kH, kW)`, the
   * result `(N, Cout, outH, outW)`. The backend picks the algorithm (windows and GEMM, direct, depthwise).
   * With `relu` the result is `max(y, 0)` (conv + bias + ReLU fused: the same values as `unary('relu', y)`).
   */
  conv2d(
    x: TypedArray,
    weight: TypedArray,
    bias: TypedArray | null,
    g: Conv2dGeometry,
    relu?: boolean,
  ): TypedArray;
  /**
   * The gradients of {@link Backend.conv2d} given the upstream gradient `grad` `(N, Cout, outH, outW)`: with
   * respect to the input (the transposed convolution of `grad`), the weight and the bias, each only if
   * `needs` asks for it. `x` is read only for the weight gradient and may be null without it. With
   * `reluOutput` (the output of a fused conv + ReLU) `grad` is first zeroed where `reluOutput` is not
   * positive, as {@link Backend.reluBackward} does: the gradients through the fused ReLU.
   */
  conv2dBackward(
    grad: TypedArray,
    x: TypedArray | null,
    weight: TypedArray,
    g: Conv2dGeometry,
    needs: ConvGradientNeeds,
    reluOutput?: TypedArray | null,
  ): ConvGradients;

  /**
   * `maxPool2d(conv2d(x, weight, bias, g, true), p)` in one call (conv + bias + ReLU + max pooling, `p` over
   * the `N·Cout` planes of the convolution's output): the same values and indices, without the
   * convolution's output leaving the backend.
   */
  conv2dReluMaxPool2d(
    x: TypedArray,
    weight: TypedArray,
    bias: TypedArray | null,
    g: Conv2dGeometry,
    p: Pool2dGeometry,
  ): {
    /** The pooled activations, `(N, Cout, outH, outW)` of the pooling geometry `p`. */
    values: TypedArray;
    /** Where each maximum was: its flat index `h·W + w` in its plane of the convolution's output. */
    indices: Int32Array;
  };
  /**
   * The gradients of {@link Backend.conv2dReluMaxPool2d} given `grad` of its pooled `values`: those of
   * `conv2dBackward(maxPool2dBackward(grad, indices, p), x, weight, g, needs, reluOutput)` (the ReLU's mask
   * is `values > 0` at each window's maximum), computed without the convolution-sized gradient leaving the
   * backend.
   */
  conv2dReluMaxPool2dBackward(
    grad: TypedArray,
    values: TypedArray,
    indices: Int32Array,
    x: TypedArray | null,
    weight: TypedArray,
    g: Conv2dGeometry,
    p: Pool2dGeometry,
    needs: ConvGradientNeeds,
  ): ConvGradients;

  /**
   * Max pooling of each plane (see {@link Pool2dGeometry}), padding counting as −∞: the maxima
   * `(planes, outH, outW)` and where each was, as a flat index `h·W + w` into its input plane (PyTorch's
   * `return_indices`). The first maximum wins; NaN counts as the maximum.
   */
  maxPool2d(
    x: TypedArray,
    g: Pool2dGeometry,
  ): {
    /** The maxima, `(planes, outH, outW)`. */
    values: TypedArray;
    /** Where each maximum was, `(planes, outH, outW)`: its flat index `h·W + w` in its input plane. */
    indices: Int32Array;
  };
  /** The adjoint of max pooling: each gradient added to the input element `indices` names; `(planes, H, W)`. */
  maxPool2dBackward(grad: TypedArray, indices: Int32Array, g: Pool2dGeometry): TypedArray;
  /** Average pooling of each plane, padding counting as 0, each sum divided as `divisor` says. */
  avgPool2d(x: TypedArray, g: Pool2dGeometry, divisor: AvgPoolDivisor): TypedArray;
  /** The adjoint of average pooling: each gradient, divided as in the forward pass, spread over its window. */
  avgPool2dBackward(grad: TypedArray, g: Pool2dGeometry, divisor: AvgPoolDivisor): TypedArray;

  /** The gradient of ReLU: `grad` where `out > 0`, else 0 (PyTorch's choice at 0). */
  reluBackward(grad: TypedArray, out: TypedArray): TypedArray;
  /** `log(softmax(x))` along the middle axis of `x` viewed as `(outer, classes, inner)`, max-shifted. */
  logSoftmax(x: TypedArray, outer: number, classes: number, inner: number): TypedArray;

  /**
   * One SGD step on `param` in place, as `torch.optim.SGD`: `d = ±grad + weightDecay·param`, the momentum
   * buffer (updated in place; `null` without momentum, or filled with `d` when `firstStep`), then
   * `param −= lr · d`.
   */
  sgdStep(
    param: TypedArray,
    grad: TypedArray,
    momentumBuffer: TypedArray | null,
    firstStep: boolean,
    spec: SgdStepSpec,
  ): void;
  /**
   * One Adam or AdamW step on `param` in place, as `torch.optim.Adam`/`AdamW`; `expAvg`, `expAvgSq` and
   * (with amsgrad) `maxExpAvgSq` are updated in place.
   */
  adamStep(
    param: TypedArray,
    grad: TypedArray,
    expAvg: TypedArray,
    expAvgSq: TypedArray,
    maxExpAvgSq: TypedArray | null,
    spec: AdamStepSpec,
  ): void;

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
