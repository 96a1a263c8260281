/**
 * `nn.Flatten`: merges a range of dims into one, as `torch.nn.Flatten`.
 */
import * as F from '../../functional.js';
import type { Tensor } from '../../tensor.js';
import { integer } from '../checks.js';
import { Module } from '../module.js';

/** Options of {@link Flatten}. */
export interface FlattenLayerOptions {
  /** First dim merged (default 1, keeping the batch dim). */
  startDim?: number;
  /** Last dim merged, inclusive (default -1). */
  endDim?: number;
}

/**
 * Merges dims `startDim … endDim` into one (`F.flatten`); by default everything but the batch dim, the
 * step between convolutional and fully connected layers.
 *
 * Shape: input `(N, C, H, W)`, output `(N, C·H·W)` with the defaults.
 */
export class Flatten extends Module {
  /** First dim to merge (default 1, after the batch dim). */
  readonly startDim: number;
  /** Last dim to merge, inclusive (default -1). */
  readonly endDim: number;

  constructor(options?: FlattenLayerOptions) {
    super();
    this.startDim = integer(options?.startDim ?? 1, 'Flatten', 'startDim');
    this.endDim = integer(options?.endDim ?? -1, 'Flatten', 'endDim');
  }

  forward(input: Tensor): Tensor {
    return F.flatten(input, { startDim: this.startDim, endDim: this.endDim });
  }

  override extraRepr(): string {
    return `start_dim=${this.startDim}, end_dim=${this.endDim}`;
  }
}
