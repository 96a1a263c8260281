/**
 * Tensors to bytes and back in the safetensors format (https://github.com/huggingface/safetensors), the
 * format PyTorch and Hugging Face checkpoints are shared in:
 *
 * ```text
 * bytes 0‥8      N, the header length, an unsigned 64-bit little-endian integer
 * bytes 8‥8+N    the header: UTF-8 JSON, padded with spaces
 *                { "__metadata__": { "key": "value", … },
 *                  "<name>": { "dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end] }, … }
 * bytes 8+N‥     the data section: every tensor's values, row-major, little-endian, back to back;
 *                data_offsets count from the start of this section
 * ```
 *
 * Unlike a pickled PyTorch checkpoint, a safetensors file is only a description and numbers: reading one
 * cannot execute code, so a file from anywhere is safe to open. This module works on `Uint8Array`s only
 * and needs nothing from Node; `convnet-ts/node` adds `saveFile` and `loadFile`.
 */
import type { DType, TypedArray } from '../dtype.js';
import { ArgumentError, SerializationError } from '../errors.js';
import { backend } from '../backend/registry.js';
import { formatShape, sizeOf } from '../shape.js';
import { Tensor } from '../tensor.js';
import { parseJson } from './json.js';
import type { ReadLimits, ReadOptions } from './limits.js';
import { clip, exceeds, resolveLimits } from './limits.js';

/** What {@link loadSafetensors} returns: the tensors by name, and the file's free-form metadata. */
export interface SafetensorsContents {
  /** The tensors, by name. */
  tensors: Record<string, Tensor>;
  /** The header's `__metadata__`: free-form string keys and values (`{}` if the file has none). */
  metadata: Record<string, string>;
}

/**
 * The element types this module reads, with their size in bytes and the dtype they load as. Integers load
 * as `int32` (failing if a value does not fit), half-precision floats as `float32`.
 */
const FILE_DTYPES = {
  BOOL: { bytes: 1, dtype: 'int32' },
  U8: { bytes: 1, dtype: 'int32' },
  I8: { bytes: 1, dtype: 'int32' },
  I16: { bytes: 2, dtype: 'int32' },
  U16: { bytes: 2, dtype: 'int32' },
  I32: { bytes: 4, dtype: 'int32' },
  U32: { bytes: 4, dtype: 'int32' },
  I64: { bytes: 8, dtype: 'int32' },
  U64: { bytes: 8, dtype: 'int32' },
  F16: { bytes: 2, dtype: 'float32' },
  BF16: { bytes: 2, dtype: 'float32' },
  F32: { bytes: 4, dtype: 'float32' },
  F64: { bytes: 8, dtype: 'float64' },
} as const satisfies Record<string, { bytes: number; dtype: DType }>;

type FileDType = keyof typeof FILE_DTYPES;

/** How each dtype is written. */
const FILE_DTYPE_OF: Readonly<Record<DType, FileDType>> = { float64: 'F64', float32: 'F32', int32: 'I32' };

/**
 * The order tensors are laid out in, as safetensors' own writer does: by dtype, widest first, then by name.
 * Every tensor then starts at a multiple of its element size, and our bytes match the reference writer's.
 */
const WRITE_ORDER: readonly DType[] = ['float64', 'float32', 'int32'];

const METADATA_KEY = '__metadata__';
const ENTRY_KEYS: readonly string[] = ['dtype', 'shape', 'data_offsets'];
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Serialises tensors and optional string metadata to the bytes of a safetensors file. `float32`, `float64`
 * and `int32` tensors are written as `F32`, `F64` and `I32`; the header is padded with spaces so the data
 * section starts 8-byte aligned. Tensor names must be non-empty, distinct after Unicode normalisation and
 * not `__metadata__`.
 *
 * @example
 * const bytes = saveSafetensors({ 'fc.weight': randn([10, 784]), 'fc.bias': zeros([10]) }, { epoch: '3' });
 */
