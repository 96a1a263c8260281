/**
 * Gzip in the core: recognise a gzip file by its magic bytes, check each member's header, inflate it with
 * `fflate` (with a ceiling on the output), and verify the CRC-32 and length each trailer records, so a
 * corrupt download fails here rather than turning into wrong pixels.
 */
import { Gunzip, gzipSync } from 'fflate';
import type { ReadLimits } from '../serialization/limits.js';
import { DEFAULT_LIMITS, exceeds } from '../serialization/limits.js';
import { DataError } from './errors.js';
import type { CappedOutput } from './inflate.js';
import { inflateCapped } from './inflate.js';

const FLAG_HEADER_CRC = 0x02;
const FLAG_EXTRA = 0x04;
const FLAG_NAME = 0x08;
const FLAG_COMMENT = 0x10;
const FLAG_RESERVED = 0xe0;
/** Header (10 bytes) and trailer (8 bytes) of the smallest gzip member. */
const MIN_GZIP_LENGTH = 18;

/** True if `bytes` starts with the gzip magic number `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * The decompressed contents of gzip `bytes`, or `bytes` itself when it does not start with the gzip magic
 * number. A file of several gzip members one after another (as `cat a.gz b.gz` makes, and `gunzip`
 * reads) gives their contents concatenated. Inflating stops, with an error naming the limit, once the
 * output passes `limits.maxInflatedBytes`: a small file that would inflate to gigabytes is refused
 * without being inflated.
 *
 * Throws a {@link DataError} naming `name` and the byte offset when a header is malformed, the compressed
 * data is corrupt or cut short, a trailer's CRC-32 or length does not match its member, or the output
 * would pass the limit.
 *
 * @param op the reader asking, for error messages
 * @param declared the decompressed length the contents' own header declares, when the reader knows it
 *   (read from the first inflated bytes): inflating stops, with an error, as soon as the output is longer
 */
export function maybeGunzip(
  bytes: Uint8Array,
  name: string,
  op: string,
  limits: ReadLimits = DEFAULT_LIMITS,
  declared?: { readonly bytes: number; readonly by: string },
): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  const start = checkHeader(bytes, 0, name, op);
  if (declared !== undefined && declared.bytes > limits.maxInflatedBytes) {
    throw new DataError(
      op,
      name,
      { offset: 0, decompressed: true },
      exceeds(`${declared.by} declares ${declared.bytes} decompressed bytes`, 'maxInflatedBytes', limits),
    );
  }
  const ceiling = declared === undefined ? limits.maxInflatedBytes : declared.bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let member = { crc: CRC_START, size: 0 };
  /** Checks the member that ends with the 8-byte trailer at `trailer`. */
  const checkTrailer = (trailer: number): void => {
    const storedCrc = view.getUint32(trailer, true);
    const storedSize = view.getUint32(trailer + 4, true);
    if (storedSize !== member.size % 2 ** 32) {
      throw new DataError(
        op,
        name,
        { offset: trailer + 4 },
        `gzip trailer records ${storedSize} bytes but the data inflates to ${member.size}: the file is truncated or corrupt`,
      );
    }
    const actualCrc = crcEnd(member.crc);
    if (storedCrc !== actualCrc) {
      throw new DataError(
        op,
        name,
        { offset: trailer },
        `gzip CRC-32 mismatch (trailer 0x${hex(storedCrc)}, data 0x${hex(actualCrc)}): the file is corrupt`,
      );
    }
  };
  const stream = new Gunzip();
  stream.onmember = (offset) => {
    if (offset < 8) return;
    checkTrailer(offset - 8);
    checkHeader(bytes, offset, name, op);
    member = { crc: CRC_START, size: 0 };
  };
  let result: CappedOutput;
  try {
    result = inflateCapped(stream, bytes, ceiling, (chunk) => {
      member.size += chunk.length;
      member.crc = crcUpdate(member.crc, chunk);
    });
  } catch (error) {
    if (error instanceof DataError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const truncated = (error as { code?: unknown }).code === 0;
    throw new DataError(
      op,
      name,
      { offset: truncated ? bytes.length : start },
      truncated
        ? `gzip data ends too early: the file is truncated (${reason})`
        : `the compressed data starting here is corrupt (${reason})`,
    );
  }
  if (!result.ok && declared !== undefined) {
    throw new DataError(
      op,
      name,
      { offset: declared.bytes, decompressed: true },
      `the data inflates to more than the ${declared.bytes} bytes ${declared.by} declares: the file is corrupt`,
    );
  }
  if (!result.ok) {
    throw new DataError(
      op,
      name,
      { offset: 0 },
      exceeds(
        `gzip data inflates to more than ${result.produced} bytes (from a ${bytes.length}-byte file)`,
        'maxInflatedBytes',
        limits,
      ),
    );
  }
  checkTrailer(bytes.length - 8);
  return result.bytes;
}

