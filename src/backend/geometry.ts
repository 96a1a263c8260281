/**
 * Where a convolution's or a pooling's windows lie: the geometry objects that ops build once, after
 * validating their arguments, and that backends compute from. Each knows its own output size; the output-size
 * arithmetic of convolution, transposed convolution and pooling lives here and nowhere else.
 *
 * Everything is 2-D over the two trailing axes of an NCHW array; a 1-D op is the same with `H = kH = 1`.
 * Padding is implicit zeros (−∞ for max pooling): `padding` elements before the input along each axis, and
 * after it whatever the last window needs — the output size, not a second padding, says how far windows reach.
 */

/** A pair of sizes, `[along H, along W]`. */
export type Pair = readonly [number, number];

/**
 * Output length of a convolution along one axis:
 * `floor((L + padBefore + padAfter − dilation·(k − 1) − 1) / stride) + 1`.
 */
export function convOutputSize(
  length: number,
  kernel: number,
  stride: number,
  padBefore: number,
  padAfter: number,
  dilation: number,
): number {
  return Math.floor((length + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Output length of a transposed convolution along one axis:
 * `(L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1`: an input length of the convolution it
 * is the adjoint of, with `outputPadding` choosing among the `stride` lengths that convolve to length `L`.
 */
export function convTransposeOutputSize(
  length: number,
  kernel: number,
  stride: number,
  padding: number,
  outputPadding: number,
  dilation: number,
): number {
  return (length - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
}

/**
 * Output length of max or average pooling along one axis, as PyTorch computes it: the convolution formula
 * with `padding` on both sides, rounded up with `ceilMode` — except that no window may start in the right
 * padding.
 */
export function poolOutputSize(
  length: number,
  kernel: number,
  stride: number,
  padding: number,
  dilation: number,
  ceilMode: boolean,
): number {
  const span = length + 2 * padding - dilation * (kernel - 1) - 1;
  let out = Math.floor((span + (ceilMode ? stride - 1 : 0)) / stride) + 1;
  if (ceilMode && (out - 1) * stride >= length + padding) out--;
  return out;
}

/**
 * A grouped 2-D cross-correlation of `x` `(batch, inChannels, H, W)` with `weight`
 * `(outChannels, inChannels / groups, kH, kW)`, giving `(batch, outChannels, outH, outW)`:
 * `y[n, o, i, j] = Σ_{c, p, q} x[n, g·cin + c, i·sH − padH + p·dH, j·sW − padW + q·dW] · w[o, c, p, q]`
 * with `g = floor(o / (outChannels / groups))`, `cin = inChannels / groups`, and `x` zero outside the input.
 */
export interface Conv2dGeometry {
  /** Samples in the batch, `N`. */
  readonly batch: number;
  /** Input channels, `Cin`: a multiple of `groups`. */
  readonly inChannels: number;
  /** Output channels, `Cout`: a multiple of `groups`. */
  readonly outChannels: number;
  /** Channel groups: group `g` maps input channels `g·Cin/groups …` to output channels `g·Cout/groups …`. */
  readonly groups: number;
  /** `[H, W]` of the input, before padding. */
  readonly inputSize: Pair;
  /** `[kH, kW]`: taps of the kernel along each axis. */
  readonly kernelSize: Pair;
  /** `[sH, sW]`: input elements between the starts of consecutive windows. */
  readonly stride: Pair;
  /** Zeros before the input along each axis (top, left). */
  readonly padding: Pair;
  /** `[dH, dW]`: input elements between consecutive kernel taps (1: adjacent). */
  readonly dilation: Pair;
  /** `[outH, outW]`. */
  readonly outputSize: Pair;
}

/** The arguments of {@link conv2dGeometry}: a convolution's sizes, with padding before and after. */
export interface Conv2dParams {
  readonly batch: number;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly groups: number;
  readonly inputSize: Pair;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padBefore: Pair;
  readonly padAfter: Pair;
  readonly dilation: Pair;
}

/** The geometry of a convolution, its output size from {@link convOutputSize}. */
export function conv2dGeometry(p: Conv2dParams): Conv2dGeometry {
  const axis = (d: 0 | 1): number =>
    convOutputSize(
      p.inputSize[d],
      p.kernelSize[d],
      p.stride[d],
      p.padBefore[d],
      p.padAfter[d],
      p.dilation[d],
    );
  return {
    batch: p.batch,
    inChannels: p.inChannels,
    outChannels: p.outChannels,
    groups: p.groups,
    inputSize: p.inputSize,
    kernelSize: p.kernelSize,
    stride: p.stride,
    padding: p.padBefore,
    dilation: p.dilation,
    outputSize: [axis(0), axis(1)],
  };
}

/** The input, weight and output shapes of a convolution, `(N, C, H, W)` and `(Cout, Cin/groups, kH, kW)`. */
export function conv2dShapes(g: Conv2dGeometry): {
  input: [number, number, number, number];
  weight: [number, number, number, number];
  output: [number, number, number, number];
} {
  return {
    input: [g.batch, g.inChannels, ...g.inputSize],
    weight: [g.outChannels, g.inChannels / g.groups, ...g.kernelSize],
    output: [g.batch, g.outChannels, ...g.outputSize],
  };
}

/**
 * Max or average pooling of `planes` independent `(H, W)` planes (batch × channels), windows of `kernelSize`
 * taps `dilation` apart, `stride` apart, starting `padding` before the input; `outputSize` windows per axis.
 */
export interface Pool2dGeometry {
  /** Independent planes: `N · C`. */
  readonly planes: number;
  /** `[H, W]` of each input plane, before padding. */
  readonly inputSize: Pair;
  /** `[kH, kW]`: taps of the window along each axis. */
  readonly kernelSize: Pair;
  /** `[sH, sW]`: input elements between the starts of consecutive windows. */
  readonly stride: Pair;
  /** Implicit padding before the input along each axis (top, left): −∞ for max, 0 for average pooling. */
  readonly padding: Pair;
  /** `[dH, dW]`: input elements between consecutive window taps (1: adjacent). */
  readonly dilation: Pair;
  /** `[outH, outW]`: windows per axis, from {@link poolOutputSize}. */
  readonly outputSize: Pair;
}

/** The arguments of {@link pool2dGeometry}. */
export interface Pool2dParams {
  readonly planes: number;
  readonly inputSize: Pair;
  readonly kernelSize: Pair;
  readonly stride: Pair;
  readonly padding: Pair;
  readonly dilation: Pair;
  readonly ceilMode: boolean;
}

/** The geometry of a pooling, its output size from {@link poolOutputSize}. */
export function pool2dGeometry(p: Pool2dParams): Pool2dGeometry {
  const axis = (d: 0 | 1): number =>
    poolOutputSize(p.inputSize[d], p.kernelSize[d], p.stride[d], p.padding[d], p.dilation[d], p.ceilMode);
  return {
    planes: p.planes,
    inputSize: p.inputSize,
    kernelSize: p.kernelSize,
    stride: p.stride,
    padding: p.padding,
    dilation: p.dilation,
    outputSize: [axis(0), axis(1)],
  };
}

/** How average pooling divides each window's sum: by its size (PyTorch's `count_include_pad`), or by a fixed divisor. */
export interface AvgPoolDivisor {
  /** Count the padding zeros in the divisor (never the part past the padding). */
  readonly countIncludePad: boolean;
  /** Divide every window sum by this instead, when not null. */
  readonly divisorOverride: number | null;
}
