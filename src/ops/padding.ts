/**
 * `F.pad`: constant, reflect, replicate and circular padding, with PyTorch's argument order.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { formatShape, isList } from '../shape.js';
import type { PadMode, PadSpec } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { Tensor, checkTensor } from '../tensor.js';

/** Options of `pad`. */
export interface PadOptions {
  /** `'constant'` (default), `'reflect'` (mirror without the edge), `'replicate'` (edge), `'circular'` (wrap). */
  mode?: PadMode;
  /** Fill value for `'constant'` (default 0). */
  value?: number;
}

const MODES: readonly string[] = ['constant', 'reflect', 'replicate', 'circular'];

/**
 * Pads the last `pad.length / 2` dims: `pad = [left, right]` pads the last dim, `[left, right, top,
 * bottom]` the last two, and so on (PyTorch's order, last dim first). Negative amounts crop in
 * `'constant'` mode. `'reflect'` needs each amount < the dim's size, `'circular'` ≤ it.
 *
 * @example
 * F.pad(x, [1, 1, 2, 2], { mode: 'reflect' })   // (N, C, H + 4, W + 2)
 */
export function pad(input: Tensor, padding: readonly number[], options?: PadOptions): Tensor {
  checkTensor(input, 'pad', 'input');
  const mode = options?.mode ?? 'constant';
  const value = options?.value ?? 0;
  if (!MODES.includes(mode))
    throw new ArgumentError('pad', 'mode', `expected one of ${MODES.join(', ')}, got '${mode as string}'`);
  if (typeof value !== 'number')
    throw new ArgumentError('pad', 'value', `expected a number, got ${typeof value}`);
  if (!isList(padding) || padding.length % 2 !== 0 || !padding.every(Number.isInteger)) {
    throw new ArgumentError(
      'pad',
      'pad',
      `expected an even-length list of integers, got ${JSON.stringify(padding)}`,
    );
  }
  const dims = padding.length / 2;
  if (dims > input.ndim) {
    throw new ShapeError(
      'pad',
      'pad',
      `padding ${JSON.stringify(padding)} covers ${dims} dims but the input has shape ${formatShape(input.shape)}`,
    );
  }
  const before = input.shape.map(() => 0);
  const after = input.shape.map(() => 0);
  for (let i = 0; i < dims; i++) {
    const axis = input.ndim - 1 - i;
    before[axis] = padding[2 * i]!;
    after[axis] = padding[2 * i + 1]!;
    const length = input.shape[axis]!;
    for (const amount of [before[axis], after[axis]]) {
      if (mode !== 'constant' && amount < 0) {
        throw new ArgumentError(
          'pad',
          'pad',
          `negative padding is only allowed in 'constant' mode, got ${amount}`,
        );
      }
      if (mode === 'reflect' && amount >= length) {
        throw new ShapeError(
          'pad',
          'pad',
          `reflect padding ${amount} must be smaller than the dim size ${length} (axis ${axis} of ${formatShape(input.shape)})`,
        );
      }
      if (mode === 'circular' && amount > length) {
        throw new ShapeError(
          'pad',
          'pad',
          `circular padding ${amount} must not exceed the dim size ${length} (axis ${axis} of ${formatShape(input.shape)})`,
        );
      }
      if (mode === 'replicate' && amount > 0 && length === 0) {
        throw new ShapeError('pad', 'pad', `cannot replicate the edge of an empty axis ${axis}`);
      }
    }
    if (length + before[axis] + after[axis] < 0) {
      throw new ShapeError(
        'pad',
        'pad',
        `cropping ${-before[axis] - after[axis]} from axis ${axis} of size ${length} leaves a negative size`,
      );
    }
  }
  const spec: PadSpec = { inputShape: input.shape, before, after, mode, value };
  const outShape = input.shape.map((l, d) => l + before[d]! + after[d]!);
  const out = new Tensor(backend().pad(input.data, spec), outShape);
  return record(out, 'pad', [input], (g) => [padBackward(g, spec)]);
}
/** Each output element is a copy of one input element (or the constant): its gradient flows back to that element. */
export function padBackward(grad: Tensor, spec: PadSpec): Tensor {
  return new Tensor(backend().padBackward(grad.data, spec), spec.inputShape);
}
