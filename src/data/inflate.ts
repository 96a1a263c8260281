/**
 * Decompression with a ceiling: compressed bytes are fed to an `fflate` stream a small slice at a time,
 * and the output is counted as it comes, so a "decompression bomb" (a small file that inflates to
 * gigabytes) is stopped a few megabytes past the ceiling instead of being inflated in full first.
 */
import type { FlateStreamHandler } from 'fflate';

/** An `fflate` decompression stream (`Inflate`, `Gunzip`, `Unzlib`). */
export interface FlateStream {
  ondata: FlateStreamHandler;
  push(chunk: Uint8Array, final?: boolean): void;
}

/**
 * Compressed bytes fed per push. Deflate expands at most about 1032:1, so one push produces at most
 * about 16 MiB beyond the ceiling.
 */
const SLICE_BYTES = 16 * 1024;

/** What {@link inflateCapped} produced: the output, or how far it got when it passed the ceiling. */
export type CappedOutput =
  { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly produced: number };

/**
 * Compressed bytes that may go in without any output coming out. Real data inflates as it goes; only an
 * absurdly long gzip header (a file name or comment of megabytes) or a run of empty blocks does not, and
 * `fflate` re-copies what it holds on every push while it waits, which would take time quadratic in it.
 */
const MAX_SILENT_INPUT = 2 ** 20;

/**
 * Pushes all of `input` through `stream` and returns its output, or `{ ok: false }` as soon as the output
 * passes `maxBytes` bytes. `onChunk` sees the output as it comes, up to `maxBytes` bytes (to checksum it,
 * say). The stream's own errors (corrupt or truncated data) propagate, as does an `Error` when more than
 * 1 MiB of input produces no output.
 */
export function inflateCapped(
  stream: FlateStream,
  input: Uint8Array,
  maxBytes: number,
  onChunk?: (chunk: Uint8Array) => void,
): CappedOutput {
  const chunks: Uint8Array[] = [];
  let produced = 0;
  stream.ondata = (chunk) => {
    const room = maxBytes - produced;
    produced += chunk.length;
    if (room <= 0) return;
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    chunks.push(kept);
    onChunk?.(kept);
  };
  if (input.length === 0) stream.push(input, true);
  let silentSince = 0;
  for (let at = 0; at < input.length; at += SLICE_BYTES) {
    const end = Math.min(at + SLICE_BYTES, input.length);
    const before = produced;
    stream.push(input.subarray(at, end), end === input.length);
    if (produced > maxBytes) return { ok: false, produced };
    if (produced > before) silentSince = end;
    else if (end - silentSince > MAX_SILENT_INPUT) {
      throw new Error(`${end - silentSince} bytes of input inflate to nothing`);
    }
  }
  return { ok: true, bytes: concat(chunks, produced) };
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
