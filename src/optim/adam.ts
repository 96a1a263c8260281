/**
 * Adam and AdamW, exactly as `torch.optim.Adam` and `torch.optim.AdamW`: they share the moment estimates,
 * the bias corrections and AMSGrad, and differ only in weight decay (an L2 term added to the gradient for
 * Adam, a decoupled shrinking of the parameters for AdamW).
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { zerosLike } from '../creation.js';
import { backend } from '../backend/registry.js';
import type { OptimizerSpec, ParamGroup, Params } from './optimizer.js';
import { Optimizer, checkNonNegative } from './optimizer.js';

/** The hyperparameters of `Adam` and `AdamW`, as every param group holds them. */
export interface AdamHyper {
  /** Learning rate (default 1e-3). */
  lr: number;
  /** Decay rates of the first and second moment estimates. `OneCycleLR` cycles `betas[0]`. */
  betas: readonly [number, number];
  /** Added to the denominator for numerical stability (default 1e-8). */
  eps: number;
  /** Weight decay: an L2 term in the gradient for Adam (default 0), decoupled shrinking for AdamW (default 1e-2). */
  weightDecay: number;
  /** Use the maximum of all second-moment estimates so far (AMSGrad; default false). */
  amsgrad: boolean;
  /** Maximise the objective instead of minimising it (default false). */
  maximize: boolean;
}

/** Options of `Adam` and `AdamW`. */
export type AdamOptions = Partial<AdamHyper>;

/**
 * The state of one parameter: the step count, the running averages of the gradient and of its square, and
 * (with `amsgrad`) the running maximum of the latter.
 */
export type AdamState = {
  /** Steps taken so far. */
  step: number;
  /** The running average of the gradient (first moment). */
  expAvg: Tensor;
  /** The running average of the squared gradient (second moment). */
  expAvgSq: Tensor;
  /** With `amsgrad`: the largest second moment so far. */
  maxExpAvgSq?: Tensor;
};

function adamSpec(name: string, weightDecay: number): OptimizerSpec<AdamHyper> {
  return {
    name,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false },
    kinds: {
      lr: 'number',
      betas: 'pair',
      eps: 'number',
      weightDecay: 'number',
      amsgrad: 'boolean',
      maximize: 'boolean',
    },
    state: {
      step: { kind: 'count', required: true },
      expAvg: { kind: 'tensor', required: true },
      expAvgSq: { kind: 'tensor', required: true },
      maxExpAvgSq: { kind: 'tensor', required: false },
    },
  };
}

function checkAdamGroup(op: string, group: Readonly<AdamHyper>): void {
  checkNonNegative(op, group, ['lr', 'eps', 'weightDecay']);
  group.betas.forEach((beta, i) => {
    if (!(beta >= 0 && beta < 1))
      throw new ArgumentError(op, `betas[${i}]`, `must be in [0, 1), got ${beta}`);
  });
}

function initAdamState(param: Tensor): AdamState {
  return { step: 0, expAvg: zerosLike(param), expAvgSq: zerosLike(param) };
}

/**
 * One Adam step of one parameter, after weight decay has been applied: updates the moments in place and
 * moves the parameter by `lr / (1 − β₁ᵗ) · m / (√(v̂) / √(1 − β₂ᵗ) + eps)`.
 */
/** One Adam or AdamW step of `param` in place, by the backend, after `state.step` has counted it. */
function adamStep(
  param: Tensor,
  grad: Tensor,
  state: AdamState,
  group: Readonly<AdamHyper>,
  decoupled: boolean,
): void {
  const { lr, betas, eps, weightDecay, amsgrad, maximize } = group;
  if (amsgrad) state.maxExpAvgSq ??= zerosLike(param);
  backend().adamStep(
    param.data,
    grad.data,
    state.expAvg.data,
    state.expAvgSq.data,
    amsgrad ? state.maxExpAvgSq!.data : null,
    {
      lr,
      beta1: betas[0],
      beta2: betas[1],
      eps,
      weightDecay,
      decoupled,
      amsgrad,
      maximize,
      step: state.step,
    },
  );
}

/**
 * Adam. With `g` the gradient (negated if `maximize`) and `t` the parameter's step count, each step does
 *
 *     g ← g + weightDecay · θ                     (L2 penalty added to the gradient)
 *     m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
 *     v̂ ← amsgrad ? max(v̂, v) : v
 *     θ ← θ − lr / (1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + eps)
 *
 * Defaults: `lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 0, amsgrad = false,
 * maximize = false`.
 *
 * @example
 * const opt = new optim.Adam(model.parameters(), { lr: 3e-4 });
 */
export class Adam extends Optimizer<AdamHyper, AdamState> {
  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super(params, options, adamSpec('Adam', 0));
  }

  protected checkGroup(op: string, group: Readonly<AdamHyper>): void {
    checkAdamGroup(op, group);
  }

  protected initState(param: Tensor): AdamState {
    return initAdamState(param);
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: AdamState,
    group: Readonly<ParamGroup<AdamHyper>>,
  ): void {
    state.step += 1;
    adamStep(param, grad, state, group, false);
  }
}

/**
 * AdamW: Adam with decoupled weight decay. Each step first shrinks the parameters, `θ ← θ (1 − lr ·
 * weightDecay)`, then takes an Adam step with the plain gradient (see `Adam`).
 *
 * Defaults: `lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2, amsgrad = false,
 * maximize = false`.
 *
 * @example
 * const opt = new optim.AdamW(model.parameters(), { lr: 1e-3, weightDecay: 0.05 });
 */
export class AdamW extends Optimizer<AdamHyper, AdamState> {
  constructor(params: Params<AdamOptions>, options: AdamOptions = {}) {
    super(params, options, adamSpec('AdamW', 1e-2));
  }

  protected checkGroup(op: string, group: Readonly<AdamHyper>): void {
    checkAdamGroup(op, group);
  }

  protected initState(param: Tensor): AdamState {
    return initAdamState(param);
  }

  protected update(
    param: Tensor,
    grad: Tensor,
    state: AdamState,
    group: Readonly<ParamGroup<AdamHyper>>,
  ): void {
    state.step += 1;
    adamStep(param, grad, state, group, true);
  }
}
