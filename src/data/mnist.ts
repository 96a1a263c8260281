/**
 * MNIST-style datasets: IDX image and label files (MNIST, Fashion-MNIST, any folder in that layout) and
 * MNIST as CSV in the Kaggle layout. Images come out as `(N, 1, H, W)` `float32` in [0, 1], labels as
 * `int32`.
 */
import { tensor } from '../creation.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { LabelledImages } from './dataset.js';
import type { ReadOptions } from '../serialization/limits.js';
import { exceeds, resolveLimits } from '../serialization/limits.js';
import { DataError } from './errors.js';
import { readIdx } from './idx.js';
import { bytesToTensor, toUnitInterval } from './pixels.js';

/** MNIST's class names, the digits. */
export const MNIST_CLASSES: readonly string[] = Object.freeze([
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
]);

/** Fashion-MNIST's class names, in label order (from Zalando Research's README). */
export const FASHION_MNIST_CLASSES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/**
 * Reads an IDX image file (`…-images-idx3-ubyte`, gzip or raw): `ubyte` values of shape `(N, H, W)`,
 * returned as `(N, 1, H, W)` `float32` in [0, 1].
 *
 * @throws {DataError} if the file is not IDX, is not `ubyte`, is not 3-D, or has the wrong length
 */
export function parseIdxImages(bytes: Uint8Array, name: string, options?: ReadOptions): Tensor {
  const op = 'parseIdxImages';
  const { tensor, type, compressed } = readIdx(bytes, name, op, options);
  if (type !== 'ubyte') {
    throw new DataError(
      op,
      name,
      { offset: 2, decompressed: compressed },
      `expected unsigned-byte pixels (type 0x08), got ${type}`,
    );
  }
  if (tensor.ndim !== 3) {
    throw new DataError(
      op,
      name,
      { offset: 3, decompressed: compressed },
      `expected 3 dims (N, H, W) for images, got ${tensor.ndim} (shape ${formatShape(tensor.shape)})`,
    );
  }
  const [n, h, w] = tensor.shape as [number, number, number];
  return toUnitInterval(tensor).reshape([n, 1, h, w]);
}

/**
 * Reads an IDX label file (`…-labels-idx1-ubyte`, gzip or raw): `N` unsigned bytes, returned as `int32`.
 *
 * @throws {DataError} if the file is not IDX, is not `ubyte`, is not 1-D, or has the wrong length
 */
export function parseIdxLabels(bytes: Uint8Array, name: string, options?: ReadOptions): Tensor {
  const op = 'parseIdxLabels';
  const { tensor, type, compressed } = readIdx(bytes, name, op, options);
  if (type !== 'ubyte') {
    throw new DataError(
      op,
      name,
      { offset: 2, decompressed: compressed },
      `expected unsigned-byte labels (type 0x08), got ${type}`,
    );
  }
  if (tensor.ndim !== 1) {
    throw new DataError(
      op,
      name,
      { offset: 3, decompressed: compressed },
      `expected 1 dim (N) for labels, got ${tensor.ndim} (shape ${formatShape(tensor.shape)})`,
    );
  }
  return tensor;
}

const SIDE = 28;
const PIXELS = SIDE * SIDE;
const COLUMNS = PIXELS + 1;
const CHAR_0 = 48;
const CHAR_9 = 57;
const CHAR_SPACE = 32;
const CHAR_TAB = 9;
const CHAR_COMMA = 44;
const BYTE_ORDER_MARK = 0xfeff;
/** The shortest data line: 785 one-digit fields and the 784 commas between them. */
const MIN_LINE = 2 * COLUMNS - 1;

/**
 * Reads MNIST (or Fashion-MNIST) as CSV in the Kaggle layout: one image per line, the label then 784 pixel
 * values 0…255 (row-major 28×28), comma-separated, with or without a header line (recognised by a first
 * field that does not start like a number, e.g. `label,pixel0,…`). A UTF-8 byte-order mark at the start
 * is skipped. Blank lines at the end are ignored.
 *
 * @param text the file's contents
 * @param name the file's name, for error messages
 * @param options `limits.maxElements` (values the file may hold) can be raised
 * @returns images `(N, 1, 28, 28)` `float32` in [0, 1] and labels `(N)` `int32`
 * @throws {DataError} naming the line and column of a field that is not an integer, a pixel outside
 * 0…255, or a line without exactly 785 fields
 */
