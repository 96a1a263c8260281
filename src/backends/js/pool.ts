/**
 * Max and average pooling in the reference backend, as direct loops over each plane's windows (see
 * {@link Pool2dGeometry}): taps outside the input are padding, −∞ for max pooling and 0 for average pooling.
 * Sums accumulate in float64.
 */
import type { AvgPoolDivisor, Pool2dGeometry } from '../../backend/geometry.js';
import type { TypedArray } from '../../dtype.js';
import { typedArrayFor } from '../../dtype.js';

/** A new float array of `x`'s dtype. */
function like(x: TypedArray, size: number): TypedArray {
  return typedArrayFor(x instanceof Float64Array ? 'float64' : 'float32', size);
}

/**
 * Calls `visit(out, index)` for every window tap that lies inside the input, in row-major order within each
 * window: `out` is the flat output index, `index` the tap's flat index `h·W + w` within its plane (the
 * plane's offset is `plane · H · W`).
 */
function forEachTap(g: Pool2dGeometry, visit: (plane: number, out: number, index: number) => void): void {
  const [inH, inW] = g.inputSize;
  const [outH, outW] = g.outputSize;
  const [kH, kW] = g.kernelSize;
  for (let plane = 0, out = 0; plane < g.planes; plane++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++, out++) {
        for (let ky = 0; ky < kH; ky++) {
          const y = oy * g.stride[0] - g.padding[0] + ky * g.dilation[0];
          if (y < 0 || y >= inH) continue;
          for (let kx = 0; kx < kW; kx++) {
            const x = ox * g.stride[1] - g.padding[1] + kx * g.dilation[1];
            if (x >= 0 && x < inW) visit(plane, out, y * inW + x);
          }
        }
      }
    }
  }
}

/** The maximum of every window and its flat position in the input plane; the first maximum or NaN wins. */
export function maxPool2d(x: TypedArray, g: Pool2dGeometry): { values: TypedArray; indices: Int32Array } {
  const size = g.planes * g.outputSize[0] * g.outputSize[1];
  const planeSize = g.inputSize[0] * g.inputSize[1];
  const values = like(x, size).fill(-Infinity);
  const indices = new Int32Array(size).fill(-1);
  forEachTap(g, (plane, out, index) => {
    const v = x[plane * planeSize + index]!;
    const best = values[out]!;
    if (indices[out] === -1 || (!Number.isNaN(best) && (v > best || Number.isNaN(v)))) {
      values[out] = v;
      indices[out] = index;
    }
  });
  return { values, indices };
}

/** Each output gradient added to the input element its window's maximum came from. */
export function maxPool2dBackward(grad: TypedArray, indices: Int32Array, g: Pool2dGeometry): TypedArray {
  const planeSize = g.inputSize[0] * g.inputSize[1];
  const outSize = g.outputSize[0] * g.outputSize[1];
  const dx = like(grad, g.planes * planeSize);
  for (let plane = 0; plane < g.planes; plane++) {
    for (let o = 0; o < outSize; o++) {
      const out = plane * outSize + o;
      const index = indices[out]!;
      if (index >= 0) dx[plane * planeSize + index]! += grad[out]!;
    }
  }
  return dx;
}

/**
 * How many elements the window at output position `o` along one axis averages, as PyTorch counts them: the
 * window clipped to the padded input, or (without `countIncludePad`) to the input itself.
 */
function windowCount(
  o: number,
  length: number,
  kernel: number,
  stride: number,
  padding: number,
  countIncludePad: boolean,
): number {
  const start = o * stride - padding;
  const end = Math.min(start + kernel, length + padding);
  return countIncludePad ? end - start : Math.min(end, length) - Math.max(start, 0);
}

/** The divisor of every output position of one plane, `(outH · outW)`. */
function divisors(g: Pool2dGeometry, divisor: AvgPoolDivisor): Float64Array {
  const [outH, outW] = g.outputSize;
  const result = new Float64Array(outH * outW);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      result[oy * outW + ox] =
        divisor.divisorOverride ??
        windowCount(oy, g.inputSize[0], g.kernelSize[0], g.stride[0], g.padding[0], divisor.countIncludePad) *
          windowCount(
            ox,
            g.inputSize[1],
            g.kernelSize[1],
            g.stride[1],
            g.padding[1],
            divisor.countIncludePad,
          );
    }
  }
  return result;
}

/** The sum of every window over its divisor. */
export function avgPool2d(x: TypedArray, g: Pool2dGeometry, divisor: AvgPoolDivisor): TypedArray {
  const outSize = g.outputSize[0] * g.outputSize[1];
  const planeSize = g.inputSize[0] * g.inputSize[1];
  const sums = new Float64Array(g.planes * outSize);
  forEachTap(g, (plane, out, index) => {
    sums[out]! += x[plane * planeSize + index]!;
  });
  const div = divisors(g, divisor);
  const out = like(x, sums.length);
  for (let i = 0; i < sums.length; i++) out[i] = sums[i]! / div[i % outSize]!;
  return out;
}

/** `∂out/∂x = 1 / divisor` for every element of a window: each gradient over its divisor, spread back. */
export function avgPool2dBackward(grad: TypedArray, g: Pool2dGeometry, divisor: AvgPoolDivisor): TypedArray {
  const outSize = g.outputSize[0] * g.outputSize[1];
  const planeSize = g.inputSize[0] * g.inputSize[1];
  const div = divisors(g, divisor);
  const dx = new Float64Array(g.planes * planeSize);
  forEachTap(g, (plane, out, index) => {
    dx[plane * planeSize + index]! += grad[out]! / div[out % outSize]!;
  });
  const result = like(grad, dx.length);
  result.set(dx);
  return result;
}
