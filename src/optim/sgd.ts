/**
 * Stochastic gradient descent, optionally with momentum, dampening, Nesterov momentum, L2 weight decay and
 * maximization, exactly as `torch.optim.SGD`.
 */
import { ArgumentError } from '../errors.js';
import { backend } from '../backend/registry.js';
import { zerosLike } from '../creation.js';
import type { Tensor } from '../tensor.js';
import type { ParamGroup, Params } from './optimizer.js';
import { Optimizer, checkNonNegative } from './optimizer.js';

/** The hyperparameters of `SGD`, as every param group holds them. */
export interface SGDHyper {
  /** Learning rate (required). */
  lr: number;
  /** Momentum factor (default 0: plain gradient descent). */
  momentum: number;
  /** Dampening of the momentum: the gradient enters the buffer times `1 − dampening` (default 0). */
  dampening: number;
  /** L2 penalty added to the gradient as `weightDecay · θ` (default 0). */
  weightDecay: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/** Options of `SGD`: `lr` is required unless every param group sets its own. */
export type SGDOptions = Partial<SGDHyper>;

/** SGD's state of one parameter: the momentum buffer, `null` while momentum is 0. */
export type SGDState = {
  /** The momentum buffer `b`, or `null` before the first step with momentum. */
  momentumBuffer: Tensor | null;
};

/**
 * Stochastic gradient descent. With `g` the gradient (negated if `maximize`), each step does
 *
 *     g ← g + weightDecay · θ
 *     b ← g                                  (first step with momentum: the buffer copies the gradient)
 *     b ← momentum · b + (1 − dampening) · g (later steps)
 *     g ← nesterov ? g + momentum · b : b    (when momentum ≠ 0)
 *     θ ← θ − lr · g
 *
 * Defaults: `momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false`; `lr` has
 * none. Nesterov momentum needs `momentum > 0` and `dampening = 0`.
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad();
 * lossFn(model.forward(x), y).backward();
 * opt.step();
 */
export class SGD extends Optimizer<SGDHyper, SGDState> {
  constructor(params: Params<SGDOptions>, options: SGDOptions = {}) {
    super(params, options, {
      name: 'SGD',
      defaults: { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
      kinds: {
        lr: 'number',
        momentum: 'number',
        dampening: 'number',
        weightDecay: 'number',
        nesterov: 'boolean',
        maximize: 'boolean',
      },
      state: { momentumBuffer: { kind: 'tensorOrNull', required: true } },
    });
  }

  protected checkGroup(op: string, group: Readonly<SGDHyper>): void {
    checkNonNegative(op, group, ['lr', 'momentum', 'weightDecay']);
    if (group.nesterov && (group.momentum <= 0 || group.dampening !== 0)) {
      throw new ArgumentError(
        op,
        'nesterov',
        `Nesterov momentum requires a momentum and zero dampening, got momentum ${group.momentum} and dampening ${group.dampening}`,
      );
    }
  }

  protected initState(): SGDState {
    return { momentumBuffer: null };
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: SGDState,
    group: Readonly<ParamGroup<SGDHyper>>,
  ): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const firstStep = momentum !== 0 && state.momentumBuffer === null;
    if (firstStep) state.momentumBuffer = zerosLike(param);
    const buffer = momentum !== 0 ? state.momentumBuffer!.data : null;
    backend().sgdStep(param.data, grad.data, buffer, firstStep, {
      lr,
      momentum,
      dampening,
      weightDecay,
      nesterov,
      maximize,
    });
  }
}
