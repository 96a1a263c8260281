/**
 * `NonFiniteError`: training met a loss, a gradient or a weight that is NaN or infinite, and stopped
 * before that value could reach the weights (or, for a weight, before it could reach a checkpoint).
 */
import { ConvnetError } from '../errors.js';

/** What was found not finite. */
export type NonFiniteQuantity = 'loss' | 'gradient' | 'weight';

/**
 * A training step met a NaN or infinite value. The message names the batch, e.g.
 * `trainEpoch: batch 2 of 8: the loss is NaN`.
 */
export class NonFiniteError extends ConvnetError {
  constructor(
    op: string,
    /** The batch of the pass (1 for the first). */
    readonly batch: number,
    /** Batches in the whole pass. */
    readonly batches: number,
    /** Whether the loss, a gradient or a weight (after the update) was not finite. */
    readonly quantity: NonFiniteQuantity,
    /** The parameter whose gradient or weight it was, by its dotted name; `null` for the loss. */
    readonly parameter: string | null,
    /** The first value found that is not finite: `NaN`, `Infinity` or `-Infinity`. */
    readonly value: number,
    /** True when, with `onNonFinite: 'skip'`, this was the last of a pass whose every batch was skipped. */
    readonly everyBatch = false,
  ) {
    super(
      op,
      '',
      `batch ${batch} of ${batches}: ${describe(quantity, parameter, value)}${everyBatch ? ', and so was every batch before' : ''}`,
    );
  }
}

function describe(quantity: NonFiniteQuantity, parameter: string | null, value: number): string {
  switch (quantity) {
    case 'loss':
      return `the loss is ${String(value)}`;
    case 'gradient':
      return `the gradient of ${parameter ?? 'a parameter'} holds ${String(value)}`;
    case 'weight':
      return `the update left ${String(value)} in ${parameter ?? 'a parameter'}`;
  }
}
