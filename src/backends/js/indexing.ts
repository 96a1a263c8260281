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

/**
 * Walks a strided view in row-major order, block by block: the trailing dims (at least the last, as many
 * as fit in `maxBlock` elements) form a block whose relative offsets are computed once, and
 * `visit(base, table)` is called for each position of the leading dims with the block's absolute start
 * `base`; element `j` of the block is at `base + table[j]`. This keeps the innermost loops long even when
 * the last dim is short (a 3-wide window row, say).
 */
export function forEachBlock(
  shape: Shape,
  strides: readonly number[],
  offset: number,
  visit: (base: number, table: Int32Array) => void,
  maxBlock = 4096,
): void {
  const n = shape.length;
  if (shape.some((d) => d === 0)) return;
  if (n === 0) {
    visit(offset, Int32Array.of(0));
    return;
  }
  let split = n - 1;
  let block = shape[n - 1]!;
  while (split > 0 && block * shape[split - 1]! <= maxBlock) {
    split--;
    block *= shape[split]!;
  }
  const table = new Int32Array(block);
  const inner = new Array<number>(n - split).fill(0);
  let relative = 0;
  for (let j = 0; j < block; j++) {
    table[j] = relative;
    for (let d = n - 1; d >= split; d--) {
      const c = d - split;
      inner[c]!++;
      relative += strides[d]!;
      if (inner[c]! < shape[d]!) break;
      relative -= strides[d]! * shape[d]!;
      inner[c] = 0;
    }
  }
  let outer = 1;
  for (let d = 0; d < split; d++) outer *= shape[d]!;
  const counter = new Array<number>(split).fill(0);
  let base = offset;
  for (let r = 0; r < outer; r++) {
    visit(base, table);
    for (let d = split - 1; d >= 0; d--) {
      counter[d]!++;
      base += strides[d]!;
      if (counter[d]! < shape[d]!) break;
      base -= strides[d]! * shape[d]!;
      counter[d] = 0;
    }
  }
}
