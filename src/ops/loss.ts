/**
 * Loss functions, functional: `crossEntropy`, `nllLoss`, `mseLoss` and `binaryCrossEntropyWithLogits`, with
 * PyTorch's reductions (`'none'`, `'mean'`, `'sum'`), class weights, `ignoreIndex` and label smoothing.
 *
 * The classification losses share one representation of class-index targets: a dense tensor `q` of the
 * input's shape holding, for every counted entry, its class weight at its target class (and the smoothing
 * mass spread over every class). Then `loss = −Σ_c q_c log p_c` for every kind of target, and the fused
 * backward rule `p Σ_c q_c − q` follows in one line.
 */
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { formatShape, shapesEqual } from '../shape.js';
import { record } from '../autograd/graph.js';
import { noGrad } from '../autograd/grad-mode.js';
import { arange } from '../creation.js';
import { Tensor, checkTensor } from '../tensor.js';
import { abs, add, div, eq, exp, ge, log1p, lt, mul, ne, neg, sub, where } from './elementwise.js';
import { logSoftmax, relu, sigmoid } from './activation.js';
import { max, mean, min, sum } from './reduction.js';
import { gather } from './shape.js';

/** How a loss combines its per-element values: keep them, average them, or add them up. */
export type Reduction = 'none' | 'mean' | 'sum';

/** Options every loss takes. */
export interface ReductionOptions {
  /** `'mean'` (default), `'sum'`, or `'none'` for one loss per element. */
  reduction?: Reduction;
}

/** Options of `nllLoss`. */
export interface NllLossOptions extends ReductionOptions {
  /**
   * A weight per class, shape `(C)`; with class-index targets `'mean'` then divides by the sum of the
   * weights of the counted targets. It receives no gradient (PyTorch refuses one), except from
   * `crossEntropy` with class-probability targets.
   */
  weight?: Tensor | null;
  /** Entries whose target equals this count for nothing, not even in the mean (default -100). */
  ignoreIndex?: number;
}

/** Options of `crossEntropy`. */
export interface CrossEntropyOptions extends NllLossOptions {
  /**
   * In [0, 1] (default 0): the target becomes `(1 − labelSmoothing) · target + labelSmoothing / C`, a
   * mix with the uniform distribution over the C classes.
   */
  labelSmoothing?: number;
}

/** Options of `binaryCrossEntropyWithLogits`. */
export interface BinaryCrossEntropyWithLogitsOptions extends ReductionOptions {
  /** A weight per element, broadcast to the input's shape. A constant: it receives no gradient. */
  weight?: Tensor | null;
  /**
   * A weight of the positive term, broadcast to the input's shape (usually one per class, shape `(C)`).
   * A constant: it receives no gradient.
   */
  posWeight?: Tensor | null;
}

const REDUCTIONS: readonly string[] = ['none', 'mean', 'sum'];

function checkReduction(reduction: unknown, op: string): Reduction {
  if (!REDUCTIONS.includes(reduction as string)) {
    throw new ArgumentError(op, 'reduction', `expected 'none', 'mean' or 'sum', got '${String(reduction)}'`);
  }
  return reduction as Reduction;
}

function checkIgnoreIndex(ignoreIndex: unknown, op: string): number {
  if (!Number.isInteger(ignoreIndex))
    throw new ArgumentError(op, 'ignoreIndex', `expected an integer, got ${String(ignoreIndex)}`);
  return ignoreIndex as number;
}

/** Checks a floating input with at least one dim; returns the class axis (0 for `(C)`, else 1). */
function checkClassInput(input: Tensor, op: string): number {
  checkTensor(input, op, 'input');
  if (!isFloating(input.dtype))
    throw new DTypeError(op, 'input', `expected a floating tensor, got ${input.dtype}`);
  if (input.ndim === 0) {
    throw new ShapeError(op, 'input', 'expected a tensor (C), (N, C) or (N, C, d1, …), got a 0-D tensor');
  }
  return input.ndim === 1 ? 0 : 1;
}

/** Checks an optional tensor has the input's dtype. */
function checkSameDtype(value: Tensor, input: Tensor, op: string, argument: string): void {
  if (value.dtype !== input.dtype)
    throw new DTypeError(op, argument, `expected dtype ${input.dtype} like input, got ${value.dtype}`);
}

