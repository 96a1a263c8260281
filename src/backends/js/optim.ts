/**
 * The optimizers' in-place updates in the reference backend: one loop per parameter doing what
 * `torch.optim.SGD` and `torch.optim.Adam`/`AdamW` do element by element. Every constant is first rounded
 * to the parameter's dtype and every operation's result after it, as PyTorch's tensor expressions (and the
 * library's own, before these kernels) compute them, so the float32 results are the same bits.
 */
import type { AdamStepSpec, SgdStepSpec } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';

/** Rounds to float32 for float32 arrays, keeps float64 as it is. */
function rounder(x: TypedArray): (v: number) => number {
  return x instanceof Float32Array ? Math.fround : (v) => v;
}

/**
 * `d = ±grad + weightDecay·θ`; with momentum `b = firstStep ? d : momentum·b + (1 − dampening)·d` and
 * `d = nesterov ? d + momentum·b : b`; then `θ −= lr·d`.
 */
export function sgdStep(
  param: TypedArray,
  grad: TypedArray,
  momentumBuffer: TypedArray | null,
  firstStep: boolean,
  spec: SgdStepSpec,
): void {
  const r = rounder(param);
  const { nesterov, maximize } = spec;
  const weightDecay = r(spec.weightDecay);
  const momentum = r(spec.momentum);
  const keep = r(1 - spec.dampening);
  const step = r(-spec.lr);
  for (let i = 0; i < param.length; i++) {
    let d = maximize ? -grad[i]! : grad[i]!;
    if (spec.weightDecay !== 0) d = r(d + r(param[i]! * weightDecay));
    if (momentumBuffer !== null) {
      const b = firstStep ? d : r(r(momentumBuffer[i]! * momentum) + r(d * keep));
      momentumBuffer[i] = b;
      d = nesterov ? r(d + r(b * momentum)) : b;
    }
    param[i] = r(param[i]! + r(d * step));
  }
}

/**
 * `g = ±grad (+ weightDecay·θ unless decoupled)`, `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`,
 * `v̂ = amsgrad ? max(v̂, v) : v`, `θ ← θ − lr/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + eps)`; AdamW first shrinks
 * `θ ← θ (1 − lr·weightDecay)`.
 */
export function adamStep(
  param: TypedArray,
  grad: TypedArray,
  expAvg: TypedArray,
  expAvgSq: TypedArray,
  maxExpAvgSq: TypedArray | null,
  spec: AdamStepSpec,
): void {
  const r = rounder(param);
  const { lr, beta1, beta2, decoupled, maximize, step } = spec;
  const stepSize = r(-(lr / (1 - beta1 ** step)));
  const biasCorrection2Sqrt = r(Math.sqrt(1 - beta2 ** step));
  const shrink = r(1 - lr * spec.weightDecay);
  const weightDecay = r(spec.weightDecay);
  const [b1, keep1, b2, keep2, eps] = [beta1, 1 - beta1, beta2, 1 - beta2, spec.eps].map(r) as [
    number,
    number,
    number,
    number,
    number,
  ];
  for (let i = 0; i < param.length; i++) {
    let theta = param[i]!;
    if (decoupled) theta = r(theta * shrink);
    let g = maximize ? -grad[i]! : grad[i]!;
    if (!decoupled && spec.weightDecay !== 0) g = r(g + r(theta * weightDecay));
    const m = r(r(expAvg[i]! * b1) + r(g * keep1));
    const v = r(r(expAvgSq[i]! * b2) + r(r(g * g) * keep2));
    expAvg[i] = m;
    expAvgSq[i] = v;
    let second = v;
    if (maxExpAvgSq !== null) {
      second = Math.max(maxExpAvgSq[i]!, v);
      maxExpAvgSq[i] = second;
    }
    const denom = r(r(r(Math.sqrt(second)) / biasCorrection2Sqrt) + eps);
    param[i] = r(theta + r(r(m / denom) * stepSize));
  }
}
