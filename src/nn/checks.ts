/**
 * Argument checks shared by the layer constructors. Each returns the checked value or throws an
 * `ArgumentError` (a `DTypeError` for a dtype) naming the layer and the argument.
 */
import type { DType } from '../dtype.js';
import { ArgumentError, DTypeError } from '../errors.js';

/** The float dtypes a layer's parameters can have. */
export type FloatDType = Extract<DType, 'float32' | 'float64'>;

/** Options of every layer that owns parameters or buffers. */
export interface FactoryOptions {
  /** dtype of the parameters and float buffers (default `'float32'`). */
  dtype?: FloatDType;
}

/** An integer ≥ 1. */
export function positiveInt(value: unknown, op: string, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ArgumentError(op, argument, `expected a positive integer, got ${String(value)}`);
  }
  return value;
}

/** An integer (negative allowed, as for dims). */
export function integer(value: unknown, op: string, argument: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ArgumentError(op, argument, `expected an integer, got ${String(value)}`);
  }
  return value;
}

/** A boolean. */
export function bool(value: unknown, op: string, argument: string): boolean {
  if (typeof value !== 'boolean') {
    throw new ArgumentError(op, argument, `expected a boolean, got ${String(value)}`);
  }
  return value;
}

/** A finite number in `[min, max]`. */
export function finite(
  value: unknown,
  op: string,
  argument: string,
  min = -Infinity,
  max = Infinity,
): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = min === -Infinity && max === Infinity ? '' : ` in [${min}, ${max}]`;
    throw new ArgumentError(op, argument, `expected a finite number${range}, got ${String(value)}`);
  }
  return value;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(
  value: unknown,
  choices: readonly T[],
  op: string,
  argument: string,
): T {
  if (!choices.includes(value as T)) {
    throw new ArgumentError(
      op,
      argument,
      `expected one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${typeof value === 'string' ? `'${value}'` : String(value)}`,
    );
  }
  return value as T;
}

/** The dtype option of a layer: `'float32'` (default) or `'float64'`. */
export function floatDtype(options: FactoryOptions | undefined, op: string): FloatDType {
  const dtype = options?.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new DTypeError(op, 'dtype', `parameters must be float32 or float64, got ${String(dtype)}`);
  }
  return dtype;
}