export function saveSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const op = 'saveSafetensors';
  if (!isRecord(tensors)) {
    throw new ArgumentError(
      op,
      'tensors',
      `expected an object mapping names to tensors, got ${describe(tensors)}`,
    );
  }
  const entries = Object.entries(tensors);
  checkNames(entries, op);
  for (const [name, value] of entries) {
    if (!(value instanceof Tensor)) {
      throw new SerializationError(op, 'tensors', `'${name}' is ${describe(value)}, not a Tensor`);
    }
  }
  const headerParts: string[] = [];
  if (metadata !== undefined) {
    const metadataJson = metadataToJson(metadata, op);
    if (metadataJson !== '{}') headerParts.push(`${JSON.stringify(METADATA_KEY)}:${metadataJson}`);
  }

  const ordered = entries.sort(
    ([nameA, a], [nameB, b]) =>
      WRITE_ORDER.indexOf(a.dtype) - WRITE_ORDER.indexOf(b.dtype) || compareCodePoints(nameA, nameB),
  );
  let dataLength = 0;
  for (const [name, t] of ordered) {
    const begin = dataLength;
    dataLength += t.data.byteLength;
    const info = { dtype: FILE_DTYPE_OF[t.dtype], shape: t.shape, data_offsets: [begin, dataLength] };
    headerParts.push(`${JSON.stringify(name)}:${JSON.stringify(info)}`);
  }
  const header = utf8Encode(`{${headerParts.join(',')}}`)!;
  const headerLength = Math.ceil(header.length / 8) * 8;

  const bytes = new Uint8Array(8 + headerLength + dataLength);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(header, 8);
  bytes.fill(0x20, 8 + header.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const [, t] of ordered) {
    writeValues(t.data, view, at);
    at += t.data.byteLength;
  }
  return bytes;
}

/**
 * Reads the bytes of a safetensors file: the tensors by name, and the header's `__metadata__` (`{}` if it
 * has none). `F32`, `F64` and `I32` load as themselves; `BOOL`, `U8`, `I8`, `I16`, `U16`, `U32`, `I64` and
 * `U64` as `int32` (a value outside the int32 range is an error, never a wrapped number); `F16` and `BF16`
 * as `float32` (exactly).
 *
 * The format holds only a JSON description and raw numbers, so reading a file cannot execute code, whoever
 * made it. Every malformed file — truncated, a header that is not JSON or does not describe the data section
 * exactly, an unreadable dtype — raises a {@link SerializationError} naming what is wrong and, where it
 * helps, the byte offset in the file; a wrong tensor is never returned. A file from a stranger is checked
 * against limits before anything it declares is allocated: its header length (`limits.maxHeaderBytes`,
 * 16 MiB by default; the reference implementation allows 100 MB), the header's JSON nesting
 * (`limits.maxJsonDepth`) and the values all its tensors declare (`limits.maxElements`); pass
 * `{ limits: { … } }` to raise them.
 *
 * @example
 * const { tensors, metadata } = loadSafetensors(bytes);
 * tensors['fc.weight']!.shape; // [10, 784]
 */
export function loadSafetensors(bytes: Uint8Array, options?: ReadOptions): SafetensorsContents {
  const op = 'loadSafetensors';
  const limits = resolveLimits(options?.limits, op);
  if (!(bytes instanceof Uint8Array)) {
    throw new ArgumentError(op, 'bytes', `expected a Uint8Array, got ${describe(bytes)}`);
  }
  const fail: Fail = (detail) => {
    throw new SerializationError(op, 'bytes', detail);
  };
  if (bytes.length < 8) {
    fail(`the file is ${bytes.length} bytes long, too short for the 8-byte header length at byte 0`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declaredLength = view.getBigUint64(0, true);
  if (declaredLength > BigInt(limits.maxHeaderBytes)) {
    fail(exceeds(`the header length at byte 0 is ${declaredLength} bytes`, 'maxHeaderBytes', limits));
  }
  const headerLength = Number(declaredLength);
  const dataStart = 8 + headerLength;
  if (dataStart > bytes.length) {
    fail(
      `the header length at byte 0 is ${headerLength} bytes, past the end of the ${bytes.length}-byte file (the header would end at byte ${dataStart})`,
    );
  }
  const headerText = utf8Decode(bytes.subarray(8, dataStart));
  if (headerText === undefined) fail(`the header (bytes 8‥${dataStart}) is not valid UTF-8`);
  const header = parseJson(headerText, limits, (detail) =>
    fail(`the header (bytes 8‥${dataStart}) ${detail}`),
  );
  if (!isRecord(header)) fail(`the header must be a JSON object, got ${describe(header)}`);
  const duplicate = findDuplicateKey(headerText);
  if (duplicate !== undefined) fail(`the header names ${clip(JSON.stringify(duplicate))} twice`);

  const metadata = readMetadata(header[METADATA_KEY], fail);
  const dataLength = bytes.length - dataStart;
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, entry]) => readEntry(name, entry, dataLength, dataStart, fail));
  checkLayout(entries, dataLength, dataStart, fail);
  checkElements(entries, limits, fail);

  const tensors = entries.map((entry): [string, Tensor] => {
    const data = backend().alloc(FILE_DTYPES[entry.dtype].dtype, sizeOf(entry.shape));
    readValues(entry, view, dataStart, data, fail);
    return [entry.name, new Tensor(data, entry.shape)];
  });
  return { tensors: Object.fromEntries(tensors), metadata };
}

