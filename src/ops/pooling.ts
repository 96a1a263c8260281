/**
 * Pooling: max and average pooling over sliding windows, and adaptive average pooling, as
 * `torch.nn.functional` 1.13 computes them. Max and average pooling validate their options here and run on
 * the backend over a {@link Pool2dGeometry} (padding counts as −∞ for max, 0 for average; `ceilMode` lets
 * the last window run past the edge); max pooling keeps each window's arg-max for its backward pass.
 * (The assignment's recipe, `sig2col` then a reduction over the window axes, is what average pooling as a
 * strided convolution means; the guide shows it.) Adaptive average pooling is a separable linear map,
 * `P_H · X · P_Wᵀ`.
 */
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { formatShape, isList, sizeOf } from '../shape.js';
import type { AvgPoolDivisor, Pair, Pool2dGeometry } from '../backend/geometry.js';
import { pool2dGeometry } from '../backend/geometry.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { Tensor, checkTensor } from '../tensor.js';
import { rawGemm } from './linalg.js';
import { normalizeTuple } from './window.js';

/** Options of `maxPool1d` and `maxPool2d`: one number for every spatial axis, or one per axis. */
export interface MaxPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number | readonly number[] | null;
  /** Implicit −∞ padding on both sides (default 0), at most half the kernel size. */
  padding?: number | readonly number[];
  /** Step between the elements of a window (default 1). */
  dilation?: number | readonly number[];
  /** Round the output size up rather than down, so windows may run past the right edge (default false). */
  ceilMode?: boolean;
}

/** Options of `avgPool1d` and `avgPool2d`: one number for every spatial axis, or one per axis. */
export interface AvgPoolOptions {
  /** Step between windows (default: the kernel size). */
  stride?: number | readonly number[] | null;
  /** Implicit zero padding on both sides (default 0), at most half the kernel size. */
  padding?: number | readonly number[];
  /** Round the output size up rather than down, so windows may run past the right edge (default false). */
  ceilMode?: boolean;
  /** Count the padding zeros in the divisor (default true); never the part past the padding. */
  countIncludePad?: boolean;
  /** Divide every window sum by this non-zero integer instead of the window size. */
  divisorOverride?: number | null;
}

/**
 * A pooling as the backend computes it: the 2-D geometry of its planes (a 1-D pooling is one row per plane),
 * with the input and output shapes of the op.
 */
export interface PoolPlan {
  /** The 2-D window geometry of every plane (a 1-D pooling is one row per plane). */
  readonly geometry: Pool2dGeometry;
  /** The shape of the op's input. */
  readonly inputShape: Shape;
  /** `inputShape[:-d] + out`. */
  readonly outShape: Shape;
}

/** The validated window arguments of one pooling call, one entry per spatial axis. */
interface PoolArgs {
  readonly kernel: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;
}

/** Checks a float input of shape `(N, C, *spatial)` or `(C, *spatial)` with `d` spatial axes. */
function checkPoolInput(op: string, input: Tensor, d: number): void {
  checkTensor(input, op, 'input');
  const layout = d === 1 ? '(N, C, L) or (C, L)' : '(N, C, H, W) or (C, H, W)';
  if (input.ndim !== d + 1 && input.ndim !== d + 2) {
    throw new ShapeError(
      op,
      'input',
      `expected a ${d + 1}-D or ${d + 2}-D tensor ${layout}, got shape ${formatShape(input.shape)}`,
    );
  }
  const batched = input.ndim === d + 2;
  if (input.shape.some((n, i) => n === 0 && !(batched && i === 0))) {
    throw new ShapeError(
      op,
      'input',
      `expected non-zero sizes for every dim but the batch dim ${layout}, got shape ${formatShape(input.shape)}`,
    );
  }
  if (!isFloating(input.dtype))
    throw new DTypeError(op, 'input', `expected a floating tensor, got ${input.dtype}`);
}

