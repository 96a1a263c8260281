/**
 * What a model would cost, from its architecture alone: each layer's output shape, its parameters and
 * buffers, the values it produces or needs as workspace, and its multiply-adds, computed with arithmetic
 * only — nothing is allocated. The builder and the checkpoint reader compare these with the limits (and
 * with the tensors a checkpoint holds) before building, so an architecture that asks for a `Linear` of a
 * million outputs or an input of a million pixels a side is refused in microseconds instead of allocating
 * gigabytes.
 */
import type { ReadLimits } from '../serialization/limits.js';
import { exceeds } from '../serialization/limits.js';
import type { Architecture, LayerSpec } from './architecture.js';

/** The cost of a model for one sample, as {@link estimateModel} finds it. */
export interface ModelEstimate {
  /** Parameters and buffers, summed over the layers estimated. */
  readonly parameters: number;
  /** The most values one layer produces or needs as workspace. */
  readonly activationElements: number;
  /** Multiply-adds over the layers estimated. */
  readonly multiplyAdds: number;
  /**
   * False when a layer does not fit the shape that reaches it (the builder then reports why); the sums
   * cover the layers before it.
   */
  readonly complete: boolean;
}

/** A pair `[h, w]` from a size field that holds one number for both or a pair. */
function pair(value: unknown, fallback: number): [number, number] {
  if (value === undefined || value === null) return [fallback, fallback];
  if (Array.isArray(value)) return [value[0] as number, value[1] as number];
  return [value as number, value as number];
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** One layer's cost, or `null` when it does not fit `input`. */
interface LayerCost {
  readonly output: number[];
  readonly parameters: number;
  readonly workspace: number;
  readonly multiplyAdds: number;
}

function windowOutput(
  length: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
  ceil: boolean,
): number {
  const span = length + 2 * padding - dilation * (kernel - 1) - 1;
  let out = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (out - 1) * stride >= length + padding) out--;
  return out;
}

function conv(spec: LayerSpec, input: readonly number[]): LayerCost | null {
  if (input.length !== 4) return null;
  const [n, cin, h, w] = input as [number, number, number, number];
  const cout = spec.outChannels as number;
  const groups = (spec.groups as number | undefined) ?? 1;
  if (cin % groups !== 0 || cout % groups !== 0) return null;
  const kernel = pair(spec.kernelSize, 1);
  const stride = pair(spec.stride, 1);
  const dilation = pair(spec.dilation, 1);
  const padding = spec.padding;
  let out: [number, number];
  if (padding === 'same') {
    out = [h, w];
  } else {
    const pad = padding === 'valid' ? [0, 0] : pair(padding, 0);
    out = [
      windowOutput(h, kernel[0], stride[0], pad[0]!, dilation[0], false),
      windowOutput(w, kernel[1], stride[1], pad[1]!, dilation[1], false),
    ];
  }
  if (out[0] <= 0 || out[1] <= 0) return null;
  const perOutput = (cin / groups) * kernel[0] * kernel[1];
  const outputs = n * cout * out[0] * out[1];
  return {
    output: [n, cout, out[0], out[1]],
    parameters: cout * perOutput + (spec.bias === false ? 0 : cout),
    workspace: n * cin * kernel[0] * kernel[1] * out[0] * out[1],
    multiplyAdds: outputs * perOutput,
  };
}

function pool(spec: LayerSpec, input: readonly number[], dilated: boolean): LayerCost | null {
  if (input.length !== 3 && input.length !== 4) return null;
  const kernel = pair(spec.kernelSize, 1);
  const stride = spec.stride === undefined || spec.stride === null ? kernel : pair(spec.stride, 1);
  const padding = pair(spec.padding, 0);
  const dilation = dilated ? pair(spec.dilation, 1) : [1, 1];
  const ceil = spec.ceilMode === true;
  const [h, w] = input.slice(-2) as [number, number];
  const out = [0, 1].map((i) =>
    windowOutput([h, w][i]!, kernel[i]!, stride[i]!, padding[i]!, dilation[i]!, ceil),
  );
  if (out[0]! <= 0 || out[1]! <= 0) return null;
  const output = [...input.slice(0, -2), ...out];
  return { output, parameters: 0, workspace: 0, multiplyAdds: product(output) * kernel[0] * kernel[1] };
}

function adaptivePool(spec: LayerSpec, input: readonly number[]): LayerCost | null {
  if (input.length !== 3 && input.length !== 4) return null;
  const size = spec.outputSize;
  const target = Array.isArray(size) ? size : [size, size];
  const [h, w] = input.slice(-2) as [number, number];
  const out = [target[0] ?? h, target[1] ?? w] as [number, number];
  const output = [...input.slice(0, -2), ...out];
  return {
    output,
    parameters: 0,
    workspace: out[0] * h + out[1] * w,
    multiplyAdds: product(input.slice(0, -2)) * (out[0] * h * w + out[0] * out[1] * w),
  };
}

function normalization(
  spec: LayerSpec,
  input: readonly number[],
  ranks: readonly number[],
): LayerCost | null {
  if (!ranks.includes(input.length)) return null;
  const channels = input[1]!;
  const affine = spec.affine !== false ? 2 * channels : 0;
  const running = spec.type !== 'GroupNorm' && spec.trackRunningStats !== false ? 2 * channels + 1 : 0;
  return { output: [...input], parameters: affine + running, workspace: 0, multiplyAdds: product(input) };
}