/** One tensor's description in the header, checked. */
interface HeaderEntry {
  name: string;
  dtype: FileDType;
  shape: number[];
  begin: number;
  end: number;
}

type Fail = (detail: string) => never;

function readMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value)) fail(`${METADATA_KEY} must be an object of strings, got ${describe(value)}`);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== 'string') {
      fail(
        `${METADATA_KEY} value of ${clip(JSON.stringify(key))} must be a string, got ${clip(describe(item))}`,
      );
    }
  }
  return { ...(value as Record<string, string>) };
}

function readEntry(
  name: string,
  entry: unknown,
  dataLength: number,
  dataStart: number,
  fail: Fail,
): HeaderEntry {
  const what = `tensor ${clip(JSON.stringify(name))}`;
  if (utf8Encode(name) === undefined)
    fail(`${what}: the name is not valid Unicode (it holds a lone surrogate)`);
  if (!isRecord(entry))
    fail(`${what}: expected an object with dtype, shape and data_offsets, got ${describe(entry)}`);
  for (const key of ENTRY_KEYS) {
    if (!Object.hasOwn(entry, key)) fail(`${what}: missing ${key}`);
  }
  const unknownKey = Object.keys(entry).find((key) => !ENTRY_KEYS.includes(key));
  if (unknownKey !== undefined) fail(`${what}: unexpected field ${clip(JSON.stringify(unknownKey))}`);

  const { dtype, shape, data_offsets: offsets } = entry;
  if (typeof dtype !== 'string' || !Object.hasOwn(FILE_DTYPES, dtype)) {
    fail(
      `${what}: unsupported dtype ${clip(JSON.stringify(dtype) ?? 'undefined')}; readable: ${Object.keys(FILE_DTYPES).join(', ')}`,
    );
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail(
      `${what}: shape must be an array of non-negative integers, got ${clip(JSON.stringify(shape) ?? 'undefined')}`,
    );
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(
      `${what}: data_offsets must be two non-negative integers [begin, end], got ${clip(JSON.stringify(offsets) ?? 'undefined')}`,
    );
  }
  const fileDtype = dtype as FileDType;
  const dims = shape as number[];
  const [begin, end] = offsets as [number, number];
  const span = `data_offsets [${begin}, ${end}] (file bytes ${dataStart + begin}‥${dataStart + end})`;
  if (begin > end) fail(`${what}: ${span} are out of order`);
  if (end > dataLength) {
    fail(
      `${what}: ${span} run past the end of the ${dataLength}-byte data section (file byte ${dataStart + dataLength})`,
    );
  }
  const byteLength = sizeOf(dims) * FILE_DTYPES[fileDtype].bytes;
  if (byteLength !== end - begin) {
    fail(
      `${what}: shape ${formatShape(dims)} of ${fileDtype} needs ${byteLength} bytes, but ${span} hold ${end - begin}`,
    );
  }
  return { name, dtype: fileDtype, shape: dims, begin, end };
}

