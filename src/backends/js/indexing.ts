/**
 * Index arithmetic shared by the js backend's kernels.
 */
import type { Shape } from '../../shape.js';
import { stridesOf } from '../../shape.js';

/**
 * Strides that read an array of shape `shape` as if it had been broadcast to `outShape`: 0 on broadcast
 * (size-1 or missing) axes.
 */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const offset = outShape.length - shape.length;
  return outShape.map((_, d) => {
    const i = d - offset;
    return i < 0 || shape[i] === 1 ? 0 : own[i]!;
  });
}

/**
 * Walks every index of `shape` in row-major order, calling `visit(offsets)` once per row of the last axis
 * with the starting offset of that row in each of the strided arrays. The callback handles the row itself,
 * which keeps the innermost loop tight.
 */
export function forEachRow(
  shape: Shape,
  stridesList: readonly (readonly number[])[],
  visit: (offsets: readonly number[]) => void,
): void {
  const n = shape.length;
  const offsets = stridesList.map(() => 0);
  if (n <= 1) {
    visit(offsets);
    return;
  }
  let rows = 1;
  for (let d = 0; d < n - 1; d++) rows *= shape[d]!;
  if (rows === 0 || shape[n - 1] === 0) return;
  const counter = new Array<number>(n - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    visit(offsets);
    for (let d = n - 2; d >= 0; d--) {
      counter[d]!++;
      for (let s = 0; s < offsets.length; s++) offsets[s]! += stridesList[s]![d]!;
      if (counter[d]! < shape[d]!) break;
      for (let s = 0; s < offsets.length; s++) offsets[s]! -= stridesList[s]![d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}
