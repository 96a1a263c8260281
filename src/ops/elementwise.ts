/**
 * Element-wise ops with numpy broadcasting: arithmetic, powers, exponentials, comparisons, `where`,
 * `clamp`, casts. Each forward op records a backward rule; the rules are exported as `…Backward` so the
 * chain rule can be followed (and called) by hand.
 */
import type { DType } from '../dtype.js';
import { isFloating, promoteTypes } from '../dtype.js';
import { ArgumentError, DTypeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { broadcastShapes, shapesEqual } from '../shape.js';
import type { BinaryOp, UnaryOp } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { record } from '../autograd/graph.js';
import type { TensorLike } from '../tensor.js';
import { Tensor, checkTensor } from '../tensor.js';

/** Options of `add` and `sub`: the second operand is scaled by `alpha` first. */
export interface AlphaOptions {
  /** The factor the second operand is multiplied by (default 1). */
  alpha?: number;
}

/**
 * A tensor for a number operand: a 0-d tensor whose dtype follows PyTorch's rule for Python scalars (it
 * takes the tensor's dtype, except that a fractional number with an integer tensor gives `float32`).
 */
export function asTensor(value: TensorLike, dtypeHint: DType, op = 'asTensor', argument = 'other'): Tensor {
  if (value instanceof Tensor) return value;
  if (typeof value !== 'number') {
    throw new ArgumentError(
      op,
      argument,
      `expected a Tensor or a number, got ${value === null ? 'null' : typeof value}`,
    );
  }
  const dtype = dtypeHint === 'int32' && !Number.isInteger(value) ? 'float32' : dtypeHint;
  return new Tensor(backend().full(dtype, 1, value), []);
}

/**
 * The dtype of a binary op's result, by PyTorch's rule: a 0-d operand beside a dimensioned one only counts
 * if it is of a higher category (floating beside `int32`), so `float32 tensor * 0-d float64` stays `float32`.
 */
function resultType(a: Tensor, b: Tensor): DType {
  if ((a.ndim === 0) === (b.ndim === 0)) return promoteTypes(a.dtype, b.dtype);
  const [dimensioned, scalar] = a.ndim === 0 ? [b, a] : [a, b];
  return isFloating(scalar.dtype) && !isFloating(dimensioned.dtype) ? scalar.dtype : dimensioned.dtype;
}

/** Both operands as tensors of one promoted dtype. */
function operands(op: string, a: TensorLike, b: TensorLike): [Tensor, Tensor] {
  if (!(a instanceof Tensor)) {
    if (!(b instanceof Tensor)) throw new ArgumentError(op, 'input', 'expected at least one Tensor operand');
    const ta = asTensor(a, b.dtype, op, 'input');
    return [ta, ta.dtype === b.dtype ? b : b.to(ta.dtype)];
  }
  const tb = asTensor(b, a.dtype, op, 'other');
  const dtype = resultType(a, tb);
  return [a.dtype === dtype ? a : a.to(dtype), tb.dtype === dtype ? tb : tb.to(dtype)];
}

/** The `alpha` option of `add` and `sub` (default 1), checked. */
function alphaOf(op: string, options: AlphaOptions | undefined): number {
  const alpha = options?.alpha ?? 1;
  if (typeof alpha !== 'number' || Number.isNaN(alpha))
    throw new ArgumentError(op, 'alpha', `expected a number, got ${String(alpha)}`);
  return alpha;
}

/** A floating version of `x` (integer tensors become float32), for ops that only make sense on reals. */
function floating(x: Tensor): Tensor {
  return isFloating(x.dtype) ? x : x.to('float32');
}

/**
 * Sums a gradient of a broadcast result back to the shape of the operand that was broadcast: over leading
 * axes the operand lacked, and over axes where it had size 1.
 */
export function sumToShape(grad: Tensor, shape: Shape): Tensor {
  if (shapesEqual(grad.shape, shape)) return grad;
  const lead = grad.shape.length - shape.length;
  const axes: number[] = [];
  grad.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const summed = new Tensor(
    backend().reduce('sum', grad.data, grad.shape, axes),
    grad.shape.filter((_, i) => !axes.includes(i)),
  );
  return summed.reshape(shape);
}

function rawBinary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const outShape = broadcastShapes(a.shape, b.shape, op);
  return new Tensor(backend().binary(op, a.data, a.shape, b.data, b.shape, outShape), outShape);
}

function rawUnary(op: UnaryOp, x: Tensor): Tensor {
  return new Tensor(backend().unary(op, x.data), x.shape);
}

