/**
 * Applying kernels to images, with the library's own `F.pad` and `F.conv2d`.
 *
 * - **Correlation or convolution.** `F.conv2d`, like every deep-learning library and
 *   `scipy.ndimage.correlate`, slides the kernel as it is: `out[y][x] = Σᵢⱼ k[i][j] · in[y + i − cy][x + j − cx]`.
 *   True convolution first flips the kernel both ways (`k[kH−1−i][kW−1−j]`). Symmetric kernels (Gaussian,
 *   box, Laplacian) give the same result either way; Sobel's changes sign. Kernels here are written for
 *   correlation, so `sobel-x` is positive where brightness rises to the right.
 * - **Padding.** `'same'` adds `kH // 2` rows above and below and `kW // 2` columns left and right, so the
 *   output has the input's size; the kernel needs a centre pixel, hence odd sizes. `'valid'` adds nothing
 *   and keeps only the `(H − kH + 1) × (W − kW + 1)` positions where the kernel fits whole. The added border
 *   is filled by the padding mode: zeros, reflect (mirror without repeating the edge: `c b | a b c`),
 *   replicate (repeat the edge: `a a | a b c`) or circular (wrap around: `b c | a b c`).
 * - **Separability.** A kernel that is an outer product `column ⊗ row` (Gaussian, box, Sobel, Prewitt,
 *   Scharr) is applied as a `(kH, 1)` pass then a `(1, kW)` pass: `kH + kW` multiplications per pixel instead
 *   of `kH · kW`, with the same result up to rounding.
 *
 * Channels are filtered independently: the image becomes a batch of one `(1, C, H, W)` and the kernel a
 * `(C, 1, kH, kW)` weight with groups = C. Large images go through in bands of rows (see `bands.ts`).
 */
