/**
 * Convolution in the reference backend, built as the assignment teaches: the padded input's windows laid out
 * by `sig2col`, one GEMM per group with the whole batch folded into its rows, and the backward pass through
 * the same windows and `col2sig`. A depthwise convolution (one input channel per group) is a direct loop
 * instead, since its per-group product would have a single column.
 */
import type { ConvGradientNeeds, ConvGradients, PadSpec, WindowSpec } from '../../backend/backend.js';
import type { Conv2dGeometry, Pool2dGeometry } from '../../backend/geometry.js';
import type { TypedArray } from '../../dtype.js';
import { typedArrayFor } from '../../dtype.js';
import type { Shape } from '../../shape.js';
import { stridesOf } from '../../shape.js';
import { gemm } from './gemm.js';
import { binary, reluBackward, unary } from './elementwise.js';
import { maxPool2d, maxPool2dBackward } from './pool.js';
import { reduce } from './reduce.js';
import { col2sig, pad, padBackward, sig2col, stridedCopy } from './strided.js';

/** The sizes a convolution's products use, with the batch folded into the rows. */
interface Layout {
  readonly n: number;
  readonly groups: number;
  /** Input channels per group. */
  readonly ci: number;
  /** Output channels per group. */
  readonly co: number;
  /** Output positions per channel. */
  readonly p: number;
  /** Taps per kernel channel. */
  readonly k: number;
  /** The input padded (or cropped) to exactly the span of the windows, or null when it already is. */
  readonly padding: PadSpec | null;
  /** The windows over that padded input. */
  readonly window: WindowSpec;
}

/**
 * The layout of `g`: the padded length of each axis is the span of its windows,
 * `(out − 1)·stride + dilation·(k − 1) + 1`, so the padding after the input may be anything, even a crop.
 */
function layoutOf(g: Conv2dGeometry): Layout {
  const inputShape: Shape = [g.batch, g.inChannels, ...g.inputSize];
  const span = [0, 1].map(
    (d) => (g.outputSize[d]! - 1) * g.stride[d]! + g.dilation[d]! * (g.kernelSize[d]! - 1) + 1,
  );
  const after = span.map((s, d) => s - g.inputSize[d]! - g.padding[d]!);
  const unchanged = g.padding.every((p) => p === 0) && after.every((a) => a === 0);
  return {
    n: g.batch,
    groups: g.groups,
    ci: g.inChannels / g.groups,
    co: g.outChannels / g.groups,
    p: g.outputSize[0] * g.outputSize[1],
    k: g.kernelSize[0] * g.kernelSize[1],
    padding: unchanged
      ? null
      : { inputShape, before: [0, 0, ...g.padding], after: [0, 0, ...after], mode: 'constant', value: 0 },
    window: {
      inputShape: [g.batch, g.inChannels, ...span],
      windowShape: g.kernelSize,
      stride: g.stride,
      dilation: g.dilation,
    },
  };
}

/** `x` of `shape` with its axes reordered: axis `i` of the result is axis `dims[i]` of `x`. */
function permuted(x: TypedArray, shape: Shape, dims: readonly number[]): TypedArray {
  const strides = stridesOf(shape);
  return stridedCopy(x, {
    offset: 0,
    shape: dims.map((d) => shape[d]!),
    strides: dims.map((d) => strides[d]!),
  });
}

/** The windows of the padded input, one `(N·P, Cin/G·K)` matrix per group: `(G, N·P, Cin/G·K)`. */
function windows(l: Layout, x: TypedArray): TypedArray {
  const padded = l.padding ? pad(x, l.padding) : x;
  return permuted(sig2col(padded, l.window), [l.n, l.groups, l.ci, l.p, l.k], [1, 0, 3, 2, 4]);
}

/** One input channel per group: every output value is `kH · kW` multiply-adds, done directly. */
function isDepthwise(g: Conv2dGeometry): boolean {
  return g.groups > 1 && g.inChannels === g.groups;
}

/**
 * The depthwise correlation, directly: for every output row, each kernel tap adds its weight times a
 * (strided) row of the padded input into a float64 row of sums, which is then stored.
 */
function depthwise(l: Layout, g: Conv2dGeometry, x: TypedArray, weight: TypedArray): TypedArray {
  const padded = l.padding ? pad(x, l.padding) : x;
  const [inH, inW] = l.window.inputShape.slice(2) as [number, number];
  const [kH, kW] = g.kernelSize;
  const [strideH, strideW] = g.stride;
  const [dilationH, dilationW] = g.dilation;
  const [outH, outW] = g.outputSize;
  const multiplier = l.co;
  const out = typedArrayFor(
    x instanceof Float64Array ? 'float64' : 'float32',
    l.n * g.outChannels * outH * outW,
  );
  const sums = new Float64Array(outW);
  for (let n = 0; n < l.n; n++) {
    for (let o = 0; o < g.outChannels; o++) {
      const plane = (n * g.inChannels + Math.floor(o / multiplier)) * inH * inW;
      const kernel = o * kH * kW;
      let at = (n * g.outChannels + o) * outH * outW;
      for (let oy = 0; oy < outH; oy++) {
        sums.fill(0);
        for (let ky = 0; ky < kH; ky++) {
          const row = plane + (oy * strideH + ky * dilationH) * inW;
          for (let kx = 0; kx < kW; kx++) {
            const w = weight[kernel + ky * kW + kx]!;
            const start = row + kx * dilationW;
            for (let ox = 0; ox < outW; ox++) sums[ox]! += w * padded[start + ox * strideW]!;
          }
        }
        out.set(sums, at);
        at += outW;
      }
    }
  }
  return out;
}

