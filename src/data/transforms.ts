/**
 * Image transforms, as `torchvision.transforms`: each returns a function from an image `(C, H, W)` or a
 * batch `(N, C, H, W)` of floating values to a new tensor. Random transforms draw from a `Generator` (the
 * global one unless given), independently for every image of a batch, so a seed fixes them. All compute
 * goes through tensor ops.
 */
import { tensor } from '../creation.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { DType, TypedArray } from '../dtype.js';
import { isFloating } from '../dtype.js';
import { where } from '../ops/elementwise.js';
import { matmul } from '../ops/linalg.js';
import { pad } from '../ops/padding.js';
import { gather } from '../ops/shape.js';
import type { PadMode } from '../backend/backend.js';
import { backend } from '../backend/registry.js';
import { defaultGenerator } from '../random.js';
import type { Generator } from '../random.js';
import { formatShape, isList } from '../shape.js';
import { Tensor, checkTensor } from '../tensor.js';

/** A function from an image `(C, H, W)` or batch `(N, C, H, W)` to a transformed one. */
export type Transform = (input: Tensor) => Tensor;

/** Options of the random transforms. */
export interface RandomTransformOptions {
  /** Where the random decisions come from (default: the global generator). */
  generator?: Generator;
}

/**
 * Applies `transforms` left to right, as `torchvision.transforms.Compose`.
 *
 * @example
 * const augment = compose([randomCrop(28, { padding: 2 }), randomHorizontalFlip(), normalize([0.286], [0.353])]);
 */
export function compose(transforms: readonly Transform[]): Transform {
  if (!isList(transforms) || !transforms.every((t) => typeof t === 'function')) {
    throw new ArgumentError('compose', 'transforms', 'expected a list of transform functions');
  }
  const steps = [...transforms];
  return (input) => steps.reduce((x, step) => step(x), input);
}

/**
 * Per-channel standardisation `(x - mean[c]) / std[c]`, as `torchvision.transforms.Normalize`. `mean` and
 * `std` have one entry per channel (or a single entry used for every channel).
 *
 * @example
 * normalize([0.2860], [0.3530])(images)   // Fashion-MNIST's training mean and std
 */
export function normalize(mean: readonly number[], std: readonly number[]): Transform {
  const op = 'normalize';
  for (const [name, values] of [
    ['mean', mean],
    ['std', std],
  ] as const) {
    if (!Array.isArray(values) || values.length === 0 || !values.every(Number.isFinite)) {
      throw new ArgumentError(
        op,
        name,
        `expected a non-empty list of finite numbers, got ${JSON.stringify(values)}`,
      );
    }
  }
  if (std.some((s) => s === 0))
    throw new ArgumentError(op, 'std', `std must be nonzero, got ${JSON.stringify(std)}`);
  if (mean.length !== std.length && mean.length !== 1 && std.length !== 1) {
    throw new ArgumentError(op, 'std', `mean has ${mean.length} entries but std has ${std.length}`);
  }
  const channels = Math.max(mean.length, std.length);
  return (input) => {
    const [, c] = imageDims(input, op);
    if (channels !== 1 && channels !== c) {
      throw new ShapeError(
        op,
        'input',
        `mean and std have ${channels} entries but the image has ${c} channels (shape ${formatShape(input.shape)})`,
      );
    }
    const perChannel = (values: readonly number[]): Tensor =>
      tensor([...values], [values.length, 1, 1], { dtype: input.dtype });
    return input.sub(perChannel(mean)).div(perChannel(std));
  };
}

/** Options of {@link randomCrop}. */
export interface RandomCropOptions extends RandomTransformOptions {
  /**
   * Border added before cropping: one number for every side, `[leftRight, topBottom]`, or
   * `[left, top, right, bottom]` (torchvision's order). Default 0.
   */
  padding?: number | readonly [number, number] | readonly [number, number, number, number];
  /** Value of constant padding (default 0). */
  fill?: number;
  /** How the border is filled: `'constant'` (default), `'reflect'` or `'replicate'`. */
  paddingMode?: Exclude<PadMode, 'circular'>;
}

/**
 * Pads each image, then cuts out a `size` window (`number` for a square, or `[h, w]`) at a random place,
 * as `torchvision.transforms.RandomCrop`: top offset uniform in `0 … Hp - h`, then left in `0 … Wp - w`.
 *
 * @example
 * randomCrop(28, { padding: 4, generator: new Generator(0) })(batch)   // (N, C, 28, 28)
 */