/** The tensors must tile the data section: each starts where the one before ends, and nothing is left over. */
function checkLayout(entries: HeaderEntry[], dataLength: number, dataStart: number, fail: Fail): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  let previous: HeaderEntry | undefined;
  for (const entry of sorted) {
    if (entry.begin > cursor) {
      fail(
        `data bytes ${cursor}‥${entry.begin} (file bytes ${dataStart + cursor}‥${dataStart + entry.begin}) belong to no tensor`,
      );
    }
    if (entry.begin < cursor) {
      fail(
        `tensor ${clip(JSON.stringify(entry.name))} at data_offsets [${entry.begin}, ${entry.end}] overlaps tensor ${clip(JSON.stringify(previous!.name))} at [${previous!.begin}, ${previous!.end}] (file byte ${dataStart + entry.begin})`,
      );
    }
    cursor = entry.end;
    previous = entry;
  }
  if (cursor < dataLength) {
    fail(
      `data bytes ${cursor}‥${dataLength} (file bytes ${dataStart + cursor}‥${dataStart + dataLength}) belong to no tensor`,
    );
  }
}

/** The tensors together may not declare more values than `limits.maxElements`. */
function checkElements(entries: readonly HeaderEntry[], limits: ReadLimits, fail: Fail): void {
  const total = entries.reduce((sum, entry) => sum + sizeOf(entry.shape), 0);
  if (total > limits.maxElements) {
    fail(exceeds(`the ${entries.length} tensors declare ${total} values`, 'maxElements', limits));
  }
}

/** Decodes one tensor's little-endian values into `out`, which has its dtype's load type. */
function readValues(
  entry: HeaderEntry,
  view: DataView,
  dataStart: number,
  out: TypedArray,
  fail: Fail,
): void {
  const start = dataStart + entry.begin;
  const n = out.length;
  const outOfRange = (i: number, value: number | bigint, size: number): never =>
    fail(
      `tensor ${clip(JSON.stringify(entry.name))} (${entry.dtype}): element ${i} at file byte ${start + i * size} is ${value}, which does not fit in ${entry.dtype === 'BOOL' ? 'a boolean (0 or 1)' : 'int32'}`,
    );
  switch (entry.dtype) {
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(start + 8 * i, true);
      return;
    case 'F32':
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(start + 4 * i, true);
      return;
    case 'BF16':
      for (let i = 0; i < n; i++) out[i] = bfloat16ToNumber(view.getUint16(start + 2 * i, true));
      return;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = float16ToNumber(view.getUint16(start + 2 * i, true));
      return;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = view.getInt32(start + 4 * i, true);
      return;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = view.getInt16(start + 2 * i, true);
      return;
    case 'U16':
      for (let i = 0; i < n; i++) out[i] = view.getUint16(start + 2 * i, true);
      return;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = view.getInt8(start + i);
      return;
    case 'U8':
      for (let i = 0; i < n; i++) out[i] = view.getUint8(start + i);
      return;
    case 'BOOL':
      for (let i = 0; i < n; i++) {
        const value = view.getUint8(start + i);
        out[i] = value > 1 ? outOfRange(i, value, 1) : value;
      }
      return;
    case 'U32':
      for (let i = 0; i < n; i++) {
        const value = view.getUint32(start + 4 * i, true);
        out[i] = value > INT32_MAX ? outOfRange(i, value, 4) : value;
      }
      return;
    case 'I64':
    case 'U64':
      for (let i = 0; i < n; i++) {
        const at = start + 8 * i;
        const value = entry.dtype === 'I64' ? view.getBigInt64(at, true) : view.getBigUint64(at, true);
        out[i] = value < INT32_MIN || value > INT32_MAX ? outOfRange(i, value, 8) : Number(value);
      }
      return;
  }
}

/** Encodes `data` little-endian into `view` from byte `at`. */
function writeValues(data: TypedArray, view: DataView, at: number): void {
  const n = data.length;
  if (data instanceof Float64Array) {
    for (let i = 0; i < n; i++) view.setFloat64(at + 8 * i, data[i]!, true);
  } else if (data instanceof Float32Array) {
    for (let i = 0; i < n; i++) view.setFloat32(at + 4 * i, data[i]!, true);
  } else {
    for (let i = 0; i < n; i++) view.setInt32(at + 4 * i, data[i]!, true);
  }
}

/** IEEE half precision: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits. */
function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (0x400 + fraction) * 2 ** (exponent - 25);
}

const bfloat16Scratch = new DataView(new ArrayBuffer(4));

