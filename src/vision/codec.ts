/**
 * PNG and JPEG bytes to image tensors and back, in pure JavaScript (`fast-png`, `jpeg-js`): images are
 * `(C, H, W)` `float32` in [0, 1] with C = 1 (gray) or 3 (RGB), and an alpha channel is kept apart as
 * `(1, H, W)`. Nothing here touches the file system; `convnet-ts/node` reads and writes files with it.
 */
import { decode as decodePngBytes, encode as encodePngBytes, convertIndexedToRgb } from 'fast-png';
import type { DecodedPng } from 'fast-png';
import { Unzlib } from 'fflate';
import jpeg from 'jpeg-js';
import { backend } from '../backend/registry.js';
import { DataError } from '../data/errors.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { Tensor } from '../tensor.js';
import { inflateCapped } from '../data/inflate.js';
import type { ReadLimits, ReadOptions } from '../serialization/limits.js';
import { clip, exceeds, resolveLimits } from '../serialization/limits.js';

/** The image file formats this module reads and writes. */
export type ImageFormat = 'png' | 'jpeg';

/** A decoded image file: its colour channels and, apart, its alpha channel. */
export interface DecodedImage {
  /** `(C, H, W)` `float32` in [0, 1]; C = 1 for a gray image, 3 for a colour one. */
  readonly image: Tensor;
  /** `(1, H, W)` `float32` in [0, 1] (0 transparent, 1 opaque), or `null` when the file has no alpha. */
  readonly alpha: Tensor | null;
  /** Sample depth of the file: 16 for a 16-bit PNG, else 8 (PNG 1/2/4-bit and palette images count as 8). */
  readonly bitDepth: 8 | 16;
  /** The file's format. */
  readonly format: ImageFormat;
}

/** Options of {@link encodePng}. */
export interface EncodePngOptions {
  /** `(1, H, W)` or `(H, W)` alpha in [0, 1] written as a fourth (RGBA) or second (gray + alpha) channel. */
  alpha?: Tensor | null;
  /** Bits per sample, 8 (default) or 16. */
  bitDepth?: 8 | 16;
}

/** Options of {@link encodeJpeg}. */
export interface EncodeJpegOptions {
  /** JPEG quality, an integer from 1 (smallest file) to 100 (best); default 90. */
  quality?: number;
}

/** Bytes of memory `jpeg-js` may use per pixel allowed (its own accounting; a 4:4:4 JPEG needs about 6). */
const JPEG_MEMORY_PER_PIXEL = 16;
const DEFAULT_JPEG_QUALITY = 90;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/**
 * The format `bytes` announce by their first bytes (the PNG signature, or a JPEG's start-of-image marker),
 * or `null` for neither. Only the first bytes are looked at: the file may still be truncated or corrupt.
 *
 * @example
 * imageFormat(new Uint8Array([0xff, 0xd8, 0xff, 0xe0]));   // 'jpeg'
 */
export function imageFormat(bytes: Uint8Array): ImageFormat | null {
  if (!(bytes instanceof Uint8Array)) {
    throw new ArgumentError('imageFormat', 'bytes', `expected a Uint8Array, got ${describe(bytes)}`);
  }
  const startsWith = (signature: readonly number[]): boolean =>
    bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
  if (startsWith(PNG_SIGNATURE)) return 'png';
  if (startsWith(JPEG_SIGNATURE)) return 'jpeg';
  return null;
}

/**
 * Decodes a PNG or JPEG file's bytes.
 *
 * - PNG: gray, gray + alpha, RGB, RGBA and palette images, 1, 2, 4, 8 or 16 bits per sample, interlaced
 *   (Adam7) or not — except interlaced images of 1, 2 or 4 bits, which `fast-png` cannot decode and which
 *   are refused. Transparency given by a `tRNS` chunk becomes the alpha channel (per palette entry, or 0 for
 *   the pixels of a gray/RGB image that equal its colour key). Chunk CRCs are checked.
 * - JPEG: baseline and progressive; a one-component (grayscale) JPEG gives C = 1, any other C = 3.
 *
 * Files from strangers are checked before they are decoded: an image of more than `limits.maxPixels`
 * (64 megapixels by default) is refused; a PNG's image data is inflated with a ceiling of exactly what its
 * header's size needs (so a 1×1 PNG whose data inflates to gigabytes is refused after a few megabytes),
 * and its embedded profile within `limits.maxInflatedBytes`; a JPEG whose frame header claims more pixels
 * than its bytes could encode (every 8×8 block costs at least a bit) is refused as truncated.
 *
 * @param bytes the file's contents
 * @param name the file's name, for error messages (default `'image'`)
 * @param options `limits.maxPixels` and `limits.maxInflatedBytes` can be raised
 * @returns the colour channels `(C, H, W)` and the alpha channel `(1, H, W)` or `null`, `float32` in [0, 1]
 * @throws {DataError} naming the file if it is neither PNG nor JPEG, truncated, corrupt (a bad CRC, a bad
 *   JPEG segment), empty (0 pixels wide or high), too large, or of an unsupported kind
 *
 * @example
 * const { image, alpha } = vision.decodeImage(bytes, 'cat.png');   // image (3, H, W), alpha null
 */
