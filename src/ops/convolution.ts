/**
 * Convolution, built as the assignment teaches: `sig2col` lays out every window of the (padded) input, and
 * one GEMM per group — with the whole batch folded into its rows — multiplies the windows by the reshaped
 * kernel. The weight gradient comes from the same windows, the input gradient goes back through `col2sig`,
 * and the transposed convolution is that input-gradient path run forwards. Also numpy's `correlate` and
 * `convolve` for 1-D signals.
 *
 * Like every deep-learning library, `conv1d`/`conv2d` compute a cross-correlation: the kernel is not
 * flipped. `convolve1d` is the true convolution.
 */
import type { TypedArray } from '../dtype.js';
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { formatShape, shapesEqual, sizeOf } from '../shape.js';
import type { PadMode, PadSpec } from '../backend/backend.js';
import type { Conv2dGeometry, Pair } from '../backend/geometry.js';
import { conv2dGeometry, convTransposeOutputSize } from '../backend/geometry.js';
import { poolArgs, poolPlan } from './pool-plan.js';
import type { MaxPoolOptions } from './pooling.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { Tensor, checkTensor } from '../tensor.js';
import { normalizeTuple } from './window.js';

/** How `conv1d`/`conv2d` fill the border, as `padding_mode` of PyTorch's `nn.Conv2d`. */
export type ConvPaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** Options of `conv1d` and `conv2d`; sizes are one number for every spatial dim or one per dim. */
export interface ConvOptions {
  /** Step between windows (default 1). */
  stride?: number | readonly number[];
  /**
   * Border added on both sides of each spatial dim (default 0); `'valid'` is 0, `'same'` keeps the size
   * (stride 1 only; an odd total puts the extra element on the right/bottom).
   */
  padding?: number | readonly number[] | 'valid' | 'same';
  /** Step between kernel taps (default 1). */
  dilation?: number | readonly number[];
  /** Independent channel groups; must divide both channel counts (default 1). */
  groups?: number;
  /** How the padding is filled (default `'zeros'`). */
  paddingMode?: ConvPaddingMode;
}

/** Options of `convTranspose1d` and `convTranspose2d`, as PyTorch's `conv_transpose2d`. */
export interface ConvTransposeOptions {
  /** Stride of the convolution this is the adjoint of (default 1). */
  stride?: number | readonly number[];
  /** Padding of that convolution: this many elements come off both sides of the output (default 0). */
  padding?: number | readonly number[];
  /** Extra length on the right/bottom, smaller than the stride or the dilation (default 0). */
  outputPadding?: number | readonly number[];
  /** Step between kernel taps (default 1). */
  dilation?: number | readonly number[];
  /** Independent channel groups (default 1). */
  groups?: number;
}

/** Options of `correlate1d` and `convolve1d`: numpy's output modes. */
export interface CorrelateOptions {
  /**
   * `'full'`: every overlap, length `M + N − 1`; `'same'`: length `max(M, N)`, centred; `'valid'`: only
   * complete overlaps, length `max(M, N) − min(M, N) + 1`.
   */
  mode?: 'valid' | 'same' | 'full';
}

const PADDING_MODES: readonly string[] = ['zeros', 'reflect', 'replicate', 'circular'];
const CORRELATE_MODES: readonly string[] = ['valid', 'same', 'full'];
const SPATIAL = ['', 'L', 'H, W'];
const KERNEL = ['', 'k', 'kH, kW'];

/**
 * A convolution as the backend computes it: the 2-D geometry over the (pre-padded) input, the padding of a
 * non-zero padding mode applied before it (zeros are implicit in the geometry), and the output shape with
 * a batch dim.
 */
interface ConvPlan {
  readonly geometry: Conv2dGeometry;
  readonly prePad: PadSpec | null;
  readonly outputShape: Shape;
}

/** `[H, W]` of 2-D sizes; 1-D sizes `[L]` as the plane `[1, L]`. */
function plane(sizes: readonly number[]): Pair {
  return sizes.length === 2 ? [sizes[0]!, sizes[1]!] : [1, sizes[0]!];
}

/** `[H, W]` of 2-D paddings; a 1-D padding `[p]` as `[0, p]`. */
function planePadding(padding: readonly number[]): Pair {
  return padding.length === 2 ? [padding[0]!, padding[1]!] : [0, padding[0]!];
}