/** Checks an optional class weight: shape `(C)`, the input's dtype. */
function checkClassWeight(
  weight: Tensor | null | undefined,
  input: Tensor,
  classDim: number,
  op: string,
): Tensor | null {
  if (weight === undefined || weight === null) return null;
  checkTensor(weight, op, 'weight');
  const classes = input.shape[classDim]!;
  if (weight.ndim !== 1 || weight.shape[0] !== classes) {
    throw new ShapeError(
      op,
      'weight',
      `expected one weight per class, shape [${classes}] for input ${formatShape(input.shape)}, got ${formatShape(weight.shape)}`,
    );
  }
  checkSameDtype(weight, input, op, 'weight');
  return weight;
}

/** The shape of a per-class tensor that broadcasts along the class axis of `input`. */
function classShape(input: Tensor, classDim: number): number[] {
  return input.shape.map((d, i) => (i === classDim ? d : 1));
}

/** The input's shape with the class axis kept as size 1: where per-element values broadcast from. */
function keptShape(input: Tensor, classDim: number): number[] {
  return input.shape.map((d, i) => (i === classDim ? 1 : d));
}

/** Class-index targets, as the classification losses use them (none of it recorded). */
interface ClassIndexTargets {
  /** The target indices with the class axis kept (size 1), ignored entries replaced by class 0. */
  index: Tensor;
  /** 1 where the target counts, 0 where it equals ignoreIndex; shape of `index`, the input's dtype. */
  counted: Tensor;
  /** One-hot targets times their class weight, zero where ignored: the input's shape. */
  weightedOneHot: Tensor;
  /** Σ of the weights of the counted targets: PyTorch's denominator of `'mean'`. */
  denominator: number;
}

/**
 * Validates int32 class indices against `input` — shape `(N, d1, …)` for input `(N, C, d1, …)`, `()` for
 * input `(C)`, every value in [0, C) or equal to `ignoreIndex` — and builds their dense form.
 */