export function decodeImage(bytes: Uint8Array, name = 'image', options?: ReadOptions): DecodedImage {
  const op = 'decodeImage';
  const limits = resolveLimits(options?.limits, op);
  const file = clip(typeof name === 'string' ? name : String(name));
  if (!(bytes instanceof Uint8Array)) {
    throw new DataError(op, file, {}, `expected the file's bytes as a Uint8Array, got ${describe(bytes)}`);
  }
  const format = imageFormat(bytes);
  if (format === null) {
    const start = [...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new DataError(
      op,
      file,
      { offset: 0 },
      `not a PNG or JPEG file (it starts with ${start || 'nothing'})`,
    );
  }
  const fail = (detail: string): DataError => new DataError(op, file, {}, detail);
  const samples = format === 'png' ? readPng(bytes, limits, fail) : readJpeg(bytes, limits, fail);
  return { ...toTensors(samples), bitDepth: samples.max === 65535 ? 16 : 8, format };
}

/**
 * Encodes an image as a PNG file: gray for one channel, RGB for three, with the alpha channel (if given)
 * as gray + alpha or RGBA; 8 or 16 bits per sample. Values are clamped to [0, 1] and rounded to the nearest
 * level (`Math.round(v * 255)` or `* 65535`), so decoding the file gives the quantised image exactly.
 *
 * @param image `(C, H, W)` with C = 1 or 3, or `(H, W)` (gray); `float32` or `float64`
 * @throws {ShapeError} for another rank or channel count, an empty image, or an alpha of another size
 * @throws {DTypeError} for an `int32` image or alpha
 * @throws {ArgumentError} for a NaN value, a bit depth other than 8 or 16, or an alpha that is not a tensor
 *
 * @example
 * const bytes = vision.encodePng(image, { bitDepth: 16 });   // image (3, H, W) in [0, 1]
 */
export function encodePng(image: Tensor, options?: EncodePngOptions): Uint8Array {
  const op = 'encodePng';
  checkOptions(op, options);
  const bitDepth = options?.bitDepth ?? 8;
  if (bitDepth !== 8 && bitDepth !== 16) {
    throw new ArgumentError(op, 'bitDepth', `expected 8 or 16, got ${describe(bitDepth)}`);
  }
  const { channels, height, width } = imageLayout(op, 'image', image);
  const alpha = options?.alpha ?? null;
  if (alpha !== null) checkAlpha(op, alpha, height, width);
  const max = bitDepth === 16 ? 65535 : 255;
  const stored = channels + (alpha === null ? 0 : 1);
  const data =
    bitDepth === 16 ? new Uint16Array(height * width * stored) : new Uint8Array(height * width * stored);
  interleave(op, 'image', image.data, channels, stored, 0, max, data);
  if (alpha !== null) interleave(op, 'alpha', alpha.data, 1, stored, channels, max, data);
  return encodePngBytes({ width, height, channels: stored, depth: bitDepth, data });
}

/**
 * Encodes an image as a baseline JPEG (4:4:4, no chroma subsampling) with `jpeg-js`. JPEG has no alpha.
 * `jpeg-js` writes only three-component (YCbCr) files, so a gray image is written as RGB with three equal
 * channels, and decodes as C = 3. Values are clamped to [0, 1] and rounded to the nearest of 256 levels.
 *
 * @param image `(C, H, W)` with C = 1 or 3, or `(H, W)` (gray); `float32` or `float64`
 * @throws {ShapeError} for another rank or channel count, or an empty image
 * @throws {DTypeError} for an `int32` image
 * @throws {ArgumentError} for a NaN value, or a quality that is not an integer from 1 to 100
 *
 * @example
 * const bytes = vision.encodeJpeg(image, { quality: 95 });
 */
export function encodeJpeg(image: Tensor, options?: EncodeJpegOptions): Uint8Array {
  const op = 'encodeJpeg';
  checkOptions(op, options);
  const quality = options?.quality ?? DEFAULT_JPEG_QUALITY;
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) {
    throw new ArgumentError(op, 'quality', `expected an integer from 1 to 100, got ${describe(quality)}`);
  }
  const { channels, height, width } = imageLayout(op, 'image', image);
  const rgba = new Uint8Array(height * width * 4).fill(255);
  if (channels === 3) {
    interleave(op, 'image', image.data, 3, 4, 0, 255, rgba);
  } else {
    for (const channel of [0, 1, 2]) interleave(op, 'image', image.data, 1, 4, channel, 255, rgba);
  }
  const encoded = jpeg.encode({ width, height, data: rgba }, quality).data;
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

/** Decoded samples, interleaved row-major `(H, W, stored)`, values in `0 … max`. */
interface Samples {
  width: number;
  height: number;
  /** Samples per pixel in `values`. */
  stored: number;
  /** How many of them are colour (1 or 3); a following one is alpha. */
  colour: 1 | 3;
  values: ArrayLike<number>;
  max: number;
  /** Colour key of a gray/RGB PNG's `tRNS` chunk: pixels equal to it are transparent. */
  transparentKey?: readonly number[];
}

type Fail = (detail: string) => DataError;

function readPng(bytes: Uint8Array, limits: ReadLimits, fail: Fail): Samples {
  // IHDR is the first chunk: length (4) 'IHDR' (4) width (4) height (4) depth colour compression filter interlace.
  if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw fail('the PNG file is truncated or corrupt: no IHDR header chunk');
  }
  const header = new DataView(bytes.buffer, bytes.byteOffset + 16, 13);
  checkSize(header.getUint32(0), header.getUint32(4), limits, fail);
  const depth = header.getUint8(8);
  if (header.getUint8(12) === 1 && depth < 8) {
    throw fail(`interlaced PNGs with ${depth}-bit samples are not supported (fast-png cannot decode them)`);
  }
  checkPngInflation(bytes, header, limits, fail);
  let png: DecodedPng;
  try {
    png = decodePngBytes(bytes, { checkCrc: true });
  } catch (error) {
    throw fail(`cannot decode this PNG file, it is truncated or corrupt: ${messageOf(error)}`);
  }
  const { width, height } = png;
  checkSize(width, height, limits, fail);
  if (png.palette !== undefined) {
    let values: Uint8Array;
    try {
      values = convertIndexedToRgb(png);
    } catch (error) {
      throw fail(`cannot decode this PNG file, it is truncated or corrupt: ${messageOf(error)}`);
    }
    const stored = png.palette[0]?.length ?? 3;
    return checkLength({ width, height, stored, colour: 3, values, max: 255 }, fail);
  }
  const colour = png.channels >= 3 ? 3 : 1;
  const key =
    png.transparency !== undefined && png.transparency.length === png.channels
      ? [...png.transparency]
      : undefined;
  const values = png.depth < 8 ? unpackBits(png.data, width, height, png.depth) : png.data;
  return checkLength(
    { width, height, stored: png.channels, colour, values, max: 2 ** png.depth - 1, transparentKey: key },
    fail,
  );
}