/** Adds `bias` (one value per channel) to `y` of shape `(N, C, positions)`. */
function addBias(
  y: TypedArray,
  bias: TypedArray,
  batch: number,
  channels: number,
  positions: number,
): TypedArray {
  const shape = [batch, channels, positions];
  return backend().binary('add', y, shape, bias, [1, channels, 1], shape);
}

/** The bias gradient: the upstream gradient summed over the batch and every position. */
function biasGrad(grad: TypedArray, batch: number, channels: number, positions: number): Tensor {
  return new Tensor(backend().reduce('sum', grad, [batch, channels, positions], [0, 2]), [channels]);
}

/** A 1-D array in reverse order: the view with offset `length − 1` and stride −1. */
function reversed(x: TypedArray): TypedArray {
  return backend().stridedCopy(x, { offset: Math.max(x.length - 1, 0), shape: [x.length], strides: [-1] });
}

/** The input as the backend's convolution reads it: padded first when the padding mode is not zeros. */
function convInput(plan: ConvPlan, x: TypedArray): TypedArray {
  return plan.prePad ? backend().pad(x, plan.prePad) : x;
}

/**
 * The gradients of a convolution from the backend, the input's through the padding's adjoint when the input
 * was padded first; `needInput` false skips it (`null`), as for a network's first layer. With `reluOutput`
 * (a fused ReLU's output) `grad` passes that ReLU first.
 */
function convGradients(
  plan: ConvPlan,
  grad: TypedArray,
  paddedInput: TypedArray,
  weight: TypedArray,
  needs: { input: boolean; bias: boolean },
  reluOutput: TypedArray | null = null,
): { input: TypedArray | null; weight: TypedArray; bias: TypedArray | null } {
  const r = backend().conv2dBackward(
    grad,
    paddedInput,
    weight,
    plan.geometry,
    { ...needs, weight: true },
    reluOutput,
  );
  const input = r.input && plan.prePad ? backend().padBackward(r.input, plan.prePad) : r.input;
  return { input, weight: r.weight!, bias: r.bias };
}

/** Checks the tensor arguments of a convolution: tensors, one floating dtype, ranks. */
function checkOperands(
  op: string,
  dims: number,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  weightLayout: string,
): void {
  checkTensor(input, op, 'input');
  checkTensor(weight, op, 'weight');
  if (bias !== null && bias !== undefined) checkTensor(bias, op, 'bias');
  if (!isFloating(input.dtype))
    throw new DTypeError(op, 'input', `expected a floating tensor, got ${input.dtype}`);
  if (weight.dtype !== input.dtype)
    throw new DTypeError(op, 'weight', `expected dtype ${input.dtype} like input, got ${weight.dtype}`);
  if (bias && bias.dtype !== input.dtype)
    throw new DTypeError(op, 'bias', `expected dtype ${input.dtype} like input, got ${bias.dtype}`);
  if (input.ndim !== dims + 1 && input.ndim !== dims + 2) {
    throw new ShapeError(
      op,
      'input',
      `expected a ${dims + 1}-D (Cin, ${SPATIAL[dims]}) or ${dims + 2}-D (N, Cin, ${SPATIAL[dims]}) tensor, got shape ${formatShape(input.shape)}`,
    );
  }
  if (weight.ndim !== dims + 2) {
    throw new ShapeError(
      op,
      'weight',
      `expected a ${dims + 2}-D tensor ${weightLayout}, got shape ${formatShape(weight.shape)}`,
    );
  }
}

/** Checks `groups` is a positive integer dividing both channel counts. */
function checkGroups(
  op: string,
  groups: number,
  inChannels: number,
  outChannels: number,
  weight: Tensor,
): void {
  if (!Number.isInteger(groups) || groups < 1)
    throw new ArgumentError(op, 'groups', `expected a positive integer, got ${String(groups)}`);
  for (const [what, channels] of [
    ['input', inChannels],
    ['output', outChannels],
  ] as const) {
    if (channels % groups !== 0) {
      throw new ShapeError(
        op,
        'groups',
        `groups=${groups} must divide the ${what} channels ${channels} (weight shape ${formatShape(weight.shape)})`,
      );
    }
  }
}

/** Checks the bias is absent or one value per output channel. */
function checkBias(op: string, bias: Tensor | null | undefined, outChannels: number): void {
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outChannels)) {
    throw new ShapeError(op, 'bias', `expected shape [${outChannels}], got ${formatShape(bias.shape)}`);
  }
}

