/**
 * Normalisation layers, as `torch.nn.BatchNorm1d`, `BatchNorm2d`, `LayerNorm` and `GroupNorm`: the affine
 * parameters (`weight` = γ starting at ones, `bias` = β at zeros) and, for batch norm, the running
 * statistics as buffers; `forward` calls `F.batchNorm`, `F.layerNorm` or `F.groupNorm`.
 */
import * as F from '../../functional.js';
import { ArgumentError, ShapeError } from '../../errors.js';
import { ones, zeros } from '../../creation.js';
import { formatShape, isList } from '../../shape.js';
import { noGrad } from '../../autograd/grad-mode.js';
import { Tensor, checkTensor } from '../../tensor.js';
import type { FactoryOptions } from '../checks.js';
import { bool, finite, floatDtype, positiveInt } from '../checks.js';
import { pyBool, pyFloat, pyInts } from '../format.js';
import { ones_, zeros_ } from '../init.js';
import { Module } from '../module.js';

/** Options of {@link BatchNorm1d} and {@link BatchNorm2d}. */
export interface BatchNormLayerOptions extends FactoryOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /**
   * Weight of each batch's statistics in the running averages (default 0.1); `null` makes them plain
   * (cumulative) averages over every batch seen.
   */
  momentum?: number | null;
  /** Learn γ and β (default true). */
  affine?: boolean;
  /**
   * Keep running statistics and use them in evaluation mode (default true); without them the batch's own
   * statistics are used in both modes.
   */
  trackRunningStats?: boolean;
}

/** The batch norm settings, parameters and buffers, as PyTorch's `_BatchNorm`. */
abstract class BatchNormNd extends Module {
  /** Channels `C` of the input. */
  readonly numFeatures: number;
  /** Added to the variance for numerical stability (default 1e-5). */
  readonly eps: number;
  /** Weight of the new batch in the running statistics (default 0.1); `null` for a cumulative average. */
  readonly momentum: number | null;
  /** Whether the layer has the learnable scale γ and shift β (default true). */
  readonly affine: boolean;
  /** Whether it keeps running statistics for evaluation mode (default true). */
  readonly trackRunningStats: boolean;

  constructor(op: string, numFeatures: number, options: BatchNormLayerOptions | undefined) {
    super();
    this.numFeatures = positiveInt(numFeatures, op, 'numFeatures');
    this.eps = finite(options?.eps ?? 1e-5, op, 'eps', 0);
    const momentum = options?.momentum === undefined ? 0.1 : options.momentum;
    this.momentum = momentum === null ? null : finite(momentum, op, 'momentum', 0, 1);
    this.affine = bool(options?.affine ?? true, op, 'affine');
    this.trackRunningStats = bool(options?.trackRunningStats ?? true, op, 'trackRunningStats');
    const dtype = floatDtype(options, op);
    this.registerParameter('weight', this.affine ? ones([numFeatures], { dtype }) : null);
    this.registerParameter('bias', this.affine ? zeros([numFeatures], { dtype }) : null);
    const track = this.trackRunningStats;
    this.registerBuffer('running_mean', track ? zeros([numFeatures], { dtype }) : null);
    this.registerBuffer('running_var', track ? ones([numFeatures], { dtype }) : null);
    this.registerBuffer('num_batches_tracked', track ? zeros([], { dtype: 'int32' }) : null);
  }

  /** γ `(numFeatures)`, or null without `affine`. */
  get weight(): Tensor | null {
    return this.ownParameter('weight');
  }
  /** Registers `value` as γ. */
  set weight(value: Tensor | null) {
    this.registerParameter('weight', value);
  }

  /** β `(numFeatures)`, or null without `affine`. */
  get bias(): Tensor | null {
    return this.ownParameter('bias');
  }
  /** Registers `value` as β. */
  set bias(value: Tensor | null) {
    this.registerParameter('bias', value);
  }

  /** The running mean `(numFeatures)` (buffer `running_mean`), or null without `trackRunningStats`. */
  get runningMean(): Tensor | null {
    return this.ownBuffer('running_mean');
  }

  /** The running unbiased variance `(numFeatures)` (buffer `running_var`), or null. */
  get runningVar(): Tensor | null {
    return this.ownBuffer('running_var');
  }

  /** How many training batches updated the running statistics (int32 scalar buffer), or null. */
  get numBatchesTracked(): Tensor | null {
    return this.ownBuffer('num_batches_tracked');
  }

  /** Running mean back to 0, variance to 1, counter to 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.runningMean?.zero_();
      this.runningVar?.fill_(1);
      this.numBatchesTracked?.zero_();
    });
  }

  /** The running statistics reset, γ back to ones and β to zeros. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  /** Throws unless `input` has the rank this layer normalises. */
  protected abstract checkInputDim(input: Tensor): void;

