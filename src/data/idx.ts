/**
 * The IDX format of MNIST and Fashion-MNIST: two zero bytes, a type code, the rank, one big-endian `uint32`
 * per dimension, then the values row-major and big-endian. Files may be gzip-compressed (recognised by
 * their magic bytes). Readers validate every header field and the exact length, and fail with a
 * {@link DataError} naming the file and the byte offset.
 */
import { backend } from '../backend/registry.js';
import type { DType, TypedArray } from '../dtype.js';
import { SerializationError } from '../errors.js';
import { formatShape, sizeOf } from '../shape.js';
import { Tensor, checkTensor } from '../tensor.js';
import type { ReadLimits, ReadOptions } from '../serialization/limits.js';
import { exceeds, resolveLimits } from '../serialization/limits.js';
import { DataError } from './errors.js';
import { gunzipPrefix, isGzip, maybeGunzip } from './gzip.js';

/** The element types IDX can store. */
export type IdxType = 'ubyte' | 'sbyte' | 'short' | 'int' | 'float' | 'double';

interface IdxTypeInfo {
  readonly type: IdxType;
  readonly code: number;
  readonly bytes: number;
  readonly dtype: DType;
  readonly min: number;
  readonly max: number;
}

const TYPES: readonly IdxTypeInfo[] = [
  { type: 'ubyte', code: 0x08, bytes: 1, dtype: 'int32', min: 0, max: 255 },
  { type: 'sbyte', code: 0x09, bytes: 1, dtype: 'int32', min: -128, max: 127 },
  { type: 'short', code: 0x0b, bytes: 2, dtype: 'int32', min: -32768, max: 32767 },
  { type: 'int', code: 0x0c, bytes: 4, dtype: 'int32', min: -(2 ** 31), max: 2 ** 31 - 1 },
  { type: 'float', code: 0x0d, bytes: 4, dtype: 'float32', min: -Infinity, max: Infinity },
  { type: 'double', code: 0x0e, bytes: 8, dtype: 'float64', min: -Infinity, max: Infinity },
];

/** A parsed IDX file: its values and the element type the file stored them as. */
export interface IdxContents {
  /** The values, in the file's shape. */
  readonly tensor: Tensor;
  /** The stored element type. */
  readonly type: IdxType;
  /** True if the file was gzip-compressed (byte offsets in errors then count decompressed bytes). */
  readonly compressed: boolean;
}

/**
 * Reads an IDX file of any rank, gzip-compressed or raw. Integer types (`ubyte`, `sbyte`, `short`, `int`)
 * give an `int32` tensor, `float` a `float32` one, `double` a `float64` one.
 *
 * @param bytes the file's contents
 * @param name the file's name, for error messages
 * @param options `limits.maxElements` (values the header may declare) and `limits.maxInflatedBytes` (what
 *   a gzip file may inflate to) can be raised
 * @throws {DataError} on a bad magic number, an unknown type code, a length that does not match the
 *   header, or a header or gzip stream past a limit
 *
 * @example
 * const labels = parseIdx(readFileSync('train-labels-idx1-ubyte.gz'), 'train-labels-idx1-ubyte.gz');
 * labels.shape  // [60000]
 */
export function parseIdx(bytes: Uint8Array, name: string, options?: ReadOptions): Tensor {
  return readIdx(bytes, name, 'parseIdx', options).tensor;
}

