/**
 * Element-wise kernels of the js backend: unary functions, broadcasting binary functions, `where`, casts.
 */
import type { DType, TypedArray } from '../../dtype.js';
import { dtypeOf, typedArrayFor } from '../../dtype.js';
import type { BinaryOp, UnaryOp } from '../../backend/backend.js';
import type { Shape } from '../../shape.js';
import { shapesEqual, sizeOf } from '../../shape.js';
import { broadcastStrides, forEachRow } from './indexing.js';

/** The error function, to within 1.2e-16 relative (W. J. Cody's rational approximations). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const num =
      (((0.18577770618460315 * t + 3.1611237438705655) * t + 113.86415415105016) * t + 377.485237685302) * t +
      3209.3775891384694;
    const den =
      (((t + 23.601290952344122) * t + 244.02463793444417) * t + 1282.6165260773723) * t + 2844.236833439171;
    return (x * num) / den;
  }
  return Math.sign(x) * (1 - erfcPositive(ax));
}

/** erfc(x) for x ≥ 0.5. */
function erfcPositive(x: number): number {
  if (x > 26.6) return 0;
  let r: number;
  if (x <= 4) {
    const num =
      (((((((2.1531153547440383e-8 * x + 0.5641884969886701) * x + 8.883149794388377) * x +
        66.11919063714163) *
        x +
        298.6351381974001) *
        x +
        881.952221241769) *
        x +
        1712.0476126340707) *
        x +
        2051.0783778260716) *
        x +
      1230.3393547979972;
    const den =
      (((((((x + 15.744926110709835) * x + 117.6939508913125) * x + 537.1811018620099) * x +
        1621.3895745666903) *
        x +
        3290.7992357334597) *
        x +
        4362.619090143247) *
        x +
        3439.3676741437216) *
        x +
      1230.3393548037495;
    r = num / den;
  } else {
    const z = 1 / (x * x);
    const num =
      ((((0.016315387137302097 * z + 0.30532663496123236) * z + 0.36034489994980445) * z +
        0.12578172611122926) *
        z +
        0.016083785148742275) *
        z +
      0.0006587491615298378;
    const den =
      ((((z + 2.568520192289822) * z + 1.8729528499234673) * z + 0.5279051029514285) * z +
        0.06051834131244132) *
        z +
      0.0023352049762686918;
    r = (1 / Math.sqrt(Math.PI) - (z * num) / den) / x;
  }
  return r * Math.exp(-x * x);
}

function unaryFunction(op: UnaryOp): (x: number) => number {
  switch (op) {
    case 'neg':
      return (x) => -x;
    case 'abs':
      return Math.abs;
    case 'sign':
      return (x) => (x > 0 ? 1 : x < 0 ? -1 : 0);
    case 'exp':
      return Math.exp;
    case 'expm1':
      return Math.expm1;
    case 'log':
      return Math.log;
    case 'log1p':
      return Math.log1p;
    case 'sqrt':
      return Math.sqrt;
    case 'reciprocal':
      return (x) => 1 / x;
    case 'sin':
      return Math.sin;
    case 'cos':
      return Math.cos;
    case 'tanh':
      return Math.tanh;
    case 'sigmoid':
      return (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
    case 'erf':
      return erf;
    case 'relu':
      return (x) => (x > 0 ? x : x === x ? 0 : x);
    case 'floor':
      return Math.floor;
    case 'ceil':
      return Math.ceil;
    case 'round':
      return roundHalfToEven;
  }
}

/** Rounds half to even, as PyTorch's `round` does. */
function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function binaryFunction(op: BinaryOp): (a: number, b: number) => number {
  switch (op) {
    case 'add':
      return (a, b) => a + b;
    case 'sub':
      return (a, b) => a - b;
    case 'mul':
      return (a, b) => a * b;
    case 'div':
      return (a, b) => a / b;
    case 'pow':
      return Math.pow;
    case 'maximum':
      return (a, b) => (a !== a || b !== b ? NaN : a > b ? a : b);
    case 'minimum':
      return (a, b) => (a !== a || b !== b ? NaN : a < b ? a : b);
    case 'eq':
      return (a, b) => (a === b ? 1 : 0);
    case 'ne':
      return (a, b) => (a !== b ? 1 : 0);
    case 'lt':
      return (a, b) => (a < b ? 1 : 0);
    case 'le':
      return (a, b) => (a <= b ? 1 : 0);
    case 'gt':
      return (a, b) => (a > b ? 1 : 0);
    case 'ge':
      return (a, b) => (a >= b ? 1 : 0);
  }
}

const COMPARISONS: ReadonlySet<BinaryOp> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/**
 * Applies `op` to every element. The hot functions get a loop of their own: a loop that calls a different
 * function per op through one call site cannot be inlined by the JavaScript engine.
 */
export function unary(op: UnaryOp, x: TypedArray): TypedArray {
  const out = typedArrayFor(dtypeOf(x), x.length);
  const n = x.length;
  switch (op) {
    case 'relu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v > 0 || v !== v ? v : 0;
      }
      return out;
    case 'neg':
      for (let i = 0; i < n; i++) out[i] = -x[i]!;
      return out;
    case 'exp':
      for (let i = 0; i < n; i++) out[i] = Math.exp(x[i]!);
      return out;
    case 'log':
      for (let i = 0; i < n; i++) out[i] = Math.log(x[i]!);
      return out;
    case 'sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      return out;
    case 'abs':
      for (let i = 0; i < n; i++) out[i] = Math.abs(x[i]!);
      return out;
    default: {
      const f = unaryFunction(op);
      for (let i = 0; i < n; i++) out[i] = f(x[i]!);
      return out;
    }
  }
}