function readJpeg(bytes: Uint8Array, limits: ReadLimits, fail: Fail): Samples {
  const frame = jpegFrame(bytes);
  if (frame === null)
    throw fail(
      'cannot decode this JPEG file, it is truncated or corrupt: no frame header before the first scan',
    );
  checkSize(frame.width, frame.height, limits, fail);
  // Every 8×8 block of the image costs at least one bit of entropy-coded data.
  const leastBytes = Math.ceil((Math.ceil(frame.width / 8) * Math.ceil(frame.height / 8)) / 8);
  if (bytes.length < leastBytes) {
    throw fail(
      `the JPEG frame header claims ${frame.width}×${frame.height} pixels, which take at least ${leastBytes} bytes to encode, but the file has ${bytes.length}: it is truncated or corrupt`,
    );
  }
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: limits.maxPixels / 1e6,
      maxMemoryUsageInMB: Math.ceil((limits.maxPixels * JPEG_MEMORY_PER_PIXEL) / 2 ** 20),
    });
  } catch (error) {
    throw fail(`cannot decode this JPEG file, it is truncated or corrupt: ${messageOf(error)}`);
  }
  const { width, height, data } = decoded;
  checkSize(width, height, limits, fail);
  if (frame.components !== 1)
    return checkLength({ width, height, stored: 3, colour: 3, values: data, max: 255 }, fail);
  // jpeg-js always returns RGB; a one-component file's three channels are equal.
  return checkLength({ width, height, stored: 3, colour: 1, values: data, max: 255 }, fail);
}

