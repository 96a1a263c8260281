/**
 * Pooling: max and average pooling over sliding windows, and adaptive average pooling, as
 * `torch.nn.functional` 1.13 computes them. Max and average pooling follow the assignment's recipe: pad the
 * input (−∞ for max, 0 for average, plus extra on the right where `ceilMode` windows run past the edge),
 * cut it into windows with `sig2col`, reduce over the window axes; the backward rules send gradients back
 * through `col2sig`. Adaptive average pooling is a separable linear map, `P_H · X · P_Wᵀ`.
 */
import type { TypedArray } from '../dtype.js';
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { formatShape, isList, sizeOf } from '../shape.js';
import type { PadSpec, WindowSpec } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { Tensor, checkTensor } from '../tensor.js';
import { rawGemm } from './linalg.js';
import { normalizeTuple, poolOutputSize } from './window.js';

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
 * Where a pooling's windows lie: the padding that makes every window a valid window of the padded input
 * (`pad`), the windows over that padded input (`window`), and the output shape.
 */
export interface PoolGeometry {
  /** Pads (or, past the last window, crops) the input to exactly the span the windows cover. */
  readonly pad: PadSpec;
  /** The windows over the padded input, as `sig2col` takes them. */
  readonly window: WindowSpec;
  /** `input.shape[:-d] + out`. */
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

/**
 * The geometry of pooling `inputShape` with `args`: output sizes from `poolOutputSize`, then the padding
 * that makes the padded length exactly `(out − 1)·stride + dilation·(k − 1) + 1`, the span of the windows.
 * That is `padding` on the left and whatever the last window needs on the right: more than `padding` where
 * `ceilMode` adds a window, less (a crop) where the last elements fall in no window.
 */
function poolGeometry(op: string, inputShape: Shape, args: PoolArgs, fill: number): PoolGeometry {
  const { kernel, stride, padding, dilation, ceilMode } = args;
  const d = kernel.length;
  const lead = inputShape.length - d;
  const spatial = inputShape.slice(lead);
  const out = spatial.map((length, i) =>
    poolOutputSize(length, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!, ceilMode),
  );
  if (out.some((o) => o < 1)) {
    throw new ShapeError(
      op,
      'input',
      `given input of shape ${formatShape(inputShape)}, kernelSize ${formatShape(kernel)}, stride ${formatShape(stride)}, padding ${formatShape(padding)} and dilation ${formatShape(dilation)}, the calculated output size is ${formatShape(out)}. Output size is too small`,
    );
  }
  const span = out.map((o, i) => (o - 1) * stride[i]! + dilation[i]! * (kernel[i]! - 1) + 1);
  const zeros = new Array<number>(lead).fill(0);
  const pad: PadSpec = {
    inputShape,
    before: [...zeros, ...padding],
    after: [...zeros, ...span.map((s, i) => s - spatial[i]! - padding[i]!)],
    mode: 'constant',
    value: fill,
  };
  const window: WindowSpec = {
    inputShape: [...inputShape.slice(0, lead), ...span],
    windowShape: kernel,
    stride,
    dilation,
  };
  return { pad, window, outShape: [...inputShape.slice(0, lead), ...out] };
}

/** The windows of the padded input, shape `outShape + kernel` (`sig2col` of the padded input). */
function windows(input: Tensor, geometry: PoolGeometry): TypedArray {
  return backend().sig2col(backend().pad(input.data, geometry.pad), geometry.window);
}

function maxPool(
  op: string,
  d: number,
  input: Tensor,
  kernelSize: number | readonly number[],
  options: MaxPoolOptions | undefined,
): Tensor {
  checkPoolInput(op, input, d);
  const geometry = poolGeometry(
    op,
    input.shape,
    poolArgs(op, d, kernelSize, options, options?.dilation),
    -Infinity,
  );
  const { outShape } = geometry;
  const flatShape = [...outShape, sizeOf(geometry.window.windowShape)];
  const cols = windows(input, geometry);
  const argmax = backend().argReduce('argmax', cols, flatShape, outShape.length);
  const values = backend().gather(cols, flatShape, outShape.length, argmax, [...outShape, 1]);
  const positions = new Tensor(argmax, outShape);
  return record(new Tensor(values, outShape), op, [input], (g) => [
    maxPool2dBackward(g, positions, geometry),
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
 * Each output is one element of its window, the first maximum (`argmax`, its flat position inside the
 * window), so ∂out/∂window = a one-hot row: scatter each gradient to that position of a zero window, add
 * the overlapping windows back with col2sig, and drop the padding (whose gradient goes nowhere).
 */
export function maxPool2dBackward(grad: Tensor, argmax: Tensor, geometry: PoolGeometry): Tensor {
  const { outShape, window, pad } = geometry;
  const flatShape = [...outShape, sizeOf(window.windowShape)];
  const cols = backend().scatterAdd(
    grad.data,
    [...outShape, 1],
    outShape.length,
    argmax.data as Int32Array,
    flatShape,
  );
  return new Tensor(backend().padBackward(backend().col2sig(cols, window), pad), pad.inputShape);
}
/** The backward rule of `maxPool1d`: the routing of {@link maxPool2dBackward}, over one spatial axis. */
export const maxPool1dBackward = maxPool2dBackward;

/**
 * Per output position along one axis, how many elements its window averages, as PyTorch counts them: the
 * window clipped to the padded input, or (without `countIncludePad`) to the input itself.
 */
function averageCounts(
  length: number,
  out: number,
  kernel: number,
  stride: number,
  padding: number,
  countIncludePad: boolean,
): Float64Array {
  const counts = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    const start = o * stride - padding;
    const end = Math.min(start + kernel, length + padding);
    counts[o] = countIncludePad ? end - start : Math.min(end, length) - Math.max(start, 0);
  }
  return counts;
}

/** The divisor of every window sum, shape `out` (the spatial output shape), in the input's dtype. */
function averageDivisor(
  input: Tensor,
  geometry: PoolGeometry,
  args: PoolArgs,
  countIncludePad: boolean,
  divisorOverride: number | null,
): { data: TypedArray; shape: Shape } {
  const be = backend();
  const d = args.kernel.length;
  const dtype = input.dtype;
  if (divisorOverride !== null) return { data: be.full(dtype, 1, divisorOverride), shape: [] };
  const lead = input.ndim - d;
  const out = geometry.outShape.slice(lead);
  let shape: Shape = [];
  let data = be.full(dtype, 1, 1);
  out.forEach((o, i) => {
    const counts = averageCounts(
      input.shape[lead + i]!,
      o,
      args.kernel[i]!,
      args.stride[i]!,
      args.padding[i]!,
      countIncludePad,
    );
    const next = [...shape, o];
    data = be.binary('mul', data, [...shape, 1], be.cast(counts, dtype), [o], next);
    shape = next;
  });
  return { data, shape };
}

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
  const geometry = poolGeometry(op, input.shape, args, 0);
  const { outShape, window } = geometry;
  const cols = windows(input, geometry);
  const colsShape = [...outShape, ...window.windowShape];
  const windowAxes = window.windowShape.map((_, i) => outShape.length + i);
  const sums = backend().reduce('sum', cols, colsShape, windowAxes);
  const divisor = averageDivisor(input, geometry, args, countIncludePad, divisorOverride);
  const out = new Tensor(
    backend().binary('div', sums, outShape, divisor.data, divisor.shape, outShape),
    outShape,
  );
  const divisorTensor = new Tensor(divisor.data, divisor.shape);
  return record(out, op, [input], (g) => [avgPool2dBackward(g, divisorTensor, geometry)]);
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
 * out = Σ window / divisor, so every element of a window gets ∂out/∂x = 1 / divisor: broadcast
 * grad / divisor over the window axes, add the overlapping windows back with col2sig, drop the padding.
 * `divisor` has the spatial output shape (or is a scalar).
 */
export function avgPool2dBackward(grad: Tensor, divisor: Tensor, geometry: PoolGeometry): Tensor {
  const { outShape, window, pad } = geometry;
  const ones = window.windowShape.map(() => 1);
  const perElement = backend().binary(
    'div',
    grad.data,
    [...outShape, ...ones],
    divisor.data,
    divisor.ndim === 0 ? [] : [...divisor.shape, ...ones],
    [...outShape, ...window.windowShape],
  );
  return new Tensor(backend().padBackward(backend().col2sig(perElement, window), pad), pad.inputShape);
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
  readonly inputShape: Shape;
  readonly outShape: Shape;
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
