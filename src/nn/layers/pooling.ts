/**
 * Pooling layers, as `torch.nn.MaxPool1d`, `MaxPool2d`, `AvgPool1d`, `AvgPool2d` and `AdaptiveAvgPool2d`:
 * no parameters, the window settings checked once here, `forward` calling the `F` op.
 */
import * as F from '../../functional.js';
import { ArgumentError } from '../../errors.js';
import { isList } from '../../shape.js';
import type { Tensor } from '../../tensor.js';
import { normalizeTuple } from '../../ops/window.js';
import { bool, positiveInt } from '../checks.js';
import { pyBool, pyInts } from '../format.js';
import { Module } from '../module.js';

/** A window size, stride, padding or dilation: one number for every spatial axis, or one per axis. */
export type WindowSize = number | readonly number[];

/** Options of {@link MaxPool1d} and {@link MaxPool2d}. */
export interface MaxPoolLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: WindowSize | null;
  /** Implicit −∞ padding on both sides (default 0), at most half the kernel size. */
  padding?: WindowSize;
  /** Step between the elements of a window (default 1). */
  dilation?: WindowSize;
  /** Round the output size up rather than down (default false). */
  ceilMode?: boolean;
}

/** Options of {@link AvgPool1d} and {@link AvgPool2d}. */
export interface AvgPoolLayerOptions {
  /** Step between windows (default: the kernel size). */
  stride?: WindowSize | null;
  /** Implicit zero padding on both sides (default 0), at most half the kernel size. */
  padding?: WindowSize;
  /** Round the output size up rather than down (default false). */
  ceilMode?: boolean;
  /** Count the padding zeros in the divisor (default true). */
  countIncludePad?: boolean;
}

/** Checks the window settings as the pooling ops will, so a bad layer fails when it is built. */
function checkWindow(
  op: string,
  dims: number,
  kernelSize: WindowSize,
  stride: WindowSize,
  padding: WindowSize,
  dilation: WindowSize,
): void {
  const kernel = normalizeTuple(kernelSize, dims, op, 'kernelSize');
  normalizeTuple(stride, dims, op, 'stride');
  normalizeTuple(dilation, dims, op, 'dilation');
  const pads = normalizeTuple(padding, dims, op, 'padding', 0);
  pads.forEach((p, i) => {
    if (p > Math.floor(kernel[i]! / 2)) {
      throw new ArgumentError(
        op,
        'padding',
        `padding should be at most half of the kernel size, got padding ${pyInts(padding)} and kernelSize ${pyInts(kernelSize)}`,
      );
    }
  });
}

/** Max pooling settings, kept as given (as PyTorch's `_MaxPoolNd`). */
abstract class MaxPoolNd extends Module {
  /** The window size, as given. */
  readonly kernelSize: WindowSize;
  /** The kernel size when no stride was given. */
  readonly stride: WindowSize;
  /** Implicit −∞ padding on both sides, as given (default 0). */
  readonly padding: WindowSize;
  /** Step between the elements of a window, as given (default 1). */
  readonly dilation: WindowSize;
  /** Round output sizes up instead of down (default false). */
  readonly ceilMode: boolean;

  constructor(op: string, dims: number, kernelSize: WindowSize, options: MaxPoolLayerOptions | undefined) {
    super();
    this.kernelSize = kernelSize;
    this.stride = options?.stride ?? kernelSize;
    this.padding = options?.padding ?? 0;
    this.dilation = options?.dilation ?? 1;
    this.ceilMode = bool(options?.ceilMode ?? false, op, 'ceilMode');
    checkWindow(op, dims, this.kernelSize, this.stride, this.padding, this.dilation);
  }

  /** The options `F.maxPool1d`/`F.maxPool2d` take. */
  protected poolOptions(): F.MaxPoolOptions {
    return { stride: this.stride, padding: this.padding, dilation: this.dilation, ceilMode: this.ceilMode };
  }

  override extraRepr(): string {
    return `kernel_size=${pyInts(this.kernelSize)}, stride=${pyInts(this.stride)}, padding=${pyInts(this.padding)}, dilation=${pyInts(this.dilation)}, ceil_mode=${pyBool(this.ceilMode)}`;
  }
}

/**
 * 1-D max pooling over `(N, C, L)` or `(C, L)` with `F.maxPool1d`, as `torch.nn.MaxPool1d`:
 * `Lout = floor((L + 2·padding − dilation·(kernelSize − 1) − 1) / stride) + 1` (rounded up with `ceilMode`).
 */
export class MaxPool1d extends MaxPoolNd {
  constructor(kernelSize: WindowSize, options?: MaxPoolLayerOptions) {
    super('MaxPool1d', 1, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return F.maxPool1d(input, this.kernelSize, this.poolOptions());
  }
}

/**
 * 2-D max pooling over `(N, C, H, W)` or `(C, H, W)` with `F.maxPool2d`, as `torch.nn.MaxPool2d`; each
 * output size as in {@link MaxPool1d}. The stride defaults to the kernel size.
 *
 * @example
 * new nn.MaxPool2d(2).forward(randn([64, 32, 28, 28])).shape   // [64, 32, 14, 14]
 */
export class MaxPool2d extends MaxPoolNd {
  constructor(kernelSize: WindowSize, options?: MaxPoolLayerOptions) {
    super('MaxPool2d', 2, kernelSize, options);
  }

