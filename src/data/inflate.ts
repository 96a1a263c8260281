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
 * Pushes all of `input` through `stream` and returns its output, or `{ ok: false }` as soon as the output
 * passes `maxBytes` bytes. `onChunk` sees each output chunk as it comes (to checksum it, say). The
 * stream's own errors (corrupt or truncated data) propagate.
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
    produced += chunk.length;
    if (produced > maxBytes) return;
    chunks.push(chunk);
    onChunk?.(chunk);
  };
  if (input.length === 0) stream.push(input, true);
  for (let at = 0; at < input.length; at += SLICE_BYTES) {
    const end = Math.min(at + SLICE_BYTES, input.length);
    stream.push(input.subarray(at, end), end === input.length);
    if (produced > maxBytes) return { ok: false, produced };
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