/** `input + alpha * other`. */
export function add(input: TensorLike, other: TensorLike, options?: AlphaOptions): Tensor {
  const alpha = alphaOf('add', options);
  const [a, b0] = operands('add', input, other);
  const b = alpha === 1 ? b0 : mul(b0, alpha);
  return record(rawBinary('add', a, b), 'add', [a, b], (g) => addBackward(g, a, b));
}
/** d(a + b) = da + db: the gradient passes to both, summed over broadcast axes. */
export function addBackward(grad: Tensor, a: Tensor, b: Tensor): [Tensor, Tensor] {
  return [sumToShape(grad, a.shape), sumToShape(grad, b.shape)];
}

/** `input - alpha * other`. */
export function sub(input: TensorLike, other: TensorLike, options?: AlphaOptions): Tensor {
  const alpha = alphaOf('sub', options);
  const [a, b0] = operands('sub', input, other);
  const b = alpha === 1 ? b0 : mul(b0, alpha);
  return record(rawBinary('sub', a, b), 'sub', [a, b], (g) => subBackward(g, a, b));
}
/** d(a - b) = da - db. */
export function subBackward(grad: Tensor, a: Tensor, b: Tensor): [Tensor, Tensor] {
  return [sumToShape(grad, a.shape), sumToShape(neg(grad), b.shape)];
}

/** `input * other`. */
export function mul(input: TensorLike, other: TensorLike): Tensor {
  const [a, b] = operands('mul', input, other);
  return record(rawBinary('mul', a, b), 'mul', [a, b], (g) => mulBackward(g, a, b));
}
/** d(ab) = b da + a db. */
export function mulBackward(grad: Tensor, a: Tensor, b: Tensor): [Tensor, Tensor] {
  return [sumToShape(mul(grad, b), a.shape), sumToShape(mul(grad, a), b.shape)];
}

/** `input / other` (true division: integer operands give float32). */
export function div(input: TensorLike, other: TensorLike): Tensor {
  const [a0, b0] = operands('div', input, other);
  const a = floating(a0);
  const b = floating(b0);
  return record(rawBinary('div', a, b), 'div', [a, b], (g) => divBackward(g, a, b));
}
/** d(a / b) = da / b - a db / b². */
export function divBackward(grad: Tensor, a: Tensor, b: Tensor): [Tensor, Tensor] {
  const ga = div(grad, b);
  return [sumToShape(ga, a.shape), sumToShape(neg(mul(ga, div(a, b))), b.shape)];
}

/** The smallest value of `x` (`Infinity` if it is empty). */
function smallest(x: Tensor): number {
  return backend().reduce(
    'min',
    x.data,
    x.shape,
    x.shape.map((_, i) => i),
  )[0]!;
}

/** `input ** exponent`. Integer tensors cannot be raised to negative integer powers, as in PyTorch. */
export function pow(input: TensorLike, exponent: TensorLike): Tensor {
  const [a, b] = operands('pow', input, exponent);
  if (a.dtype === 'int32' && smallest(b) < 0) {
    throw new ArgumentError('pow', 'exponent', 'integers cannot be raised to negative integer powers');
  }
  const out = rawBinary('pow', a, b);
  return record(out, 'pow', [a, b], (g) => powBackward(g, a, b, out));
}
/**
 * d(aᵇ) = b aᵇ⁻¹ da + aᵇ ln(a) db. As PyTorch: the first term is 0 where b = 0 (even at a = 0), the second
 * is 0 where a = 0 and b ≥ 0.
 */
export function powBackward(grad: Tensor, a: Tensor, b: Tensor, out: Tensor): [Tensor, Tensor | null] {
  const ga = where(eq(b, 0), 0, mul(grad, mul(b, pow(a, sub(b, 1)))));
  if (!b.requiresGrad) return [sumToShape(ga, a.shape), null];
  const gb = where(mul(eq(a, 0), ge(b, 0)), 0, mul(grad, mul(out, log(a))));
  return [sumToShape(ga, a.shape), sumToShape(gb, b.shape)];
}

/** `-input`. */
export function neg(input: Tensor): Tensor {
  checkTensor(input, 'neg', 'input');
  return record(rawUnary('neg', input), 'neg', [input], (g) => [neg(g)]);
}

/** `eˣ`. */
export function exp(input: Tensor): Tensor {
  checkTensor(input, 'exp', 'input');
  const x = floating(input);
  const out = rawUnary('exp', x);
  return record(out, 'exp', [x], (g) => [expBackward(g, out)]);
}
/** d(eˣ) = eˣ dx: reuse the output. */
export function expBackward(grad: Tensor, out: Tensor): Tensor {
  return mul(grad, out);
}