import * as F from '../functional.js';
import { zerosLike } from '../creation.js';
import { isFloating } from '../dtype.js';
import { ArgumentError, ConvnetError, DTypeError, ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import { checkTensor } from '../tensor.js';
import type { Tensor } from '../tensor.js';
import { BAND_ELEMENTS, correlateInBands } from './bands.js';
import { kernel } from './kernels.js';
import type { Kernel, KernelMatrix } from './kernels.js';

/** A kernel, a kernel spec such as `'gaussian:5:1.4'` (see `kernel`), or a matrix. */
export type KernelInput = Kernel | string | KernelMatrix;

/** How the border added by `'same'` padding is filled. */
export type PaddingMode = 'zeros' | 'reflect' | 'replicate' | 'circular';

/** What happens to the filtered values: clip to [0, 1], |x| then clip, min–max to [0, 1], or raw. */
export type OutputMode = 'clip' | 'abs' | 'normalize' | 'none';

/** Called after each band of output rows. */
export type ProgressCallback = (rowsDone: number, rowsTotal: number) => void;

/** Options of {@link applyKernel}. */
export interface ApplyKernelOptions {
  /** `'same'` (default; the output keeps the input's size, odd kernel sizes only) or `'valid'`. */
  padding?: 'same' | 'valid';
  /** How the border is filled (default `'zeros'`, the seed's). */
  paddingMode?: PaddingMode;
  /** Default false: correlation. True flips the kernel both ways first (true convolution). */
  convolve?: boolean;
  /** Default `'clip'` to [0, 1]; `'abs'` = |x| then clip; `'normalize'` = min–max over all channels to [0, 1]; `'none'` = raw. */
  output?: OutputMode;
  /** Called with `(rowsDone, rowsTotal)` after each band of output rows. */
  onProgress?: ProgressCallback;
}

/** Options of {@link edgeMagnitude}. */
export interface EdgeMagnitudeOptions {
  /** The derivative kernels `<operator>-x` and `<operator>-y` (default `'sobel'`). */
  operator?: 'sobel' | 'prewitt' | 'scharr';
  /** `'l1'` = |gx| + |gy| (default, the seed's) or `'l2'` = √(gx² + gy²). */
  norm?: 'l1' | 'l2';
  /** As in {@link ApplyKernelOptions}: `'same'` (default) or `'valid'`. */
  padding?: 'same' | 'valid';
  /** How the border is filled (default `'zeros'`). */
  paddingMode?: PaddingMode;
  /** Called with `(rowsDone, rowsTotal)` after each band of output rows. */
  onProgress?: ProgressCallback;
}

/** Options of {@link poolImage}. */
export interface PoolImageOptions {
  /** `'max'` (default) or `'avg'`. */
  mode?: 'max' | 'avg';
  /** Window size, one number or `[height, width]`. */
  kernelSize: number | [number, number];
  /** Step between windows (default: the window size). */
  stride?: number | [number, number];
  /** Keep a last, partial window at the right and bottom edges (default false). */
  ceilMode?: boolean;
}

const PAD_MODES: Record<PaddingMode, F.PadOptions['mode']> = {
  zeros: 'constant',
  reflect: 'reflect',
  replicate: 'replicate',
  circular: 'circular',
};

/** Checks that `value` is one of `allowed` (or absent, giving the first). */
function oneOf<T extends string>(
  value: T | undefined,
  allowed: readonly T[],
  op: string,
  argument: string,
): T {
  if (value === undefined) return allowed[0]!;
  if (!allowed.includes(value)) {
    throw new ArgumentError(
      op,
      argument,
      `expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function checkOptionsObject(options: unknown, op: string): void {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ArgumentError(
      op,
      'options',
      `expected an options object, got ${options === null ? 'null' : typeof options}`,
    );
  }
}

function checkProgress(onProgress: unknown, op: string): ProgressCallback | undefined {
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new ArgumentError(op, 'onProgress', `expected a function, got ${typeof onProgress}`);
  }
  return onProgress as ProgressCallback | undefined;
}

/** The image as a batch of one `(1, C, H, W)`, after checking it is a `(C, H, W)` or `(H, W)` float tensor. */
function asBatch(image: Tensor, op: string): Tensor {
  checkTensor(image, op, 'image');
  if (image.ndim !== 2 && image.ndim !== 3) {
    throw new ShapeError(op, 'image', `expected (C, H, W) or (H, W), got shape ${formatShape(image.shape)}`);
  }
  if (!isFloating(image.dtype)) {
    throw new DTypeError(op, 'image', `expected a float32 or float64 image, got ${image.dtype}`);
  }
  if (image.size === 0)
    throw new ShapeError(op, 'image', `the image is empty: shape ${formatShape(image.shape)}`);
  return image.reshape(image.ndim === 2 ? [1, 1, ...image.shape] : [1, ...image.shape]);
}

/** `(1, C, H, W)` back to the rank of the user's image. */
function restoreRank(batch: Tensor, image: Tensor): Tensor {
  return image.ndim === 2 ? batch.reshape(batch.shape.slice(2)) : batch.reshape(batch.shape.slice(1));
}

/** The kernel of any input, with a bad spec or matrix reported against `op`. */
function kernelOf(input: KernelInput, op: string): Kernel {
  const isKernelObject = typeof input === 'object' && input !== null && !Array.isArray(input);
  try {
    if (!isKernelObject) return kernel(input as string | KernelMatrix);
    const given = input as Kernel;
    const { matrix } = kernel(given.matrix);
    const { separable } = given;
    if (
      separable &&
      (separable.column.length !== matrix.length || separable.row.length !== matrix[0]!.length)
    ) {
      throw new ArgumentError(
        'kernel',
        'separable',
        `the factors of '${given.name}' do not match its matrix`,
      );
    }
    return { name: given.name, matrix, separable: separable ?? null };
  } catch (error) {
    if (error instanceof ConvnetError) throw new ArgumentError(op, 'kernel', error.message);
    throw error;
  }
}

/** The kernel flipped in both directions, factors included: correlating with it is convolving with `k`. */
function flipped(k: Kernel): Kernel {
  const reversed = (values: readonly number[]): number[] => [...values].reverse();
  return {
    name: k.name,
    matrix: [...k.matrix].reverse().map(reversed),
    separable: k.separable && { column: reversed(k.separable.column), row: reversed(k.separable.row) },
  };
}

interface Border {
  readonly padding: 'same' | 'valid';
  readonly paddingMode: PaddingMode;
}

function checkBorder(options: { padding?: 'same' | 'valid'; paddingMode?: PaddingMode }, op: string): Border {
  return {
    padding: oneOf(options.padding, ['same', 'valid'], op, 'padding'),
    paddingMode: oneOf(options.paddingMode, ['zeros', 'reflect', 'replicate', 'circular'], op, 'paddingMode'),
  };
}

/**
 * Pads the `(1, C, H, W)` batch for a `kH × kW` kernel as `border` asks, checking first that the kernel
 * fits: 'same' needs odd sizes, 'valid' an image at least as large as the kernel, reflect a border smaller
 * than the image and circular one no larger.
 */
function padFor(batch: Tensor, kH: number, kW: number, border: Border, op: string): Tensor {
  const [height, width] = [batch.shape[2]!, batch.shape[3]!];
  if (border.padding === 'valid') {
    if (height < kH || width < kW) {
      throw new ArgumentError(
        op,
        'padding',
        `'valid' needs an image at least as large as the ${kH}×${kW} kernel, got ${height}×${width}`,
      );
    }
    return batch;
  }
  if (kH % 2 === 0 || kW % 2 === 0) {
    throw new ArgumentError(
      op,
      'padding',
      `'same' needs odd kernel sizes (a centre pixel to put on each input pixel), got ${kH}×${kW}; use padding 'valid'`,
    );
  }
  const [top, left] = [(kH - 1) / 2, (kW - 1) / 2];
  const tooLarge =
    (border.paddingMode === 'reflect' && (top >= height || left >= width)) ||
    (border.paddingMode === 'circular' && (top > height || left > width));
  if (tooLarge) {
    const limit = border.paddingMode === 'reflect' ? 'smaller than' : 'at most';
    throw new ArgumentError(
      op,
      'paddingMode',
      `${border.paddingMode} padding of ${top} rows and ${left} columns (for a ${kH}×${kW} kernel) must be ${limit} the image's ${height}×${width}`,
    );
  }
  return F.pad(batch, [left, left, top, top], { mode: PAD_MODES[border.paddingMode] });
}

/** Applies the output mode to the raw filtered values. */
function finish(raw: Tensor, output: OutputMode): Tensor {
  switch (output) {
    case 'none':
      return raw;
    case 'clip':
      return raw.clamp({ min: 0, max: 1 });
    case 'abs':
      return raw.abs().clamp({ min: 0, max: 1 });
    case 'normalize': {
      const [low, high] = [raw.min().item(), raw.max().item()];
      return high === low ? zerosLike(raw) : raw.sub(low).div(high - low);
    }
  }
}

/**
 * Filters each channel of `image` — `(C, H, W)` with any C ≥ 1, or `(H, W)`; float32 or float64 — with
 * `kernel`, returning a tensor of the same rank: correlation by default, true convolution with `convolve`;
 * `'same'` padding (default) keeps the size, `'valid'` gives `(H − kH + 1, W − kW + 1)`; the output mode
 * clips to [0, 1] by default. Computed with `F.pad` and `F.conv2d` (groups = C), separable kernels in two
 * 1-D passes, large images in bands of rows (`onProgress` after each). With `output: 'none'` the result is
 * differentiable with respect to the image.
 *
 * @example
 * const edges = vision.applyKernel(image, 'sobel-x', { output: 'abs' });
 * const blurred = vision.applyKernel(image, 'gaussian:5:1.4', { paddingMode: 'reflect' });
 * vision.applyKernel(tensor([[1, 2], [3, 4]]), [[1, 0], [0, -1]], { padding: 'valid', output: 'none' })  // [[-3]]
 */
export function applyKernel(image: Tensor, kernel: KernelInput, options?: ApplyKernelOptions): Tensor {
  const op = 'applyKernel';
  checkOptionsObject(options, op);
  const batch = asBatch(image, op);
  const { convolve = false, output: outputOption } = options ?? {};
  if (typeof convolve !== 'boolean') {
    throw new ArgumentError(op, 'convolve', `expected true or false, got ${String(convolve)}`);
  }
  const output = oneOf(outputOption, ['clip', 'abs', 'normalize', 'none'], op, 'output');
  const border = checkBorder(options ?? {}, op);
  const onProgress = checkProgress(options?.onProgress, op);
  const given = kernelOf(kernel, op);
  const oriented = convolve ? flipped(given) : given;
  const padded = padFor(batch, oriented.matrix.length, oriented.matrix[0]!.length, border, op);
  const [raw] = correlateInBands(padded, [oriented], BAND_ELEMENTS, onProgress);
  return restoreRank(finish(raw!, output), image);
}

/**
 * The gradient magnitude of each channel: `gx` and `gy` from the operator's `-x` and `-y` kernels (Sobel
 * by default; correlation, raw values), combined as |gx| + |gy| (`'l1'`, default, the seed's) or
 * √(gx² + gy²) (`'l2'`), clipped to [0, 1]. Same image shapes and padding options as {@link applyKernel}.
 *
 * @example
 * const edges = vision.edgeMagnitude(image);                                  // (C, H, W) in [0, 1]
 * vision.edgeMagnitude(image, { operator: 'scharr', norm: 'l2', paddingMode: 'replicate' });
 */
export function edgeMagnitude(image: Tensor, options?: EdgeMagnitudeOptions): Tensor {
  const op = 'edgeMagnitude';
  checkOptionsObject(options, op);
  const batch = asBatch(image, op);
  const operator = oneOf(options?.operator, ['sobel', 'prewitt', 'scharr'], op, 'operator');
  const norm = oneOf(options?.norm, ['l1', 'l2'], op, 'norm');
  const border = checkBorder(options ?? {}, op);
  const onProgress = checkProgress(options?.onProgress, op);
  const padded = padFor(batch, 3, 3, border, op);
  const [gx, gy] = correlateInBands(
    padded,
    [kernel(`${operator}-x`), kernel(`${operator}-y`)],
    BAND_ELEMENTS,
    onProgress,
  ) as [Tensor, Tensor];
  const magnitude = norm === 'l1' ? gx.abs().add(gy.abs()) : gx.mul(gx).add(gy.mul(gy)).sqrt();
  return restoreRank(magnitude.clamp({ min: 0, max: 1 }), image);
}

/** A window size or stride as `[height, width]` of positive integers. */
function pair(value: unknown, op: string, argument: string): [number, number] {
  const values = typeof value === 'number' ? [value, value] : value;
  if (
    !Array.isArray(values) ||
    values.length !== 2 ||
    !values.every((v) => Number.isInteger(v) && (v as number) > 0)
  ) {
    throw new ArgumentError(
      op,
      argument,
      `expected a positive integer or [height, width], got ${JSON.stringify(value)}`,
    );
  }
  return values as [number, number];
}

/**
 * Max or average pooling of each channel of `image` (`(C, H, W)` or `(H, W)`) over `kernelSize` windows
 * moved by `stride` (default: the window, so windows do not overlap), with `F.maxPool2d` / `F.avgPool2d`.
 * The output has `floor((H − kH) / sH) + 1` rows (rounded up with `ceilMode`), and likewise columns.
 *
 * @example
 * vision.poolImage(tensor([[1, 2, 3, 0], [4, 5, 6, 1], [7, 8, 9, 2], [0, 1, 2, 3]]), { kernelSize: 2 })  // [[5, 6], [8, 9]]
 * vision.poolImage(image, { mode: 'avg', kernelSize: 20 })    // the seed's 20×20 average pooling
 */
export function poolImage(image: Tensor, options: PoolImageOptions): Tensor {
  const op = 'poolImage';
  const batch = asBatch(image, op);
  if (typeof options !== 'object' || options === null) {
    throw new ArgumentError(op, 'options', 'expected an options object with at least kernelSize');
  }
  const mode = oneOf(options.mode, ['max', 'avg'], op, 'mode');
  const size = pair(options.kernelSize, op, 'kernelSize');
  const stride = options.stride === undefined ? size : pair(options.stride, op, 'stride');
  const { ceilMode = false } = options;
  if (typeof ceilMode !== 'boolean') {
    throw new ArgumentError(op, 'ceilMode', `expected true or false, got ${String(ceilMode)}`);
  }
  const [height, width] = [batch.shape[2]!, batch.shape[3]!];
  if (size[0] > height || size[1] > width) {
    throw new ArgumentError(
      op,
      'kernelSize',
      `a ${size[0]}×${size[1]} window does not fit in the ${height}×${width} image`,
    );
  }
  const pooled =
    mode === 'max'
      ? F.maxPool2d(batch, size, { stride, ceilMode })
      : F.avgPool2d(batch, size, { stride, ceilMode });
  return restoreRank(pooled, image);
}
