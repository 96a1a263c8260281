/**
 * Activation functions: ReLU and its relatives (ELU, leaky ReLU, GELU, SiLU), sigmoid, tanh, and the
 * softmax family. Each backward rule is written in terms of the forward output where that is cheaper.
 */
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { normalizeDim, shapesEqual, sizeOf } from '../shape.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Tensor, checkTensor } from '../tensor.js';
import { add, erf, exp, gt, mul, sub, where } from './elementwise.js';
import { max, sum } from './reduction.js';

function checkFloat(input: Tensor, op: string): void {
  checkTensor(input, op, 'input');
  if (!isFloating(input.dtype))
    throw new DTypeError(op, 'input', `expected a floating tensor, got ${input.dtype}`);
}

function checkNumber(value: unknown, op: string, argument: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArgumentError(op, argument, `expected a finite number, got ${String(value)}`);
  }
}

/** `max(0, x)`. */
export function relu(input: Tensor): Tensor {
  checkFloat(input, 'relu');
  const out = new Tensor(backend().unary('relu', input.data), input.shape);
  return record(out, 'relu', [input], (g) => [reluBackward(g, out)]);
}
/** The gradient passes where the output is positive (PyTorch's choice at 0: none). */
export function reluBackward(grad: Tensor, out: Tensor): Tensor {
  if (!shapesEqual(grad.shape, out.shape) || grad.dtype !== out.dtype) return where(gt(out, 0), grad, 0);
  return new Tensor(backend().reluBackward(grad.data, out.data), grad.shape);
}

/** `x` for x > 0, else `alpha (eˣ − 1)`; `alpha` (default 1) must not be negative. */
export function elu(input: Tensor, options?: { alpha?: number }): Tensor {
  checkFloat(input, 'elu');
  const alpha = options?.alpha ?? 1;
  checkNumber(alpha, 'elu', 'alpha');
  if (alpha < 0) throw new ArgumentError('elu', 'alpha', `alpha must be non-negative, got ${alpha}`);
  const positive = gt(input, 0);
  const out = noGrad(() => where(positive, input, mul(sub(exp(input), 1), alpha)));
  return record(out, 'elu', [input], (g) => [eluBackward(g, out, positive, alpha)]);
}
/** d elu = 1 for x > 0, else alpha eˣ = elu(x) + alpha: reuse the output. */
export function eluBackward(grad: Tensor, out: Tensor, positive: Tensor, alpha: number): Tensor {
  return mul(grad, where(positive, 1, add(out, alpha)));
}

/** `x` for x > 0, else `negativeSlope · x` (default slope 0.01). */
export function leakyRelu(input: Tensor, options?: { negativeSlope?: number }): Tensor {
  checkFloat(input, 'leakyRelu');
  const slope = options?.negativeSlope ?? 0.01;
  checkNumber(slope, 'leakyRelu', 'negativeSlope');
  const positive = gt(input, 0);
  const out = noGrad(() => where(positive, input, mul(input, slope)));
  return record(out, 'leakyRelu', [input], (g) => [leakyReluBackward(g, positive, slope)]);
}
/** d leakyRelu = 1 for x > 0, else the slope. */
export function leakyReluBackward(grad: Tensor, positive: Tensor, negativeSlope: number): Tensor {
  return where(positive, grad, mul(grad, negativeSlope));
}

/** `1 / (1 + e⁻ˣ)`, computed without overflow. */
export function sigmoid(input: Tensor): Tensor {
  checkFloat(input, 'sigmoid');
  const out = new Tensor(backend().unary('sigmoid', input.data), input.shape);
  return record(out, 'sigmoid', [input], (g) => [sigmoidBackward(g, out)]);
}
/** dσ = σ (1 − σ) dx. */
export function sigmoidBackward(grad: Tensor, out: Tensor): Tensor {
  return mul(grad, mul(out, sub(1, out)));
}

