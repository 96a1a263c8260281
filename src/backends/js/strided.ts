/**
 * Kernels that move values without arithmetic beyond addition: strided copies, im2col (`sig2col`) and its
 * adjoint, padding, gather and scatter-add.
 */
import type { PadSpec, StridedView, WindowSpec } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import { dtypeOf, typedArrayFor } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { sizeOf, stridesOf } from '../../shape.js';
import { forEachBlock, forEachRow } from './indexing.js';

/** True when a block's offsets are `0, 1, 2, …`: the block is one contiguous run of the array. */
function isContiguous(table: Int32Array): boolean {
  return table.every((offset, j) => offset === j);
}

/** Copies a strided view into a new contiguous array; contiguous blocks move in one block copy. */
export function stridedCopy(x: TypedArray, view: StridedView): TypedArray {
  const out = typedArrayFor(dtypeOf(x), sizeOf(view.shape));
  let o = 0;
  let contiguous: boolean | undefined;
  forEachBlock(view.shape, view.strides, view.offset, (base, table) => {
    contiguous ??= isContiguous(table);
    if (contiguous) {
      out.set(x.subarray(base, base + table.length), o);
      o += table.length;
      return;
    }
    for (let j = 0; j < table.length; j++) out[o++] = x[base + table[j]!]!;
  });
  return out;
}

/** Adds a contiguous `src` into a strided view of `target`. */
export function stridedAccumulate(target: TypedArray, view: StridedView, src: TypedArray): void {
  let o = 0;
  let contiguous: boolean | undefined;
  forEachBlock(view.shape, view.strides, view.offset, (base, table) => {
    contiguous ??= isContiguous(table);
    if (contiguous) {
      for (let j = 0; j < table.length; j++) target[base + j]! += src[o++]!;
      return;
    }
    for (let j = 0; j < table.length; j++) target[base + table[j]!]! += src[o++]!;
  });
}

/**
 * The strided view that `sig2col` reads: leading axes as they are, then for each windowed axis one axis
 * that steps by `stride` (the window's position) and, after them, one that steps by `dilation` (the
 * position inside the window).
 */
export function windowView(spec: WindowSpec): StridedView {
  const { inputShape, windowShape, stride, dilation } = spec;
  const d = windowShape.length;
  const lead = inputShape.length - d;
  const strides = stridesOf(inputShape);
  const outSizes = windowShape.map(
    (w, i) => Math.floor((inputShape[lead + i]! - dilation[i]! * (w - 1) - 1) / stride[i]!) + 1,
  );
  return {
    offset: 0,
    shape: [...inputShape.slice(0, lead), ...outSizes, ...windowShape],
    strides: [
      ...strides.slice(0, lead),
      ...windowShape.map((_, i) => strides[lead + i]! * stride[i]!),
      ...windowShape.map((_, i) => strides[lead + i]! * dilation[i]!),
    ],
  };
}

/** im2col over the trailing axes. */
export function sig2col(x: TypedArray, spec: WindowSpec): TypedArray {
  return stridedCopy(x, windowView(spec));
}

/** col2im: the adjoint of `sig2col`. */
export function col2sig(cols: TypedArray, spec: WindowSpec): TypedArray {
  const out = typedArrayFor(dtypeOf(cols), sizeOf(spec.inputShape));
  stridedAccumulate(out, windowView(spec), cols);
  return out;
}

/** For one axis: the source index each output position reads, or -1 for the constant fill. */
function sourceIndices(length: number, before: number, after: number, mode: PadSpec['mode']): Int32Array {
  const out = new Int32Array(length + before + after);
  for (let i = 0; i < out.length; i++) {
    let s = i - before;
    if (s < 0 || s >= length) {
      switch (mode) {
        case 'constant':
          s = -1;
          break;
        case 'reflect':
          s = s < 0 ? -s : 2 * (length - 1) - s;
          break;
        case 'replicate':
          s = s < 0 ? 0 : length - 1;
          break;
        case 'circular':
          s = ((s % length) + length) % length;
          break;
      }
    }
    out[i] = s;
  }
  return out;
}

/**
 * Visits the output of a pad row by row (rows of the last axis): `visit(outStart, sourceBase, lastMap)`,
 * where output element `outStart + i` copies input element `sourceBase + lastMap[i]`, or is the fill value
 * when `sourceBase` or `lastMap[i]` is -1.
 */
