/**
 * `nn.Linear`, the fully connected layer, and `nn.Identity`.
 */
import { zeros } from '../../creation.js';
import * as F from '../../functional.js';
import type { Tensor } from '../../tensor.js';
import type { FactoryOptions } from '../checks.js';
import { bool, floatDtype, positiveInt } from '../checks.js';
import { pyBool } from '../format.js';
import { Module } from '../module.js';
import { resetWeightAndBias } from './reset.js';

/** Options of {@link Linear}. */
export interface LinearOptions extends FactoryOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
}

/**
 * `y = x Wᵀ + b` (`F.linear`), as `torch.nn.Linear`. `weight` has shape `(outFeatures, inFeatures)`,
 * `bias` `(outFeatures)`; both start uniform in ±1/√inFeatures, as in PyTorch.
 *
 * Shape: input `(*, inFeatures)`, output `(*, outFeatures)`.
 *
 * @example
 * const fc = new nn.Linear(3136, 128);
 * fc.forward(randn([64, 3136])).shape   // [64, 128]
 */
export class Linear extends Module {
  /** Size of each input sample (the last dim). */
  readonly inFeatures: number;
  /** Size of each output sample. */
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options?: LinearOptions) {
    super();
    const op = 'Linear';
    this.inFeatures = positiveInt(inFeatures, op, 'inFeatures');
    this.outFeatures = positiveInt(outFeatures, op, 'outFeatures');
    const dtype = floatDtype(options, op);
    const withBias = bool(options?.bias ?? true, op, 'bias');
    this.registerParameter('weight', zeros([outFeatures, inFeatures], { dtype }));
    this.registerParameter('bias', withBias ? zeros([outFeatures], { dtype }) : null);
    this.resetParameters();
  }

  /** The weight `(outFeatures, inFeatures)`; assigning registers a new one (e.g. to tie weights). */
  get weight(): Tensor {
    return this.getParameter('weight');
  }
  /** Registers `value` as the weight parameter. */
  set weight(value: Tensor) {
    this.registerParameter('weight', value);
  }

  /** The bias `(outFeatures)`, or null without one. */
  get bias(): Tensor | null {
    return this.ownParameter('bias');
  }
  /** Registers `value` as the bias parameter (null removes it). */
  set bias(value: Tensor | null) {
    this.registerParameter('bias', value);
  }

  /** Draws the parameters again as PyTorch's default init does. */
  resetParameters(): void {
    resetWeightAndBias(this.weight, this.bias);
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.weight, this.bias);
  }

  override extraRepr(): string {
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, bias=${pyBool(this.bias !== null)}`;
  }
}

/** Returns its input unchanged, as `torch.nn.Identity`: a placeholder where a layer is optional. */
export class Identity extends Module {
  forward(input: Tensor): Tensor {
    return input;
  }
}
