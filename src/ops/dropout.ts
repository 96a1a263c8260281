/**
 * Dropout, functional: during training each element is zeroed with probability `p` and the survivors are
 * scaled by `1 / (1 − p)` ("inverted" dropout), so the expected value is unchanged and evaluation needs no
 * rescaling.
 */
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { record } from '../autograd/graph.js';
import { noGrad } from '../autograd/grad-mode.js';
import { rand, zeros } from '../creation.js';
import { checkTensor } from '../tensor.js';
import type { Tensor } from '../tensor.js';
import { lt, mul } from './elementwise.js';

/** Options of `dropout`. */
export interface DropoutOptions {
  /** Probability of zeroing an element, in [0, 1] (default 0.5). */
  p?: number;
  /** Drop only when true (default true, as `torch.nn.functional.dropout`). */
  training?: boolean;
  /** Draw the mask from a private generator seeded with this, leaving the global one untouched. */
  seed?: number;
}

/**
 * Inverted dropout, as `torch.nn.functional.dropout`: keeps each element with probability `1 − p` and
 * scales it by `1 / (1 − p)`. The mask comes from the global generator (see `manualSeed`), or from a
 * private one when `seed` is given. With `training: false` or `p = 0` the input itself is returned; with
 * `p = 1` the result is all zeros.
 *
 * @example
 * F.dropout(x, { p: 0.2, training: model.training });
 */
export function dropout(input: Tensor, options?: DropoutOptions): Tensor {
  const op = 'dropout';
  checkTensor(input, op, 'input');
  const p = options?.p ?? 0.5;
  const training = options?.training ?? true;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    throw new ArgumentError(op, 'p', `dropout probability has to be in [0, 1], got ${String(p)}`);
  if (typeof training !== 'boolean')
    throw new ArgumentError(op, 'training', `expected a boolean, got ${String(training)}`);
  if (!isFloating(input.dtype))
    throw new DTypeError(op, 'input', `expected a floating tensor, got ${input.dtype}`);
  const seed = options?.seed;
  if (seed !== undefined && !Number.isSafeInteger(seed))
    throw new ArgumentError(op, 'seed', `expected a safe integer, got ${String(seed)}`);
  if (!training || p === 0) return input;
  const mask = noGrad(() => {
    if (p === 1) return zeros([], { dtype: input.dtype });
    const uniform = rand(input.shape, { dtype: 'float64', seed });
    return mul(lt(uniform, 1 - p).to(input.dtype), 1 / (1 - p));
  });
  const out = noGrad(() => mul(input, mask));
  return record(out, op, [input], (g) => [dropoutBackward(g, mask)]);
}
/** y = x · m with the mask m a constant (0 or 1/(1 − p)): dx = dy · m. */
export function dropoutBackward(grad: Tensor, mask: Tensor): Tensor {
  return mul(grad, mask);
}