function flatten(spec: LayerSpec, input: readonly number[]): LayerCost | null {
  const rank = input.length;
  const norm = (d: number): number => (d < 0 ? d + rank : d);
  const start = norm((spec.startDim as number | undefined) ?? 1);
  const end = norm((spec.endDim as number | undefined) ?? -1);
  if (start < 0 || end >= rank || start > end) return null;
  const output = [...input.slice(0, start), product(input.slice(start, end + 1)), ...input.slice(end + 1)];
  return { output, parameters: 0, workspace: 0, multiplyAdds: 0 };
}

function linear(spec: LayerSpec, input: readonly number[]): LayerCost | null {
  if (input.length < 1) return null;
  const inFeatures = input[input.length - 1]!;
  const outFeatures = spec.outFeatures as number;
  const output = [...input.slice(0, -1), outFeatures];
  return {
    output,
    parameters: outFeatures * inFeatures + (spec.bias === false ? 0 : outFeatures),
    workspace: 0,
    multiplyAdds: product(output) * inFeatures,
  };
}

/**
 * The parameters and buffers a layer's constructor allocates from its fields and the sizes it infers from
 * `input`, whether or not the layer then fits its input.
 */
function constructedParameters(spec: LayerSpec, input: readonly number[]): number {
  const channels = input[1] ?? 0;
  switch (spec.type) {
    case 'Conv2d': {
      const [kh, kw] = pair(spec.kernelSize, 1);
      const cout = spec.outChannels as number;
      const groups = (spec.groups as number | undefined) ?? 1;
      return cout * Math.ceil(channels / groups) * kh * kw + (spec.bias === false ? 0 : cout);
    }
    case 'Linear': {
      const out = spec.outFeatures as number;
      return out * (input[input.length - 1] ?? 0) + (spec.bias === false ? 0 : out);
    }
    case 'BatchNorm1d':
    case 'BatchNorm2d':
    case 'GroupNorm':
      return 4 * channels + 1;
    default:
      return 0;
  }
}

/** The cost of one layer of a parsed architecture on input shape `input` (batch dim included). */
function layerCost(spec: LayerSpec, input: readonly number[]): LayerCost | null {
  switch (spec.type) {
    case 'Conv2d':
      return conv(spec, input);
    case 'Linear':
      return linear(spec, input);
    case 'MaxPool2d':
      return pool(spec, input, true);
    case 'AvgPool2d':
      return pool(spec, input, false);
    case 'AdaptiveAvgPool2d':
      return adaptivePool(spec, input);
    case 'BatchNorm1d':
      return normalization(spec, input, [2, 3]);
    case 'BatchNorm2d':
      return normalization(spec, input, [4]);
    case 'GroupNorm':
      return input.length >= 2 && input[1]! % (spec.numGroups as number) === 0
        ? normalization(spec, input, [input.length])
        : null;
    case 'Flatten':
      return flatten(spec, input);
    default:
      return { output: [...input], parameters: 0, workspace: 0, multiplyAdds: product(input) };
  }
}

/**
 * The cost of `architecture` (already checked by `parseArchitecture`) for one sample of `inputShape`,
 * layer by layer, stopping at the first layer that does not fit. Nothing is allocated.
 *
 * @example
 * estimateModel(parseArchitecture(namedArchitecture('lenet5', 10)), [1, 28, 28]).parameters   // 61706
 */
export function estimateModel(architecture: Architecture, inputShape: readonly number[]): ModelEstimate {
  let shape = [1, ...inputShape];
  let parameters = 0;
  let activationElements = product(shape);
  let multiplyAdds = 0;
  for (const spec of architecture.layers) {
    const cost = layerCost(spec, shape);
    if (cost === null) {
      // The builder constructs the layer (allocating its parameters) before finding it does not fit.
      parameters += constructedParameters(spec, shape);
      return { parameters, activationElements, multiplyAdds, complete: false };
    }
    parameters += cost.parameters;
    multiplyAdds += cost.multiplyAdds;
    activationElements = Math.max(activationElements, product(cost.output), cost.workspace);
    shape = cost.output;
  }
  return { parameters, activationElements, multiplyAdds, complete: true };
}

/** A limit an estimate passes: which, and what the model claims. */
export interface ModelLimitExceeded {
  /** The limit passed. */
  readonly limit: 'maxParameters' | 'maxActivationElements' | 'maxMultiplyAdds';
  /** The refusal's words, naming the limit and how to raise it. */
  readonly detail: string;
}

/** The first of `maxParameters`, `maxActivationElements`, `maxMultiplyAdds` that `estimate` passes, if any. */
export function modelLimitExceeded(
  estimate: ModelEstimate,
  inputShape: readonly number[],
  limits: ReadLimits,
): ModelLimitExceeded | undefined {
  const input = `input ${inputShape.join('×')}`;
  const claims = [
    ['maxParameters', estimate.parameters, `the model has ${estimate.parameters} parameters`],
    [
      'maxActivationElements',
      estimate.activationElements,
      `a layer produces ${estimate.activationElements} values for one sample of ${input}`,
    ],
    [
      'maxMultiplyAdds',
      estimate.multiplyAdds,
      `the model needs ${estimate.multiplyAdds} multiply-adds for one sample of ${input}`,
    ],
  ] as const;
  for (const [limit, value, claim] of claims) {
    if (value > limits[limit]) return { limit, detail: exceeds(claim, limit, limits) };
  }
  return undefined;
}