function checkBoolean(value: unknown, op: string, argument: string): asserts value is boolean {
  if (typeof value !== 'boolean')
    throw new ArgumentError(op, argument, `expected a boolean, got ${String(value)}`);
}

/** Validates kernel, stride, padding, dilation and ceilMode as PyTorch does, one entry per axis. */
function poolArgs(
  op: string,
  d: number,
  kernelSize: number | readonly number[],
  options: MaxPoolOptions | AvgPoolOptions | undefined,
  dilationOption: number | readonly number[] | undefined,
): PoolArgs {
  const kernel = normalizeTuple(kernelSize, d, op, 'kernelSize');
  const stride = normalizeTuple(options?.stride ?? kernel, d, op, 'stride');
  const padding = normalizeTuple(options?.padding ?? 0, d, op, 'padding', 0);
  const dilation = normalizeTuple(dilationOption ?? 1, d, op, 'dilation');
  const ceilMode = options?.ceilMode ?? false;
  checkBoolean(ceilMode, op, 'ceilMode');
  padding.forEach((p, i) => {
    if (p > Math.floor(kernel[i]! / 2)) {
      throw new ArgumentError(
        op,
        'padding',
        `pad should be at most half of kernel size, got padding ${JSON.stringify(padding)} and kernelSize ${JSON.stringify(kernel)}`,
      );
    }
  });
  return { kernel, stride, padding, dilation, ceilMode };
}

/** `[H, W]` of 2-D sizes; 1-D sizes `[L]` as the row `[1, L]`; `fill` is the height's entry for 1-D. */
function plane(sizes: readonly number[], fill = 1): Pair {
  return sizes.length === 2 ? [sizes[0]!, sizes[1]!] : [fill, sizes[0]!];
}

/** The plan of pooling `inputShape` with `args`, its output sizes checked to be positive. */
function poolPlan(op: string, inputShape: Shape, args: PoolArgs): PoolPlan {
  const { kernel, stride, padding, dilation, ceilMode } = args;
  const lead = inputShape.length - kernel.length;
  const spatial = inputShape.slice(lead);
  const geometry = pool2dGeometry({
    planes: sizeOf(inputShape.slice(0, lead)),
    inputSize: plane(spatial),
    kernelSize: plane(kernel),
    stride: plane(stride),
    padding: plane(padding, 0),
    dilation: plane(dilation),
    ceilMode,
  });
  const out = kernel.length === 2 ? geometry.outputSize : [geometry.outputSize[1]];
  if (out.some((o) => o < 1)) {
    throw new ShapeError(
      op,
      'input',
      `given input of shape ${formatShape(inputShape)}, kernelSize ${formatShape(kernel)}, stride ${formatShape(stride)}, padding ${formatShape(padding)} and dilation ${formatShape(dilation)}, the calculated output size is ${formatShape(out)}. Output size is too small`,
    );
  }
  return { geometry, inputShape, outShape: [...inputShape.slice(0, lead), ...out] };
}

function maxPool(
  op: string,
  d: number,
  input: Tensor,
  kernelSize: number | readonly number[],
  options: MaxPoolOptions | undefined,
): Tensor {
  checkPoolInput(op, input, d);
  const plan = poolPlan(op, input.shape, poolArgs(op, d, kernelSize, options, options?.dilation));
  const { values, indices } = backend().maxPool2d(input.data, plan.geometry);
  const positions = new Tensor(indices, plan.outShape);
  return record(new Tensor(values, plan.outShape), op, [input], (g) => [
    maxPool2dBackward(g, positions, plan),
  ]);
}

/**
 * 1-D max pooling: the maximum of every window of `kernelSize` elements along the last axis of `input`
 * `(N, C, L)` or `(C, L)`. The output has length `floor((L + 2·padding − dilation·(kernelSize − 1) − 1) /
 * stride) + 1` (rounded up instead with `ceilMode`, but no window starts in the right padding).
 *
 * @example
 * F.maxPool1d(tensor([[[1, 3, 2, 5, 4]]]), 2)   // [[[3, 5]]]
 */
