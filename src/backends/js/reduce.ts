/**
 * Reduction kernels of the js backend.
 */
import type { TypedArray } from '../../dtype.js';
import { dtypeOf, typedArrayFor } from '../../dtype.js';
import type { ReduceOp } from '../../backend/backend.js';
import type { Shape } from '../../shape.js';
import { sizeOf, stridesOf } from '../../shape.js';
import { forEachRow } from './indexing.js';

const INITIAL: Record<ReduceOp, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity };

function combiner(op: ReduceOp): (acc: number, v: number) => number {
  switch (op) {
    case 'sum':
      return (acc, v) => acc + v;
    case 'prod':
      return (acc, v) => acc * v;
    case 'max':
      return (acc, v) => (v > acc || v !== v ? v : acc);
    case 'min':
      return (acc, v) => (v < acc || v !== v ? v : acc);
  }
}

/**
 * Reduces `x` over `axes`. Accumulates in float64 (then rounds once to the output dtype), so float32 sums
 * do not drift with length.
 */
export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray {
  const reduced = new Set(axes);
  const keptShape = shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const keptStrides = stridesOf(keptShape).map((s, i) => (reduced.has(i) ? 0 : s));
  const acc = new Float64Array(sizeOf(keptShape)).fill(INITIAL[op]);
  const combine = combiner(op);
  const n = shape.length;
  const inner = n === 0 ? 1 : shape[n - 1]!;
  const innerStride = keptStrides[n - 1] ?? 0;
  let i = 0;
  forEachRow(shape, [keptStrides], ([o]) => {
    for (let j = 0; j < inner; j++) {
      const k = o! + j * innerStride;
      acc[k] = combine(acc[k]!, x[i++]!);
    }
  });
  const out = typedArrayFor(dtypeOf(x), acc.length);
  out.set(acc);
  return out;
}

/** Index of the first extreme along `axis`; NaN wins. */
export function argReduce(op: 'argmax' | 'argmin', x: TypedArray, shape: Shape, axis: number): Int32Array {
  const length = shape[axis] ?? 1;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const outer = sizeOf(shape) / (length * inner) || 0;
  const out = new Int32Array(outer * inner);
  const better =
    op === 'argmax' ? (v: number, best: number) => v > best : (v: number, best: number) => v < best;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      const base = o * length * inner + j;
      let best = x[base]!;
      let bestIndex = 0;
      for (let l = 1; l < length && best === best; l++) {
        const v = x[base + l * inner]!;
        if (better(v, best) || v !== v) {
          best = v;
          bestIndex = l;
        }
      }
      out[o * inner + j] = bestIndex;
    }
  }
  return out;
}