/**
 * The convolution of `x` with `weight` (see {@link Conv2dGeometry}), plus `bias` per output channel:
 * per group, `Y_g = windows_g · W_gᵀ` with `W_g` the group's kernels reshaped to `(Cout/G, Cin/G·K)`;
 * with `relu`, then `max(y, 0)`.
 */
export function conv2d(
  x: TypedArray,
  weight: TypedArray,
  bias: TypedArray | null,
  g: Conv2dGeometry,
  relu = false,
): TypedArray {
  const y = convolve(x, weight, bias, g);
  return relu ? unary('relu', y) : y;
}

/** The convolution of {@link conv2d} without its fused ReLU. */
function convolve(x: TypedArray, weight: TypedArray, bias: TypedArray | null, g: Conv2dGeometry): TypedArray {
  const l = layoutOf(g);
  let y: TypedArray;
  if (isDepthwise(g)) {
    y = depthwise(l, g, x, weight);
  } else {
    const product = gemm({
      a: windows(l, x),
      b: weight,
      batch: l.groups,
      m: l.n * l.p,
      k: l.ci * l.k,
      n: l.co,
      transA: false,
      transB: true,
      aBatchStride: l.n * l.p * l.ci * l.k,
      bBatchStride: l.co * l.ci * l.k,
    });
    y = permuted(product, [l.groups, l.n, l.p, l.co], [1, 0, 3, 2]);
  }
  if (bias === null) return y;
  const shape = [l.n, g.outChannels, l.p];
  return binary('add', y, shape, bias, [1, g.outChannels, 1], shape);
}

/**
 * For `Y_g = X_g W_gᵀ` (`X_g` the windows): `dW_g = dY_gᵀ X_g`, and `dX_g = dY_g W_g`, whose rows are
 * window-shaped gradients that `col2sig` (the adjoint of `sig2col`) adds back into the padded input; the
 * padding's adjoint then drops what fell on the border. The bias gradient sums `dY` over the batch and
 * every position. With `reluOutput` (a fused ReLU's output), `dY` is first the ReLU's gradient of `upstream`.
 */
export function conv2dBackward(
  upstream: TypedArray,
  x: TypedArray | null,
  weight: TypedArray,
  g: Conv2dGeometry,
  needs: ConvGradientNeeds,
  reluOutput: TypedArray | null = null,
): ConvGradients {
  const grad = reluOutput === null ? upstream : reluBackward(upstream, reluOutput);
  const l = layoutOf(g);
  const dy = needs.input || needs.weight ? permuted(grad, [l.n, l.groups, l.co, l.p], [1, 0, 3, 2]) : null;
  const weightGrad =
    needs.weight && dy && x
      ? gemm({
          a: dy,
          b: windows(l, x),
          batch: l.groups,
          m: l.co,
          k: l.n * l.p,
          n: l.ci * l.k,
          transA: true,
          transB: false,
          aBatchStride: l.n * l.p * l.co,
          bBatchStride: l.n * l.p * l.ci * l.k,
        })
      : null;
  let inputGrad: TypedArray | null = null;
  if (needs.input && dy) {
    const dWindows = gemm({
      a: dy,
      b: weight,
      batch: l.groups,
      m: l.n * l.p,
      k: l.co,
      n: l.ci * l.k,
      transA: false,
      transB: false,
      aBatchStride: l.n * l.p * l.co,
      bBatchStride: l.co * l.ci * l.k,
    });
    const dPadded = col2sig(permuted(dWindows, [l.groups, l.n, l.p, l.ci, l.k], [1, 0, 3, 2, 4]), l.window);
    inputGrad = l.padding ? padBackward(dPadded, l.padding) : dPadded;
  }
  const biasGrad = needs.bias ? reduce('sum', grad, [l.n, g.outChannels, l.p], [0, 2]) : null;
  return { input: inputGrad, weight: weightGrad, bias: biasGrad };
}

/**
 * The fused conv + bias + ReLU + max pooling, composed here from the reference ops: the convolution's
 * output rectified, then pooled with `p`.
 */
export function conv2dReluMaxPool2d(
  x: TypedArray,
  weight: TypedArray,
  bias: TypedArray | null,
  g: Conv2dGeometry,
  p: Pool2dGeometry,
): { values: TypedArray; indices: Int32Array } {
  return maxPool2d(conv2d(x, weight, bias, g, true), p);
}

/**
 * The gradients of {@link conv2dReluMaxPool2d}: `grad` masked by `values > 0` (the ReLU's mask at each
 * window's maximum, which is where the pooling's gradient goes), routed back through the pooling, then the
 * convolution's gradients.
 */
export function conv2dReluMaxPool2dBackward(
  grad: TypedArray,
  values: TypedArray,
  indices: Int32Array,
  x: TypedArray | null,
  weight: TypedArray,
  g: Conv2dGeometry,
  p: Pool2dGeometry,
  needs: ConvGradientNeeds,
): ConvGradients {
  const dy = maxPool2dBackward(reluBackward(grad, values), indices, p);
  return conv2dBackward(dy, x, weight, g, needs);
}
