/**
 * Convolution layers, as `torch.nn.Conv1d`, `Conv2d`, `ConvTranspose1d` and `ConvTranspose2d`: a weight
 * and an optional bias, the sizes checked once here, `forward` calling `F.conv*` / `F.convTranspose*`.
 */
import * as F from '../../functional.js';
import { ArgumentError } from '../../errors.js';
import { zeros } from '../../creation.js';
import type { Tensor } from '../../tensor.js';
import type { ConvPaddingMode } from '../../ops/convolution.js';
import { normalizeTuple } from '../../ops/window.js';
import type { FactoryOptions } from '../checks.js';
import { bool, floatDtype, oneOf, positiveInt } from '../checks.js';
import { pyInts } from '../format.js';
import { Module } from '../module.js';
import { resetWeightAndBias } from './reset.js';

/** Options of {@link Conv1d} and {@link Conv2d}: sizes are one number for every spatial dim or one per dim. */
export interface ConvLayerOptions extends FactoryOptions {
  /** Step between windows (default 1). */
  stride?: number | readonly number[];
  /** Border added on both sides (default 0); `'same'` keeps the size (stride 1 only), `'valid'` is 0. */
  padding?: number | readonly number[] | 'same' | 'valid';
  /** Step between kernel taps (default 1). */
  dilation?: number | readonly number[];
  /** Independent channel groups; must divide both channel counts (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** How the padding is filled: `'zeros'` (default), `'reflect'`, `'replicate'` or `'circular'`. */
  paddingMode?: ConvPaddingMode;
}

/** Options of {@link ConvTranspose1d} and {@link ConvTranspose2d}. */
export interface ConvTransposeLayerOptions extends FactoryOptions {
  /** Stride of the convolution this layer is the adjoint of (default 1). */
  stride?: number | readonly number[];
  /** Padding of that convolution: `dilation·(k − 1) − padding` zeros come off each side (default 0). */
  padding?: number | readonly number[];
  /** Extra length on the right/bottom, smaller than the stride or the dilation (default 0). */
  outputPadding?: number | readonly number[];
  /** Independent channel groups; must divide both channel counts (default 1). */
  groups?: number;
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Step between kernel taps (default 1). */
  dilation?: number | readonly number[];
  /** Only `'zeros'`, as in PyTorch. */
  paddingMode?: 'zeros';
}

const PADDING_MODES: readonly ConvPaddingMode[] = ['zeros', 'reflect', 'replicate', 'circular'];

/** What every convolution layer stores, as PyTorch's `_ConvNd`. */
abstract class ConvNd extends Module {
  /** Channels of the input. */
  readonly inChannels: number;
  /** Channels of the output. */
  readonly outChannels: number;
  /** The kernel's size, one entry per spatial dim. */
  readonly kernelSize: readonly number[];
  /** Step between windows, one entry per spatial dim (default 1). */
  readonly stride: readonly number[];
  /** Padding on both sides of each spatial dim (default 0), or `'same'` / `'valid'`. */
  readonly padding: readonly number[] | 'same' | 'valid';
  /** Step between kernel taps, one entry per spatial dim (default 1). */
  readonly dilation: readonly number[];
  /** Only non-zero for transposed convolutions. */
  readonly outputPadding: readonly number[];
  /** Independent channel groups (default 1). */
  readonly groups: number;
  /** How the padding is filled (default `'zeros'`). */
  readonly paddingMode: ConvPaddingMode;

  constructor(
    op: string,
    dims: number,
    transposed: boolean,
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    options: ConvLayerOptions | ConvTransposeLayerOptions | undefined,
  ) {
    super();
    this.inChannels = positiveInt(inChannels, op, 'inChannels');
    this.outChannels = positiveInt(outChannels, op, 'outChannels');
    this.kernelSize = normalizeTuple(kernelSize, dims, op, 'kernelSize');
    this.stride = normalizeTuple(options?.stride ?? 1, dims, op, 'stride');
    this.dilation = normalizeTuple(options?.dilation ?? 1, dims, op, 'dilation');
    this.groups = positiveInt(options?.groups ?? 1, op, 'groups');
    if (inChannels % this.groups !== 0) {
      throw new ArgumentError(
        op,
        'groups',
        `inChannels ${inChannels} must be divisible by groups ${this.groups}`,
      );
    }
    if (outChannels % this.groups !== 0) {
      throw new ArgumentError(
        op,
        'groups',
        `outChannels ${outChannels} must be divisible by groups ${this.groups}`,
      );
    }
    const padding = options?.padding ?? 0;
    if (padding === 'same' || padding === 'valid') {
      if (transposed) throw new ArgumentError(op, 'padding', `expected sizes, got '${padding}'`);
      if (padding === 'same' && this.stride.some((s) => s !== 1)) {
        throw new ArgumentError(op, 'padding', "padding 'same' is not supported for strided convolutions");
      }
      this.padding = padding;
    } else {
      this.padding = normalizeTuple(padding, dims, op, 'padding', 0);
    }
    this.paddingMode = oneOf(
      options?.paddingMode ?? 'zeros',
      transposed ? ['zeros'] : PADDING_MODES,
      op,
      'paddingMode',
    );
    const outputPadding = transposed
      ? ((options as ConvTransposeLayerOptions | undefined)?.outputPadding ?? 0)
      : 0;
    this.outputPadding = normalizeTuple(outputPadding, dims, op, 'outputPadding', 0);
    this.outputPadding.forEach((p, i) => {
      if (p >= Math.max(this.stride[i]!, this.dilation[i]!)) {
        throw new ArgumentError(
          op,
          'outputPadding',
          `output padding ${pyInts(this.outputPadding)} must be smaller than either stride ${pyInts(this.stride)} or dilation ${pyInts(this.dilation)}`,
        );
      }
    });
    const dtype = floatDtype(options, op);
    const withBias = bool(options?.bias ?? true, op, 'bias');
    const weightShape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.registerParameter('weight', zeros(weightShape, { dtype }));
    this.registerParameter('bias', withBias ? zeros([outChannels], { dtype }) : null);
    this.resetParameters();
  }

