/**
 * `nn.utils`: gradient clipping, as `torch.nn.utils.clip_grad_norm_`.
 */
import { ArgumentError } from '../errors.js';
import { noGrad } from '../autograd/grad-mode.js';
import { tensor as makeTensor } from '../creation.js';
import { stack } from '../ops/shape.js';
import { Tensor } from '../tensor.js';

/** Options of {@link clipGradNorm_}. */
export interface ClipGradNormOptions {
  /** Order p of the norm: any number > 0, or `Infinity` for the largest absolute value (default 2). */
  normType?: number;
  /** Throw instead of scaling when the total norm is NaN or infinite (default false). */
  errorIfNonfinite?: boolean;
}

/** The p-norm of a tensor's values (the largest absolute value for p = ∞), as a 0-d float64 tensor. */
function pNorm(values: Tensor, p: number): Tensor {
  const magnitudes = values.to('float64').abs();
  if (p === Infinity) return magnitudes.max();
  if (p === 2) return magnitudes.mul(magnitudes).sum().sqrt();
  return magnitudes
    .pow(p)
    .sum()
    .pow(1 / p);
}

/**
 * Rescales the gradients of `parameters` in place so that their combined norm — the p-norm of all gradient
 * values taken together, as if concatenated — is at most `maxNorm`, exactly as PyTorch: every gradient is
 * multiplied by `min(1, maxNorm / (total + 1e-6))`. Parameters without a gradient are skipped. Returns the
 * total norm before clipping as a 0-d tensor (the dtype of the first gradient; 0 if there is none).
 *
 * @example
 * loss.backward();
 * const norm = nn.utils.clipGradNorm_(model.parameters(), 1.0).item();
 * optimizer.step();
 */
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  options?: ClipGradNormOptions,
): Tensor {
  const op = 'clipGradNorm_';
  const list = parameters instanceof Tensor ? [parameters] : parameters !== null ? [...parameters] : null;
  if (list === null || !list.every((p) => p instanceof Tensor)) {
    throw new ArgumentError(op, 'parameters', 'expected a Tensor or an iterable of Tensors');
  }
  if (typeof maxNorm !== 'number' || Number.isNaN(maxNorm) || maxNorm < 0) {
    throw new ArgumentError(op, 'maxNorm', `expected a number ≥ 0, got ${String(maxNorm)}`);
  }
  const p = options?.normType ?? 2;
  if (typeof p !== 'number' || !(p > 0)) {
    throw new ArgumentError(op, 'normType', `expected a number > 0 or Infinity, got ${String(p)}`);
  }
  const errorIfNonfinite = options?.errorIfNonfinite ?? false;
  if (typeof errorIfNonfinite !== 'boolean') {
    throw new ArgumentError(op, 'errorIfNonfinite', `expected a boolean, got ${String(errorIfNonfinite)}`);
  }
  const grads = list.flatMap((param) => (param.grad === null ? [] : [param.grad]));
  if (grads.length === 0) return makeTensor(0);
  const dtype = grads[0]!.dtype;
  return noGrad(() => {
    const norms = grads.filter((g) => g.size > 0).map((g) => pNorm(g, p));
    const total = norms.length === 0 ? 0 : pNorm(stack(norms), p).item();
    if (errorIfNonfinite && !Number.isFinite(total)) {
      throw new ArgumentError(
        op,
        'parameters',
        `the total norm of order ${p} of the gradients is non-finite (${total}), so it cannot be clipped; to scale the gradients by it anyway, set errorIfNonfinite: false`,
      );
    }
    const coefficient = Math.min(maxNorm / (total + 1e-6), 1);
    for (const g of grads) g.mul_(coefficient);
    return makeTensor(total, [], { dtype });
  });
}

/** The same function under the name of PyTorch's deprecated alias `clip_grad_norm`. */
export const clipGradNorm = clipGradNorm_;
