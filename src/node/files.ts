/**
 * Tensors to and from safetensors files on disk. Writes are atomic: a reader sees the old file or the
 * complete new one, never a partial write.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ArgumentError, SerializationError } from '../errors.js';
import type { SafetensorsContents } from '../serialization/safetensors.js';
import { loadSafetensors, saveSafetensors } from '../serialization/safetensors.js';
import type { Tensor } from '../tensor.js';
import type { ReadOptions } from '../serialization/limits.js';

/** Options of {@link saveFile}. */
export interface SaveFileOptions {
  /** Free-form string metadata stored in the header's `__metadata__`. */
  metadata?: Record<string, string>;
}

/**
 * Writes tensors to a safetensors file at `path`, replacing any file there. The bytes go to a temporary
 * file in the same folder, which is flushed to disk and then renamed over `path`, so a crash or an error
 * leaves either the old file or the complete new one, and no temporary file behind.
 *
 * @example
 * saveFile({ 'fc.weight': weight, 'fc.bias': bias }, 'model.safetensors', { metadata: { epoch: '3' } });
 */
export function saveFile(tensors: Record<string, Tensor>, path: string, options?: SaveFileOptions): void {
  checkPath(path, 'saveFile');
  writeFileAtomic(path, saveSafetensors(tensors, options?.metadata), 'saveFile');
}

/**
 * Writes `contents` to `path` atomically: into a temporary file in the same folder, flushed to disk and
 * renamed over `path`, so a reader sees the old file or the complete new one, and a failure leaves no
 * temporary file behind. Failures raise a {@link SerializationError} naming `op` and the path, with the
 * file system's error as its `cause`.
 */
export function writeFileAtomic(path: string, contents: string | Uint8Array, op = 'writeFileAtomic'): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  let created = false;
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx');
    created = true;
    writeFileSync(fd, contents);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // The error that stopped the write is the one worth reporting.
      }
    }
    if (created) rmSync(temporary, { force: true });
    const failure = new SerializationError(
      op,
      'path',
      `cannot write ${JSON.stringify(path)}: ${messageOf(error)}`,
    );
    failure.cause = error;
    throw failure;
  }
}

/**
 * Reads a safetensors file: its tensors by name and its metadata, as {@link loadSafetensors} does (with
 * its `options.limits`). Every error names the path.
 *
 * @example
 * const { tensors } = loadFile('model.safetensors');
 */
export function loadFile(path: string, options?: ReadOptions): SafetensorsContents {
  const op = 'loadFile';
  checkPath(path, op);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new SerializationError(op, 'path', `cannot read ${JSON.stringify(path)}: ${messageOf(error)}`);
  }
  try {
    return loadSafetensors(bytes, options);
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    throw new SerializationError(
      op,
      'path',
      `${JSON.stringify(path)} is not a valid safetensors file: ${error.message}`,
    );
  }
}

/** Fails with an {@link ArgumentError} naming `op` unless `path` is a non-empty string. */
export function checkPath(path: unknown, op: string): asserts path is string {
  if (typeof path !== 'string' || path === '') {
    throw new ArgumentError(
      op,
      'path',
      `expected a non-empty string, got ${typeof path === 'string' ? 'an empty string' : typeof path}`,
    );
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
