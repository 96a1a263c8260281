/**
 * Normalisation layers, functional: `batchNorm`, `layerNorm` and `groupNorm`. Each standardises its input
 * over some axes, `x̂ = (x − μ) / √(σ² + eps)` with the biased variance σ², then applies an optional affine
 * map `γ x̂ + β`. The three differ only in the axes they average over, so they share the forward
 * standardisation and its closed-form backward rule.
 */
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { formatShape, isList, shapesEqual, sizeOf } from '../shape.js';
import { record } from '../autograd/graph.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Tensor, checkTensor } from '../tensor.js';
import { add, div, mul, sqrt, sub } from './elementwise.js';
import { mean, sum } from './reduction.js';

/** The affine map applied after standardising: `γ x̂ + β`, either part optional. */
export interface AffineOptions {
  /** `γ`, the scale (PyTorch's `weight`); none when null or left out. */
  weight?: Tensor | null;
  /** `β`, the shift (PyTorch's `bias`); none when null or left out. */
  bias?: Tensor | null;
}

/** Options of `batchNorm`. */
export interface BatchNormOptions extends AffineOptions {
  /** Normalise with the batch statistics and update the running buffers (default false). */
  training?: boolean;
  /** Weight of the new batch statistic in the running average (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** Options of `layerNorm` and `groupNorm`. */
export interface NormOptions extends AffineOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/**
 * What a normalisation forward keeps for its backward rule: the standardised values `x̂` (the input's
 * shape), `1/√(σ² + eps)` (with size-1 axes where the statistics were taken) and the averaged axes.
 */
export interface Standardized {
  /** The standardised values `x̂ = (x − mean) / √(σ² + eps)`, in the input's shape. */
  readonly xhat: Tensor;
  /** `1 / √(σ² + eps)`, with size-1 axes where the statistics were taken. */
  readonly invStd: Tensor;
  /** The axes the statistics were averaged over. */
  readonly axes: readonly number[];
}

function checkFloatInput(input: Tensor, op: string): void {
  checkTensor(input, op, 'input');
  if (!isFloating(input.dtype))
    throw new DTypeError(op, 'input', `expected a floating tensor, got ${input.dtype}`);
}

function checkEps(eps: unknown, op: string): number {
  if (typeof eps !== 'number' || !Number.isFinite(eps) || eps < 0) {
    throw new ArgumentError(op, 'eps', `expected a finite number ≥ 0, got ${String(eps)}`);
  }
  return eps;
}

/** Checks an optional per-channel (or per-feature) tensor: `shape` exactly and the input's dtype. */
function checkParameter(
  value: Tensor | null | undefined,
  shape: Shape,
  input: Tensor,
  op: string,
  argument: string,
  what: string,
): Tensor | null {
  if (value === undefined || value === null) return null;
  checkTensor(value, op, argument);
  if (!shapesEqual(value.shape, shape)) {
    throw new ShapeError(
      op,
      argument,
      `expected shape ${formatShape(shape)} (${what} of input ${formatShape(input.shape)}), got ${formatShape(value.shape)}`,
    );
  }
  if (value.dtype !== input.dtype)
    throw new DTypeError(op, argument, `expected dtype ${input.dtype} like input, got ${value.dtype}`);
  return value;
}

/** `x̂` and `1/√(σ² + eps)` from the mean and biased variance over `axes` (not recorded). */
function standardize(
  x: Tensor,
  axes: readonly number[],
  eps: number,
): Standardized & { mean: Tensor; variance: Tensor } {
  return noGrad(() => {
    const mu = mean(x, { dim: axes, keepDim: true });
    const centered = sub(x, mu);
    const variance = mean(mul(centered, centered), { dim: axes, keepDim: true });
    const invStd = div(1, sqrt(add(variance, eps)));
    return { xhat: mul(centered, invStd), invStd, axes, mean: mu, variance };
  });
}

/**
 * The closed-form gradient of standardisation with the statistics of the input itself. With
 * `x̂ = (x − μ) σ⁻¹`, `∂μ/∂xⱼ = 1/n` and `∂σ/∂xⱼ = x̂ⱼ/n`, the chain rule collapses to
 * `dx = σ⁻¹ (dx̂ − mean(dx̂) − x̂ · mean(dx̂ x̂))`, the means taken over the standardised axes.
 */
export function standardizeBackward(gradXhat: Tensor, saved: Standardized): Tensor {
  const { xhat, invStd, axes } = saved;
  const meanGrad = mean(gradXhat, { dim: axes, keepDim: true });
  const meanGradXhat = mean(mul(gradXhat, xhat), { dim: axes, keepDim: true });
  return mul(sub(sub(gradXhat, meanGrad), mul(xhat, meanGradXhat)), invStd);
}

/** `γ x̂ + β` with γ and β reshaped to `paramShape` for broadcasting (not recorded). */
function affine(xhat: Tensor, weight: Tensor | null, bias: Tensor | null, paramShape: Shape): Tensor {
  return noGrad(() => {
    const scaled = weight ? mul(xhat, weight.reshape(paramShape)) : xhat;
    return bias ? add(scaled, bias.reshape(paramShape)) : scaled;
  });
}

/** The inputs an affine normalisation records: the input, then γ and β if given. */
function recordedInputs(input: Tensor, weight: Tensor | null, bias: Tensor | null): Tensor[] {
  return [input, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
}

/**
 * For y = γ x̂ + β: dx̂ = γ dy; dγ = Σ dy x̂ and dβ = Σ dy over `paramAxes`, the axes γ is broadcast
 * along. Returns dx̂ and the parameter gradients in the order `recordedInputs` lists them.
 */
function affineBackward(
  grad: Tensor,
  xhat: Tensor,
  weight: Tensor | null,
  bias: Tensor | null,
  paramAxes: readonly number[],
  paramShape: Shape,
): { gradXhat: Tensor; paramGrads: Tensor[] } {
  const paramGrads: Tensor[] = [];
  if (weight) paramGrads.push(sum(mul(grad, xhat), { dim: paramAxes }).reshape(weight.shape));
  if (bias) paramGrads.push(sum(grad, { dim: paramAxes }).reshape(bias.shape));
  return { gradXhat: weight ? mul(grad, weight.reshape(paramShape)) : grad, paramGrads };
}

/** In place: `buffer = (1 − momentum) buffer + momentum · batchValue` (batchValue reshaped to the buffer). */
function updateRunning(buffer: Tensor, batchValue: Tensor, momentum: number): void {
  buffer.copy_(add(mul(buffer, 1 - momentum), mul(batchValue.reshape(buffer.shape), momentum)));
}

/**
 * Batch normalisation over every axis but the channel axis 1 of `input` `(N, C, *)`, as
 * `torch.nn.functional.batch_norm`:
 *
 * - `training: true` normalises with the batch mean and biased variance, and, when `runningMean` and
 *   `runningVar` (shape `(C)`) are given, updates them in place:
 *   `running = (1 − momentum) running + momentum · batch`, the variance unbiased (`· n / (n − 1)`).
 *   Either buffer may be null. Each channel needs more than one value.
 * - `training: false` (the default) normalises with the running buffers, which must be given.
 *
 * `weight` and `bias` have shape `(C)`. The running buffers never receive gradients (PyTorch treats them
 * as constants too).
 *
 * @example
 * const runningMean = zeros([16]);
 * const runningVar = ones([16]);
 * F.batchNorm(x, runningMean, runningVar, { weight: gamma, bias: beta, training: true }); // x (8, 16, 5, 5)
 */
export function batchNorm(
  input: Tensor,
  runningMean: Tensor | null,
  runningVar: Tensor | null,
  options?: BatchNormOptions,
): Tensor {
  const op = 'batchNorm';
  checkFloatInput(input, op);
  const training = options?.training ?? false;
  const momentum = options?.momentum ?? 0.1;
  const eps = checkEps(options?.eps ?? 1e-5, op);
  if (typeof training !== 'boolean')
    throw new ArgumentError(op, 'training', `expected a boolean, got ${String(training)}`);
  if (typeof momentum !== 'number' || !Number.isFinite(momentum))
    throw new ArgumentError(op, 'momentum', `expected a finite number, got ${String(momentum)}`);
  if (input.ndim < 2) {
    throw new ShapeError(
      op,
      'input',
      `expected a tensor (N, C, *) with at least 2 dims, got shape ${formatShape(input.shape)}`,
    );
  }
  const channels = input.shape[1]!;
  const channelShape = [channels];
  const meanBuffer = checkParameter(runningMean, channelShape, input, op, 'runningMean', 'channels');
  const varBuffer = checkParameter(runningVar, channelShape, input, op, 'runningVar', 'channels');
  const weight = checkParameter(options?.weight, channelShape, input, op, 'weight', 'channels');
  const bias = checkParameter(options?.bias, channelShape, input, op, 'bias', 'channels');
  const axes = input.shape.map((_, i) => i).filter((i) => i !== 1);
  const paramShape = input.shape.map((d, i) => (i === 1 ? d : 1));
  let saved: Standardized;
  if (training) {
    const count = channels === 0 ? 0 : input.size / channels;
    if (count <= 1) {
      throw new ShapeError(
        op,
        'input',
        `expected more than 1 value per channel when training, got input of shape ${formatShape(input.shape)}`,
      );
    }
    const stats = standardize(input, axes, eps);
    noGrad(() => {
      if (meanBuffer) updateRunning(meanBuffer, stats.mean, momentum);
      if (varBuffer) updateRunning(varBuffer, mul(stats.variance, count / (count - 1)), momentum);
    });
    saved = stats;
  } else {
    if (meanBuffer === null || varBuffer === null) {
      throw new ArgumentError(
        op,
        meanBuffer === null ? 'runningMean' : 'runningVar',
        'running statistics must be given in evaluation mode (training: false)',
      );
    }
    saved = noGrad(() => {
      const invStd = div(1, sqrt(add(varBuffer.reshape(paramShape), eps)));
      return { xhat: mul(sub(input, meanBuffer.reshape(paramShape)), invStd), invStd, axes };
    });
  }
  const out = affine(saved.xhat, weight, bias, paramShape);
  return record(out, op, recordedInputs(input, weight, bias), (g) =>
    batchNormBackward(g, saved, weight, bias, training),
  );
}
/**
 * Training: the standardisation closed form (see {@link standardizeBackward}) after dx̂ = γ dy. Evaluation:
 * the statistics are constants, so dx = γ dy / √(running var + eps). Either way dγ = Σ dy x̂, dβ = Σ dy over
 * every axis but the channels. Returns [dx, dγ?, dβ?] for the inputs given.
 */
export function batchNormBackward(
  grad: Tensor,
  saved: Standardized,
  weight: Tensor | null,
  bias: Tensor | null,
  training: boolean,
): Tensor[] {
  const paramShape = saved.xhat.shape.map((d, i) => (i === 1 ? d : 1));
  const { gradXhat, paramGrads } = affineBackward(grad, saved.xhat, weight, bias, saved.axes, paramShape);
  const dx = training ? standardizeBackward(gradXhat, saved) : mul(gradXhat, saved.invStd);
  return [dx, ...paramGrads];
}

/**
 * Layer normalisation over the trailing dims named by `normalizedShape` (a size or a list of sizes that
 * must equal the input's last dims), as `torch.nn.functional.layer_norm`. `weight` and `bias` have shape
 * `normalizedShape`, applied element-wise.
 *
 * @example
 * F.layerNorm(x, [16], { weight: gamma, bias: beta }); // x (batch, seq, 16): each row standardised
 */
export function layerNorm(input: Tensor, normalizedShape: number | Shape, options?: NormOptions): Tensor {
  const op = 'layerNorm';
  checkFloatInput(input, op);
  const eps = checkEps(options?.eps ?? 1e-5, op);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape;
  if (!isList(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ArgumentError(
      op,
      'normalizedShape',
      `expected a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`,
    );
  }
  const lead = input.ndim - shape.length;
  if (lead < 0 || !shapesEqual(input.shape.slice(lead), shape)) {
    throw new ShapeError(
      op,
      'normalizedShape',
      `expected input of shape [*, ${shape.join(', ')}] to match normalizedShape ${formatShape(shape)}, got ${formatShape(input.shape)}`,
    );
  }
  const weight = checkParameter(options?.weight, shape, input, op, 'weight', 'normalizedShape');
  const bias = checkParameter(options?.bias, shape, input, op, 'bias', 'normalizedShape');
  const axes = shape.map((_, i) => lead + i);
  const saved = standardize(input, axes, eps);
  const out = affine(saved.xhat, weight, bias, shape);
  return record(out, op, recordedInputs(input, weight, bias), (g) =>
    layerNormBackward(g, saved, weight, bias),
  );
}
/**
 * dx̂ = γ dy, then the standardisation closed form over the trailing dims ({@link standardizeBackward});
 * dγ = Σ dy x̂ and dβ = Σ dy over the leading dims. Returns [dx, dγ?, dβ?] for the inputs given.
 */
export function layerNormBackward(
  grad: Tensor,
  saved: Standardized,
  weight: Tensor | null,
  bias: Tensor | null,
): Tensor[] {
  const paramShape = saved.xhat.shape.slice(saved.axes[0]);
  const leadAxes = saved.xhat.shape.slice(0, saved.axes[0]).map((_, i) => i);
  const { gradXhat, paramGrads } = affineBackward(grad, saved.xhat, weight, bias, leadAxes, paramShape);
  return [standardizeBackward(gradXhat, saved), ...paramGrads];
}

/**
 * Group normalisation of `input` `(N, C, *)`, as `torch.nn.functional.group_norm`: the C channels are split
 * into `numGroups` groups of consecutive channels, and each sample's group is standardised over its
 * channels and spatial positions. `weight` and `bias` have shape `(C)`. `numGroups` must divide C.
 *
 * @example
 * F.groupNorm(x, 4, { weight: gamma, bias: beta }); // x (8, 32, 5, 5): 4 groups of 8 channels
 */
export function groupNorm(input: Tensor, numGroups: number, options?: NormOptions): Tensor {
  const op = 'groupNorm';
  checkFloatInput(input, op);
  const eps = checkEps(options?.eps ?? 1e-5, op);
  if (!Number.isInteger(numGroups) || numGroups < 1)
    throw new ArgumentError(op, 'numGroups', `expected a positive integer, got ${String(numGroups)}`);
  if (input.ndim < 2) {
    throw new ShapeError(
      op,
      'input',
      `expected a tensor (N, C, *) with at least 2 dims, got shape ${formatShape(input.shape)}`,
    );
  }
  const channels = input.shape[1]!;
  if (channels % numGroups !== 0) {
    throw new ShapeError(
      op,
      'numGroups',
      `numGroups ${numGroups} must divide the ${channels} channels of input ${formatShape(input.shape)}`,
    );
  }
  const weight = checkParameter(options?.weight, [channels], input, op, 'weight', 'channels');
  const bias = checkParameter(options?.bias, [channels], input, op, 'bias', 'channels');
  const grouped = [input.shape[0]!, numGroups, sizeOf(input.shape.slice(1)) / numGroups];
  const stats = standardize(input.detach().reshape(grouped), [2], eps);
  const saved: Standardized = { xhat: stats.xhat.reshape(input.shape), invStd: stats.invStd, axes: [2] };
  const paramShape = input.shape.map((d, i) => (i === 1 ? d : 1));
  const out = affine(saved.xhat, weight, bias, paramShape);
  return record(out, op, recordedInputs(input, weight, bias), (g) =>
    groupNormBackward(g, saved, numGroups, weight, bias),
  );
}
/**
 * dx̂ = γ dy per channel, then the standardisation closed form within each (sample, group) block
 * ({@link standardizeBackward} on the `(N, G, C/G · spatial)` view); dγ = Σ dy x̂ and dβ = Σ dy over every
 * axis but the channels. `saved.xhat` has the input's shape, `saved.invStd` shape `(N, G, 1)`. Returns
 * [dx, dγ?, dβ?] for the inputs given.
 */
export function groupNormBackward(
  grad: Tensor,
  saved: Standardized,
  numGroups: number,
  weight: Tensor | null,
  bias: Tensor | null,
): Tensor[] {
  const shape = saved.xhat.shape;
  const paramShape = shape.map((d, i) => (i === 1 ? d : 1));
  const paramAxes = shape.map((_, i) => i).filter((i) => i !== 1);
  const { gradXhat, paramGrads } = affineBackward(grad, saved.xhat, weight, bias, paramAxes, paramShape);
  const grouped = [shape[0]!, numGroups, sizeOf(shape.slice(1)) / numGroups];
  const dx = standardizeBackward(gradXhat.reshape(grouped), {
    xhat: saved.xhat.reshape(grouped),
    invStd: saved.invStd,
    axes: [2],
  });
  return [dx.reshape(shape), ...paramGrads];
}