/** Natural logarithm. */
export function log(input: Tensor): Tensor {
  checkTensor(input, 'log', 'input');
  const x = floating(input);
  return record(rawUnary('log', x), 'log', [x], (g) => [logBackward(g, x)]);
}
/** d(ln x) = dx / x. */
export function logBackward(grad: Tensor, x: Tensor): Tensor {
  return div(grad, x);
}

/** `ln(1 + x)`, accurate near 0. */
export function log1p(input: Tensor): Tensor {
  checkTensor(input, 'log1p', 'input');
  const x = floating(input);
  return record(rawUnary('log1p', x), 'log1p', [x], (g) => [div(g, add(x, 1))]);
}

/** `eˣ - 1`, accurate near 0. */
export function expm1(input: Tensor): Tensor {
  checkTensor(input, 'expm1', 'input');
  const x = floating(input);
  const out = rawUnary('expm1', x);
  return record(out, 'expm1', [x], (g) => [mul(g, add(out, 1))]);
}

/** Square root. */
export function sqrt(input: Tensor): Tensor {
  checkTensor(input, 'sqrt', 'input');
  const x = floating(input);
  const out = rawUnary('sqrt', x);
  return record(out, 'sqrt', [x], (g) => [sqrtBackward(g, out)]);
}
/** d(√x) = dx / (2√x). */
export function sqrtBackward(grad: Tensor, out: Tensor): Tensor {
  return div(grad, mul(out, 2));
}

/** `|x|`. */
export function abs(input: Tensor): Tensor {
  checkTensor(input, 'abs', 'input');
  return record(rawUnary('abs', input), 'abs', [input], (g) => [mul(g, sign(input))]);
}

/** -1, 0 or 1 by the sign of each element (0 for NaN, as in PyTorch). */
export function sign(input: Tensor): Tensor {
  checkTensor(input, 'sign', 'input');
  return record(rawUnary('sign', input), 'sign', [input], (g) => [signBackward(g)]);
}
/** sign is piecewise constant: its gradient is 0 everywhere (PyTorch's choice at 0 too). */
export function signBackward(grad: Tensor): Tensor {
  return new Tensor(backend().alloc(grad.dtype, grad.size), grad.shape);
}

/** The error function. */
export function erf(input: Tensor): Tensor {
  checkTensor(input, 'erf', 'input');
  const x = floating(input);
  return record(rawUnary('erf', x), 'erf', [x], (g) => [erfBackward(g, x)]);
}
/** d erf(x) = 2/√π e^(−x²) dx. */
export function erfBackward(grad: Tensor, x: Tensor): Tensor {
  return mul(grad, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)));
}

/** Element-wise maximum (NaN if either is NaN); on ties the gradient is split evenly, as in PyTorch. */
export function maximum(input: TensorLike, other: TensorLike): Tensor {
  const [a, b] = operands('maximum', input, other);
  return record(rawBinary('maximum', a, b), 'maximum', [a, b], (g) =>
    extremumBackward(g, a, b, lt(a, b), gt(a, b)),
  );
}

/** Element-wise minimum (NaN if either is NaN); on ties the gradient is split evenly. */
export function minimum(input: TensorLike, other: TensorLike): Tensor {
  const [a, b] = operands('minimum', input, other);
  return record(rawBinary('minimum', a, b), 'minimum', [a, b], (g) =>
    extremumBackward(g, a, b, gt(a, b), lt(a, b)),
  );
}
/**
 * Each operand gets the gradient except where it loses, halved where the operands tie (PyTorch's rule, so a
 * NaN pair, which neither wins nor ties, passes the gradient to both).
 */
function extremumBackward(
  grad: Tensor,
  a: Tensor,
  b: Tensor,
  aLoses: Tensor,
  bLoses: Tensor,
): [Tensor, Tensor] {
  const shared = where(eq(a, b), mul(grad, 0.5), grad);
  return [sumToShape(where(aLoses, 0, shared), a.shape), sumToShape(where(bLoses, 0, shared), b.shape)];
}

/** Options of `clamp`: either bound may be left out, not both. */
export interface ClampOptions {
  /** Values below it become it. */
  min?: number;
  /** Values above it become it. */
  max?: number;
}

/**
 * Limits every element to `[min, max]` (`max` wins if `min > max`; NaN stays NaN); the gradient passes
 * where the input lies inside, bounds included, as in PyTorch. An `int32` input with a fractional bound
 * gives `float32`.
 */
