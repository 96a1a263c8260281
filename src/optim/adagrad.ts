/**
 * Adagrad, exactly as `torch.optim.Adagrad`: each coordinate's step is divided by the root of the sum of
 * its squared gradients so far, with an optional learning-rate decay.
 */
import type { Tensor } from '../tensor.js';
import { full } from '../creation.js';
import type { ParamGroup, ParamGroupSpec, Params } from './optimizer.js';
import { Optimizer, checkNonNegative } from './optimizer.js';

/** The hyperparameters of `Adagrad`, as every param group holds them. */
export interface AdagradHyper {
  /** Learning rate (default 1e-2). */
  lr: number;
  /** The step size at step `t` is `lr / (1 + (t − 1) · lrDecay)`. */
  lrDecay: number;
  /** L2 penalty added to the gradient (default 0). */
  weightDecay: number;
  /** Starting value of the sum of squared gradients. */
  initialAccumulatorValue: number;
  /** Added to the denominator for numerical stability (default 1e-10). */
  eps: number;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/** Options of `Adagrad`. */
export type AdagradOptions = Partial<AdagradHyper>;

/** The state of one parameter: the step count and the running sum of squared gradients. */
export type AdagradState = {
  /** Steps taken so far. */
  step: number;
  /** The sum of squared gradients so far. */
  sum: Tensor;
};

/**
 * Adagrad. With `g` the gradient (negated if `maximize`) and `t` the parameter's step count, each step does
 *
 *     g ← g + weightDecay · θ
 *     s ← s + g²
 *     θ ← θ − lr / (1 + (t − 1) · lrDecay) · g / (√s + eps)
 *
 * Every parameter's state exists from construction (step 0, sum `initialAccumulatorValue`), as in PyTorch.
 * Defaults: `lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10,
 * maximize = false`.
 *
 * @example
 * const opt = new optim.Adagrad(model.parameters(), { lr: 0.1 });
 */
export class Adagrad extends Optimizer<AdagradHyper, AdagradState> {
  constructor(params: Params<AdagradOptions>, options: AdagradOptions = {}) {
    super(params, options, {
      name: 'Adagrad',
      defaults: {
        lr: 1e-2,
        lrDecay: 0,
        weightDecay: 0,
        initialAccumulatorValue: 0,
        eps: 1e-10,
        maximize: false,
      },
      kinds: {
        lr: 'number',
        lrDecay: 'number',
        weightDecay: 'number',
        initialAccumulatorValue: 'number',
        eps: 'number',
        maximize: 'boolean',
      },
      state: { step: { kind: 'count', required: true }, sum: { kind: 'tensor', required: true } },
    });
  }

  /** Adds a param group (see `Optimizer.addParamGroup`) and creates its parameters' state. */
  override addParamGroup(group: ParamGroupSpec<AdagradOptions>): void {
    super.addParamGroup(group);
    const added = this.paramGroups[this.paramGroups.length - 1]!;
    for (const param of added.params) this.state.set(param, this.initState(param, added));
  }

  protected checkGroup(op: string, group: Readonly<AdagradHyper>): void {
    checkNonNegative(op, group, ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps']);
  }

  protected initState(param: Tensor, group: Readonly<ParamGroup<AdagradHyper>>): AdagradState {
    return { step: 0, sum: full(param.shape, group.initialAccumulatorValue, { dtype: param.dtype }) };
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: AdagradState,
    group: Readonly<ParamGroup<AdagradHyper>>,
  ): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    state.step += 1;
    let g = maximize ? grad.neg() : grad;
    if (weightDecay !== 0) g = g.add(param, { alpha: weightDecay });
    const clr = lr / (1 + (state.step - 1) * lrDecay);
    state.sum.addcmul_(g, g);
    param.addcdiv_(g, state.sum.sqrt().add(eps), { value: -clr });
  }
}
