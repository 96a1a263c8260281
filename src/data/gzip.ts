/**
 * Gzip in the core: recognise a gzip file by its magic bytes, check its header, inflate it with `fflate`,
 * and verify the CRC-32 and length its trailer records, so a corrupt download fails here rather than
 * turning into wrong pixels.
 */
import { gzipSync, inflateSync } from 'fflate';
import { DataError } from './errors.js';

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
 * number. Throws a {@link DataError} naming `name` and the byte offset when the header is malformed, the
 * compressed data is corrupt or cut short, or the trailer's CRC-32 or length does not match.
 *
 * @param op the reader asking, for error messages
 */
export function maybeGunzip(bytes: Uint8Array, name: string, op: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  if (bytes.length < MIN_GZIP_LENGTH) {
    throw new DataError(
      op,
      name,
      { offset: bytes.length },
      `gzip file ends after ${bytes.length} bytes; a gzip file has at least ${MIN_GZIP_LENGTH}`,
    );
  }
  if (bytes[2] !== 8) {
    throw new DataError(
      op,
      name,
      { offset: 2 },
      `unknown gzip compression method ${bytes[2]} (expected 8, deflate)`,
    );
  }
  const flags = bytes[3]!;
  if ((flags & FLAG_RESERVED) !== 0) {
    throw new DataError(op, name, { offset: 3 }, `reserved gzip header flags are set (0x${hex(flags)})`);
  }
  const start = headerEnd(bytes, flags, name, op);
  const trailer = bytes.length - 8;
  let out: Uint8Array;
  try {
    out = inflateSync(bytes.subarray(start, trailer));
  } catch (error) {
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
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const storedCrc = view.getUint32(trailer, true);
  const storedSize = view.getUint32(trailer + 4, true);
  if (storedSize !== out.length % 2 ** 32) {
    throw new DataError(
      op,
      name,
      { offset: trailer + 4 },
      `gzip trailer records ${storedSize} bytes but the data inflates to ${out.length}: the file is truncated or corrupt`,
    );
  }
  const actualCrc = crc32(out);
  if (storedCrc !== actualCrc) {
    throw new DataError(
      op,
      name,
      { offset: trailer },
      `gzip CRC-32 mismatch (trailer 0x${hex(storedCrc)}, data 0x${hex(actualCrc)}): the file is corrupt`,
    );
  }
  return out;
}

/**
 * Gzip-compresses `bytes` reproducibly (no timestamp, no file name), so the same input always gives the
 * same file.
 */
export function gzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes, { level: 9, mtime: 0 });
}

/** Offset of the first byte of compressed data, after the optional header fields `flags` announces. */
function headerEnd(bytes: Uint8Array, flags: number, name: string, op: string): number {
  const limit = bytes.length - 8;
  let at = 10;
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

/** CRC-32 (IEEE 802.3, as gzip uses) of `bytes`. */
function crc32(bytes: Uint8Array): number {
  crcTable ??= makeCrcTable();
  const table = crcTable;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
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