function classIndexTargets(
  op: string,
  input: Tensor,
  target: Tensor,
  classDim: number,
  weight: Tensor | null,
  ignoreIndex: number,
): ClassIndexTargets {
  const classes = input.shape[classDim]!;
  const expected = input.shape.filter((_, i) => i !== classDim);
  if (!shapesEqual(target.shape, expected)) {
    if (shapesEqual(target.shape, input.shape)) {
      throw new DTypeError(
        op,
        'target',
        `a target of the input's shape ${formatShape(input.shape)} holds class probabilities and must be floating, got ${target.dtype}`,
      );
    }
    throw new ShapeError(
      op,
      'target',
      `expected class indices of shape ${formatShape(expected)} for input ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  return noGrad(() => {
    const t = target.reshape(keptShape(input, classDim));
    const countedMask = ne(t, ignoreIndex);
    const outside = mul(countedMask, add(lt(t, 0), ge(t, classes)));
    const index = where(countedMask, t, 0);
    if (sum(outside).item() > 0) {
      const high = max(index).item();
      const offender = high >= classes ? high : min(index).item();
      throw new ArgumentError(
        op,
        'target',
        `class index ${offender} is out of range for ${classes} classes (expected [0, ${classes}) or ignoreIndex ${ignoreIndex})`,
      );
    }
    const counted = countedMask.to(input.dtype);
    const classIndex = arange(classes).reshape(classShape(input, classDim));
    const oneHot = mul(eq(t, classIndex).to(input.dtype), counted);
    const weightedOneHot = weight ? mul(oneHot, weight.reshape(classShape(input, classDim))) : oneHot;
    return {
      index,
      counted,
      weightedOneHot,
      denominator: sum(weightedOneHot).item(),
    };
  });
}

/** Applies the reduction to per-element losses; `'mean'` divides the sum by `denominator`. */
function reduceLoss(perElement: Tensor, reduction: Reduction, denominator: number): Tensor {
  if (reduction === 'none') return perElement;
  const total = sum(perElement);
  return reduction === 'sum' ? total : div(total, denominator);
}

/**
 * The gradient reaching each element's loss from the gradient of the reduced loss: itself reshaped to
 * `shape` for `'none'`, the scalar for `'sum'`, the scalar over `denominator` for `'mean'` (zero when the
 * denominator is 0, i.e. nothing was counted, as in PyTorch).
 */
function elementGrad(grad: Tensor, reduction: Reduction, denominator: number, shape: Shape): Tensor {
  if (reduction === 'none') return grad.reshape(shape);
  if (reduction === 'sum') return grad;
  return denominator === 0 ? mul(grad, 0) : div(grad, denominator);
}

/**
 * Cross entropy between the softmax of `input` over its class axis and `target`, as
 * `torch.nn.functional.cross_entropy`. `input` is `(N, C)`, `(N, C, d1, …)` (K-dimensional, e.g.
 * per-pixel) or `(C)`. `target` is either
 *
 * - int32 class indices of shape `(N)`, `(N, d1, …)` or `()`: entries equal to `ignoreIndex` are left
 *   out, and with `weight` the `'mean'` is `Σ wᵢ lossᵢ / Σ wᵢ` over the counted entries (NaN if none
 *   counts, as in PyTorch); or
 * - floating class probabilities of the input's shape: `'mean'` divides by the number of samples
 *   `N · d1 · …` (weights not included, as in PyTorch); `ignoreIndex` must stay negative. The target and
 *   the class weight receive gradients here, as in PyTorch.
 *
 * `'none'` returns one loss per sample, the target indices' shape.
 *
 * @example
 * F.crossEntropy(logits, tensor([2, 0, 1], undefined, { dtype: 'int32' }), { labelSmoothing: 0.1 });
 */
export function crossEntropy(input: Tensor, target: Tensor, options?: CrossEntropyOptions): Tensor {
  const op = 'crossEntropy';
  const classDim = checkClassInput(input, op);
  checkTensor(target, op, 'target');
  const reduction = checkReduction(options?.reduction ?? 'mean', op);
  const ignoreIndex = checkIgnoreIndex(options?.ignoreIndex ?? -100, op);
  const smoothing = options?.labelSmoothing ?? 0;
  if (typeof smoothing !== 'number' || !(smoothing >= 0 && smoothing <= 1)) {
    throw new ArgumentError(op, 'labelSmoothing', `expected a number in [0, 1], got ${String(smoothing)}`);
  }
  const weight = checkClassWeight(options?.weight, input, classDim, op);
  const classes = input.shape[classDim]!;
  if (isFloating(target.dtype)) {
    return probabilityCrossEntropy(input, target, classDim, weight, ignoreIndex, smoothing, reduction);
  }
  const { weightedOneHot, counted, denominator } = classIndexTargets(
    op,
    input,
    target,
    classDim,
    weight,
    ignoreIndex,
  );
  const q = noGrad(() => {
    if (smoothing === 0) return weightedOneHot;
    const spread = weight ? mul(counted, weight.reshape(classShape(input, classDim))) : counted;
    return add(mul(weightedOneHot, 1 - smoothing), mul(spread, smoothing / classes));
  });
  const logp = noGrad(() => logSoftmax(input, classDim));
  const out = noGrad(() => reduceLoss(neg(sum(mul(q, logp), { dim: classDim })), reduction, denominator));
  const kept = keptShape(input, classDim);
  return record(out, op, [input], (g) => [
    crossEntropyBackward(elementGrad(g, reduction, denominator, kept), logp, q, classDim),
  ]);
}
/**
 * For loss = −Σ_c q_c log p_c with p = softmax(x): ∂ log p_c / ∂x_k = [c = k] − p_k, so
 * ∂loss/∂x_k = p_k Σ_c q_c − q_k — softmax minus target when q is a distribution — times the gradient
 * reaching each sample's loss (`grad`, broadcast along the class axis). `logp` is log p.
 */
export function crossEntropyBackward(grad: Tensor, logp: Tensor, q: Tensor, classDim: number): Tensor {
  const mass = sum(q, { dim: classDim, keepDim: true });
  return mul(sub(mul(exp(logp), mass), q), grad);
}

/** `crossEntropy` with class-probability targets. */
function probabilityCrossEntropy(
  input: Tensor,
  target: Tensor,
  classDim: number,
  weight: Tensor | null,
  ignoreIndex: number,
  smoothing: number,
  reduction: Reduction,
): Tensor {
  const op = 'crossEntropy';
  if (!shapesEqual(target.shape, input.shape)) {
    throw new ShapeError(
      op,
      'target',
      `floating targets are class probabilities of the input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)} (class indices must be int32)`,
    );
  }
  checkSameDtype(target, input, op, 'target');
  if (ignoreIndex >= 0) {
    throw new ArgumentError(
      op,
      'ignoreIndex',
      `ignoreIndex ${ignoreIndex} is not supported for class-probability targets`,
    );
  }
  const classes = input.shape[classDim]!;
  const classWeight = weight ? weight.detach().reshape(classShape(input, classDim)) : null;
  const smoothed = noGrad(() =>
    smoothing > 0 ? add(mul(target, 1 - smoothing), smoothing / classes) : target,
  );
  const q = noGrad(() => (classWeight ? mul(smoothed, classWeight) : smoothed));
  const denominator = input.size / classes;
  const logp = noGrad(() => logSoftmax(input, classDim));
  const out = noGrad(() => reduceLoss(neg(sum(mul(q, logp), { dim: classDim })), reduction, denominator));
  const kept = keptShape(input, classDim);
  const inputs = weight ? [input, target, weight] : [input, target];
  return record(out, op, inputs, (g) => {
    const perElement = elementGrad(g, reduction, denominator, kept);
    return [
      crossEntropyBackward(perElement, logp, q, classDim),
      ...probabilityTargetBackward(perElement, logp, smoothed, classWeight, smoothing, classDim),
    ];
  });
}
/**
 * The target and weight gradients of cross entropy with probability targets. For
 * loss = −Σ_c w_c t'_c log p_c with t' = (1 − ε) t + ε / C: ∂loss/∂t_c = −(1 − ε) w_c log p_c, and
 * ∂loss/∂w_c = −t'_c log p_c summed over the samples. `weight` is null or shaped to broadcast along the
 * class axis. Returns [dt, dw?].
 */
export function probabilityTargetBackward(
  grad: Tensor,
  logp: Tensor,
  smoothed: Tensor,
  weight: Tensor | null,
  labelSmoothing: number,
  classDim: number,
): Tensor[] {
  const perClass = mul(neg(logp), grad);
  const dt = mul(weight ? mul(perClass, weight) : perClass, 1 - labelSmoothing);
  if (!weight) return [dt];
  const sampleAxes = logp.shape.map((_, i) => i).filter((i) => i !== classDim);
  return [dt, sum(mul(perClass, smoothed), { dim: sampleAxes }).reshape([logp.shape[classDim]!])];
}

/**
 * Negative log-likelihood of log-probabilities `input` (`(N, C)`, `(N, C, d1, …)` or `(C)`) at int32 class
 * indices `target` (`(N)`, `(N, d1, …)` or `()`), as `torch.nn.functional.nll_loss`: `lossᵢ = −w[yᵢ]
 * input[i, yᵢ]`. Entries whose target is `ignoreIndex` count for nothing; a weighted `'mean'` divides by
 * the sum of the counted targets' weights (NaN if none counts, as in PyTorch).
 *
 * @example
 * F.nllLoss(F.logSoftmax(logits, 1), labels); // the same as F.crossEntropy(logits, labels)
 */
export function nllLoss(input: Tensor, target: Tensor, options?: NllLossOptions): Tensor {
  const op = 'nllLoss';
  const classDim = checkClassInput(input, op);
  checkTensor(target, op, 'target');
  if (target.dtype !== 'int32')
    throw new DTypeError(op, 'target', `expected int32 class indices, got ${target.dtype}`);
  const reduction = checkReduction(options?.reduction ?? 'mean', op);
  const ignoreIndex = checkIgnoreIndex(options?.ignoreIndex ?? -100, op);
  const weight = checkClassWeight(options?.weight, input, classDim, op);
  const { index, counted, weightedOneHot, denominator } = classIndexTargets(
    op,
    input,
    target,
    classDim,
    weight,
    ignoreIndex,
  );
  const out = noGrad(() => {
    const targetWeight = sum(weightedOneHot, { dim: classDim, keepDim: true });
    const picked = mul(gather(input, classDim, index), targetWeight);
    return reduceLoss(where(counted, neg(picked), 0).reshape(target.shape), reduction, denominator);
  });
  const kept = keptShape(input, classDim);
  return record(out, op, [input], (g) => [
    nllLossBackward(elementGrad(g, reduction, denominator, kept), weightedOneHot),
  ]);
}
/** lossᵢ = −Σ_c qᵢ_c xᵢ_c with q the weighted one-hot target, so dx = −q times each sample's gradient. */
export function nllLossBackward(grad: Tensor, weightedOneHot: Tensor): Tensor {
  return neg(mul(weightedOneHot, grad));
}

/** Checks a target of exactly the input's shape and dtype. */
function checkSameShapeTarget(input: Tensor, target: Tensor, op: string): void {
  checkTensor(input, op, 'input');
  checkTensor(target, op, 'target');
  if (!isFloating(input.dtype))
    throw new DTypeError(op, 'input', `expected a floating tensor, got ${input.dtype}`);
  if (!shapesEqual(target.shape, input.shape)) {
    throw new ShapeError(
      op,
      'target',
      `expected the input's shape ${formatShape(input.shape)}, got ${formatShape(target.shape)}`,
    );
  }
  checkSameDtype(target, input, op, 'target');
}

