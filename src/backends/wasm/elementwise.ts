/**
 * Element-wise kernels of the wasm backend (`elementwise.c`), float32 only: the unary functions WebAssembly
 * SIMD computes exactly, arithmetic of two operands whose broadcast folds into at most three blocks, `clamp`
 * and `reluBackward`. Results equal the js backend's bit for bit (signed zeros included); other dtypes, ops
 * and broadcasts go to the js backend.
 */
import type { ArithmeticOp, BinaryOp, UnaryOp } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { sizeOf } from '../../shape.js';
import {
  binary as jsBinary,
  clamp as jsClamp,
  reluBackward as jsReluBackward,
  unary as jsUnary,
} from '../js/elementwise.js';
import { PARALLEL_MIN_ELEMENTS, orJs } from './fallback.js';
import { f32bits, wasmRuntime } from './runtime.js';

/** The unary ops of `unary_f32`, by its numbering. */
const UNARY_CODES: Partial<Record<UnaryOp, number>> = {
  relu: 0,
  neg: 1,
  abs: 2,
  sqrt: 3,
  floor: 4,
  ceil: 5,
  round: 6,
};

/** The arithmetic ops of `binary_f32`, by its numbering (`pow` is not among them). */
const BINARY_CODES: Partial<Record<ArithmeticOp, number>> = {
  add: 0,
  sub: 1,
  mul: 2,
  div: 3,
  maximum: 4,
  minimum: 5,
};

/** `op` on every element: relu, neg, abs, sqrt, floor, ceil and round (half to even) of float32 in wasm. */
export function unary(op: UnaryOp, x: TypedArray): TypedArray {
  const code = UNARY_CODES[op];
  if (!(x instanceof Float32Array) || code === undefined || x.length === 0) return jsUnary(op, x);
  return orJs(
    () => {
      const arena = wasmRuntime().arena();
      const xAt = arena.put(x);
      const outAt = arena.reserve(x.byteLength);
      arena.run('unary_f32', [code, xAt, outAt, x.length], { parallel: x.length >= PARALLEL_MIN_ELEMENTS });
      return arena.readF32(outAt, x.length);
    },
    () => jsUnary(op, x),
  );
}

/**
 * A broadcast folded into three blocks: the output `(outer, mid, inner)` and each operand's element strides
 * along them (0 where it is broadcast; along `inner` 0 or 1).
 */
export interface BroadcastBlocks {
  readonly sizes: readonly [number, number, number];
  readonly aStrides: readonly [number, number, number];
  readonly bStrides: readonly [number, number, number];
}

/**
 * Folds the broadcast of `aShape` and `bShape` to `outShape` into three blocks: axes of size 1 dropped,
 * neighbouring axes merged while each operand either spans or is broadcast along both. Null when more than
 * three blocks remain.
 */
export function broadcastBlocks(aShape: Shape, bShape: Shape, outShape: Shape): BroadcastBlocks | null {
  const blocks: { size: number; a: boolean; b: boolean }[] = [];
  const n = outShape.length;
  for (let d = 0; d < n; d++) {
    const size = outShape[d]!;
    if (size === 1) continue;
    const a = (aShape[aShape.length - n + d] ?? 1) === size;
    const b = (bShape[bShape.length - n + d] ?? 1) === size;
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.a === a && last.b === b) last.size *= size;
    else blocks.push({ size, a, b });
  }
  if (blocks.length > 3) return null;
  while (blocks.length < 3) blocks.unshift({ size: 1, a: true, b: true });
  const strides = (spans: (block: { a: boolean; b: boolean }) => boolean): [number, number, number] => {
    const out: [number, number, number] = [0, 0, 0];
    let stride = 1;
    for (let i = 2; i >= 0; i--) {
      if (spans(blocks[i]!)) {
        out[i] = stride;
        stride *= blocks[i]!.size;
      }
    }
    return out;
  };
  return {
    sizes: [blocks[0]!.size, blocks[1]!.size, blocks[2]!.size],
    aStrides: strides((block) => block.a),
    bStrides: strides((block) => block.b),
  };
}

/**
 * `op(a, b)` with numpy broadcasting: add, sub, mul, div, maximum and minimum of float32 in wasm when the
 * broadcast folds into three blocks (equal shapes, a scalar on either side, a bias per channel or feature).
 */
export function binary(
  op: BinaryOp,
  a: TypedArray,
  aShape: Shape,
  b: TypedArray,
  bShape: Shape,
  outShape: Shape,
): TypedArray {
  const code = BINARY_CODES[op as ArithmeticOp];
  const size = sizeOf(outShape);
  const blocks =
    code !== undefined && a instanceof Float32Array && b instanceof Float32Array && size > 0
      ? broadcastBlocks(aShape, bShape, outShape)
      : null;
  if (blocks === null) return jsBinary(op, a, aShape, b, bShape, outShape);
  return orJs(
    () => {
      const arena = wasmRuntime().arena();
      const aAt = arena.put(a as Float32Array);
      const bAt = arena.put(b as Float32Array);
      const outAt = arena.reserve(size * 4);
      arena.run(
        'binary_f32',
        [code!, aAt, bAt, outAt, ...blocks.sizes, ...blocks.aStrides, ...blocks.bStrides],
        {
          parallel: size >= PARALLEL_MIN_ELEMENTS,
        },
      );
      return arena.readF32(outAt, size);
    },
    () => jsBinary(op, a, aShape, b, bShape, outShape),
  );
}

/** `min(max(x, lo), hi)` element-wise as the js backend computes it, float32 in wasm. */
export function clamp(x: TypedArray, lo: number, hi: number): TypedArray {
  if (!(x instanceof Float32Array) || x.length === 0) return jsClamp(x, lo, hi);
  return orJs(
    () => {
      const arena = wasmRuntime().arena();
      const xAt = arena.put(x);
      const outAt = arena.reserve(x.byteLength);
      arena.run('clamp_f32', [xAt, outAt, x.length, f32bits(lo), f32bits(hi)], {
        parallel: x.length >= PARALLEL_MIN_ELEMENTS,
      });
      return arena.readF32(outAt, x.length);
    },
    () => jsClamp(x, lo, hi),
  );
}

/** The gradient of ReLU, `out > 0 ? grad : 0`, float32 in wasm. */
export function reluBackward(grad: TypedArray, out: TypedArray): TypedArray {
  if (!(grad instanceof Float32Array) || !(out instanceof Float32Array) || grad.length === 0) {
    return jsReluBackward(grad, out);
  }
  return orJs(
    () => {
      const arena = wasmRuntime().arena();
      const gradAt = arena.put(grad);
      const yAt = arena.put(out);
      const resultAt = arena.reserve(grad.byteLength);
      arena.run('relu_backward_f32', [gradAt, yAt, resultAt, grad.length], {
        parallel: grad.length >= PARALLEL_MIN_ELEMENTS,
      });
      return arena.readF32(resultAt, grad.length);
    },
    () => jsReluBackward(grad, out),
  );
}
