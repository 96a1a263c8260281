/**
 * Depthwise convolution, computed directly: for every output row, each kernel tap adds its weight times a
 * (strided) row of the input into a float64 row of sums, which is then stored. There are no windows to lay
 * out, so an image filter costs `kH · kW` multiply-adds per output value and no more memory than its output.
 */
import type { DepthwiseSpec } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import { typedArrayFor } from '../../dtype.js';

/** The depthwise correlation of {@link DepthwiseSpec}; sums accumulate in float64 for every dtype. */
export function depthwiseConv2d(x: TypedArray, weight: TypedArray, spec: DepthwiseSpec): TypedArray {
  const { batch, channels, multiplier } = spec;
  const [inH, inW] = spec.inputShape;
  const [kH, kW] = spec.kernelShape;
  const [strideH, strideW] = spec.stride;
  const [dilationH, dilationW] = spec.dilation;
  const [outH, outW] = spec.outputShape;
  const outChannels = channels * multiplier;
  const out = typedArrayFor(
    x instanceof Float64Array ? 'float64' : 'float32',
    batch * outChannels * outH * outW,
  );
  const sums = new Float64Array(outW);
  for (let n = 0; n < batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const plane = (n * channels + Math.floor(o / multiplier)) * inH * inW;
      const kernel = o * kH * kW;
      let at = (n * outChannels + o) * outH * outW;
      for (let oy = 0; oy < outH; oy++) {
        sums.fill(0);
        for (let ky = 0; ky < kH; ky++) {
          const row = plane + (oy * strideH + ky * dilationH) * inW;
          for (let kx = 0; kx < kW; kx++) {
            const w = weight[kernel + ky * kW + kx]!;
            const start = row + kx * dilationW;
            for (let ox = 0; ox < outW; ox++) sums[ox]! += w * x[start + ox * strideW]!;
          }
        }
        out.set(sums, at);
        at += outW;
      }
    }
  }
  return out;
}
