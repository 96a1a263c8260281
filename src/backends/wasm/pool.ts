/**
 * Max and average pooling in the wasm backend (`pool.c`), float32, forward and backward, every plane on one
 * thread. Average pooling with dilation, and other dtypes, go to the js backend.
 */
import type { AvgPoolDivisor, Pool2dGeometry } from '../../backend/geometry.js';
import type { TypedArray } from '../../dtype.js';
import {
  avgPool2d as jsAvgPool2d,
  avgPool2dBackward as jsAvgPool2dBackward,
  maxPool2d as jsMaxPool2d,
  maxPool2dBackward as jsMaxPool2dBackward,
} from '../js/pool.js';
import { PARALLEL_MIN_ELEMENTS, orJs } from './fallback.js';
import { f32bits, wasmRuntime } from './runtime.js';

/** The 13 geometry words every pooling kernel starts with. */
export function poolGeometryWords(g: Pool2dGeometry): number[] {
  return [
    g.planes,
    ...g.inputSize,
    ...g.kernelSize,
    ...g.stride,
    ...g.padding,
    ...g.dilation,
    ...g.outputSize,
  ];
}

/** Element counts of one input plane and one output plane. */
function planeSizes(g: Pool2dGeometry): { input: number; output: number } {
  return { input: g.inputSize[0] * g.inputSize[1], output: g.outputSize[0] * g.outputSize[1] };
}

/** Whether a pooling touching `elements` elements is worth sharing between threads. */
function parallel(g: Pool2dGeometry): boolean {
  return g.planes > 1 && g.planes * planeSizes(g).input >= PARALLEL_MIN_ELEMENTS;
}

/**
 * Max pooling with flat `h·W + w` indices (first maximum wins, the first NaN counts as the maximum, −∞
 * outside the input), float32 in wasm.
 */
export function maxPool2d(x: TypedArray, g: Pool2dGeometry): { values: TypedArray; indices: Int32Array } {
  const size = g.planes * planeSizes(g).output;
  if (!(x instanceof Float32Array) || size === 0) return jsMaxPool2d(x, g);
  return orJs(
    () => {
      const arena = wasmRuntime().arena();
      const xAt = arena.put(x);
      const valuesAt = arena.reserve(size * 4);
      const indicesAt = arena.reserve(size * 4);
      arena.run('max_pool2d_f32', [...poolGeometryWords(g), xAt, valuesAt, indicesAt], {
        parallel: parallel(g),
      });
      return { values: arena.readF32(valuesAt, size), indices: arena.readI32(indicesAt, size) };
    },
    () => jsMaxPool2d(x, g),
  );
}

/** Each gradient added to the input element its index names, plane by plane in output order; float32 in wasm. */
export function maxPool2dBackward(grad: TypedArray, indices: Int32Array, g: Pool2dGeometry): TypedArray {
  const size = g.planes * planeSizes(g).input;
  if (!(grad instanceof Float32Array) || size === 0) return jsMaxPool2dBackward(grad, indices, g);
  return orJs(
    () => {
      const arena = wasmRuntime().arena();
      const gradAt = arena.put(grad);
      const indicesAt = arena.put(indices);
      const outAt = arena.reserve(size * 4);
      arena.run('max_pool2d_backward_f32', [...poolGeometryWords(g), gradAt, indicesAt, outAt], {
        parallel: parallel(g),
      });
      return arena.readF32(outAt, size);
    },
    () => jsMaxPool2dBackward(grad, indices, g),
  );
}

/** The divisor words of the average-pooling kernels: countIncludePad, divisorOverride bits (0: none). */
function divisorWords(divisor: AvgPoolDivisor): number[] {
  return [
    divisor.countIncludePad ? 1 : 0,
    divisor.divisorOverride === null ? 0 : f32bits(divisor.divisorOverride),
  ];
}

/** Average pooling without dilation runs in wasm; the rest in js. */
function avgInWasm(data: TypedArray, g: Pool2dGeometry, divisor: AvgPoolDivisor): data is Float32Array {
  return (
    data instanceof Float32Array &&
    g.dilation[0] === 1 &&
    g.dilation[1] === 1 &&
    (divisor.divisorOverride === null || divisor.divisorOverride > 0) &&
    g.planes * planeSizes(g).output > 0
  );
}

/**
 * Average pooling as PyTorch 1.13's `avg_pool2d`: each window summed in float32 in row-major order and
 * divided by its size (padding counted with countIncludePad, never past the padding) or the override.
 */
export function avgPool2d(x: TypedArray, g: Pool2dGeometry, divisor: AvgPoolDivisor): TypedArray {
  if (!avgInWasm(x, g, divisor)) return jsAvgPool2d(x, g, divisor);
  const size = g.planes * planeSizes(g).output;
  return orJs(
    () => {
      const arena = wasmRuntime().arena();
      const xAt = arena.put(x);
      const outAt = arena.reserve(size * 4);
      arena.run('avg_pool2d_f32', [...poolGeometryWords(g), ...divisorWords(divisor), xAt, outAt], {
        parallel: parallel(g),
      });
      return arena.readF32(outAt, size);
    },
    () => jsAvgPool2d(x, g, divisor),
  );
}

/** The adjoint of {@link avgPool2d}: each gradient divided as there and spread over its window. */
export function avgPool2dBackward(grad: TypedArray, g: Pool2dGeometry, divisor: AvgPoolDivisor): TypedArray {
  if (!avgInWasm(grad, g, divisor)) return jsAvgPool2dBackward(grad, g, divisor);
  const size = g.planes * planeSizes(g).input;
  return orJs(
    () => {
      const arena = wasmRuntime().arena();
      const gradAt = arena.put(grad);
      const outAt = arena.reserve(size * 4);
      arena.run(
        'avg_pool2d_backward_f32',
        [...poolGeometryWords(g), ...divisorWords(divisor), gradAt, outAt],
        {
          parallel: parallel(g),
        },
      );
      return arena.readF32(outAt, size);
    },
    () => jsAvgPool2dBackward(grad, g, divisor),
  );
}
