/**
 * Finite-difference gradient checking, the test that proves a backward rule: compare the gradient autograd
 * computes with central differences of the function itself, in float64.
 */
import { ArgumentError, DTypeError, GradcheckError } from './errors.js';
import { noGrad } from './autograd/grad-mode.js';
import { Generator } from './random.js';
import { isList, stridesOf } from './shape.js';
import { Tensor } from './tensor.js';

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Step of the central difference (default 1e-6). */
  eps?: number;
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance (default 1e-3). */
  rtol?: number;
  /** Seed of the random upstream gradient (default 0). */
  seed?: number;
}

/** Σ ⟨fᵢ(inputs), vᵢ⟩ over the outputs: a scalar whose gradient is the vector-Jacobian product with v. */
function project(outputs: readonly Tensor[], upstream: readonly Tensor[]): Tensor {
  return outputs.map((o, i) => o.mul(upstream[i]!).sum()).reduce((a, b) => a.add(b));
}

function asList(result: Tensor | readonly Tensor[]): readonly Tensor[] {
  const outputs = result instanceof Tensor ? [result] : result;
  if (!isList(outputs) || outputs.length === 0 || !outputs.every((t) => t instanceof Tensor)) {
    throw new ArgumentError(
      'gradcheck',
      'fn',
      'expected fn to return a tensor or a non-empty list of tensors',
    );
  }
  return outputs;
}

function checkOption(value: number, name: string, positive: boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0)) {
    throw new ArgumentError(
      'gradcheck',
      name,
      `expected a ${positive ? 'positive' : 'non-negative'} number, got ${String(value)}`,
    );
  }
}

/**
 * Checks the gradients of `fn` at `inputs` against central differences
 * `(f(x + eps) − f(x − eps)) / 2eps`. A random upstream gradient `v` is drawn for each output, so the whole
 * vector-Jacobian product `vᵀJ` is checked, not only the gradient of a sum. Every input that requires a
 * gradient must be float64. An output that does not require grad counts as having a zero gradient.
 * Returns true, or throws a {@link GradcheckError} naming the worst entry.
 *
 * @example
 * gradcheck((x, w) => F.conv2d(x, w), [randn([1, 2, 5, 5], { dtype: 'float64', requiresGrad: true }),
 *                                      randn([3, 2, 3, 3], { dtype: 'float64', requiresGrad: true })]);
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor | readonly Tensor[],
  inputs: readonly Tensor[],
  options?: GradcheckOptions,
): true {
  const eps = options?.eps ?? 1e-6;
  const atol = options?.atol ?? 1e-5;
  const rtol = options?.rtol ?? 1e-3;
  const seed = options?.seed ?? 0;
  if (typeof fn !== 'function') throw new ArgumentError('gradcheck', 'fn', 'expected a function');
  checkOption(eps, 'eps', true);
  checkOption(atol, 'atol', false);
  checkOption(rtol, 'rtol', false);
  if (!Number.isSafeInteger(seed)) {
    throw new ArgumentError('gradcheck', 'seed', `expected a safe integer, got ${String(seed)}`);
  }
  if (!isList(inputs) || !inputs.every((t) => t instanceof Tensor)) {
    throw new ArgumentError('gradcheck', 'inputs', 'expected a list of tensors');
  }
  inputs.forEach((t, i) => {
    if (t.requiresGrad && t.dtype !== 'float64') {
      throw new DTypeError(
        'gradcheck',
        `inputs[${i}]`,
        `inputs that require grad must be float64, got ${t.dtype}`,
      );
    }
  });
  if (!inputs.some((t) => t.requiresGrad))
    throw new ArgumentError('gradcheck', 'inputs', 'no input requires grad');

  const leaves = inputs.map((t) => {
    const copy = t.detach().clone();
    return t.requiresGrad ? copy.requiresGrad_(true) : copy;
  });
  const outputs = asList(fn(...leaves));
  const g = new Generator(seed);
  const upstream = outputs.map((o) => {
    const v = new Float64Array(o.size);
    for (let i = 0; i < v.length; i++) v[i] = g.normal();
    return new Tensor(v, o.shape).to(o.dtype);
  });
  const projection = project(outputs, upstream);
  if (projection.requiresGrad) projection.backward();

  const evaluate = (): number => noGrad(() => project(asList(fn(...leaves)), upstream).item());
  leaves.forEach((leaf, inputIndex) => {
    if (!leaf.requiresGrad) return;
    const analytical = leaf.grad?.data ?? new Float64Array(leaf.size);
    let worst = { excess: 0, element: -1, numerical: 0 };
    for (let j = 0; j < leaf.size; j++) {
      const saved = leaf.data[j]!;
      leaf.data[j] = saved + eps;
      const plus = evaluate();
      leaf.data[j] = saved - eps;
      const minus = evaluate();
      leaf.data[j] = saved;
      const numerical = (plus - minus) / (2 * eps);
      const excess = Math.abs(analytical[j]! - numerical) - (atol + rtol * Math.abs(numerical));
      if (!(excess <= worst.excess)) worst = { excess, element: j, numerical };
    }
    if (worst.element >= 0) {
      const j = worst.element;
      const position = stridesOf(leaf.shape).map((s, d) => Math.floor(j / s) % leaf.shape[d]!);
      throw new GradcheckError(
        `gradient mismatch at element [${position.join(', ')}]: analytical ${analytical[j]}, numerical ${worst.numerical} (atol ${atol}, rtol ${rtol})`,
        inputIndex,
        j,
        analytical[j]!,
        worst.numerical,
      );
    }
  });
  return true;
}
