/**
 * Parsers of option values for `commander`: each returns the value or throws the error commander reports
 * as `error: option '--epochs <n>' argument 'abc' is invalid. expected a positive integer`.
 */
import { InvalidArgumentError } from 'commander';

/** An integer ≥ 1. */
export function positiveInteger(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError('expected a positive integer');
  }
  return value;
}

/** A thread count: an integer from 1 to 256 (what `setNumThreads` accepts). */
export function threadCount(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 1 || value > 256) {
    throw new InvalidArgumentError('expected an integer from 1 to 256');
  }
  return value;
}

/** An integer ≥ 0 that JavaScript represents exactly. */
export function nonNegativeInteger(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError('expected an integer >= 0');
  }
  return value;
}

/** A finite number ≥ 0. */
export function nonNegativeNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError('expected a number >= 0');
  }
  return value;
}

/** A finite number > 0. */
export function positiveNumber(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError('expected a number > 0');
  }
  return value;
}

/** A sample shape `C,H,W` (or `CxHxW`) of positive integers. */
export function sampleShape(text: string): [number, number, number] {
  const parts = text.split(/[,x×]/).map((p) => Number(p.trim()));
  if (parts.length !== 3 || !parts.every((d) => Number.isSafeInteger(d) && d >= 1)) {
    throw new InvalidArgumentError('expected C,H,W such as 1,28,28');
  }
  return parts as [number, number, number];
}
