/**
 * Tensors to and from safetensors files on disk. Writes are atomic: a reader sees the old file or the
 * complete new one, never a partial write; the temporary files of writers killed mid-write can be found
 * and removed afterwards.
 */
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
  commitTemporary(writeTemporary(path, contents, op), path, op);
}

/**
 * The first half of {@link writeFileAtomic}: writes `contents` to a new temporary file beside `path`
 * (named `.<name>.<pid>-<uuid>.tmp`, so {@link staleTemporaries} can tell a killed writer's), flushed to
 * disk, and returns its path. A failure removes it and raises a {@link SerializationError}.
 */
export function writeTemporary(path: string, contents: string | Uint8Array, op = 'writeTemporary'): string {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${randomUUID()}.tmp`);
  let created = false;
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx');
    created = true;
    writeFileSync(fd, contents);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    return temporary;
  } catch (error) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // The error that stopped the write is the one worth reporting.
      }
    }
    if (created) rmSync(temporary, { force: true });
    throw writeFailure(op, path, error);
  }
}

/**
 * The second half of {@link writeFileAtomic}: renames the complete `temporary` over `path` and flushes
 * the folder, so the rename survives a crash. A failure removes the temporary file and raises a
 * {@link SerializationError}.
 */
export function commitTemporary(temporary: string, path: string, op = 'commitTemporary'): void {
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw writeFailure(op, path, error);
  }
  syncFolder(dirname(path));
}

/** A temporary file an atomic write left beside a path (named `.<name>.<pid>-<uuid>.tmp`). */
export interface Temporary {
  /** Its path. */
  readonly path: string;
  /** The process that wrote it, or `null` when its name does not say (written before names did). */
  readonly pid: number | null;
}

/**
 * The temporary files beside `path` whose writer is gone: what a process killed during a write of `path`
 * leaves. A temporary of a running process (a write in progress) is not among them.
 *
 * @example
 * staleTemporaries('runs/model.safetensors')   // [{ path: 'runs/.model.safetensors.4242-….tmp', pid: 4242 }]
 */
export function staleTemporaries(path: string): Temporary[] {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const found: Temporary[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const match = TEMPORARY_SUFFIX.exec(name.slice(prefix.length));
    if (match === null) continue;
    const pid = match[1] === undefined ? null : Number(match[1]);
    if (pid === null || !isRunning(pid)) found.push({ path: join(dir, name), pid });
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Removes the temporary files killed writers of `path` left (see {@link staleTemporaries}) and returns
 * their paths. Files it cannot remove are left and not returned.
 */
export function removeStaleTemporaries(path: string): string[] {
  const removed: string[] = [];
  for (const temporary of staleTemporaries(path)) {
    try {
      rmSync(temporary.path);
      removed.push(temporary.path);
    } catch {
      // Someone else removed it, or the folder is read-only: it stays, harmlessly.
    }
  }
  return removed;
}

/** `<pid>-<uuid>.tmp` as {@link writeTemporary} names them, or `<uuid>.tmp` as it did before. */
const TEMPORARY_SUFFIX = /^(?:(\d+)-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/** True if a process `pid` exists (signal 0 checks without signalling). */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/** Flushes a folder's entries (a rename) to disk, where the platform allows opening a folder. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open a folder; there the rename is as durable as the platform makes it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeFailure(op: string, path: string, error: unknown): SerializationError {
  const failure = new SerializationError(
    op,
    'path',
    `cannot write ${JSON.stringify(path)}: ${messageOf(error)}`,
  );
  failure.cause = error;
  return failure;
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
