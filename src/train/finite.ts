/**
 * Finding NaN and infinities in tensors: what the training loop checks losses, gradients and weights with
 * before they can spread, and what the command line warns about in a checkpoint.
 */
import type { Tensor } from '../tensor.js';

/** Where a value that is not finite was found. */
export interface NonFiniteValue {
  /** The name the tensor was given with. */
  readonly name: string;
  /** Its row-major index in that tensor. */
  readonly index: number;
  /** The value: `NaN`, `Infinity` or `-Infinity`. */
  readonly value: number;
}

/**
 * The first NaN or infinite value of the named tensors, in order, or `null` if every value is finite.
 *
 * @example
 * findNonFinite(model.namedParameters())   // null, or { name: '0.weight', index: 12, value: NaN }
 */
export function findNonFinite(tensors: Iterable<readonly [string, Tensor]>): NonFiniteValue | null {
  for (const [name, tensor] of tensors) {
    const data = tensor.data;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      // NaN - NaN and ±Infinity - ±Infinity are NaN; every finite v gives 0.
      if (v - v !== 0) return { name, index: i, value: v };
    }
  }
  return null;
}

/**
 * How many values of `tensors` are NaN or infinite.
 *
 * @example
 * countNonFinite(model.parameters())   // 0 for a model that trained without diverging
 */
export function countNonFinite(tensors: Iterable<Tensor>): number {
  let count = 0;
  for (const tensor of tensors) {
    const data = tensor.data;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v - v !== 0) count += 1;
    }
  }
  return count;
}