/** Like {@link parseIdx}, also telling the stored element type; `op` names the reader in errors. */
export function readIdx(bytes: Uint8Array, name: string, op = 'readIdx', options?: ReadOptions): IdxContents {
  const limits = resolveLimits(options?.limits, op);
  if (!(bytes instanceof Uint8Array)) {
    throw new DataError(op, name, {}, `expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  }
  const compressed = isGzip(bytes);
  const data = compressed ? gunzipIdx(bytes, name, op, limits) : bytes;
  const at = (offset: number): { offset: number; decompressed: boolean } => ({
    offset,
    decompressed: compressed,
  });
  if (data.length < 4) {
    throw new DataError(op, name, at(data.length), `file ends inside the 4-byte IDX magic number`);
  }
  if (data[0] !== 0 || data[1] !== 0) {
    throw new DataError(
      op,
      name,
      at(data[0] !== 0 ? 0 : 1),
      `not an IDX file: it must start with two zero bytes, got 0x${hexByte(data[0]!)} 0x${hexByte(data[1]!)}`,
    );
  }
  const info = TYPES.find((t) => t.code === data[2]);
  if (info === undefined) {
    throw new DataError(
      op,
      name,
      at(2),
      `unknown IDX type code 0x${hexByte(data[2]!)} (expected one of ${TYPES.map((t) => `0x${hexByte(t.code)} ${t.type}`).join(', ')})`,
    );
  }
  const rank = data[3]!;
  const headerLength = 4 + 4 * rank;
  if (data.length < headerLength) {
    throw new DataError(
      op,
      name,
      at(data.length),
      `file ends inside the header: rank ${rank} needs ${headerLength} header bytes, the file has ${data.length}`,
    );
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < rank; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = sizeOf(shape);
  const expected = headerLength + count * info.bytes;
  if (data.length < expected) {
    throw new DataError(
      op,
      name,
      at(data.length),
      `file is truncated: shape ${formatShape(shape)} of ${info.type} needs ${expected} bytes, the file has ${data.length}`,
    );
  }
  if (data.length > expected) {
    throw new DataError(
      op,
      name,
      at(expected),
      `${data.length - expected} unexpected bytes after the ${count} values of shape ${formatShape(shape)}`,
    );
  }
  if (count > limits.maxElements) {
    throw new DataError(
      op,
      name,
      at(4),
      exceeds(`the header declares shape ${formatShape(shape)}, ${count} values`, 'maxElements', limits),
    );
  }
  const values = backend().alloc(info.dtype, count);
  const body = data.subarray(headerLength, expected);
  if (info.type === 'ubyte') {
    values.set(body);
  } else if (info.type === 'sbyte') {
    values.set(new Int8Array(body.buffer, body.byteOffset, body.length));
  } else {
    readBigEndian(info.type, view, headerLength, values);
  }
  return { tensor: new Tensor(values, shape), type: info.type, compressed };
}

/**
 * A gzip-compressed IDX file's contents, inflated no further than its header declares: the header is
 * read from the first inflated bytes, its values checked against `limits.maxElements`, and the rest
 * inflated with a ceiling of exactly the declared length (a header declaring 10 values on top of a
 * gigabyte of zeros fails after a few kilobytes). When the header cannot be read, the checks on the
 * whole file name the fault.
 */
function gunzipIdx(bytes: Uint8Array, name: string, op: string, limits: ReadLimits): Uint8Array {
  const prefix = gunzipPrefix(bytes, 4);
  const rank = prefix.length === 4 && prefix[0] === 0 && prefix[1] === 0 ? prefix[3]! : undefined;
  const info = TYPES.find((t) => t.code === prefix[2]);
  if (rank === undefined || info === undefined) return maybeGunzip(bytes, name, op, limits);
  const header = gunzipPrefix(bytes, 4 + 4 * rank);
  if (header.length < 4 + 4 * rank) return maybeGunzip(bytes, name, op, limits);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const shape = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d, false));
  const count = sizeOf(shape);
  if (count > limits.maxElements) {
    throw new DataError(
      op,
      name,
      { offset: 4, decompressed: true },
      exceeds(`the header declares shape ${formatShape(shape)}, ${count} values`, 'maxElements', limits),
    );
  }
  const declared = {
    bytes: 4 + 4 * rank + count * info.bytes,
    by: `the header (shape ${formatShape(shape)})`,
  };
  return maybeGunzip(bytes, name, op, limits, declared);
}

/** Options of {@link encodeIdx}. */
export interface EncodeIdxOptions {
  /** Element type to store; `'int'` for `int32` tensors, `'float'` for `float32`, `'double'` for `float64`. */
  type?: IdxType;
}

/**
 * The IDX bytes (uncompressed) of a tensor of any rank. Integer types need integer values in their range.
 *
 * @throws {SerializationError} if a value does not fit the chosen type
 *
 * @example
 * encodeIdx(labels, { type: 'ubyte' })   // a train-labels-idx1-ubyte file
 */
export function encodeIdx(input: Tensor, options?: EncodeIdxOptions): Uint8Array {
  checkTensor(input, 'encodeIdx', 'input');
  const defaultType: IdxType =
    input.dtype === 'float64' ? 'double' : input.dtype === 'float32' ? 'float' : 'int';
  const info = TYPES.find((t) => t.type === (options?.type ?? defaultType));
  if (info === undefined) {
    throw new SerializationError(
      'encodeIdx',
      'type',
      `unknown IDX type '${String(options?.type)}'; expected one of ${TYPES.map((t) => t.type).join(', ')}`,
    );
  }
  if (input.ndim > 255) {
    throw new SerializationError('encodeIdx', 'input', `IDX stores at most 255 dims, got ${input.ndim}`);
  }
  const integral = info.dtype === 'int32';
  for (let i = 0; i < input.size; i++) {
    const v = input.data[i]!;
    if (integral && !(Number.isInteger(v) && v >= info.min && v <= info.max)) {
      throw new SerializationError(
        'encodeIdx',
        'input',
        `value ${v} at flat index ${i} does not fit IDX type ${info.type} (integers ${info.min}…${info.max})`,
      );
    }
  }
  const headerLength = 4 + 4 * input.ndim;
  const out = new Uint8Array(headerLength + input.size * info.bytes);
  const view = new DataView(out.buffer);
  out[2] = info.code;
  out[3] = input.ndim;
  input.shape.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  const body = out.subarray(headerLength);
  if (info.type === 'ubyte') {
    body.set(input.data);
  } else if (info.type === 'sbyte') {
    new Int8Array(body.buffer, body.byteOffset, body.length).set(input.data);
  } else {
    writeBigEndian(info.type, view, headerLength, input.data);
  }
  return out;
}

/** Reads `out.length` big-endian values of a multi-byte `type` starting at byte `start`. */
function readBigEndian(type: IdxType, view: DataView, start: number, out: TypedArray): void {
  const n = out.length;
  switch (type) {
    case 'short':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(start + 2 * i, false);
      return;
    case 'int':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(start + 4 * i, false);
      return;
    case 'float':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(start + 4 * i, false);
      return;
    default:
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(start + 8 * i, false);
  }
}

/** Writes `values` big-endian as a multi-byte `type` starting at byte `start`. */
function writeBigEndian(type: IdxType, view: DataView, start: number, values: TypedArray): void {
  const n = values.length;
  switch (type) {
    case 'short':
      for (let i = 0; i < n; i++) view.setInt16(start + 2 * i, values[i]!, false);
      return;
    case 'int':
      for (let i = 0; i < n; i++) view.setInt32(start + 4 * i, values[i]!, false);
      return;
    case 'float':
      for (let i = 0; i < n; i++) view.setFloat32(start + 4 * i, values[i]!, false);
      return;
    default:
      for (let i = 0; i < n; i++) view.setFloat64(start + 8 * i, values[i]!, false);
  }
}

function hexByte(value: number): string {
  return value.toString(16).padStart(2, '0');
}