/** Checks an upstream gradient has the op's output shape. */
function checkGrad(op: string, grad: Tensor, outputShape: Shape): void {
  checkTensor(grad, op, 'grad');
  if (!shapesEqual(grad.shape, outputShape)) {
    throw new ShapeError(
      op,
      'grad',
      `expected the output shape ${formatShape(outputShape)}, got ${formatShape(grad.shape)}`,
    );
  }
}

/** Padding before and after each spatial dim, from an integer, a list, `'valid'` or `'same'`. */
function convPadding(
  op: string,
  padding: ConvOptions['padding'],
  kernel: readonly number[],
  stride: readonly number[],
  dilation: readonly number[],
): [number[], number[]] {
  if (padding === 'valid') return [kernel.map(() => 0), kernel.map(() => 0)];
  if (padding === 'same') {
    if (stride.some((s) => s !== 1)) {
      throw new ArgumentError(
        op,
        'padding',
        `padding='same' is not supported for strided convolutions (stride ${JSON.stringify(stride)})`,
      );
    }
    const total = kernel.map((k, i) => dilation[i]! * (k - 1));
    const before = total.map((t) => Math.floor(t / 2));
    return [before, total.map((t, i) => t - before[i]!)];
  }
  if (typeof padding === 'string') {
    throw new ArgumentError(
      op,
      'padding',
      `expected 'valid', 'same', an integer ≥ 0 or a list of them, got ${JSON.stringify(padding)}`,
    );
  }
  const amounts = normalizeTuple(padding ?? 0, kernel.length, op, 'padding', 0);
  return [amounts, [...amounts]];
}

/** Validates a convolution's arguments and works out its geometry. */
function convGeometry(
  op: string,
  dims: number,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: ConvOptions | undefined,
): ConvPlan {
  checkOperands(op, dims, input, weight, bias, `(Cout, Cin/groups, ${KERNEL[dims]})`);
  const shape = input.ndim === dims + 2 ? input.shape : [1, ...input.shape];
  const inChannels = shape[1]!;
  const [outChannels, inPerGroup] = weight.shape as [number, number];
  const groups = options?.groups ?? 1;
  checkGroups(op, groups, inChannels, outChannels, weight);
  if (inPerGroup * groups !== inChannels) {
    throw new ShapeError(
      op,
      'input',
      `weight ${formatShape(weight.shape)} with groups=${groups} expects ${inPerGroup * groups} input channels, got input shape ${formatShape(input.shape)}`,
    );
  }
  checkBias(op, bias, outChannels);
  const kernel = weight.shape.slice(2);
  const stride = normalizeTuple(options?.stride ?? 1, dims, op, 'stride');
  const dilation = normalizeTuple(options?.dilation ?? 1, dims, op, 'dilation');
  const [before, after] = convPadding(op, options?.padding, kernel, stride, dilation);
  const mode = options?.paddingMode ?? 'zeros';
  if (!PADDING_MODES.includes(mode)) {
    throw new ArgumentError(
      op,
      'paddingMode',
      `expected one of ${PADDING_MODES.join(', ')}, got ${JSON.stringify(mode)}`,
    );
  }
  const spatial = shape.slice(2);
  spatial.forEach((length, i) => {
    const most = Math.max(before[i]!, after[i]!);
    const rule =
      mode === 'reflect' && most >= length
        ? 'must be smaller than'
        : mode === 'circular' && most > length
          ? 'must not exceed'
          : mode === 'replicate' && most > 0 && length === 0
            ? 'needs a non-empty'
            : null;
    if (rule !== null) {
      throw new ShapeError(
        op,
        'padding',
        `${mode} padding ${most} ${rule} spatial size ${length} (input shape ${formatShape(input.shape)})`,
      );
    }
    const padded = length + before[i]! + after[i]!;
    if (dilation[i]! * (kernel[i]! - 1) + 1 > padded) {
      throw new ShapeError(
        op,
        'weight',
        `kernel ${formatShape(kernel)} (dilation ${dilation[i]}) is larger than the padded input (${padded} along spatial dim ${i}; input shape ${formatShape(input.shape)})`,
      );
    }
  });
  return convLayout(
    shape,
    weight.shape,
    groups,
    stride,
    dilation,
    before,
    after,
    mode === 'zeros' ? 'constant' : mode,
  );
}

/**
 * The plan of a valid convolution: `shape` is `(N, Cin, L…)`, padded by `before`/`after` per spatial dim —
 * implicit zeros in the geometry, or a padding applied first for the other modes.
 */