  /**
   * Training mode (with running statistics): normalises with the batch statistics, updates the running
   * averages and counts the batch. Evaluation mode: normalises with the running statistics. Without
   * running statistics, the batch statistics in both modes.
   */
  forward(input: Tensor): Tensor {
    const op = this.constructor.name;
    checkTensor(input, op, 'input');
    this.checkInputDim(input);
    if (input.shape[1] !== this.numFeatures) {
      throw new ShapeError(
        op,
        'input',
        `expected ${this.numFeatures} channels in dim 1, got input of shape ${formatShape(input.shape)}`,
      );
    }
    const counter = this.training && this.trackRunningStats ? this.numBatchesTracked : null;
    const factor = this.momentum ?? (counter === null ? 0 : 1 / (counter.item() + 1));
    const useRunning = !this.training || this.trackRunningStats;
    const out = F.batchNorm(
      input,
      useRunning ? this.runningMean : null,
      useRunning ? this.runningVar : null,
      {
        weight: this.weight,
        bias: this.bias,
        training: this.training || (this.runningMean === null && this.runningVar === null),
        momentum: factor,
        eps: this.eps,
      },
    );
    if (counter !== null) noGrad(() => counter.add_(1));
    return out;
  }

  override extraRepr(): string {
    const momentum = this.momentum === null ? 'None' : pyFloat(this.momentum);
    return `${this.numFeatures}, eps=${pyFloat(this.eps)}, momentum=${momentum}, affine=${pyBool(this.affine)}, track_running_stats=${pyBool(this.trackRunningStats)}`;
  }
}

/**
 * Batch normalisation over `(N, C)` or `(N, C, L)` with `F.batchNorm`, as `torch.nn.BatchNorm1d`: each
 * channel standardised with the batch statistics in training mode (which also updates the running
 * averages), with the running statistics in evaluation mode, then scaled by γ and shifted by β.
 */
export class BatchNorm1d extends BatchNormNd {
  constructor(numFeatures: number, options?: BatchNormLayerOptions) {
    super('BatchNorm1d', numFeatures, options);
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 2 && input.ndim !== 3) {
      throw new ShapeError(
        'BatchNorm1d',
        'input',
        `expected a 2-D or 3-D input (N, C) or (N, C, L), got shape ${formatShape(input.shape)}`,
      );
    }
  }
}

/**
 * Batch normalisation over `(N, C, H, W)` with `F.batchNorm`, as `torch.nn.BatchNorm2d`: statistics per
 * channel over the batch and both spatial dims; see {@link BatchNorm1d}.
 *
 * @example
 * const bn = new nn.BatchNorm2d(16);
 * bn.forward(x);          // training: batch statistics, running averages updated
 * bn.eval().forward(x);   // evaluation: running statistics
 * Object.keys(bn.stateDict())  // weight, bias, running_mean, running_var, num_batches_tracked
 */
export class BatchNorm2d extends BatchNormNd {
  constructor(numFeatures: number, options?: BatchNormLayerOptions) {
    super('BatchNorm2d', numFeatures, options);
  }

  protected checkInputDim(input: Tensor): void {
    if (input.ndim !== 4) {
      throw new ShapeError(
        'BatchNorm2d',
        'input',
        `expected a 4-D input (N, C, H, W), got shape ${formatShape(input.shape)}`,
      );
    }
  }
}

/** Options of {@link LayerNorm}. */
export interface LayerNormLayerOptions extends FactoryOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn γ and β of shape `normalizedShape` (default true). */
  elementwiseAffine?: boolean;
}

/**
 * Layer normalisation over the trailing dims `normalizedShape` with `F.layerNorm`, as `torch.nn.LayerNorm`:
 * each sample standardised over those dims, then scaled and shifted element-wise. Same in both modes.
 *
 * @example
 * new nn.LayerNorm(16).forward(randn([8, 10, 16]))   // each row of 16 standardised
 */
export class LayerNorm extends Module {
  /** The trailing dims normalised over. */
  readonly normalizedShape: readonly number[];
  /** Added to the variance for numerical stability (default 1e-5). */
  readonly eps: number;
  /** Whether the layer has a learnable scale and shift of `normalizedShape` (default true). */
  readonly elementwiseAffine: boolean;

