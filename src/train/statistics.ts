/**
 * The per-channel mean and standard deviation of a training set, the statistics `normalize` standardises
 * inputs with (and a checkpoint stores, so prediction converts images the same way).
 */
import { isFloating } from '../dtype.js';
import { DTypeError, ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { checkTensor } from '../tensor.js';

/** Per-channel statistics of a set of images. */
export interface ChannelStatistics {
  /** The mean of every channel, over all images and pixels. */
  readonly mean: number[];
  /** The (population) standard deviation of every channel; 1 for a channel that is constant. */
  readonly std: number[];
}

/** Images per chunk, so the squares of a large dataset never exist all at once. */
const CHUNK = 4096;

/**
 * The mean and standard deviation of each channel of `images` `(N, C, H, W)` over all images and pixels,
 * as one computes them for `transforms.Normalize`: `std = sqrt(E[x²] − E[x]²)`, the sums accumulated in
 * float64. A constant channel gets std 1, so normalising it only shifts it.
 *
 * @example
 * channelStatistics(train.images)   // Fashion-MNIST: { mean: [0.286], std: [0.353] }
 */
export function channelStatistics(images: Tensor): ChannelStatistics {
  const op = 'channelStatistics';
  checkTensor(images, op, 'images');
  if (!isFloating(images.dtype)) {
    throw new DTypeError(op, 'images', `expected floating images, got ${images.dtype}`);
  }
  if (images.ndim !== 4 || images.size === 0) {
    throw new ShapeError(
      op,
      'images',
      `expected a non-empty batch (N, C, H, W), got shape ${formatShape(images.shape)}`,
    );
  }
  const [n, c, h, w] = images.shape as [number, number, number, number];
  const sums = new Array<number>(c).fill(0);
  const squares = new Array<number>(c).fill(0);
  for (let start = 0; start < n; start += CHUNK) {
    const chunk = images.narrow(0, start, Math.min(CHUNK, n - start));
    const chunkSums = chunk.sum({ dim: [0, 2, 3] }).data;
    const chunkSquares = chunk
      .mul(chunk)
      .sum({ dim: [0, 2, 3] })
      .to('float64').data;
    for (let k = 0; k < c; k++) {
      sums[k]! += chunkSums[k]!;
      squares[k]! += chunkSquares[k]!;
    }
  }
  const count = n * h * w;
  const mean = sums.map((s) => s / count);
  const std = squares.map((s, k) => {
    const variance = Math.max(s / count - mean[k]! ** 2, 0);
    return variance > 0 ? Math.sqrt(variance) : 1;
  });
  return { mean, std };
}