function convLayout(
  shape: Shape,
  weightShape: Shape,
  groups: number,
  stride: readonly number[],
  dilation: readonly number[],
  before: readonly number[],
  after: readonly number[],
  mode: PadMode,
): ConvPlan {
  const [batch, inChannels] = shape as [number, number];
  const outChannels = weightShape[0]!;
  const zeros = mode === 'constant';
  const unpadded = before.every((p) => p === 0) && after.every((p) => p === 0);
  const prePad: PadSpec | null =
    zeros || unpadded
      ? null
      : { inputShape: shape, before: [0, 0, ...before], after: [0, 0, ...after], mode, value: 0 };
  const spatial = shape.slice(2).map((l, i) => (prePad ? l + before[i]! + after[i]! : l));
  const none = before.map(() => 0);
  const geometry = conv2dGeometry({
    batch,
    inChannels,
    outChannels,
    groups,
    inputSize: plane(spatial),
    kernelSize: plane(weightShape.slice(2)),
    stride: plane(stride),
    padBefore: planePadding(prePad ? none : before),
    padAfter: planePadding(prePad ? none : after),
    dilation: plane(dilation),
  });
  const out = spatial.length === 2 ? geometry.outputSize : [geometry.outputSize[1]];
  return { geometry, prePad, outputShape: [batch, outChannels, ...out] };
}

/**
 * Runs a convolution on the backend (with `relu`, followed by a ReLU fused into it) and records its backward
 * rule.
 */
function convolve(
  op: string,
  dims: number,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: ConvOptions | undefined,
  relu = false,
): Tensor {
  const plan = convGeometry(op, dims, input, weight, bias, options);
  const x = convInput(plan, input.data);
  const y = backend().conv2d(x, weight.data, bias ? bias.data : null, plan.geometry, relu);
  const out = new Tensor(y, input.ndim === dims + 2 ? plan.outputShape : plan.outputShape.slice(1));
  return record(out, relu ? `${op}Relu` : op, bias ? [input, weight, bias] : [input, weight], (grad) => {
    const needs = { input: input.requiresGrad, bias: !!bias };
    const r = convGradients(plan, grad.data, x, weight.data, needs, relu ? y : null);
    return [
      r.input === null ? null : new Tensor(r.input, input.shape),
      new Tensor(r.weight, weight.shape),
      r.bias === null ? null : new Tensor(r.bias, [plan.geometry.outChannels]),
    ];
  });
}

/** The gradients of a convolution with respect to its input, weight and bias (`null` without a bias). */
function convolveBackward(
  op: string,
  dims: number,
  grad: Tensor,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: ConvOptions | undefined,
): [Tensor, Tensor, Tensor | null] {
  const plan = convGeometry(op, dims, input, weight, bias, options);
  checkGrad(op, grad, input.ndim === dims + 2 ? plan.outputShape : plan.outputShape.slice(1));
  const r = convGradients(plan, grad.data, convInput(plan, input.data), weight.data, {
    input: true,
    bias: !!bias,
  });
  return [
    new Tensor(r.input!, input.shape),
    new Tensor(r.weight, weight.shape),
    r.bias === null ? null : new Tensor(r.bias, [plan.geometry.outChannels]),
  ];
}

/**
 * 1-D convolution (a cross-correlation, as `torch.nn.functional.conv1d`, with `padding_mode` as in
 * `nn.Conv1d`). `input` is `(N, Cin, L)` or `(Cin, L)`, `weight` `(Cout, Cin/groups, k)`, `bias` `(Cout)`;
 * the output is `(N, Cout, Lout)` (or `(Cout, Lout)`) with
 * `Lout = floor((L + 2·padding − dilation·(k − 1) − 1) / stride) + 1`.
 *
 * @example
 * F.conv1d(randn([4, 3, 20]), randn([8, 3, 5]), null, { padding: 'same' }).shape  // [4, 8, 20]
 */
export function conv1d(input: Tensor, weight: Tensor, bias?: Tensor | null, options?: ConvOptions): Tensor {
  return convolve('conv1d', 1, input, weight, bias, options);
}
/** conv1d is conv2d with one spatial dim: the same rules, see {@link conv2dBackward}. */
export function conv1dBackward(
  grad: Tensor,
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options?: ConvOptions,
): [Tensor, Tensor, Tensor | null] {
  return convolveBackward('conv1d', 1, grad, input, weight, bias, options);
}