export function maxPool1d(
  input: Tensor,
  kernelSize: number | readonly number[],
  options?: MaxPoolOptions,
): Tensor {
  return maxPool('maxPool1d', 1, input, kernelSize, options);
}

/**
 * 2-D max pooling over the last two axes of `input` `(N, C, H, W)` or `(C, H, W)`; `kernelSize`, `stride`,
 * `padding` and `dilation` are one number or `[h, w]`. Each output size follows the formula of
 * {@link maxPool1d}. NaN wins a window (its gradient goes to the first NaN; PyTorch's to the last one).
 *
 * @example
 * F.maxPool2d(tensor([[[[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [0, 1, 2, 3]]]]), 2)   // [[[[5, 6], [8, 9]]]]
 * F.maxPool2d(x, [3, 2], { stride: 1, padding: [1, 0], ceilMode: true })
 */
export function maxPool2d(
  input: Tensor,
  kernelSize: number | readonly number[],
  options?: MaxPoolOptions,
): Tensor {
  return maxPool('maxPool2d', 2, input, kernelSize, options);
}
/**
 * Each output is one element of its window, the first maximum (`indices`, its flat position `h·W + w` in
 * its input plane), so ∂out/∂x is one-hot: each gradient is added to that element, and overlapping windows
 * that chose the same element add up.
 */
export function maxPool2dBackward(grad: Tensor, indices: Tensor, plan: PoolPlan): Tensor {
  return new Tensor(
    backend().maxPool2dBackward(grad.data, indices.data as Int32Array, plan.geometry),
    plan.inputShape,
  );
}
/** The backward rule of `maxPool1d`: the routing of {@link maxPool2dBackward}, over one spatial axis. */
export const maxPool1dBackward = maxPool2dBackward;

function avgPool(
  op: string,
  d: number,
  input: Tensor,
  kernelSize: number | readonly number[],
  options: AvgPoolOptions | undefined,
): Tensor {
  checkPoolInput(op, input, d);
  const args = poolArgs(op, d, kernelSize, options, 1);
  const countIncludePad = options?.countIncludePad ?? true;
  checkBoolean(countIncludePad, op, 'countIncludePad');
  const divisorOverride = options?.divisorOverride ?? null;
  if (divisorOverride !== null && (!Number.isInteger(divisorOverride) || divisorOverride === 0)) {
    throw new ArgumentError(
      op,
      'divisorOverride',
      `expected a non-zero integer, got ${JSON.stringify(divisorOverride)}`,
    );
  }
  const plan = poolPlan(op, input.shape, args);
  const divisor: AvgPoolDivisor = { countIncludePad, divisorOverride };
  const out = new Tensor(backend().avgPool2d(input.data, plan.geometry, divisor), plan.outShape);
  return record(out, op, [input], (g) => [avgPool2dBackward(g, divisor, plan)]);
}

/**
 * 1-D average pooling: the mean of every window of `kernelSize` elements along the last axis of `input`
 * `(N, C, L)` or `(C, L)`, with the output length of {@link maxPool1d} (no dilation). The divisor is the
 * window size, clipped to the padded input; without `countIncludePad` the padding is not counted.
 * `divisorOverride` goes beyond `torch.nn.functional.avg_pool1d` (which lacks it) and means what it means
 * in `avg_pool2d`, as if the input were `(N, C, 1, L)` and the kernel `[1, kernelSize]`.
 *
 * @example
 * F.avgPool1d(tensor([[[1, 2, 3, 4, 5]]]), 2, { stride: 1 })   // [[[1.5, 2.5, 3.5, 4.5]]]
 */
export function avgPool1d(
  input: Tensor,
  kernelSize: number | readonly number[],
  options?: AvgPoolOptions,
): Tensor {
  return avgPool('avgPool1d', 1, input, kernelSize, options);
}