/**
 * Mean squared error `(input − target)²`, as `torch.nn.functional.mse_loss`; `target` has the input's
 * shape (PyTorch would broadcast with a warning; here a mismatch is an error). Both receive gradients.
 *
 * @example
 * F.mseLoss(prediction, target, { reduction: 'sum' });
 */
export function mseLoss(input: Tensor, target: Tensor, options?: ReductionOptions): Tensor {
  const op = 'mseLoss';
  checkSameShapeTarget(input, target, op);
  const reduction = checkReduction(options?.reduction ?? 'mean', op);
  const diff = sub(input, target);
  const squared = mul(diff, diff);
  if (reduction === 'none') return squared;
  return reduction === 'sum' ? sum(squared) : mean(squared);
}

/** Checks an optional weight that must broadcast to the input's shape. */
function checkBroadcastWeight(
  value: Tensor | null | undefined,
  input: Tensor,
  op: string,
  argument: string,
): Tensor | null {
  if (value === undefined || value === null) return null;
  checkTensor(value, op, argument);
  const lead = input.ndim - value.ndim;
  if (lead < 0 || value.shape.some((d, i) => d !== 1 && d !== input.shape[lead + i])) {
    throw new ShapeError(
      op,
      argument,
      `shape ${formatShape(value.shape)} does not broadcast to the input's shape ${formatShape(input.shape)}`,
    );
  }
  checkSameDtype(value, input, op, argument);
  return value;
}

