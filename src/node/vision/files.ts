/**
 * PNG and JPEG files on disk as image tensors: {@link readImageFile} and {@link writeImageFile}, over the
 * core `vision` codec. Writes are atomic: a failure leaves no partial file.
 */
import { dirname, extname } from 'node:path';
import { ArgumentError, SerializationError } from '../../errors.js';
import type { Tensor } from '../../tensor.js';
import type { ReadOptions } from '../../serialization/limits.js';
import type { DecodedImage, ImageFormat } from '../../vision/codec.js';
import { decodeImage, encodeJpeg, encodePng } from '../../vision/codec.js';
import { isDirectory, readDataFile } from '../data/files.js';
import { checkPath, writeFileAtomic } from '../files.js';

/** Options of {@link writeImageFile}. */
export interface WriteImageFileOptions {
  /** `(1, H, W)` or `(H, W)` alpha in [0, 1]; PNG only (a JPEG has no alpha: an `ArgumentError`). */
  alpha?: Tensor | null;
  /** PNG bits per sample, 8 (default) or 16; a JPEG holds 8 only (16 is an `ArgumentError`). */
  bitDepth?: 8 | 16;
  /** JPEG quality, an integer from 1 to 100 (default 90); ignored for a PNG. */
  quality?: number;
  /** The format to write; by default the one the extension names (`.png`, `.jpg`, `.jpeg`, any case). */
  format?: ImageFormat;
}

/**
 * Reads and decodes a PNG or JPEG file, as `vision.decodeImage` does (with its `options.limits`).
 *
 * @returns the colour channels `(C, H, W)`, the alpha channel `(1, H, W)` or `null`, the bit depth and format
 * @throws {DataError} naming the path if the file is missing, unreadable, not an image, truncated or corrupt
 *
 * @example
 * const { image, alpha } = readImageFile('data/images/chelsea.png');   // image (3, 300, 451)
 */
export function readImageFile(path: string, options?: ReadOptions): DecodedImage {
  checkPath(path, 'readImageFile');
  return decodeImage(readDataFile(path, 'readImageFile'), path, options);
}

/**
 * Encodes an image as PNG or JPEG (the format the extension names, unless `options.format` says) and writes
 * it to `path` atomically: the bytes go to a temporary file in the same folder that is then renamed, so a
 * failure (a missing folder, a full disk) leaves no partial file, and an image that cannot be encoded is
 * refused before any file is created.
 *
 * @param image `(C, H, W)` with C = 1 or 3, or `(H, W)`; values in [0, 1] (clamped)
 * @throws {ArgumentError} for an unknown extension or format, or alpha given for a JPEG
 * @throws {SerializationError} naming the path if the file cannot be written
 * @throws the encoders' errors (`vision.encodePng`, `vision.encodeJpeg`) for a bad image or option
 *
 * @example
 * writeImageFile('edges.png', edges);
 * writeImageFile('photo.jpg', image, { quality: 95 });
 */
export function writeImageFile(path: string, image: Tensor, options?: WriteImageFileOptions): void {
  const op = 'writeImageFile';
  checkPath(path, op);
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new ArgumentError(
      op,
      'options',
      `expected an object, got ${options === null ? 'null' : typeof options}`,
    );
  }
  const format = options?.format ?? formatOfPath(path);
  if (format !== 'png' && format !== 'jpeg') {
    throw new ArgumentError(op, 'format', `expected 'png' or 'jpeg', got ${JSON.stringify(format)}`);
  }
  let bytes: Uint8Array;
  if (format === 'png') {
    bytes = encodePng(image, { alpha: options?.alpha ?? null, bitDepth: options?.bitDepth ?? 8 });
  } else {
    if (options?.alpha !== undefined && options.alpha !== null) {
      throw new ArgumentError(
        op,
        'alpha',
        `a JPEG file has no alpha channel (${JSON.stringify(path)}); write a PNG`,
      );
    }
    if (options?.bitDepth !== undefined && options.bitDepth !== 8) {
      throw new ArgumentError(
        op,
        'bitDepth',
        `a JPEG file holds 8-bit samples only, got ${String(options.bitDepth)}`,
      );
    }
    bytes = encodeJpeg(image, { quality: options?.quality });
  }
  if (!isDirectory(dirname(path))) {
    throw new SerializationError(
      op,
      'path',
      `cannot write ${JSON.stringify(path)}: no folder ${JSON.stringify(dirname(path))}`,
    );
  }
  writeFileAtomic(path, bytes, op);
}

function formatOfPath(path: string): ImageFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.png') return 'png';
  if (extension === '.jpg' || extension === '.jpeg') return 'jpeg';
  throw new ArgumentError(
    'writeImageFile',
    'path',
    `cannot tell the image format of ${JSON.stringify(path)}: expected a .png, .jpg or .jpeg extension, or options.format`,
  );
}