/**
 * 2-D average pooling over the last two axes of `input` `(N, C, H, W)` or `(C, H, W)`; `kernelSize`,
 * `stride` and `padding` are one number or `[h, w]`; output sizes as in {@link maxPool2d} (no dilation).
 *
 * @example
 * F.avgPool2d(x, 2)                                                   // 2 × 2 means, stride 2
 * F.avgPool2d(x, 3, { stride: 2, padding: 1, countIncludePad: false })
 */
export function avgPool2d(
  input: Tensor,
  kernelSize: number | readonly number[],
  options?: AvgPoolOptions,
): Tensor {
  return avgPool('avgPool2d', 2, input, kernelSize, options);
}
/**
 * out = Σ window / divisor, so every element of a window gets ∂out/∂x = 1 / divisor: each gradient over
 * its divisor, added to every element of its window (the padding's share goes nowhere).
 */
export function avgPool2dBackward(grad: Tensor, divisor: AvgPoolDivisor, plan: PoolPlan): Tensor {
  return new Tensor(backend().avgPool2dBackward(grad.data, plan.geometry, divisor), plan.inputShape);
}
/** The backward rule of `avgPool1d`: the spreading of {@link avgPool2dBackward}, over one spatial axis. */
export const avgPool1dBackward = avgPool2dBackward;

/**
 * The `(out, length)` averaging matrix of adaptive pooling along one axis: row `o` averages the elements
 * `floor(o·length/out) … ceil((o + 1)·length/out) − 1`.
 */
function adaptiveMatrix(length: number, out: number, input: Tensor): Tensor {
  const matrix = new Float64Array(out * length);
  for (let o = 0; o < out; o++) {
    const start = Math.floor((o * length) / out);
    const end = Math.ceil(((o + 1) * length) / out);
    for (let i = start; i < end; i++) matrix[o * length + i] = 1 / (end - start);
  }
  return new Tensor(backend().cast(matrix, input.dtype), [out, length]);
}

/** Validates `outputSize` (entries ≥ 0, `null` keeps the input's size) against the spatial input sizes. */
function adaptiveOutputSize(
  op: string,
  outputSize: number | readonly (number | null)[],
  spatial: Shape,
): number[] {
  const d = spatial.length;
  const sizes = typeof outputSize === 'number' ? new Array<number>(d).fill(outputSize) : outputSize;
  if (
    !isList(sizes) ||
    sizes.length !== d ||
    !sizes.every((s) => s === null || (Number.isInteger(s) && s >= 0))
  ) {
    throw new ArgumentError(
      op,
      'outputSize',
      `expected an integer ≥ 0 or a list of ${d} integers ≥ 0 (or null to keep the input size), got ${JSON.stringify(outputSize)}`,
    );
  }
  return sizes.map((s, i) => s ?? spatial[i]!);
}

/**
 * What adaptive average pooling needs forward and backward: one `(out, length)` averaging matrix per
 * spatial axis, and the shapes it maps between.
 */
export interface AdaptivePlan {
  /** The shape of the op's input. */
  readonly inputShape: Shape;
  /** The shape of its output. */
  readonly outShape: Shape;
  /** One `(out, length)` averaging matrix per spatial axis, in axis order. */
  readonly matrices: readonly Tensor[];
}

function adaptivePlan(
  op: string,
  d: number,
  input: Tensor,
  outputSize: number | readonly (number | null)[],
): AdaptivePlan {
  checkPoolInput(op, input, d);
  const lead = input.ndim - d;
  const spatial = input.shape.slice(lead);
  const out = adaptiveOutputSize(op, outputSize, spatial);
  return {
    inputShape: input.shape,
    outShape: [...input.shape.slice(0, lead), ...out],
    matrices: out.map((o, i) => adaptiveMatrix(spatial[i]!, o, input)),
  };
}