export function randomCrop(size: number | readonly [number, number], options?: RandomCropOptions): Transform {
  const op = 'randomCrop';
  const [height, width] = checkSize(size, op);
  const [left, top, right, bottom] = paddingSides(options?.padding ?? 0, op);
  const fill = options?.fill ?? 0;
  if (!Number.isFinite(fill)) throw new ArgumentError(op, 'fill', `expected a finite number, got ${fill}`);
  const mode = options?.paddingMode ?? 'constant';
  if (!['constant', 'reflect', 'replicate'].includes(mode)) {
    throw new ArgumentError(
      op,
      'paddingMode',
      `expected 'constant', 'reflect' or 'replicate', got '${mode}'`,
    );
  }
  const generator = options?.generator ?? defaultGenerator;
  return (input) => {
    const [n, c, h, w, batched] = imageDims(input, op);
    const padded = pad(batched, [left, right, top, bottom], { mode, value: fill });
    const [hp, wp] = [h + top + bottom, w + left + right];
    if (height > hp || width > wp) {
      throw new ShapeError(
        op,
        'size',
        `crop ${height}×${width} is larger than the padded image ${hp}×${wp} (input shape ${formatShape(input.shape)})`,
      );
    }
    const rows = backend().alloc('int32', n * height);
    const cols = backend().alloc('int32', n * width);
    for (let i = 0; i < n; i++) {
      const y = generator.integer(0, hp - height + 1);
      const x = generator.integer(0, wp - width + 1);
      for (let r = 0; r < height; r++) rows[i * height + r] = y + r;
      for (let q = 0; q < width; q++) cols[i * width + q] = x + q;
    }
    const rowIndex = new Tensor(rows, [n, 1, height, 1]).expand([n, c, height, wp]);
    const colIndex = new Tensor(cols, [n, 1, 1, width]).expand([n, c, height, width]);
    return restore(gather(gather(padded, 2, rowIndex), 3, colIndex), input);
  };
}

/**
 * Mirrors each image left to right with probability `p` (default 0.5), as
 * `torchvision.transforms.RandomHorizontalFlip`: one uniform draw per image, flipped when below `p`.
 */
export function randomHorizontalFlip(p = 0.5, options?: RandomTransformOptions): Transform {
  const op = 'randomHorizontalFlip';
  if (!(typeof p === 'number' && p >= 0 && p <= 1)) {
    throw new ArgumentError(op, 'p', `expected a probability in [0, 1], got ${p}`);
  }
  const generator = options?.generator ?? defaultGenerator;
  return (input) => {
    const [n, c, h, w, batched] = imageDims(input, op);
    const chosen = backend().alloc('int32', n);
    for (let i = 0; i < n; i++) chosen[i] = generator.uniform() < p ? 1 : 0;
    if (!chosen.includes(1)) return input;
    const reversed = backend().alloc('int32', w);
    for (let j = 0; j < w; j++) reversed[j] = w - 1 - j;
    const flipped = gather(batched, 3, new Tensor(reversed, [1, 1, 1, w]).expand([n, c, h, w]));
    return restore(where(new Tensor(chosen, [n, 1, 1, 1]), flipped, batched), input);
  };
}

/** Options of {@link toGrayscale}. */
export interface ToGrayscaleOptions {
  /** 1 (default) or 3 (the gray value repeated, for models that expect RGB). */
  numOutputChannels?: 1 | 3;
}

/**
 * RGB to gray with the ITU-R 601-2 luma weights `0.299 R + 0.587 G + 0.114 B`, as PIL's `convert('L')`
 * that `torchvision.transforms.Grayscale` uses on images. One-channel input is already gray.
 */
export function toGrayscale(options?: ToGrayscaleOptions): Transform {
  const op = 'toGrayscale';
  const outChannels = options?.numOutputChannels ?? 1;
  if (outChannels !== 1 && outChannels !== 3) {
    throw new ArgumentError(op, 'numOutputChannels', `expected 1 or 3, got ${String(outChannels)}`);
  }
  return (input) => {
    const [, c] = imageDims(input, op);
    if (c !== 1 && c !== 3) {
      throw new ShapeError(op, 'input', `expected 1 or 3 channels, got shape ${formatShape(input.shape)}`);
    }
    const luma =
      c === 1
        ? input
        : input
            .mul(tensor([0.299, 0.587, 0.114], [3, 1, 1], { dtype: input.dtype }))
            .sum({ dim: -3, keepDim: true });
    return outChannels === 1 ? luma : luma.expand([...luma.shape.slice(0, -3), 3, ...luma.shape.slice(-2)]);
  };
}

/** Options of {@link resize}. */
export interface ResizeOptions {
  /**
   * Low-pass filter when shrinking, so every input pixel contributes (default true, as torchvision's
   * `Resize` and PIL); false gives plain bilinear sampling. Enlarging is the same either way.
   */
  antialias?: boolean;
}

/**
 * Bilinear resizing, as `torchvision.transforms.Resize` and `F.interpolate(x, size, mode='bilinear',
 * align_corners=False, antialias=…)`: `size` `[h, w]` is the output size; a single number is the length
 * of the shorter side, the longer one scaled to keep the aspect ratio (rounded down). Computed as two
 * matrix products with interpolation matrices, `Ry · x · Rxᵀ`.
 *
 * @example
 * resize([28, 28])(photo)   // any (C, H, W) image to (C, 28, 28)
 */
