/**
 * Reading a dataset file's bytes, with a {@link DataError} naming the file when it is missing or
 * unreadable rather than Node's bare `ENOENT`.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
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

/**
 * The class names listed in `classes.txt` in `dir`, one per non-empty line, or `undefined` if there is no
 * such file. Errors are `DataError`s of `op` naming the file.
 */
export function readClassNames(dir: string, op: string): string[] | undefined {
  const path = join(dir, 'classes.txt');
  if (!isFile(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataError(op, path, {}, describeFsError(error));
  }
  const names = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (names.length === 0) throw new DataError(op, path, { line: 1 }, 'lists no class names');
  return names;
}