export function clamp(input: Tensor, options: ClampOptions): Tensor {
  checkTensor(input, 'clamp', 'input');
  const { min, max } = options ?? {};
  if (min === undefined && max === undefined)
    throw new ArgumentError('clamp', '', 'at least one of min and max must be given');
  for (const [name, v] of [
    ['min', min],
    ['max', max],
  ] as const) {
    if (v !== undefined && (typeof v !== 'number' || Number.isNaN(v))) {
      throw new ArgumentError('clamp', name, `expected a number, got ${String(v)}`);
    }
  }
  const bounds = [min, max].filter((v) => v !== undefined).map((v) => asTensor(v, input.dtype));
  const dtype = bounds.reduce((d, t) => promoteTypes(d, t.dtype), input.dtype);
  const out = new Tensor(
    backend().clamp(to(input, dtype).data, min ?? -Infinity, max ?? Infinity),
    input.shape,
  );
  // The gradient passes where min ≤ input ≤ max; the mask is made only when a backward pass asks for it.
  return record(out, 'clamp', [input], (g) => {
    const above = min === undefined ? null : ge(input, min);
    const below = max === undefined ? null : le(input, max);
    const inside = above && below ? mul(above, below) : (above ?? below)!;
    return [mul(g, inside)];
  });
}

function comparison(op: BinaryOp, input: TensorLike, other: TensorLike): Tensor {
  const [a, b] = operands(op, input, other);
  return rawBinary(op, a, b);
}

/** `input == other` as an int32 mask. */
export function eq(input: TensorLike, other: TensorLike): Tensor {
  return comparison('eq', input, other);
}
/** `input != other` as an int32 mask. */
export function ne(input: TensorLike, other: TensorLike): Tensor {
  return comparison('ne', input, other);
}
/** `input < other` as an int32 mask. */
export function lt(input: TensorLike, other: TensorLike): Tensor {
  return comparison('lt', input, other);
}
/** `input <= other` as an int32 mask. */
export function le(input: TensorLike, other: TensorLike): Tensor {
  return comparison('le', input, other);
}
/** `input > other` as an int32 mask. */
export function gt(input: TensorLike, other: TensorLike): Tensor {
  return comparison('gt', input, other);
}
/** `input >= other` as an int32 mask. */
export function ge(input: TensorLike, other: TensorLike): Tensor {
  return comparison('ge', input, other);
}

/** `condition ? input : other`, element-wise with broadcasting; `condition` is nonzero for true. */
export function where(condition: Tensor, input: TensorLike, other: TensorLike): Tensor {
  checkTensor(condition, 'where', 'condition');
  const bothNumbers = typeof input === 'number' && typeof other === 'number';
  const first = bothNumbers
    ? asTensor(input, Number.isInteger(input) && Number.isInteger(other) ? 'int32' : 'float32')
    : input;
  const [a, b] = operands('where', first, other);
  const cond = condition.dtype === 'int32' ? condition : ne(condition, 0);
  const outShape = broadcastShapes(broadcastShapes(cond.shape, a.shape, 'where'), b.shape, 'where');
  const out = new Tensor(
    backend().where(cond.data as Int32Array, cond.shape, a.data, a.shape, b.data, b.shape, outShape),
    outShape,
  );
  return record(out, 'where', [a, b], (g) => whereBackward(g, cond, a, b));
}
/** Each branch receives the gradient where it was chosen, zero elsewhere. */
export function whereBackward(grad: Tensor, cond: Tensor, a: Tensor, b: Tensor): [Tensor, Tensor] {
  return [sumToShape(where(cond, grad, 0), a.shape), sumToShape(where(cond, 0, grad), b.shape)];
}

/** A copy of the values (the gradient passes through unchanged). */
export function clone(input: Tensor): Tensor {
  checkTensor(input, 'clone', 'input');
  const out = new Tensor(backend().cast(input.data, input.dtype), input.shape);
  return record(out, 'clone', [input], (g) => [g]);
}

/** A copy converted to `dtype`; between float dtypes the gradient is converted back. */
export function to(input: Tensor, dtype: DType): Tensor {
  checkTensor(input, 'to', 'input');
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int32') {
    throw new DTypeError('to', 'dtype', `unknown dtype '${String(dtype)}'`);
  }
  if (dtype === input.dtype) return input;
  const out = new Tensor(backend().cast(input.data, dtype), input.shape);
  if (!isFloating(dtype)) return out;
  return record(out, 'to', [input], (g) => [to(g, input.dtype)]);
}
