/**
 * `nn.Dropout`, as `torch.nn.Dropout`: active in training mode only.
 */
import * as F from '../../functional.js';
import type { Tensor } from '../../tensor.js';
import { finite } from '../checks.js';
import { pyFloat } from '../format.js';
import { Module } from '../module.js';

/**
 * In training mode zeroes each element with probability `p` (default 0.5) and scales the rest by
 * `1 / (1 − p)` (`F.dropout`, the mask from the library's generator); after `eval()` it returns its input.
 * Shape: any, unchanged.
 *
 * @example
 * const drop = new nn.Dropout({ p: 0.2 });
 * drop.forward(x);          // training: random zeros
 * drop.eval().forward(x);   // x itself
 */
export class Dropout extends Module {
  /** The probability of zeroing each element in training mode (default 0.5); the rest are scaled by `1/(1 − p)`. */
  readonly p: number;

  constructor(options?: { p?: number }) {
    super();
    this.p = finite(options?.p ?? 0.5, 'Dropout', 'p', 0, 1);
  }

  forward(input: Tensor): Tensor {
    return F.dropout(input, { p: this.p, training: this.training });
  }

  override extraRepr(): string {
    return `p=${pyFloat(this.p)}, inplace=False`;
  }
}