export function parseMnistCsv(text: string, name: string, options?: ReadOptions): LabelledImages {
  const op = 'parseMnistCsv';
  const limits = resolveLimits(options?.limits, op);
  if (typeof text !== 'string') {
    throw new DataError(op, name, {}, `expected the file's text as a string, got ${typeof text}`);
  }
  // A data line has at least 785 digits and 784 commas: the text's length bounds the rows it can hold,
  // however many newlines it has.
  let rows = 1;
  for (
    let at = text.indexOf('\n');
    at >= 0 && rows <= text.length / MIN_LINE;
    at = text.indexOf('\n', at + 1)
  ) {
    rows++;
  }
  rows = Math.min(rows, Math.floor(text.length / MIN_LINE) + 1);
  if (rows * COLUMNS > limits.maxElements) {
    throw new DataError(
      op,
      name,
      {},
      exceeds(
        `the ${text.length}-character file can hold ${rows} images of ${COLUMNS} values`,
        'maxElements',
        limits,
      ),
    );
  }
  const pixels = new Uint8Array(rows * PIXELS);
  const labels: number[] = [];
  let line = 0;
  let pos = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
  while (pos < text.length) {
    line++;
    const newline = text.indexOf('\n', pos);
    const next = newline < 0 ? text.length : newline + 1;
    let end = newline < 0 ? text.length : newline;
    if (end > pos && text.charCodeAt(end - 1) === 13) end--;
    if (end === pos || text.slice(pos, end).trim() === '') {
      if (text.slice(pos).trim() !== '') {
        throw new DataError(op, name, { line }, `empty line; expected ${COLUMNS} comma-separated values`);
      }
      break;
    }
    if (line === 1 && !startsWithNumber(text, pos, end)) {
      const fields = text.slice(pos, end).split(',').length;
      if (fields !== COLUMNS) {
        throw new DataError(
          op,
          name,
          { line },
          `header has ${fields} fields; expected ${COLUMNS} (label, then 784 pixels)`,
        );
      }
      pos = next;
      continue;
    }
    const row = labels.length;
    let column = 0;
    let at = pos;
    while (at <= end) {
      column++;
      const fieldStart = at;
      while (at < end && isBlank(text.charCodeAt(at))) at++;
      let value = 0;
      let digits = 0;
      while (at < end) {
        const c = text.charCodeAt(at);
        if (c < CHAR_0 || c > CHAR_9) break;
        value = value * 10 + (c - CHAR_0);
        digits++;
        at++;
      }
      while (at < end && isBlank(text.charCodeAt(at))) at++;
      if (digits === 0 || (at < end && text.charCodeAt(at) !== CHAR_COMMA)) {
        const fieldEnd = text.indexOf(',', fieldStart);
        const field = text.slice(fieldStart, fieldEnd < 0 || fieldEnd > end ? end : fieldEnd);
        throw new DataError(
          op,
          name,
          { line, column },
          `expected a non-negative integer, got ${JSON.stringify(field.length > 20 ? `${field.slice(0, 20)}…` : field)}`,
        );
      }
      if (column > COLUMNS) {
        throw new DataError(
          op,
          name,
          { line, column },
          `too many fields; expected ${COLUMNS} (label, then 784 pixels)`,
        );
      }
      if (column === 1) {
        if (value > 2 ** 31 - 1)
          throw new DataError(op, name, { line, column }, `label ${value} is too large`);
        labels.push(value);
      } else {
        if (value > 255) {
          throw new DataError(op, name, { line, column }, `pixel value ${value} is outside 0…255`);
        }
        pixels[row * PIXELS + column - 2] = value;
      }
      at++;
    }
    if (column !== COLUMNS) {
      throw new DataError(
        op,
        name,
        { line, column },
        `line has ${column} fields; expected ${COLUMNS} (label, then 784 pixels)`,
      );
    }
    pos = next;
  }
  const n = labels.length;
  if (n === 0) throw new DataError(op, name, {}, line === 0 ? 'file is empty' : 'no data lines');
  return {
    images: toUnitInterval(bytesToTensor(pixels.subarray(0, n * PIXELS), [n, 1, SIDE, SIDE])),
    labels: tensor(labels, [n], { dtype: 'int32' }),
  };
}

/** True if the line's first field starts like a number (a sign, a digit or a point), so it is not a header. */
function startsWithNumber(text: string, pos: number, end: number): boolean {
  let at = pos;
  while (at < end && isBlank(text.charCodeAt(at))) at++;
  return at < end && /[-+.\d]/.test(text[at]!);
}

function isBlank(c: number): boolean {
  return c === CHAR_SPACE || c === CHAR_TAB;
}