/**
 * Size and component count from a JPEG's start-of-frame segment, found by walking the segments that
 * precede it; `null` if the bytes end (or the first scan starts) before one.
 */
function jpegFrame(bytes: Uint8Array): { width: number; height: number; components: number } | null {
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null;
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (i + 10 > bytes.length) return null;
      return {
        height: (bytes[i + 5]! << 8) | bytes[i + 6]!,
        width: (bytes[i + 7]! << 8) | bytes[i + 8]!,
        components: bytes[i + 9]!,
      };
    }
    i += 2 + length;
  }
  return null;
}

function checkSize(width: number, height: number, limits: ReadLimits, fail: Fail): void {
  if (width === 0 || height === 0) throw fail(`the image is empty (${width}×${height} pixels)`);
  if (width * height > limits.maxPixels) {
    throw fail(exceeds(`the image is ${width}×${height} = ${width * height} pixels`, 'maxPixels', limits));
  }
}

/** Samples per pixel of each PNG colour type. */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** The Adam7 passes: first column, first row, column step, row step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/**
 * Inflates a PNG's compressed chunks before `fast-png` does, with ceilings: the image data (`IDAT`) to
 * exactly the bytes the header's size needs (a filter byte and the packed samples per row, per Adam7
 * pass when interlaced), an embedded ICC profile (`iCCP`) to `limits.maxInflatedBytes`. A file whose
 * data would inflate past either is refused after a few megabytes of work.
 */
function checkPngInflation(bytes: Uint8Array, header: DataView, limits: ReadLimits, fail: Fail): void {
  const [width, height, depth] = [header.getUint32(0), header.getUint32(4), header.getUint8(8)];
  const channels = PNG_CHANNELS[header.getUint8(9)];
  if (channels === undefined) return; // fast-png names the unknown colour type
  const rowBytes = (w: number): number => 1 + Math.ceil((w * channels * depth) / 8);
  let needed = height * rowBytes(width);
  if (header.getUint8(12) === 1) {
    needed = 0;
    for (const [x0, y0, dx, dy] of ADAM7) {
      const w = Math.ceil((width - x0) / dx);
      const h = Math.ceil((height - y0) / dy);
      if (w > 0 && h > 0) needed += h * rowBytes(w);
    }
  }
  if (needed > limits.maxInflatedBytes) {
    throw fail(exceeds(`the PNG's image data inflates to ${needed} bytes`, 'maxInflatedBytes', limits));
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const imageData: Uint8Array[] = [];
  for (let at = 8; at + 12 <= bytes.length;) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const end = at + 12 + length;
    if (end > bytes.length) break; // fast-png reports the truncation
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IDAT') imageData.push(data);
    if (type === 'iCCP') {
      const zero = data.indexOf(0);
      if (zero >= 0)
        inflatePng(data.subarray(zero + 2), limits.maxInflatedBytes, 'its ICC profile', limits, fail);
    }
    if (type === 'IEND') break;
    at = end;
  }
  const joined = new Uint8Array(imageData.reduce((sum, d) => sum + d.length, 0));
  let offset = 0;
  for (const d of imageData) {
    joined.set(d, offset);
    offset += d.length;
  }
  inflatePng(joined, needed, `its ${width}×${height} image data`, limits, fail);
}

/** Inflates zlib `data` to count its output, refusing more than `max` bytes. */
function inflatePng(data: Uint8Array, max: number, what: string, limits: ReadLimits, fail: Fail): void {
  let result;
  try {
    result = inflateCapped(new Unzlib(), data, max);
  } catch (error) {
    throw fail(`cannot decode this PNG file, it is truncated or corrupt: ${messageOf(error)}`);
  }
  if (!result.ok) {
    throw fail(
      max === limits.maxInflatedBytes
        ? exceeds(`${what} inflates to more than ${result.produced} bytes`, 'maxInflatedBytes', limits)
        : `${what} inflates to more than ${result.produced} bytes, but needs ${max}: the file is corrupt or hostile`,
    );
  }
}