/**
 * `out[o + j] = op(a[ai + j·as], b[bi + j·bs])` for `j < n`: one row of a binary op, with a dedicated loop
 * for the hot functions (see {@link unary}).
 */
function binaryRow(
  op: BinaryOp,
  out: TypedArray,
  o: number,
  a: TypedArray,
  ai: number,
  as: number,
  b: TypedArray,
  bi: number,
  bs: number,
  n: number,
): void {
  switch (op) {
    case 'add':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as]! + b[bi + j * bs]!;
      return;
    case 'sub':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as]! - b[bi + j * bs]!;
      return;
    case 'mul':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as]! * b[bi + j * bs]!;
      return;
    case 'div':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as]! / b[bi + j * bs]!;
      return;
    case 'maximum':
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as]!;
        const y = b[bi + j * bs]!;
        out[o + j] = x !== x || y !== y ? NaN : x > y ? x : y;
      }
      return;
    case 'minimum':
      for (let j = 0; j < n; j++) {
        const x = a[ai + j * as]!;
        const y = b[bi + j * bs]!;
        out[o + j] = x !== x || y !== y ? NaN : x < y ? x : y;
      }
      return;
    case 'gt':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as]! > b[bi + j * bs]! ? 1 : 0;
      return;
    case 'eq':
      for (let j = 0; j < n; j++) out[o + j] = a[ai + j * as]! === b[bi + j * bs]! ? 1 : 0;
      return;
    default: {
      const f = binaryFunction(op);
      for (let j = 0; j < n; j++) out[o + j] = f(a[ai + j * as]!, b[bi + j * bs]!);
    }
  }
}

/** Broadcasting binary kernel, row by row along the last axis. */
export function binary(
  op: BinaryOp,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  outShape: Shape,
): TypedArray {
  const out = typedArrayFor(COMPARISONS.has(op) ? 'int32' : dtypeOf(a), sizeOf(outShape));
  const aFull = shapesEqual(aShape, outShape);
  const bFull = shapesEqual(bShape, outShape);
  if ((aFull || a.length === 1) && (bFull || b.length === 1)) {
    binaryRow(op, out, 0, a, 0, aFull ? 1 : 0, b, 0, bFull ? 1 : 0, out.length);
    return out;
  }
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const inner = outShape.length === 0 ? 1 : outShape[outShape.length - 1]!;
  const ia = sa[sa.length - 1] ?? 0;
  const ib = sb[sb.length - 1] ?? 0;
  let o = 0;
  forEachRow(outShape, [sa, sb], ([oa, ob]) => {
    binaryRow(op, out, o, a, oa!, ia, b, ob!, ib, inner);
    o += inner;
  });
  return out;
}

/** `min(max(x, lo), hi)` element-wise in one pass; NaN stays NaN. */
export function clamp(x: TypedArray, lo: number, hi: number): TypedArray {
  const out = typedArrayFor(dtypeOf(x), x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    const above = v < lo ? lo : v;
    out[i] = above > hi ? hi : above;
  }
  return out;
}

/** Broadcasting `cond ? a : b`. */
export function where(
  cond: Int32Array,
  condShape: Shape,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  outShape: Shape,
): TypedArray {
  const out = typedArrayFor(dtypeOf(a), sizeOf(outShape));
  const sc = broadcastStrides(condShape, outShape);
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const last = outShape.length - 1;
  const inner = last < 0 ? 1 : outShape[last]!;
  const ic = sc[last] ?? 0;
  const ia = sa[last] ?? 0;
  const ib = sb[last] ?? 0;
  let o = 0;
  forEachRow(outShape, [sc, sa, sb], ([oc, oa, ob]) => {
    for (let j = 0; j < inner; j++) out[o++] = cond[oc! + j * ic] ? a[oa! + j * ia]! : b[ob! + j * ib]!;
  });
  return out;
}

/** A converted copy; floats become `int32` by truncation toward zero. */
export function cast(x: TypedArray, dtype: DType): TypedArray {
  const out = typedArrayFor(dtype, x.length);
  if (dtype === 'int32') {
    for (let i = 0; i < x.length; i++) out[i] = Math.trunc(x[i]!);
  } else {
    out.set(x);
  }
  return out;
}

/** The gradient of ReLU: `grad` where `out > 0`, else 0 (NaN outputs pass nothing). */
export function reluBackward(grad: TypedArray, out: TypedArray): TypedArray {
  const result = typedArrayFor(dtypeOf(grad), grad.length);
  for (let i = 0; i < grad.length; i++) result[i] = out[i]! > 0 ? grad[i]! : 0;
  return result;
}

/**
 * `log softmax` over the middle axis of `x` viewed as `(outer, classes, inner)`: each value minus the
 * maximum of its row, minus the log of the sum of the shifted exponentials (summed in float64).
 */
export function logSoftmax(x: TypedArray, outer: number, classes: number, inner: number): TypedArray {
  const out = typedArrayFor(dtypeOf(x), x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * classes * inner + i;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) {
        const v = x[base + c * inner]!;
        if (v > max || v !== v) max = v;
      }
      const shift = Number.isFinite(max) ? max : 0;
      let sum = 0;
      for (let c = 0; c < classes; c++) sum += Math.exp(x[base + c * inner]! - shift);
      const logSum = Math.log(sum);
      for (let c = 0; c < classes; c++) out[base + c * inner] = x[base + c * inner]! - shift - logSum;
    }
  }
  return out;
}