/** `log(1 + e⁻ˣ)` without overflow: `max(−x, 0) + log(1 + e^(−|x|))`. */
function softplusOfNegative(x: Tensor): Tensor {
  return add(relu(neg(x)), log1p(exp(neg(abs(x)))));
}

/**
 * Binary cross entropy between `sigmoid(input)` and `target` (values in [0, 1], the input's shape), as
 * `torch.nn.functional.binary_cross_entropy_with_logits`:
 * `loss = −w [p t log σ(x) + (1 − t) log(1 − σ(x))]` with `w = weight` and `p = posWeight` (both default
 * 1), computed as `w [(1 − t) x + (1 + (p − 1) t) log(1 + e⁻ˣ)]` so no logit overflows. `'mean'` divides by
 * the number of elements. The input and the target receive gradients.
 *
 * @example
 * F.binaryCrossEntropyWithLogits(logits, labels, { posWeight: tensor([3, 1, 1]) }); // (N, 3)
 */
export function binaryCrossEntropyWithLogits(
  input: Tensor,
  target: Tensor,
  options?: BinaryCrossEntropyWithLogitsOptions,
): Tensor {
  const op = 'binaryCrossEntropyWithLogits';
  checkSameShapeTarget(input, target, op);
  const reduction = checkReduction(options?.reduction ?? 'mean', op);
  const weight = checkBroadcastWeight(options?.weight, input, op, 'weight');
  const posWeight = checkBroadcastWeight(options?.posWeight, input, op, 'posWeight');
  const out = noGrad(() => {
    const softplus = softplusOfNegative(input);
    const positive = posWeight ? mul(add(mul(sub(posWeight, 1), target), 1), softplus) : softplus;
    const loss = add(mul(sub(1, target), input), positive);
    return reduceLoss(weight ? mul(loss, weight) : loss, reduction, input.size);
  });
  return record(out, op, [input, target], (g) =>
    binaryCrossEntropyWithLogitsBackward(
      elementGrad(g, reduction, input.size, input.shape),
      input,
      target,
      weight,
      posWeight,
    ),
  );
}
/**
 * For l = w [(1 − t) x + (1 + (p − 1) t) softplus(−x)], with d softplus(−x)/dx = −σ(−x):
 * ∂l/∂x = w [(1 − t) − (1 + (p − 1) t) σ(−x)] (σ(x) − t without p), and
 * ∂l/∂t = w [(p − 1) softplus(−x) − x] (−x without p); both times each element's gradient.
 */
export function binaryCrossEntropyWithLogitsBackward(
  grad: Tensor,
  input: Tensor,
  target: Tensor,
  weight: Tensor | null,
  posWeight: Tensor | null,
): [Tensor, Tensor] {
  const scale = weight ? mul(grad, weight) : grad;
  if (!posWeight) {
    return [mul(sub(sigmoid(input), target), scale), mul(neg(input), scale)];
  }
  const logWeight = add(mul(sub(posWeight, 1), target), 1);
  const dx = sub(sub(1, target), mul(logWeight, sigmoid(neg(input))));
  const dt = sub(mul(sub(posWeight, 1), softplusOfNegative(input)), input);
  return [mul(dx, scale), mul(dt, scale)];
}