function checkLength(samples: Samples, fail: Fail): Samples {
  const { width, height, stored, values } = samples;
  if (values.length !== width * height * stored) {
    throw fail(
      `decoded ${values.length} values for a ${width}×${height} image with ${stored} channels: the file is truncated or corrupt`,
    );
  }
  return samples;
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

/** Planar `float32` tensors from interleaved samples: the colour channels and the alpha channel, if any. */
function toTensors(samples: Samples): { image: Tensor; alpha: Tensor | null } {
  const { width, height, stored, colour, values, max, transparentKey } = samples;
  const pixels = width * height;
  const image = backend().alloc('float32', colour * pixels);
  for (let c = 0; c < colour; c++) {
    const plane = c * pixels;
    for (let p = 0, s = c; p < pixels; p++, s += stored) image[plane + p] = values[s]! / max;
  }
  let alpha = null;
  if (stored > 3 || stored === 2) {
    alpha = backend().alloc('float32', pixels);
    for (let p = 0, s = stored - 1; p < pixels; p++, s += stored) alpha[p] = values[s]! / max;
  } else if (transparentKey !== undefined) {
    alpha = backend().alloc('float32', pixels);
    for (let p = 0; p < pixels; p++) {
      alpha[p] = transparentKey.every((k, c) => values[p * stored + c] === k) ? 0 : 1;
    }
  }
  return {
    image: new Tensor(image, [colour, height, width]),
    alpha: alpha === null ? null : new Tensor(alpha, [1, height, width]),
  };
}

/** Channels and size of an image given to an encoder, `(C, H, W)` with C = 1 or 3, or `(H, W)`. */
function imageLayout(
  op: string,
  argument: string,
  image: unknown,
): { channels: 1 | 3; height: number; width: number } {
  if (!(image instanceof Tensor)) {
    throw new ArgumentError(op, argument, `expected a Tensor, got ${describe(image)}`);
  }
  if (image.dtype !== 'float32' && image.dtype !== 'float64') {
    throw new DTypeError(op, argument, `expected a float32 or float64 tensor, got ${image.dtype}`);
  }
  const shape = image.shape;
  if (shape.length !== 2 && shape.length !== 3) {
    throw new ShapeError(op, argument, `expected (C, H, W) or (H, W), got shape [${shape.join(', ')}]`);
  }
  const [channels, height, width] = shape.length === 3 ? shape : [1, ...shape];
  if (channels !== 1 && channels !== 3) {
    throw new ShapeError(
      op,
      argument,
      `expected 1 (gray) or 3 (RGB) channels, got shape [${shape.join(', ')}]`,
    );
  }
  if (height === 0 || width === 0) {
    throw new ShapeError(
      op,
      argument,
      `expected an image of at least 1×1 pixels, got shape [${shape.join(', ')}]`,
    );
  }
  return { channels, height: height!, width: width! };
}

function checkAlpha(op: string, alpha: unknown, height: number, width: number): void {
  if (!(alpha instanceof Tensor)) {
    throw new ArgumentError(op, 'alpha', `expected a Tensor or null, got ${describe(alpha)}`);
  }
  if (alpha.dtype !== 'float32' && alpha.dtype !== 'float64') {
    throw new DTypeError(op, 'alpha', `expected a float32 or float64 tensor, got ${alpha.dtype}`);
  }
  const fits =
    (alpha.shape.length === 3 &&
      alpha.shape[0] === 1 &&
      alpha.shape[1] === height &&
      alpha.shape[2] === width) ||
    (alpha.shape.length === 2 && alpha.shape[0] === height && alpha.shape[1] === width);
  if (!fits) {
    throw new ShapeError(
      op,
      'alpha',
      `expected (1, ${height}, ${width}) or (${height}, ${width}) to match the image, got shape [${alpha.shape.join(', ')}]`,
    );
  }
}

function checkOptions(op: string, options: unknown): void {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ArgumentError(op, 'options', `expected an object, got ${describe(options)}`);
  }
}

/**
 * Writes `channels` planar channels of `source` (values in [0, 1]) into interleaved `target` with `stored`
 * samples per pixel, starting at sample `first`, as levels `0 … max`.
 */
function interleave(
  op: string,
  argument: string,
  source: ArrayLike<number>,
  channels: number,
  stored: number,
  first: number,
  max: number,
  target: Uint8Array | Uint16Array,
): void {
  const pixels = source.length / channels;
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < pixels; p++) {
      const v = source[c * pixels + p]!;
      if (Number.isNaN(v)) {
        throw new ArgumentError(op, argument, `holds NaN (at flat index ${c * pixels + p})`);
      }
      target[p * stored + first + c] = Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * max);
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    return (value.constructor as { name?: string } | undefined)?.name ?? 'object';
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