/**
 * Applies the separable map: the last axis (W, or L) is multiplied by `P_Wᵀ` as one big product, then for
 * 2-D every `(H, out_W)` slice is multiplied by `P_H` on the left.
 */
function adaptiveForward(input: Tensor, plan: AdaptivePlan): Tensor {
  const [pw, ph] = [...plan.matrices].reverse() as [Tensor, Tensor | undefined];
  const [ow, w] = pw.shape as [number, number];
  const rows = sizeOf(plan.inputShape.slice(0, -1));
  const alongW = rawGemm(input, pw, { batch: 1, m: rows, k: w, n: ow }, false, true);
  if (ph === undefined) return alongW.reshape(plan.outShape);
  const [oh, h] = ph.shape as [number, number];
  return rawGemm(ph, alongW, { batch: rows / h, m: oh, k: h, n: ow }).reshape(plan.outShape);
}

/**
 * 1-D adaptive average pooling: `input` `(N, C, L)` or `(C, L)` to length `outputSize` (a number or
 * `[number]`), output element `o` being the mean of elements `floor(o·L/out) … ceil((o + 1)·L/out) − 1`.
 *
 * @example
 * F.adaptiveAvgPool1d(tensor([[[1, 2, 3, 4, 5]]]), 2)   // [[[2, 4]]]: means of [1, 2, 3] and [3, 4, 5]
 */
export function adaptiveAvgPool1d(input: Tensor, outputSize: number | readonly number[]): Tensor {
  const plan = adaptivePlan('adaptiveAvgPool1d', 1, input, outputSize);
  return record(adaptiveForward(input, plan), 'adaptiveAvgPool1d', [input], (g) => [
    adaptiveAvgPool1dBackward(g, plan),
  ]);
}
/** out = X P_Lᵀ with P the averaging matrix, so dX = dout · P_L. */
export function adaptiveAvgPool1dBackward(grad: Tensor, plan: AdaptivePlan): Tensor {
  const p = plan.matrices[0]!;
  const [o, l] = p.shape as [number, number];
  const rows = sizeOf(plan.inputShape.slice(0, -1));
  return rawGemm(grad, p, { batch: 1, m: rows, k: o, n: l }).reshape(plan.inputShape);
}

/**
 * 2-D adaptive average pooling: `input` `(N, C, H, W)` or `(C, H, W)` to spatial size `outputSize` (a
 * number, or `[h, w]` where `null` keeps that input size), each axis split into windows as in
 * {@link adaptiveAvgPool1d}. `adaptiveAvgPool2d(x, 1)` is global average pooling.
 *
 * @example
 * F.adaptiveAvgPool2d(randn([8, 64, 13, 13]), [7, null]).shape   // [8, 64, 7, 13]
 */
export function adaptiveAvgPool2d(input: Tensor, outputSize: number | readonly (number | null)[]): Tensor {
  const plan = adaptivePlan('adaptiveAvgPool2d', 2, input, outputSize);
  return record(adaptiveForward(input, plan), 'adaptiveAvgPool2d', [input], (g) => [
    adaptiveAvgPool2dBackward(g, plan),
  ]);
}
/** out = P_H X P_Wᵀ per (n, c), so dX = P_Hᵀ dout P_W: the two products of the forward, transposed, in reverse order. */
export function adaptiveAvgPool2dBackward(grad: Tensor, plan: AdaptivePlan): Tensor {
  const [ph, pw] = plan.matrices as [Tensor, Tensor];
  const [oh, h] = ph.shape as [number, number];
  const [ow, w] = pw.shape as [number, number];
  const slices = sizeOf(plan.inputShape.slice(0, -2));
  const alongH = rawGemm(ph, grad, { batch: slices, m: h, k: oh, n: ow }, true, false);
  return rawGemm(alongH, pw, { batch: 1, m: slices * h, k: ow, n: w }).reshape(plan.inputShape);
}