/**
 * 2-D convolution (a cross-correlation, as `torch.nn.functional.conv2d`, with `padding_mode` as in
 * `nn.Conv2d`). `input` is `(N, Cin, H, W)` or `(Cin, H, W)`, `weight` `(Cout, Cin/groups, kH, kW)`, `bias`
 * `(Cout)`; the output is `(N, Cout, Hout, Wout)` (or without `N`) with, per spatial dim,
 * `out = floor((L + 2·padding − dilation·(k − 1) − 1) / stride) + 1`. Computed as the windows of the
 * padded input (`sig2col`) times the kernel reshaped to `(Cout, Cin/groups·kH·kW)`.
 *
 * @example
 * F.conv2d(randn([15, 3, 13, 13]), randn([8, 3, 5, 3])).shape                      // [15, 8, 9, 11]
 * F.conv2d(x, w, b, { stride: 2, padding: [1, 2], paddingMode: 'reflect' })
 * F.conv2d(x, randn([3, 1, 3, 3]), null, { groups: 3, padding: 'same' })         // depthwise, x with 3 channels
 */
export function conv2d(input: Tensor, weight: Tensor, bias?: Tensor | null, options?: ConvOptions): Tensor {
  return convolve('conv2d', 2, input, weight, bias, options);
}
/**
 * `relu(conv2d(input, weight, bias, options))` in one backend call: the same values and gradients, but the
 * convolution's output is rectified as it is stored, and the ReLU's mask is applied inside the
 * convolution's backward pass, so the activations are not written, read and copied a second time.
 * `nn.Sequential` uses it for a `Conv2d` followed by a `ReLU`.
 *
 * @example
 * F.conv2dRelu(randn([8, 1, 28, 28]), randn([32, 1, 3, 3]), randn([32]), { padding: 1 })  // ≥ 0
 */
export function conv2dRelu(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options?: ConvOptions,
): Tensor {
  return convolve('conv2d', 2, input, weight, bias, options, true);
}

/**
 * `maxPool2d(relu(conv2d(input, weight, bias, options)), kernelSize, poolOptions)` in one backend call: the
 * same values and gradients, without the convolution's output (nor, going back, its gradient) ever being
 * copied out of the backend. `nn.Sequential` uses it for a `Conv2d`, a `ReLU` and a `MaxPool2d` in a row.
 *
 * @example
 * F.conv2dReluMaxPool2d(randn([8, 1, 28, 28]), randn([32, 1, 3, 3]), null, { padding: 1 }, 2).shape
 * // [8, 32, 14, 14]
 */
export function conv2dReluMaxPool2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: ConvOptions | undefined,
  kernelSize: number | readonly number[],
  poolOptions?: MaxPoolOptions,
): Tensor {
  const plan = convGeometry('conv2d', 2, input, weight, bias, options);
  const convShape = input.ndim === 4 ? plan.outputShape : plan.outputShape.slice(1);
  const pool = poolPlan(
    'maxPool2d',
    convShape,
    poolArgs('maxPool2d', 2, kernelSize, poolOptions, poolOptions?.dilation),
  );
  const x = convInput(plan, input.data);
  const { values, indices } = backend().conv2dReluMaxPool2d(
    x,
    weight.data,
    bias ? bias.data : null,
    plan.geometry,
    pool.geometry,
  );
  const out = new Tensor(values, pool.outShape);
  return record(out, 'conv2dReluMaxPool2d', bias ? [input, weight, bias] : [input, weight], (grad) => {
    const needs = { input: input.requiresGrad, weight: true, bias: !!bias };
    const r = backend().conv2dReluMaxPool2dBackward(
      grad.data,
      values,
      indices,
      x,
      weight.data,
      plan.geometry,
      pool.geometry,
      needs,
    );
    const dInput = r.input && plan.prePad ? backend().padBackward(r.input, plan.prePad) : r.input;
    return [
      dInput === null ? null : new Tensor(dInput, input.shape),
      new Tensor(r.weight!, weight.shape),
      r.bias === null ? null : new Tensor(r.bias, [plan.geometry.outChannels]),
    ];
  });
}

/**
 * The gradients `[dInput, dWeight, dBias]` of `conv2d` (same arguments, plus the upstream gradient of the
 * output). Per group, with X the windows of the padded input as rows and Y = X Wᵀ: dW = dYᵀ X, the input
 * gradient is `col2sig(dY W)` with the padding's adjoint applied, and dBias sums dY over N and space.
 */
export function conv2dBackward(
  grad: Tensor,
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options?: ConvOptions,
): [Tensor, Tensor, Tensor | null] {
  return convolveBackward('conv2d', 2, grad, input, weight, bias, options);
}