export function resize(size: number | readonly [number, number], options?: ResizeOptions): Transform {
  const op = 'resize';
  const [height, width] = checkSize(size, op);
  const antialias = options?.antialias ?? true;
  return (input) => {
    const [, , h, w] = imageDims(input, op);
    let [outH, outW] = [height, width];
    if (typeof size === 'number') {
      [outH, outW] = h <= w ? [size, Math.floor((size * w) / h)] : [Math.floor((size * h) / w), size];
    }
    if (h === 0 || w === 0 || outH === 0 || outW === 0) {
      throw new ShapeError(op, 'input', `cannot resize shape ${formatShape(input.shape)} to ${outH}×${outW}`);
    }
    const rows = new Tensor(interpolationMatrix(h, outH, antialias, input.dtype), [outH, h]);
    const cols = new Tensor(interpolationMatrix(w, outW, antialias, input.dtype), [outW, w]);
    return matmul(matmul(rows, input), cols.t());
  };
}

/**
 * The `(outSize, inSize)` matrix whose row `i` holds the weights output pixel `i` gives each input pixel,
 * with PyTorch's `align_corners=False` geometry: output pixel centre `i + 0.5` maps to input coordinate
 * `(i + 0.5) · scale`, `scale = inSize / outSize`. Plain bilinear weights the two nearest input pixels
 * (clamped at the border). The antialiased filter is the triangle stretched by `max(scale, 1)`, weights
 * normalised to sum to 1 (PyTorch's `_upsample_bilinear2d_aa`).
 */
function interpolationMatrix(inSize: number, outSize: number, antialias: boolean, dtype: DType): TypedArray {
  const weights = backend().alloc(dtype, outSize * inSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const row = i * inSize;
    if (antialias) {
      const support = Math.max(scale, 1);
      const centre = scale * (i + 0.5);
      const first = Math.max(Math.trunc(centre - support + 0.5), 0);
      const last = Math.min(Math.trunc(centre + support + 0.5), inSize);
      let total = 0;
      for (let j = first; j < last; j++) total += triangle((j - centre + 0.5) / support);
      for (let j = first; j < last; j++) {
        if (total !== 0) weights[row + j] = triangle((j - centre + 0.5) / support) / total;
      }
    } else {
      const source = Math.max(scale * (i + 0.5) - 0.5, 0);
      const lower = Math.min(Math.floor(source), inSize - 1);
      const upper = Math.min(lower + 1, inSize - 1);
      const frac = source - lower;
      weights[row + lower] = weights[row + lower]! + (1 - frac);
      weights[row + upper] = weights[row + upper]! + frac;
    }
  }
  return weights;
}

function triangle(x: number): number {
  const a = Math.abs(x);
  return a < 1 ? 1 - a : 0;
}

/**
 * Checks an image or batch and returns `[N, C, H, W, batch]`, where `batch` is the input seen as 4-D
 * (`(1, C, H, W)` for a single image).
 */
function imageDims(input: Tensor, op: string): [number, number, number, number, Tensor] {
  checkTensor(input, op, 'input');
  if (!isFloating(input.dtype)) {
    throw new DTypeError(
      op,
      'input',
      `expected a floating image (e.g. float32 in [0, 1]), got ${input.dtype}`,
    );
  }
  if (input.ndim !== 3 && input.ndim !== 4) {
    throw new ShapeError(
      op,
      'input',
      `expected an image (C, H, W) or a batch (N, C, H, W), got shape ${formatShape(input.shape)}`,
    );
  }
  const batch = input.ndim === 3 ? input.unsqueeze(0) : input;
  const [n, c, h, w] = batch.shape as [number, number, number, number];
  return [n, c, h, w, batch];
}

/** `result` (a 4-D batch) back in the rank of the original `input`. */
function restore(result: Tensor, input: Tensor): Tensor {
  return input.ndim === 3 ? result.squeeze({ dim: 0 }) : result;
}

/** A size given as one number or `[h, w]`, as positive integers `[h, w]`. */
function checkSize(size: number | readonly [number, number], op: string): [number, number] {
  const pair = typeof size === 'number' ? [size, size] : size;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((s) => Number.isInteger(s) && s > 0)) {
    throw new ArgumentError(op, 'size', `expected a positive integer or [h, w], got ${JSON.stringify(size)}`);
  }
  return [pair[0]!, pair[1]!];
}

/** torchvision's padding forms as `[left, top, right, bottom]`. */
function paddingSides(padding: RandomCropOptions['padding'], op: string): [number, number, number, number] {
  const sides =
    typeof padding === 'number'
      ? [padding, padding, padding, padding]
      : Array.isArray(padding) && padding.length === 2
        ? [padding[0], padding[1], padding[0], padding[1]]
        : padding;
  if (!Array.isArray(sides) || sides.length !== 4 || !sides.every((s) => Number.isInteger(s) && s >= 0)) {
    throw new ArgumentError(
      op,
      'padding',
      `expected a non-negative integer, [leftRight, topBottom] or [left, top, right, bottom], got ${JSON.stringify(padding)}`,
    );
  }
  return sides as [number, number, number, number];
}