  forward(input: Tensor): Tensor {
    return F.maxPool2d(input, this.kernelSize, this.poolOptions());
  }
}

/**
 * 1-D average pooling over `(N, C, L)` or `(C, L)` with `F.avgPool1d`, as `torch.nn.AvgPool1d`; output
 * length as in {@link MaxPool1d} without dilation.
 */
export class AvgPool1d extends Module {
  /** One-element lists, as PyTorch stores them for `AvgPool1d`. */
  readonly kernelSize: readonly number[];
  /** Step between windows (default: the kernel size). */
  readonly stride: readonly number[];
  /** Implicit zero padding on both sides (default 0). */
  readonly padding: readonly number[];
  /** Round the output length up instead of down (default false). */
  readonly ceilMode: boolean;
  /** Count the padding zeros in the divisor (default true). */
  readonly countIncludePad: boolean;

  constructor(kernelSize: WindowSize, options?: AvgPoolLayerOptions) {
    super();
    const op = 'AvgPool1d';
    this.kernelSize = normalizeTuple(kernelSize, 1, op, 'kernelSize');
    this.stride = normalizeTuple(options?.stride ?? kernelSize, 1, op, 'stride');
    this.padding = normalizeTuple(options?.padding ?? 0, 1, op, 'padding', 0);
    checkWindow(op, 1, this.kernelSize, this.stride, this.padding, 1);
    this.ceilMode = bool(options?.ceilMode ?? false, op, 'ceilMode');
    this.countIncludePad = bool(options?.countIncludePad ?? true, op, 'countIncludePad');
  }

  forward(input: Tensor): Tensor {
    return F.avgPool1d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${pyInts(this.kernelSize)}, stride=${pyInts(this.stride)}, padding=${pyInts(this.padding)}`;
  }
}

/**
 * 2-D average pooling over `(N, C, H, W)` or `(C, H, W)` with `F.avgPool2d`, as `torch.nn.AvgPool2d`;
 * output sizes as in {@link MaxPool2d} without dilation. `divisorOverride` replaces the window size as
 * the divisor.
 *
 * @example
 * new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false })
 */
export class AvgPool2d extends Module {
  /** The window size, as given. */
  readonly kernelSize: WindowSize;
  /** The kernel size when no stride was given. */
  readonly stride: WindowSize;
  /** Implicit zero padding on both sides, as given (default 0). */
  readonly padding: WindowSize;
  /** Round output sizes up instead of down (default false). */
  readonly ceilMode: boolean;
  /** Count the padding zeros in the divisor (default true). */
  readonly countIncludePad: boolean;
  /** Divide every window sum by this instead of the window size, or `null` (default). */
  readonly divisorOverride: number | null;

  constructor(kernelSize: WindowSize, options?: AvgPoolLayerOptions & { divisorOverride?: number | null }) {
    super();
    const op = 'AvgPool2d';
    this.kernelSize = kernelSize;
    this.stride = options?.stride ?? kernelSize;
    this.padding = options?.padding ?? 0;
    checkWindow(op, 2, this.kernelSize, this.stride, this.padding, 1);
    this.ceilMode = bool(options?.ceilMode ?? false, op, 'ceilMode');
    this.countIncludePad = bool(options?.countIncludePad ?? true, op, 'countIncludePad');
    const divisor = options?.divisorOverride ?? null;
    this.divisorOverride = divisor === null ? null : positiveInt(divisor, op, 'divisorOverride');
  }

  forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, {
      stride: this.stride,
      padding: this.padding,
      ceilMode: this.ceilMode,
      countIncludePad: this.countIncludePad,
      divisorOverride: this.divisorOverride,
    });
  }

  override extraRepr(): string {
    return `kernel_size=${pyInts(this.kernelSize)}, stride=${pyInts(this.stride)}, padding=${pyInts(this.padding)}`;
  }
}

/**
 * 2-D adaptive average pooling with `F.adaptiveAvgPool2d`, as `torch.nn.AdaptiveAvgPool2d`: any
 * `(N, C, H, W)` or `(C, H, W)` input to spatial size `outputSize` (a number, or `[h, w]` where `null`
 * keeps that input size). `new nn.AdaptiveAvgPool2d(1)` is global average pooling.
 */
export class AdaptiveAvgPool2d extends Module {
  /** The output's `[H, W]` (one number for both); `null` keeps the input's size along that axis. */
  readonly outputSize: number | readonly (number | null)[];

  constructor(outputSize: number | readonly (number | null)[]) {
    super();
    const sizes = typeof outputSize === 'number' ? [outputSize] : isList(outputSize) ? outputSize : null;
    if (
      sizes === null ||
      (typeof outputSize !== 'number' && sizes.length !== 2) ||
      !sizes.every((s) => s === null || (Number.isInteger(s) && s >= 0))
    ) {
      throw new ArgumentError(
        'AdaptiveAvgPool2d',
        'outputSize',
        `expected an integer ≥ 0 or a list of 2 integers ≥ 0 (or null to keep the input size), got ${JSON.stringify(outputSize)}`,
      );
    }
    this.outputSize = outputSize;
  }

  forward(input: Tensor): Tensor {
    return F.adaptiveAvgPool2d(input, this.outputSize);
  }

  override extraRepr(): string {
    return `output_size=${pyInts(this.outputSize)}`;
  }
}
