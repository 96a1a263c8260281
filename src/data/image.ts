/**
 * Image files for datasets: PNG and JPEG bytes as one `(C, H, W)` `float32` tensor in [0, 1] with the
 * channel count a model wants. A thin layer over the `vision` codec, which does the decoding.
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { decodeImage as decodeImageFile } from '../vision/codec.js';
import type { ReadOptions } from '../serialization/limits.js';
import { DataError } from './errors.js';
import { toGrayscale } from './transforms.js';

export { imageFormat } from '../vision/codec.js';

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions extends ReadOptions {
  /**
   * Channels of the result: 1 converts colour to gray (ITU-R 601-2 luma, as PIL's `convert('L')`), 3
   * repeats gray into RGB (as `convert('RGB')`). By default the image keeps its own: 1 for a gray PNG or
   * grayscale JPEG, 3 for a colour one.
   */
  channels?: 1 | 3;
}

/**
 * Decodes a PNG (gray, gray + alpha, RGB, RGBA or palette; 1 to 16 bits) or a baseline/progressive JPEG
 * into `(C, H, W)` `float32` in [0, 1], as `vision.decodeImage` does. An alpha channel is dropped, as PIL's
 * `convert('RGB')` does (`vision.decodeImage` keeps it).
 *
 * @param bytes the file's contents
 * @param name the file's name, for error messages
 * @throws {DataError} naming the file if it is neither PNG nor JPEG or cannot be decoded
 *
 * @example
 * const image = decodeImage(readFileSync('shoe.jpg'), 'shoe.jpg', { channels: 1 });   // (1, H, W)
 */
export function decodeImage(bytes: Uint8Array, name: string, options?: DecodeImageOptions): Tensor {
  const op = 'decodeImage';
  const channels = options?.channels;
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new ArgumentError(op, 'channels', `expected 1 or 3, got ${String(channels)}`);
  }
  if (!(bytes instanceof Uint8Array)) {
    throw new DataError(op, name, {}, `expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  }
  const { image } = decodeImageFile(bytes, name, options);
  const [kept, height, width] = image.shape as [number, number, number];
  if (channels === 1 && kept === 3) return toGrayscale()(image);
  if (channels === 3 && kept === 1) return image.expand([3, height, width]);
  return image;
}
