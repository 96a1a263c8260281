/**
 * Shape arithmetic shared by every op: sizes, strides, broadcasting and dimension normalisation.
 */
import { ArgumentError, ShapeError } from './errors.js';

/** A tensor's shape: one non-negative integer per dimension, `[]` for a scalar. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major (C-contiguous) strides of a shape, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** True if two shapes are the same. */
export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** `[2, 3]` → `'[2, 3]'`, for error messages. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/**
 * The shape two shapes broadcast to, by numpy's rule: align trailing dimensions; each pair must be equal or
 * contain a 1.
 */
export function broadcastShapes(a: Shape, b: Shape, op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        op,
        '',
        `shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together (dimension ${i}: ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Turns a possibly negative dimension index into one in `[0, ndim)`, or throws naming the op. */
export function normalizeDim(dim: number, ndim: number, op: string, argument = 'dim'): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi) {
    throw new ArgumentError(op, argument, `dimension ${dim} is out of range for a ${ndim}-D tensor`);
  }
  return dim < 0 ? Math.max(dim + ndim, 0) : dim;
}

/** True for an array. Unlike `Array.isArray`, it does not narrow a typed argument to `any[]`. */
export function isList(value: unknown): boolean {
  return Array.isArray(value);
}

/** Checks that a shape is a list of non-negative integers. */
export function checkShape(shape: Shape, op: string, argument = 'shape'): void {
  if (!isList(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new ArgumentError(
      op,
      argument,
      `expected a list of non-negative integers, got ${JSON.stringify(shape)}`,
    );
  }
}