/** Hyperbolic tangent. */
export function tanh(input: Tensor): Tensor {
  checkFloat(input, 'tanh');
  const out = new Tensor(backend().unary('tanh', input.data), input.shape);
  return record(out, 'tanh', [input], (g) => [tanhBackward(g, out)]);
}
/** d tanh = (1 − tanh²) dx. */
export function tanhBackward(grad: Tensor, out: Tensor): Tensor {
  return mul(grad, sub(1, mul(out, out)));
}

/**
 * Gaussian error linear unit `x Φ(x)`; `approximate: 'tanh'` uses
 * `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` as PyTorch does.
 */
export function gelu(input: Tensor, options?: { approximate?: 'none' | 'tanh' }): Tensor {
  checkFloat(input, 'gelu');
  const approximate = options?.approximate ?? 'none';
  if (approximate !== 'none' && approximate !== 'tanh') {
    throw new ArgumentError('gelu', 'approximate', `expected 'none' or 'tanh', got '${String(approximate)}'`);
  }
  if (approximate === 'tanh') {
    const k = Math.sqrt(2 / Math.PI);
    const inner = mul(add(input, mul(mul(mul(input, input), input), 0.044715)), k);
    return mul(mul(input, 0.5), add(tanh(inner), 1));
  }
  const cdf = noGrad(() => mul(add(erf(mul(input, Math.SQRT1_2)), 1), 0.5));
  const out = noGrad(() => mul(input, cdf));
  return record(out, 'gelu', [input], (g) => [geluBackward(g, input, cdf)]);
}
/** d(x Φ(x)) = Φ(x) + x φ(x), with φ the standard normal density. */
export function geluBackward(grad: Tensor, input: Tensor, cdf: Tensor): Tensor {
  const pdf = mul(exp(mul(mul(input, input), -0.5)), 1 / Math.sqrt(2 * Math.PI));
  return mul(grad, add(cdf, mul(input, pdf)));
}

/** Sigmoid-weighted linear unit `x σ(x)` (also called swish). */
export function silu(input: Tensor): Tensor {
  checkFloat(input, 'silu');
  const s = noGrad(() => sigmoid(input));
  const out = noGrad(() => mul(input, s));
  return record(out, 'silu', [input], (g) => [siluBackward(g, input, s)]);
}
/** d(x σ) = σ (1 + x (1 − σ)). */
export function siluBackward(grad: Tensor, input: Tensor, s: Tensor): Tensor {
  return mul(grad, mul(s, add(mul(input, sub(1, s)), 1)));
}

/** `log softmax` along `dim`, computed as `x − max − log Σ exp(x − max)` so it never overflows. */
export function logSoftmax(input: Tensor, dim: number): Tensor {
  checkFloat(input, 'logSoftmax');
  const d = normalizeDim(dim, input.ndim, 'logSoftmax');
  const classes = input.shape[d] ?? 1;
  const inner = sizeOf(input.shape.slice(d + 1));
  const outer = classes * inner === 0 ? 0 : input.size / (classes * inner);
  const out = new Tensor(backend().logSoftmax(input.data, outer, classes, inner), input.shape);
  return record(out, 'logSoftmax', [input], (g) => [logSoftmaxBackward(g, out, d)]);
}
/** For y = log softmax(x): dx = dy − softmax(x) Σ dy, with softmax(x) = eʸ. */
export function logSoftmaxBackward(grad: Tensor, out: Tensor, dim: number): Tensor {
  return sub(grad, mul(exp(out), sum(grad, { dim, keepDim: true })));
}

/** `softmax` along `dim`: non-negative values that sum to 1. */
export function softmax(input: Tensor, dim: number): Tensor {
  checkFloat(input, 'softmax');
  const d = normalizeDim(dim, input.ndim, 'softmax');
  const out = noGrad(() => {
    const e = exp(sub(input, max(input, { dim: d, keepDim: true })));
    return mul(e, sum(e, { dim: d, keepDim: true }).pow(-1));
  });
  return record(out, 'softmax', [input], (g) => [softmaxBackward(g, out, d)]);
}
/** For y = softmax(x): dx = y (dy − Σ y dy). */
export function softmaxBackward(grad: Tensor, out: Tensor, dim: number): Tensor {
  return mul(out, sub(grad, sum(mul(out, grad), { dim, keepDim: true })));
}
