/**
 * Sums in the wasm backend (`sum_f32` of `reduce.c`): float32 sums whose reduced axes form the leading
 * and/or trailing blocks of the array, accumulated in float64 as the js backend does. Other reductions,
 * axis patterns and dtypes go to the js backend.
 */
import type { ReduceOp } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { reduce as jsReduce } from '../js/reduce.js';
import { PARALLEL_MIN_ELEMENTS, orJs } from './fallback.js';
import { wasmRuntime } from './runtime.js';

/**
 * The `(outer, kept, inner)` view of a reduction over `axes`, `outer` and `inner` being reduced: axes of
 * size 1 dropped and neighbours of one kind merged. Null when the reduced axes are not the leading and/or
 * trailing ones.
 */
export function sumBlocks(shape: Shape, axes: readonly number[]): [number, number, number] | null {
  const reduced = new Set(axes);
  const blocks: { size: number; reduced: boolean }[] = [];
  shape.forEach((size, d) => {
    if (size === 1) return;
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.reduced === reduced.has(d)) last.size *= size;
    else blocks.push({ size, reduced: reduced.has(d) });
  });
  let outer = 1;
  let inner = 1;
  if (blocks[0]?.reduced === true) outer = blocks.shift()!.size;
  if (blocks[blocks.length - 1]?.reduced === true) inner = blocks.pop()!.size;
  if (blocks.length > 1) return null;
  return [outer, blocks[0]?.size ?? 1, inner];
}

/** Reduces over `axes`: float32 sums of the patterns {@link sumBlocks} accepts in wasm, the rest in js. */
export function reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray {
  const blocks = op === 'sum' && x instanceof Float32Array && x.length > 0 ? sumBlocks(shape, axes) : null;
  if (blocks === null) return jsReduce(op, x, shape, axes);
  const [outer, kept, inner] = blocks;
  return orJs(
    () => {
      const arena = wasmRuntime().arena();
      const xAt = arena.put(x as Float32Array);
      const outAt = arena.reserve(kept * 4);
      arena.run('sum_f32', [xAt, outAt, outer, kept, inner], {
        parallel: kept > 1 && x.length >= PARALLEL_MIN_ELEMENTS,
      });
      return arena.readF32(outAt, kept);
    },
    () => jsReduce(op, x, shape, axes),
  );
}