function forEachPadRow(
  spec: PadSpec,
  visit: (outStart: number, sourceBase: number, lastMap: Int32Array) => void,
): void {
  const { inputShape, before, after, mode } = spec;
  const n = inputShape.length;
  if (n === 0) {
    visit(0, 0, Int32Array.of(0));
    return;
  }
  const maps = inputShape.map((length, d) => sourceIndices(length, before[d]!, after[d]!, mode));
  const outShape = maps.map((m) => m.length);
  if (outShape.some((d) => d === 0)) return;
  const inStrides = stridesOf(inputShape);
  const lastMap = maps[n - 1]!;
  const rowLength = lastMap.length;
  let rows = 1;
  for (let d = 0; d < n - 1; d++) rows *= outShape[d]!;
  const counter = new Array<number>(n - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let source = 0;
    for (let d = 0; d < n - 1; d++) {
      const s = maps[d]![counter[d]!]!;
      if (s < 0) {
        source = -1;
        break;
      }
      source += s * inStrides[d]!;
    }
    visit(r * rowLength, source, lastMap);
    for (let d = n - 2; d >= 0; d--) {
      if (++counter[d]! < outShape[d]!) break;
      counter[d] = 0;
    }
  }
}

/**
 * The longest run of a row's source map that reads consecutive elements (`map[i + 1] = map[i] + 1`): the
 * copied interior of a padded row, which {@link pad} moves with one block copy.
 */
function longestConsecutiveRun(map: Int32Array): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = 0;
  for (let i = 1; i <= map.length; i++) {
    if (i < map.length && map[i - 1]! >= 0 && map[i]! === map[i - 1]! + 1) continue;
    if (map[start]! >= 0 && i - start > best.length) best = { start, length: i - start };
    start = i;
  }
  return best;
}

/** Padded (or cropped) copy: each row's interior as one block copy, its border element by element. */
export function pad(x: TypedArray, spec: PadSpec): TypedArray {
  const outSize = sizeOf(spec.inputShape.map((l, d) => l + spec.before[d]! + spec.after[d]!));
  const out = typedArrayFor(dtypeOf(x), outSize);
  const fill = spec.value;
  let run: { start: number; length: number } | null = null;
  forEachPadRow(spec, (start, base, map) => {
    if (base < 0) {
      out.fill(fill, start, start + map.length);
      return;
    }
    run ??= longestConsecutiveRun(map);
    const from = base + map[run.start]!;
    out.set(x.subarray(from, from + run.length), start + run.start);
    for (let i = 0; i < map.length; i++) {
      if (i === run.start) i += run.length;
      if (i >= map.length) break;
      const s = map[i]!;
      out[start + i] = s < 0 ? fill : x[base + s]!;
    }
  });
  return out;
}

/** Adjoint of `pad`. */
export function padBackward(grad: TypedArray, spec: PadSpec): TypedArray {
  const out = typedArrayFor(dtypeOf(grad), sizeOf(spec.inputShape));
  forEachPadRow(spec, (start, base, map) => {
    if (base < 0) return;
    for (let i = 0; i < map.length; i++) {
      const s = map[i]!;
      if (s >= 0) out[base + s]! += grad[start + i]!;
    }
  });
  return out;
}

/**
 * Walks `indexShape` row by row: `visit(i, other)` for every flat index `i` into `index` (and `src`/the
 * output), with `other` the flat index into the array of `otherShape` it addresses — the same position,
 * with axis `dim` replaced by `index[i]`.
 */
function forEachIndexed(
  indexShape: Shape,
  otherShape: Shape,
  dim: number,
  index: Int32Array,
  visit: (i: number, other: number) => void,
): void {
  const strides = stridesOf(otherShape);
  const walk = strides.map((s, d) => (d === dim ? 0 : s));
  const n = indexShape.length;
  const inner = n === 0 ? 1 : indexShape[n - 1]!;
  const innerStride = walk[n - 1] ?? 0;
  const dimStride = strides[dim] ?? 0;
  let i = 0;
  forEachRow(indexShape, [walk], ([base]) => {
    for (let j = 0; j < inner; j++, i++) visit(i, base! + j * innerStride + index[i]! * dimStride);
  });
}

/** `out[i…] = x[i… with axis dim replaced by index[i…]]`. */
export function gather(
  x: TypedArray,
  shape: Shape,
  dim: number,
  index: Int32Array,
  indexShape: Shape,
): TypedArray {
  const out = typedArrayFor(dtypeOf(x), sizeOf(indexShape));
  forEachIndexed(indexShape, shape, dim, index, (i, source) => {
    out[i] = x[source]!;
  });
  return out;
}

/** Zeros of `outShape` with `src` added at the gathered positions. */
export function scatterAdd(
  src: TypedArray,
  indexShape: Shape,
  dim: number,
  index: Int32Array,
  outShape: Shape,
): TypedArray {
  const out = typedArrayFor(dtypeOf(src), sizeOf(outShape));
  forEachIndexed(indexShape, outShape, dim, index, (i, target) => {
    out[target]! += src[i]!;
  });
  return out;
}
