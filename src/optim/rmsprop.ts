/**
 * RMSprop, exactly as `torch.optim.RMSprop`: gradients divided by a running root mean square, optionally
 * centered (by the running mean) and with momentum.
 */
import type { Tensor } from '../tensor.js';
import { zerosLike } from '../creation.js';
import type { ParamGroup, Params } from './optimizer.js';
import { Optimizer, checkNonNegative } from './optimizer.js';

/** The hyperparameters of `RMSprop`, as every param group holds them. */
export interface RMSpropHyper {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** Smoothing constant of the running averages. */
  alpha: number;
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Momentum factor (default 0). */
  momentum: number;
  /** Normalizes by the estimated variance `E[g²] − E[g]²` instead of `E[g²]`. */
  centered: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/** Options of `RMSprop`. */
export type RMSpropOptions = Partial<RMSpropHyper>;

/**
 * The state of one parameter: the step count, the running average of the squared gradient, and when used
 * the momentum buffer and (centered) the running average of the gradient.
 */
export type RMSpropState = {
  /** Steps taken so far. */
  step: number;
  /** The running average of the squared gradient, `E[g²]`. */
  squareAvg: Tensor;
  /** With momentum: the momentum buffer. */
  momentumBuffer?: Tensor;
  /** When centered: the running average of the gradient, `E[g]`. */
  gradAvg?: Tensor;
};

/**
 * RMSprop. With `g` the gradient (negated if `maximize`), each step does
 *
 *     g ← g + weightDecay · θ
 *     s ← α s + (1 − α) g²
 *     d ← √s + eps,  or centered: a ← α a + (1 − α) g,  d ← √(s − a²) + eps
 *     momentum > 0:  b ← momentum · b + g / d,  θ ← θ − lr · b
 *     otherwise:     θ ← θ − lr · g / d
 *
 * Defaults: `lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false,
 * maximize = false`.
 *
 * @example
 * const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9, centered: true });
 */
export class RMSprop extends Optimizer<RMSpropHyper, RMSpropState> {
  constructor(params: Params<RMSpropOptions>, options: RMSpropOptions = {}) {
    super(params, options, {
      name: 'RMSprop',
      defaults: {
        lr: 1e-2,
        alpha: 0.99,
        eps: 1e-8,
        weightDecay: 0,
        momentum: 0,
        centered: false,
        maximize: false,
      },
      kinds: {
        lr: 'number',
        alpha: 'number',
        eps: 'number',
        weightDecay: 'number',
        momentum: 'number',
        centered: 'boolean',
        maximize: 'boolean',
      },
      state: {
        step: { kind: 'count', required: true },
        squareAvg: { kind: 'tensor', required: true },
        momentumBuffer: { kind: 'tensor', required: false },
        gradAvg: { kind: 'tensor', required: false },
      },
    });
  }

  protected checkGroup(op: string, group: Readonly<RMSpropHyper>): void {
    checkNonNegative(op, group, ['lr', 'alpha', 'eps', 'weightDecay', 'momentum']);
  }

  protected initState(param: Tensor): RMSpropState {
    return { step: 0, squareAvg: zerosLike(param) };
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: RMSpropState,
    group: Readonly<ParamGroup<RMSpropHyper>>,
  ): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    state.step += 1;
    let g = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) g = g.add(param, { alpha: weightDecay });
    const squareAvg = state.squareAvg.mul_(alpha).addcmul_(g, g, { value: 1 - alpha });
    let avg: Tensor;
    if (centered) {
      state.gradAvg ??= zerosLike(param);
      const gradAvg = state.gradAvg.mul_(alpha).add_(g, { alpha: 1 - alpha });
      avg = squareAvg.sub(gradAvg.mul(gradAvg)).sqrt();
    } else {
      avg = squareAvg.sqrt();
    }
    avg = avg.add(eps);
    if (momentum > 0) {
      state.momentumBuffer ??= zerosLike(param);
      param.add_(state.momentumBuffer.mul_(momentum).addcdiv_(g, avg), { alpha: -lr });
    } else {
      param.addcdiv_(g, avg, { value: -lr });
    }
  }
}