/** Validates a transposed convolution's arguments and works out its geometry. */
function convTransposeGeometry(
  op: string,
  dims: number,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: ConvTransposeOptions | undefined,
): ConvPlan {
  checkOperands(op, dims, input, weight, bias, `(Cin, Cout/groups, ${KERNEL[dims]})`);
  const shape = input.ndim === dims + 2 ? input.shape : [1, ...input.shape];
  const [batch, inChannels] = shape as [number, number];
  const groups = options?.groups ?? 1;
  if (weight.shape[0] !== inChannels) {
    throw new ShapeError(
      op,
      'input',
      `weight ${formatShape(weight.shape)} expects ${weight.shape[0]} input channels, got input shape ${formatShape(input.shape)}`,
    );
  }
  const outChannels = weight.shape[1]! * groups;
  checkGroups(op, groups, inChannels, outChannels, weight);
  checkBias(op, bias, outChannels);
  const kernel = weight.shape.slice(2);
  const stride = normalizeTuple(options?.stride ?? 1, dims, op, 'stride');
  const dilation = normalizeTuple(options?.dilation ?? 1, dims, op, 'dilation');
  const padding = normalizeTuple(options?.padding ?? 0, dims, op, 'padding', 0);
  const outputPadding = normalizeTuple(options?.outputPadding ?? 0, dims, op, 'outputPadding', 0);
  outputPadding.forEach((o, i) => {
    if (o >= stride[i]! && o >= dilation[i]!) {
      throw new ArgumentError(
        op,
        'outputPadding',
        `output padding must be smaller than either stride or dilation, got outputPadding ${JSON.stringify(outputPadding)}, stride ${JSON.stringify(stride)}, dilation ${JSON.stringify(dilation)}`,
      );
    }
  });
  const spatial = shape.slice(2);
  const out = spatial.map((l, i) =>
    convTransposeOutputSize(l, kernel[i]!, stride[i]!, padding[i]!, outputPadding[i]!, dilation[i]!),
  );
  if (spatial.some((l) => l < 1) || out.some((o) => o < 1)) {
    throw new ShapeError(
      op,
      'input',
      `input shape ${formatShape(input.shape)} with kernel ${formatShape(kernel)} and padding ${JSON.stringify(padding)} gives the non-positive output size ${formatShape(out)}`,
    );
  }
  // The convolution this is the adjoint of: its input is this output, its output this input.
  const geometry: Conv2dGeometry = {
    batch,
    inChannels: outChannels,
    outChannels: inChannels,
    groups,
    inputSize: plane(out),
    kernelSize: plane(kernel),
    stride: plane(stride),
    padding: planePadding(padding),
    dilation: plane(dilation),
    outputSize: plane(spatial),
  };
  return { geometry, prePad: null, outputShape: [batch, outChannels, ...out] };
}

/**
 * Runs a transposed convolution — the input gradient of the convolution it is the adjoint of, the input
 * taking the place of that convolution's upstream gradient — and records its backward rule.
 */
function convolveTranspose(
  op: string,
  dims: number,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: ConvTransposeOptions | undefined,
  backward: (grad: Tensor) => (Tensor | null)[],
): Tensor {
  const plan = convTransposeGeometry(op, dims, input, weight, bias, options);
  const y = backend().conv2dBackward(input.data, null, weight.data, plan.geometry, {
    input: true,
    weight: false,
    bias: false,
  }).input!;
  const [n, channels] = plan.outputShape as [number, number];
  const positions = sizeOf(plan.outputShape.slice(2));
  const data = bias ? addBias(y, bias.data, n, channels, positions) : y;
  const out = new Tensor(data, input.ndim === dims + 2 ? plan.outputShape : plan.outputShape.slice(1));
  return record(out, op, bias ? [input, weight, bias] : [input, weight], backward);
}

/**
 * The gradients of a transposed convolution `y = Cᵀ(x)`, `C` the convolution it is the adjoint of: the
 * input gradient is `C(dy)`, that convolution's forward pass, and the weight gradient is `C`'s weight
 * gradient with `x` as its upstream gradient and `dy` as its input.
 */