  constructor(normalizedShape: number | readonly number[], options?: LayerNormLayerOptions) {
    super();
    const op = 'LayerNorm';
    const shape =
      typeof normalizedShape === 'number'
        ? [normalizedShape]
        : isList(normalizedShape)
          ? normalizedShape
          : [];
    if (shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
      throw new ArgumentError(
        op,
        'normalizedShape',
        `expected a positive integer or a non-empty list of them, got ${JSON.stringify(normalizedShape)}`,
      );
    }
    this.normalizedShape = [...shape];
    this.eps = finite(options?.eps ?? 1e-5, op, 'eps', 0);
    this.elementwiseAffine = bool(options?.elementwiseAffine ?? true, op, 'elementwiseAffine');
    const dtype = floatDtype(options, op);
    this.registerParameter('weight', this.elementwiseAffine ? ones(shape, { dtype }) : null);
    this.registerParameter('bias', this.elementwiseAffine ? zeros(shape, { dtype }) : null);
  }

  /** γ of shape `normalizedShape`, or null without `elementwiseAffine`. */
  get weight(): Tensor | null {
    return this.ownParameter('weight');
  }
  /** Registers `value` as the scale. */
  set weight(value: Tensor | null) {
    this.registerParameter('weight', value);
  }

  /** β of shape `normalizedShape`, or null without `elementwiseAffine`. */
  get bias(): Tensor | null {
    return this.ownParameter('bias');
  }
  /** Registers `value` as the shift. */
  set bias(value: Tensor | null) {
    this.registerParameter('bias', value);
  }

  /** γ back to ones and β to zeros. */
  resetParameters(): void {
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    return F.layerNorm(input, this.normalizedShape, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${pyInts(this.normalizedShape)}, eps=${pyFloat(this.eps)}, elementwise_affine=${pyBool(this.elementwiseAffine)}`;
  }
}

/** Options of {@link GroupNorm}. */
export interface GroupNormLayerOptions extends FactoryOptions {
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
  /** Learn per-channel γ and β (default true). */
  affine?: boolean;
}

/**
 * Group normalisation of `(N, C, *)` with `F.groupNorm`, as `torch.nn.GroupNorm`: the `numChannels`
 * channels split into `numGroups` groups, each sample's group standardised over its channels and positions,
 * then per-channel γ and β. Same in both modes.
 *
 * @example
 * new nn.GroupNorm(4, 32).forward(randn([8, 32, 5, 5]))
 */
export class GroupNorm extends Module {
  /** Groups the channels are split into; the statistics are taken per group. */
  readonly numGroups: number;
  /** Channels `C` of the input, a multiple of `numGroups`. */
  readonly numChannels: number;
  /** Added to the variance for numerical stability (default 1e-5). */
  readonly eps: number;
  /** Whether the layer has a learnable per-channel scale and shift (default true). */
  readonly affine: boolean;

  constructor(numGroups: number, numChannels: number, options?: GroupNormLayerOptions) {
    super();
    const op = 'GroupNorm';
    this.numGroups = positiveInt(numGroups, op, 'numGroups');
    this.numChannels = positiveInt(numChannels, op, 'numChannels');
    if (numChannels % numGroups !== 0) {
      throw new ArgumentError(
        op,
        'numGroups',
        `numChannels ${numChannels} must be divisible by numGroups ${numGroups}`,
      );
    }
    this.eps = finite(options?.eps ?? 1e-5, op, 'eps', 0);
    this.affine = bool(options?.affine ?? true, op, 'affine');
    const dtype = floatDtype(options, op);
    this.registerParameter('weight', this.affine ? ones([numChannels], { dtype }) : null);
    this.registerParameter('bias', this.affine ? zeros([numChannels], { dtype }) : null);
  }

  /** γ `(numChannels)`, or null without `affine`. */
  get weight(): Tensor | null {
    return this.ownParameter('weight');
  }
  /** Registers `value` as the per-channel scale. */
  set weight(value: Tensor | null) {
    this.registerParameter('weight', value);
  }

  /** β `(numChannels)`, or null without `affine`. */
  get bias(): Tensor | null {
    return this.ownParameter('bias');
  }
  /** Registers `value` as the per-channel shift. */
  set bias(value: Tensor | null) {
    this.registerParameter('bias', value);
  }

  /** γ back to ones and β to zeros. */
  resetParameters(): void {
    if (this.weight !== null) ones_(this.weight);
    if (this.bias !== null) zeros_(this.bias);
  }

  forward(input: Tensor): Tensor {
    checkTensor(input, 'GroupNorm', 'input');
    if (input.ndim >= 2 && input.shape[1] !== this.numChannels) {
      throw new ShapeError(
        'GroupNorm',
        'input',
        `expected ${this.numChannels} channels in dim 1, got input of shape ${formatShape(input.shape)}`,
      );
    }
    return F.groupNorm(input, this.numGroups, { weight: this.weight, bias: this.bias, eps: this.eps });
  }

  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${pyFloat(this.eps)}, affine=${pyBool(this.affine)}`;
  }
}
