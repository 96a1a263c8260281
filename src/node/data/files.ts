/**
 * Reading a dataset file's bytes, with a {@link DataError} naming the file when it is missing or
 * unreadable rather than Node's bare `ENOENT`.
 */
import { readFileSync, statSync } from 'node:fs';
import { DataError } from '../../data/errors.js';

/** The contents of the file at `path`. */
export function readDataFile(path: string, op: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new DataError(op, path, {}, describeFsError(error));
  }
}

/** True if `path` names an existing regular file. */
export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** True if `path` names an existing folder. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** A readable reason for a failed file-system call. */
export function describeFsError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'no such file or folder';
  if (code === 'EISDIR') return 'is a folder, not a file';
  if (code === 'ENOTDIR') return 'is not a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