function convolveTransposeBackward(
  op: string,
  dims: number,
  grad: Tensor,
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null | undefined,
  options: ConvTransposeOptions | undefined,
): [Tensor, Tensor, Tensor | null] {
  const plan = convTransposeGeometry(op, dims, input, weight, bias, options);
  checkGrad(op, grad, input.ndim === dims + 2 ? plan.outputShape : plan.outputShape.slice(1));
  const dx = backend().conv2d(grad.data, weight.data, null, plan.geometry);
  const dw = backend().conv2dBackward(input.data, grad.data, weight.data, plan.geometry, {
    input: false,
    weight: true,
    bias: false,
  }).weight!;
  const [n, channels] = plan.outputShape as [number, number];
  return [
    new Tensor(dx, input.shape),
    new Tensor(dw, weight.shape),
    bias ? biasGrad(grad.data, n, channels, sizeOf(plan.outputShape.slice(2))) : null,
  ];
}

/**
 * 1-D transposed convolution, as `torch.nn.functional.conv_transpose1d`: the adjoint (input gradient) of
 * `conv1d` with the same options. `input` is `(N, Cin, L)` or `(Cin, L)`, `weight` `(Cin, Cout/groups, k)`,
 * `bias` `(Cout)`; `Lout = (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1`.
 *
 * @example
 * F.convTranspose1d(randn([2, 4, 10]), randn([4, 3, 4]), null, { stride: 2, padding: 1 }).shape  // [2, 3, 20]
 */
export function convTranspose1d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options?: ConvTransposeOptions,
): Tensor {
  return convolveTranspose('convTranspose1d', 1, input, weight, bias, options, (g) =>
    convTranspose1dBackward(g, input, weight, bias, options),
  );
}
/** convTranspose1d is convTranspose2d with one spatial dim: the same rules, see {@link convTranspose2dBackward}. */
export function convTranspose1dBackward(
  grad: Tensor,
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options?: ConvTransposeOptions,
): [Tensor, Tensor, Tensor | null] {
  return convolveTransposeBackward('convTranspose1d', 1, grad, input, weight, bias, options);
}

/**
 * 2-D transposed convolution ("deconvolution"), as `torch.nn.functional.conv_transpose2d`: the adjoint of
 * `conv2d` with the same options, computed through `col2sig`. `input` is `(N, Cin, H, W)` or `(Cin, H, W)`,
 * `weight` `(Cin, Cout/groups, kH, kW)`, `bias` `(Cout)`; per spatial dim
 * `out = (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1`.
 *
 * @example
 * F.convTranspose2d(randn([1, 8, 7, 7]), randn([8, 4, 3, 3]), null, { stride: 2, padding: 1, outputPadding: 1 })
 *   .shape  // [1, 4, 14, 14]
 */
export function convTranspose2d(
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options?: ConvTransposeOptions,
): Tensor {
  return convolveTranspose('convTranspose2d', 2, input, weight, bias, options, (g) =>
    convTranspose2dBackward(g, input, weight, bias, options),
  );
}
/**
 * The gradients `[dInput, dWeight, dBias]` of `convTranspose2d`. Its forward pass is a convolution's
 * input-gradient path, so its backward pass is that convolution's forward: the windows of dY (`sig2col`,
 * after the crop's adjoint) times Wᵀ give dInput, the input times those windows give dWeight.
 */
export function convTranspose2dBackward(
  grad: Tensor,
  input: Tensor,
  weight: Tensor,
  bias?: Tensor | null,
  options?: ConvTransposeOptions,
): [Tensor, Tensor, Tensor | null] {
  return convolveTransposeBackward('convTranspose2d', 2, grad, input, weight, bias, options);
}

/** Checks the arguments of `correlate1d`/`convolve1d` and returns the mode. */
function checkSignals(
  op: string,
  input: Tensor,
  kernel: Tensor,
  options: CorrelateOptions | undefined,
  defaultMode: 'valid' | 'full',
): 'valid' | 'same' | 'full' {
  checkTensor(input, op, 'input');
  checkTensor(kernel, op, 'kernel');
  const mode = options?.mode ?? defaultMode;
  if (!CORRELATE_MODES.includes(mode))
    throw new ArgumentError(op, 'mode', `expected 'valid', 'same' or 'full', got ${JSON.stringify(mode)}`);
  if (!isFloating(input.dtype))
    throw new DTypeError(op, 'input', `expected a floating tensor, got ${input.dtype}`);
  if (kernel.dtype !== input.dtype)
    throw new DTypeError(op, 'kernel', `expected dtype ${input.dtype} like input, got ${kernel.dtype}`);
  for (const [t, name] of [
    [input, 'input'],
    [kernel, 'kernel'],
  ] as const) {
    if (t.ndim !== 1 || t.size === 0)
      throw new ShapeError(op, name, `expected a non-empty 1-D tensor, got shape ${formatShape(t.shape)}`);
  }
  return mode;
}