/** bfloat16 is the upper half of a float32. */
function bfloat16ToNumber(bits: number): number {
  bfloat16Scratch.setUint32(0, bits << 16);
  return bfloat16Scratch.getFloat32(0);
}

/** Names must be non-empty, valid Unicode, not the metadata key, and not equal after NFC normalisation. */
function checkNames(entries: [string, unknown][], op: string): void {
  const seen = new Map<string, string>();
  for (const [name] of entries) {
    if (name === '') throw new SerializationError(op, 'tensors', 'a tensor name is empty');
    if (name === METADATA_KEY) {
      throw new SerializationError(op, 'tensors', `'${METADATA_KEY}' is reserved for the metadata`);
    }
    if (utf8Encode(name) === undefined) {
      throw new SerializationError(
        op,
        'tensors',
        `${JSON.stringify(name)} is not valid Unicode (a lone surrogate)`,
      );
    }
    const normalized = name.normalize('NFC');
    const other = seen.get(normalized);
    if (other !== undefined) {
      throw new SerializationError(
        op,
        'tensors',
        `${JSON.stringify(other)} and ${JSON.stringify(name)} look the same (they are equal after Unicode normalisation)`,
      );
    }
    seen.set(normalized, name);
  }
}

/** The metadata as header JSON, checking it maps valid Unicode strings to strings. */
function metadataToJson(metadata: Record<string, string>, op: string): string {
  if (!isRecord(metadata)) {
    throw new ArgumentError(op, 'metadata', `expected an object of strings, got ${describe(metadata)}`);
  }
  const parts = Object.entries(metadata).map(([key, value]: [string, unknown]) => {
    if (typeof value !== 'string') {
      throw new SerializationError(
        op,
        'metadata',
        `the value of ${JSON.stringify(key)} is ${describe(value)}, not a string`,
      );
    }
    if (utf8Encode(key) === undefined || utf8Encode(value) === undefined) {
      throw new SerializationError(
        op,
        'metadata',
        `the entry ${JSON.stringify(key)} is not valid Unicode (a lone surrogate)`,
      );
    }
    return `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  });
  return `{${parts.join(',')}}`;
}

/**
 * The first key that appears twice in one object of a valid JSON text, if any (`JSON.parse` would silently
 * keep the last). A string inside an object is a key exactly when a `:` follows it.
 */
function findDuplicateKey(json: string): string | undefined {
  const open: (Set<string> | null)[] = [];
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '{') open.push(new Set());
    else if (c === '[') open.push(null);
    else if (c === '}' || c === ']') open.pop();
    else if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const keys = open[open.length - 1];
      let next = end + 1;
      while (json[next] === ' ' || json[next] === '\t' || json[next] === '\n' || json[next] === '\r') next++;
      if (keys && json[next] === ':') {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * UTF-8 bytes of `text`, or `undefined` if it holds a lone surrogate (which has no UTF-8 form). Built on the
 * standard URI functions so the core needs nothing beyond ECMAScript (no `TextEncoder`).
 */
function utf8Encode(text: string): Uint8Array | undefined {
  let escaped: string;
  try {
    escaped = encodeURIComponent(text);
  } catch {
    return undefined;
  }
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    if (escaped[i] === '%') {
      bytes.push(parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(escaped.charCodeAt(i));
    }
  }
  return Uint8Array.from(bytes);
}

/** The text UTF-8 `bytes` encode, or `undefined` if they are not valid UTF-8. */
function utf8Decode(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** Orders strings by Unicode code point, as UTF-8 bytes sort (JavaScript's `<` compares UTF-16 units). */
function compareCodePoints(a: string, b: string): number {
  for (let i = 0; i < a.length && i < b.length;) {
    const ca = a.codePointAt(i)!;
    const cb = b.codePointAt(i)!;
    if (ca !== cb) return ca - cb;
    i += ca > 0xffff ? 2 : 1;
  }
  return a.length - b.length;
}

/** True for a plain object of any realm: its prototype is `Object.prototype` or `null` (not a Map, array, class…). */
function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}

/** A short description of a value's type, for error messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const kind = value.constructor?.name;
    return kind && kind !== 'Object' ? `a ${kind}` : 'an object';
  }
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}

/** A JSON number usable as a size or offset: a non-negative integer that doubles hold exactly. */
function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