  /**
   * The kernel: `(outChannels, inChannels/groups, *kernelSize)`, or `(inChannels, outChannels/groups,
   * *kernelSize)` for a transposed convolution. Assigning registers a new one.
   */
  get weight(): Tensor {
    return this.getParameter('weight');
  }
  /** Registers `value` as the kernel parameter. */
  set weight(value: Tensor) {
    this.registerParameter('weight', value);
  }

  /** The bias `(outChannels)`, or null without one. */
  get bias(): Tensor | null {
    return this.ownParameter('bias');
  }
  /** Registers `value` as the bias parameter (null removes it). */
  set bias(value: Tensor | null) {
    this.registerParameter('bias', value);
  }

  /** Draws the parameters again as PyTorch's default init does (uniform in ±1/√fanIn). */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernel_size=${pyInts(this.kernelSize)}, stride=${pyInts(this.stride)}`;
    if (typeof this.padding === 'string') s += `, padding=${this.padding}`;
    else if (this.padding.some((p) => p !== 0)) s += `, padding=${pyInts(this.padding)}`;
    if (this.dilation.some((d) => d !== 1)) s += `, dilation=${pyInts(this.dilation)}`;
    if (this.outputPadding.some((p) => p !== 0)) s += `, output_padding=${pyInts(this.outputPadding)}`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (this.bias === null) s += ', bias=False';
    if (this.paddingMode !== 'zeros') s += `, padding_mode=${this.paddingMode}`;
    return s;
  }

  /** The options `F.conv1d`/`F.conv2d` take. */
  protected convOptions(): F.ConvOptions {
    return {
      stride: this.stride,
      padding: this.padding,
      dilation: this.dilation,
      groups: this.groups,
      paddingMode: this.paddingMode,
    };
  }

  /** The options `F.convTranspose1d`/`F.convTranspose2d` take. */
  protected convTransposeOptions(): F.ConvTransposeOptions {
    return {
      stride: this.stride,
      padding: this.padding as readonly number[],
      outputPadding: this.outputPadding,
      dilation: this.dilation,
      groups: this.groups,
    };
  }
}

/**
 * 1-D convolution over `(N, inChannels, L)` (or unbatched `(inChannels, L)`) with `F.conv1d`, as
 * `torch.nn.Conv1d`. The output has `outChannels` channels and
 * `Lout = floor((L + 2·padding − dilation·(kernelSize − 1) − 1) / stride) + 1`.
 *
 * @example
 * new nn.Conv1d(3, 8, 5, { padding: 'same' }).forward(randn([4, 3, 20])).shape   // [4, 8, 20]
 */
export class Conv1d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    options?: ConvLayerOptions,
  ) {
    super('Conv1d', 1, false, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return F.conv1d(input, this.weight, this.bias, this.convOptions());
  }
}

/**
 * 2-D convolution over `(N, inChannels, H, W)` (or unbatched `(inChannels, H, W)`) with `F.conv2d`, as
 * `torch.nn.Conv2d`. The output has `outChannels` channels and, per spatial dim,
 * `out = floor((L + 2·padding − dilation·(kernelSize − 1) − 1) / stride) + 1`. The weight
 * `(outChannels, inChannels/groups, kH, kW)` and the bias start uniform in ±1/√(inChannels/groups·kH·kW).
 *
 * @example
 * const conv = new nn.Conv2d(1, 32, 3, { padding: 1 });
 * conv.forward(randn([64, 1, 28, 28])).shape   // [64, 32, 28, 28]
 * String(conv)   // 'Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n…'
 */
export class Conv2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    options?: ConvLayerOptions,
  ) {
    super('Conv2d', 2, false, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return F.conv2d(input, this.weight, this.bias, this.convOptions());
  }
}

/**
 * 1-D transposed convolution with `F.convTranspose1d`, as `torch.nn.ConvTranspose1d`: the adjoint of a
 * `Conv1d` with the same settings. `Lout = (L − 1)·stride − 2·padding + dilation·(kernelSize − 1) +
 * outputPadding + 1`.
 */
export class ConvTranspose1d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    options?: ConvTransposeLayerOptions,
  ) {
    super('ConvTranspose1d', 1, true, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return F.convTranspose1d(input, this.weight, this.bias, this.convTransposeOptions());
  }
}

/**
 * 2-D transposed convolution ("deconvolution") with `F.convTranspose2d`, as `torch.nn.ConvTranspose2d`:
 * the adjoint of a `Conv2d` with the same settings, which upsamples by `stride`. Per spatial dim
 * `out = (L − 1)·stride − 2·padding + dilation·(kernelSize − 1) + outputPadding + 1`. The weight is
 * `(inChannels, outChannels/groups, kH, kW)`.
 *
 * @example
 * new nn.ConvTranspose2d(8, 4, 3, { stride: 2, padding: 1, outputPadding: 1 })
 *   .forward(randn([1, 8, 7, 7])).shape   // [1, 4, 14, 14]
 */
export class ConvTranspose2d extends ConvNd {
  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: number | readonly number[],
    options?: ConvTransposeLayerOptions,
  ) {
    super('ConvTranspose2d', 2, true, inChannels, outChannels, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return F.convTranspose2d(input, this.weight, this.bias, this.convTransposeOptions());
  }
}
