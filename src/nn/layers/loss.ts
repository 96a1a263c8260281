/**
 * Loss modules, as `torch.nn.CrossEntropyLoss`, `NLLLoss` and `MSELoss`: the settings kept, `forward(input,
 * target)` calling `F.crossEntropy`, `F.nllLoss` or `F.mseLoss`. A class weight is a buffer (saved in the
 * state dict, never trained), as in PyTorch.
 */
import * as F from '../../functional.js';
import { ArgumentError, ShapeError } from '../../errors.js';
import { formatShape } from '../../shape.js';
import { Tensor } from '../../tensor.js';
import { finite, integer, oneOf } from '../checks.js';
import { Module } from '../module.js';

const REDUCTIONS: readonly F.Reduction[] = ['mean', 'sum', 'none'];

/** Options of {@link NLLLoss}. */
export interface NLLLossOptions {
  /** A weight per class, shape `(C)` (default none). */
  weight?: Tensor | null;
  /** Targets equal to this count for nothing, not even in the mean (default -100). */
  ignoreIndex?: number;
  /** `'mean'` (default), `'sum'`, or `'none'` for one loss per sample. */
  reduction?: F.Reduction;
}

/** Options of {@link CrossEntropyLoss}. */
export interface CrossEntropyLossOptions extends NLLLossOptions {
  /** In [0, 1] (default 0): mixes the target with the uniform distribution over the classes. */
  labelSmoothing?: number;
}

/** A loss with a reduction, and for classification an optional class weight kept as buffer `weight`. */
abstract class WeightedLoss extends Module<[Tensor, Tensor]> {
  /** `'mean'` (default), `'sum'`, or `'none'` for one loss per sample. */
  readonly reduction: F.Reduction;
  /** Targets equal to this class index add nothing to the loss (default -100). */
  readonly ignoreIndex: number;

  constructor(op: string, options: NLLLossOptions | undefined) {
    super();
    this.reduction = oneOf(options?.reduction ?? 'mean', REDUCTIONS, op, 'reduction');
    this.ignoreIndex = integer(options?.ignoreIndex ?? -100, op, 'ignoreIndex');
    const weight = options?.weight ?? null;
    if (weight !== null) {
      if (!(weight instanceof Tensor)) {
        throw new ArgumentError(op, 'weight', `expected a Tensor or null, got ${typeof weight}`);
      }
      if (weight.ndim !== 1) {
        throw new ShapeError(
          op,
          'weight',
          `expected a 1-D weight (C), got shape ${formatShape(weight.shape)}`,
        );
      }
    }
    this.registerBuffer('weight', weight);
  }

  /** The class weight `(C)`, or null. */
  get weight(): Tensor | null {
    return this.ownBuffer('weight');
  }
}

/**
 * Cross-entropy of logits `input` `(N, C)` (or `(N, C, d1, …)`, or `(C)`) against int32 class indices
 * `(N)` or class probabilities of the input's shape (`F.crossEntropy`: log-softmax then NLL), as
 * `torch.nn.CrossEntropyLoss`.
 *
 * @example
 * const criterion = new nn.CrossEntropyLoss();
 * const loss = criterion.forward(model.forward(images), labels);   // a scalar
 * loss.backward();
 */
export class CrossEntropyLoss extends WeightedLoss {
  /** In [0, 1] (default 0): mixes the target with the uniform distribution over the classes. */
  readonly labelSmoothing: number;

  constructor(options?: CrossEntropyLossOptions) {
    super('CrossEntropyLoss', options);
    this.labelSmoothing = finite(options?.labelSmoothing ?? 0, 'CrossEntropyLoss', 'labelSmoothing', 0, 1);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
      labelSmoothing: this.labelSmoothing,
    });
  }
}

/**
 * Negative log-likelihood of log-probabilities `input` `(N, C)` at int32 class indices `(N)`
 * (`F.nllLoss`), as `torch.nn.NLLLoss`; after `LogSoftmax` it is the cross-entropy.
 */
export class NLLLoss extends WeightedLoss {
  constructor(options?: NLLLossOptions) {
    super('NLLLoss', options);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, {
      weight: this.weight,
      ignoreIndex: this.ignoreIndex,
      reduction: this.reduction,
    });
  }
}

/** Mean squared error of `input` and a `target` of the same shape (`F.mseLoss`), as `torch.nn.MSELoss`. */
export class MSELoss extends Module<[Tensor, Tensor]> {
  /** `'mean'` (default), `'sum'`, or `'none'` for the squared error of every element. */
  readonly reduction: F.Reduction;

  constructor(options?: { reduction?: F.Reduction }) {
    super();
    this.reduction = oneOf(options?.reduction ?? 'mean', REDUCTIONS, 'MSELoss', 'reduction');
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}
