/**
 * Activation modules, as in `torch.nn`: each `forward` is the `F` function of the same name with the
 * module's settings.
 */
import * as F from '../../functional.js';
import type { Tensor } from '../../tensor.js';
import { finite, integer, oneOf } from '../checks.js';
import { pyFloat, pyString } from '../format.js';
import { Module } from '../module.js';

/** `max(0, x)` element-wise (`F.relu`). Shape: any, unchanged. */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return F.relu(input);
  }
}

/** `x` for x > 0, else `alpha (eˣ − 1)` (`F.elu`); `alpha` ≥ 0, default 1. Shape: any, unchanged. */
export class ELU extends Module {
  /** The value negative inputs saturate at is `−alpha` (default 1). */
  readonly alpha: number;

  constructor(options?: { alpha?: number }) {
    super();
    this.alpha = finite(options?.alpha ?? 1, 'ELU', 'alpha', 0);
  }

  forward(input: Tensor): Tensor {
    return F.elu(input, { alpha: this.alpha });
  }

  override extraRepr(): string {
    return `alpha=${pyFloat(this.alpha)}`;
  }
}

/** `x` for x > 0, else `negativeSlope · x` (`F.leakyRelu`), default slope 0.01. Shape: any, unchanged. */
export class LeakyReLU extends Module {
  /** The slope for negative inputs (default 0.01). */
  readonly negativeSlope: number;

  constructor(options?: { negativeSlope?: number }) {
    super();
    this.negativeSlope = finite(options?.negativeSlope ?? 0.01, 'LeakyReLU', 'negativeSlope');
  }

  forward(input: Tensor): Tensor {
    return F.leakyRelu(input, { negativeSlope: this.negativeSlope });
  }

  override extraRepr(): string {
    return `negative_slope=${pyFloat(this.negativeSlope)}`;
  }
}

/** `1 / (1 + e⁻ˣ)` element-wise (`F.sigmoid`). Shape: any, unchanged. */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return F.sigmoid(input);
  }
}

/** Hyperbolic tangent element-wise (`F.tanh`). Shape: any, unchanged. */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return F.tanh(input);
  }
}

/** Gaussian error linear unit `x Φ(x)` (`F.gelu`), exact or with `approximate: 'tanh'`. Shape: unchanged. */
export class GELU extends Module {
  /** `'none'` (default): the exact `x·Φ(x)`; `'tanh'`: PyTorch's tanh approximation. */
  readonly approximate: 'none' | 'tanh';

  constructor(options?: { approximate?: 'none' | 'tanh' }) {
    super();
    this.approximate = oneOf(
      options?.approximate ?? 'none',
      ['none', 'tanh'] as const,
      'GELU',
      'approximate',
    );
  }

  forward(input: Tensor): Tensor {
    return F.gelu(input, { approximate: this.approximate });
  }

  override extraRepr(): string {
    return `approximate=${pyString(this.approximate)}`;
  }
}

/** `x σ(x)` element-wise (`F.silu`, also called swish). Shape: any, unchanged. */
export class SiLU extends Module {
  forward(input: Tensor): Tensor {
    return F.silu(input);
  }
}

/** PyTorch's legacy choice of dim when `Softmax` is given none: 0 for 0-, 1- and 3-D input, else 1. */
function implicitDim(input: Tensor): number {
  return input.ndim <= 1 || input.ndim === 3 ? 0 : 1;
}

/** Options of {@link Softmax} and {@link LogSoftmax}. */
export interface SoftmaxOptions {
  /** The dim the values sum to 1 along. Left out, PyTorch's legacy rule picks 0 for 0-, 1- and 3-D input, else 1. */
  dim?: number | null;
}

function softmaxDim(options: SoftmaxOptions | undefined, op: string): number | null {
  const dim = options?.dim ?? null;
  return dim === null ? null : integer(dim, op, 'dim');
}

/** `softmax` along `dim` (`F.softmax`): non-negative values that sum to 1. Shape: any, unchanged. */
export class Softmax extends Module {
  /** The dim the values sum to 1 along; `null` picks it as PyTorch's implicit rule does. */
  readonly dim: number | null;

  constructor(options?: SoftmaxOptions) {
    super();
    this.dim = softmaxDim(options, 'Softmax');
  }

  forward(input: Tensor): Tensor {
    return F.softmax(input, this.dim ?? implicitDim(input));
  }

  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}

/** `log softmax` along `dim` (`F.logSoftmax`), the input `NLLLoss` expects. Shape: any, unchanged. */
export class LogSoftmax extends Module {
  /** The dim of the softmax; `null` picks it as PyTorch's implicit rule does. */
  readonly dim: number | null;

  constructor(options?: SoftmaxOptions) {
    super();
    this.dim = softmaxDim(options, 'LogSoftmax');
  }

  forward(input: Tensor): Tensor {
    return F.logSoftmax(input, this.dim ?? implicitDim(input));
  }

  override extraRepr(): string {
    return `dim=${this.dim ?? 'None'}`;
  }
}
