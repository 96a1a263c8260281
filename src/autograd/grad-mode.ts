/**
 * Whether ops record the graph that `backward` walks. On by default; `noGrad(fn)` turns it off inside `fn`,
 * as `torch.no_grad()` does (optimizer updates, evaluation, the backward rules themselves).
 */
import { ArgumentError } from '../errors.js';

let enabled = true;

/** True while ops record gradients. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` with gradient recording off and returns its result. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode('noGrad', false, fn);
}

/** Runs `fn` with gradient recording on (inside a `noGrad`, for example) and returns its result. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode('enableGrad', true, fn);
}

function withGradMode<T>(op: string, mode: boolean, fn: () => T): T {
  if (typeof fn !== 'function') throw new ArgumentError(op, 'fn', `expected a function, got ${typeof fn}`);
  const previous = enabled;
  enabled = mode;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