/**
 * The first `count` bytes of the decompressed contents of gzip `bytes` (fewer if the data ends, or is
 * corrupt, before), inflating no further than needed: enough for a reader to see the header of what is
 * inside, and so the length it declares, before inflating the rest (see {@link maybeGunzip}).
 */
export function gunzipPrefix(bytes: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  let filled = 0;
  try {
    inflateCapped(new Gunzip(), bytes, count, (chunk) => {
      out.set(chunk, filled);
      filled += chunk.length;
    });
  } catch {
    // Corrupt data: the prefix is what came before; maybeGunzip reports the fault.
  }
  return out.subarray(0, filled);
}

/**
 * Checks the gzip member header at `at` (magic, method, flags, the optional fields it announces) and
 * returns the offset of its first byte of compressed data.
 */
function checkHeader(bytes: Uint8Array, at: number, name: string, op: string): number {
  if (bytes.length - at < MIN_GZIP_LENGTH) {
    throw new DataError(
      op,
      name,
      { offset: bytes.length },
      `gzip member at byte ${at} ends after ${bytes.length - at} bytes; a gzip member has at least ${MIN_GZIP_LENGTH}`,
    );
  }
  if (bytes[at + 2] !== 8) {
    throw new DataError(
      op,
      name,
      { offset: at + 2 },
      `unknown gzip compression method ${bytes[at + 2]} (expected 8, deflate)`,
    );
  }
  const flags = bytes[at + 3]!;
  if ((flags & FLAG_RESERVED) !== 0) {
    throw new DataError(op, name, { offset: at + 3 }, `reserved gzip header flags are set (0x${hex(flags)})`);
  }
  return headerEnd(bytes, at, flags, name, op);
}

/**
 * Gzip-compresses `bytes` reproducibly (no timestamp, no file name), so the same input always gives the
 * same file.
 */
export function gzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 9, mtime: 0 });
}

/** Offset of the first byte of compressed data, after the optional header fields `flags` announces. */
function headerEnd(bytes: Uint8Array, member: number, flags: number, name: string, op: string): number {
  const limit = bytes.length - 8;
  let at = member + 10;
  const need = (count: number, what: string): void => {
    if (at + count > limit) {
      throw new DataError(op, name, { offset: at }, `gzip header ends inside its ${what}`);
    }
  };
  if ((flags & FLAG_EXTRA) !== 0) {
    need(2, 'extra field length');
    at += 2 + (bytes[at]! | (bytes[at + 1]! << 8));
    need(0, 'extra field');
  }
  for (const [flag, what] of [
    [FLAG_NAME, 'file name'],
    [FLAG_COMMENT, 'comment'],
  ] as const) {
    if ((flags & flag) === 0) continue;
    const zero = bytes.indexOf(0, at);
    if (zero < 0 || zero >= limit) {
      throw new DataError(op, name, { offset: at }, `gzip header ends inside its ${what}`);
    }
    at = zero + 1;
  }
  if ((flags & FLAG_HEADER_CRC) !== 0) {
    need(2, 'header CRC');
    at += 2;
  }
  return at;
}

let crcTable: Uint32Array | null = null;

/** The running value of a CRC-32 (IEEE 802.3, as gzip uses) before any byte. */
const CRC_START = 0xffffffff;

/** The running CRC-32 `crc` continued over `bytes`. */
function crcUpdate(crc: number, bytes: Uint8Array): number {
  crcTable ??= makeCrcTable();
  const table = crcTable;
  let c = crc;
  for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/** The CRC-32 a running value stands for. */
function crcEnd(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}

function makeCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

function hex(value: number): string {
  return value.toString(16).padStart(2, '0');
}