/**
 * How numpy computes `correlate(input, kernel, mode)`: if the kernel is the longer one the two swap and the
 * result is reversed; the longer signal `a` is zero-padded by `n − 1` on both sides (`'full'`), by
 * `floor(n / 2)` before and `n − 1 − floor(n / 2)` after (`'same'`) or not at all (`'valid'`), `n` being the
 * shorter length, and the shorter slides over it.
 */
function correlatePlan(
  input: Tensor,
  kernel: Tensor,
  options: CorrelateOptions | undefined,
): { swapped: boolean; signal: Tensor; taps: Tensor; geometry: ConvPlan } {
  const mode = checkSignals('correlate1d', input, kernel, options, 'valid');
  const swapped = kernel.size > input.size;
  const [signal, taps] = swapped ? [kernel, input] : [input, kernel];
  const n = taps.size;
  const before = mode === 'full' ? n - 1 : mode === 'same' ? Math.floor(n / 2) : 0;
  const after = mode === 'full' ? n - 1 : mode === 'same' ? n - 1 - before : 0;
  const geometry = convLayout([1, 1, signal.size], [1, 1, n], 1, [1], [1], [before], [after], 'constant');
  return { swapped, signal, taps, geometry };
}

/**
 * Cross-correlation of two 1-D signals, as `numpy.correlate`: `out[k] = Σₙ input[n + k] · kernel[n]` over
 * the overlaps `mode` selects (default `'valid'`), including numpy's swap-and-reverse when the kernel is
 * longer than the input.
 *
 * @example
 * F.correlate1d(tensor([1, 2, 3]), tensor([0, 1, 0.5]), { mode: 'same' })  // [2, 3.5, 3]
 */
export function correlate1d(input: Tensor, kernel: Tensor, options?: CorrelateOptions): Tensor {
  const { swapped, signal, taps, geometry } = correlatePlan(input, kernel, options);
  const y = backend().conv2d(signal.data, taps.data, null, geometry.geometry);
  const out = new Tensor(swapped ? reversed(y) : y, [y.length]);
  return record(out, 'correlate1d', [input, kernel], (g) => correlate1dBackward(g, input, kernel, options));
}
/**
 * correlate1d is a one-channel conv1d, so its gradients are conv1d's (see {@link conv2dBackward}); when
 * numpy swapped the arguments and reversed the result, the upstream gradient is reversed first (reversal is
 * its own adjoint) and the two gradients swap back.
 */
export function correlate1dBackward(
  grad: Tensor,
  input: Tensor,
  kernel: Tensor,
  options?: CorrelateOptions,
): [Tensor, Tensor] {
  const { swapped, signal, taps, geometry } = correlatePlan(input, kernel, options);
  checkGrad('correlate1d', grad, [geometry.outputShape[2]!]);
  const r = convGradients(geometry, swapped ? reversed(grad.data) : grad.data, signal.data, taps.data, {
    input: true,
    bias: false,
  });
  const gradients: [Tensor, Tensor] = [new Tensor(r.input!, signal.shape), new Tensor(r.weight, taps.shape)];
  return swapped ? [gradients[1], gradients[0]] : gradients;
}

/** A 1-D tensor reversed. */
function flip1d(input: Tensor): Tensor {
  const out = new Tensor(reversed(input.data), input.shape);
  return record(out, 'flip', [input], (g) => [flip1dBackward(g)]);
}
/** Reversal is a symmetric permutation, its own adjoint: the gradient is reversed back. */
function flip1dBackward(grad: Tensor): Tensor {
  return new Tensor(reversed(grad.data), grad.shape);
}

/**
 * Discrete linear convolution of two 1-D signals, as `numpy.convolve`: `out[k] = Σₙ input[n] · kernel[k − n]`
 * (the kernel flipped), `mode` `'full'` (default), `'same'` or `'valid'`. Like numpy it swaps the arguments
 * when the kernel is the longer one, so it is commutative in every mode: it is `correlate1d(longer,
 * reversed(shorter))`.
 *
 * @example
 * F.convolve1d(tensor([1, 2, 3]), tensor([0, 1, 0.5]))  // [0, 1, 2.5, 4, 1.5]
 */
export function convolve1d(input: Tensor, kernel: Tensor, options?: CorrelateOptions): Tensor {
  const mode = checkSignals('convolve1d', input, kernel, options, 'full');
  const [signal, taps] = kernel.size > input.size ? [kernel, input] : [input, kernel];
  return correlate1d(signal, flip1d(taps), { mode });
}
