/**
 * Decoding PNG and JPEG files (pure JavaScript: `fast-png`, `jpeg-js`) into image tensors `(C, H, W)`,
 * `float32` in [0, 1], the layout models and transforms take.
 */
import { decode as decodePng, convertIndexedToRgb } from 'fast-png';
import jpeg from 'jpeg-js';
import { ArgumentError } from '../errors.js';
import { backend } from '../backend/registry.js';
import { Tensor } from '../tensor.js';
import { DataError } from './errors.js';
import { toGrayscale } from './transforms.js';

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions {
  /**
   * Channels of the result: 1 converts colour to gray (ITU-R 601-2 luma, as PIL's `convert('L')`), 3
   * repeats gray into RGB (as `convert('RGB')`). By default the image keeps its own: 1 for a gray PNG,
   * 3 for a colour PNG or any JPEG.
   */
  channels?: 1 | 3;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/** The format `bytes` announce by their first bytes, or `null` for neither PNG nor JPEG. */
export function imageFormat(bytes: Uint8Array): 'png' | 'jpeg' | null {
  const startsWith = (signature: readonly number[]): boolean =>
    bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
  if (startsWith(PNG_SIGNATURE)) return 'png';
  if (startsWith(JPEG_SIGNATURE)) return 'jpeg';
  return null;
}

/**
 * Decodes a PNG (gray, gray + alpha, RGB, RGBA or palette; 1 to 16 bits) or a baseline/progressive JPEG
 * into `(C, H, W)` `float32` in [0, 1]. An alpha channel is dropped, as PIL's `convert('RGB')` does.
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
  if (!(bytes instanceof Uint8Array)) {
    throw new DataError(op, name, {}, `expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  }
  const channels = options?.channels;
  if (channels !== undefined && channels !== 1 && channels !== 3) {
    throw new ArgumentError(op, 'channels', `expected 1 or 3, got ${String(channels)}`);
  }
  const format = imageFormat(bytes);
  if (format === null) {
    const start = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(
      op,
      name,
      { offset: 0 },
      `not a PNG or JPEG file (it starts with ${start || 'nothing'})`,
    );
  }
  let decoded: RawPixels;
  try {
    decoded = format === 'png' ? readPng(bytes) : readJpeg(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new DataError(op, name, {}, `cannot decode this ${format.toUpperCase()} file: ${reason}`);
  }
  const { width, height, stored, values, max } = decoded;
  if (width === 0 || height === 0 || values.length !== width * height * stored) {
    throw new DataError(
      op,
      name,
      {},
      `decoded ${values.length} values for a ${width}×${height} image with ${stored} channels: the file is truncated or corrupt`,
    );
  }
  const interleaved = backend().alloc('float32', values.length);
  interleaved.set(values);
  const kept = stored >= 3 ? 3 : 1;
  const image = new Tensor(interleaved, [height, width, stored])
    .slice(2, { end: kept })
    .permute([2, 0, 1])
    .div(max);
  if (channels === 1 && kept === 3) return toGrayscale()(image);
  if (channels === 3 && kept === 1) return image.expand([3, height, width]);
  return image;
}

/** Decoded pixels, interleaved row-major `(H, W, stored)`, values in `0 … max`. */
interface RawPixels {
  width: number;
  height: number;
  stored: number;
  values: ArrayLike<number>;
  max: number;
}

function readPng(bytes: Uint8Array): RawPixels {
  const png = decodePng(bytes, { checkCrc: true });
  const { width, height, depth } = png;
  if (png.palette !== undefined) {
    const values = convertIndexedToRgb(png);
    return { width, height, stored: values.length / Math.max(width * height, 1), values, max: 255 };
  }
  if (depth < 8) {
    return {
      width,
      height,
      stored: png.channels,
      values: unpackBits(png.data, width, height, depth),
      max: 2 ** depth - 1,
    };
  }
  return { width, height, stored: png.channels, values: png.data, max: 2 ** depth - 1 };
}

function readJpeg(bytes: Uint8Array): RawPixels {
  const image = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false });
  return { width: image.width, height: image.height, stored: 3, values: image.data, max: 255 };
}

/** Gray samples of `depth` < 8 bits, packed MSB first with each row starting on a byte, one per value. */
function unpackBits(packed: ArrayLike<number>, width: number, height: number, depth: number): Uint8Array {
  const rowBytes = Math.ceil((width * depth) / 8);
  if (packed.length !== rowBytes * height) return new Uint8Array(0);
  const out = new Uint8Array(width * height);
  const mask = (1 << depth) - 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const bit = x * depth;
      out[y * width + x] = (packed[y * rowBytes + (bit >> 3)]! >> (8 - depth - (bit & 7))) & mask;
    }
  }
  return out;
}
