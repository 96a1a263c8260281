/**
 * Where `convnet train` writes (`--out`): checked before any data is read, and proved writable before
 * training starts, so a run never trains for an hour to fail at its first save, and never overwrites a
 * file that is not a convnet-ts checkpoint unless told to (`--force`).
 */
import { mkdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SerializationError } from '../errors.js';
import { convnetFileKind, trainingStatePath } from '../node/checkpoint-files.js';
import { describeFsError } from '../node/data/files.js';
import { removeStaleTemporaries, writeTemporary } from '../node/files.js';
import { CliError } from './io.js';

/**
 * Fails unless a checkpoint can go to `out`: not a folder, under a folder (or where one can be made), and
 * not over a file other than a convnet-ts checkpoint (or, beside it, a training state) without `force`.
 */
export function checkOutputPath(out: string, force: boolean): void {
  if (stat(out)?.isDirectory() === true) throw new CliError('--out', `${out} is a folder; give a file name`);
  let dir = dirname(resolve(out));
  while (stat(dir) === undefined && dirname(dir) !== dir) dir = dirname(dir);
  if (stat(dir)?.isDirectory() !== true) throw new CliError('--out', `${dir} is not a folder`);
  if (force) return;
  const expected = [
    [out, 'checkpoint'],
    [trainingStatePath(out), 'training state'],
  ] as const;
  for (const [path, kind] of expected) {
    const found = convnetFileKind(path);
    if (found !== 'missing' && found !== kind) {
      throw new CliError(
        '--out',
        `${path} exists and is not a convnet-ts ${kind}; give --force to overwrite it, or choose another --out`,
      );
    }
  }
}

/** What {@link prepareOutputFolder} did. */
export interface PreparedFolder {
  /** The outermost folder it made, or `undefined` if the folder was there. */
  readonly created: string | undefined;
  /** The temporary files of killed runs it removed. */
  readonly removed: readonly string[];
}

/**
 * Makes the folder of `out` and writes (then removes) a file in it, failing with a {@link CliError} naming
 * `--out` and the path if that is impossible; then removes what runs killed while writing `out` or its
 * training state left behind.
 */
export function prepareOutputFolder(out: string): PreparedFolder {
  const dir = dirname(out);
  const created = makeFolders(dir);
  try {
    rmSync(writeTemporary(out, ''));
  } catch (error) {
    if (created !== undefined) removeEmptyFolders(dir, created);
    const cause = error instanceof SerializationError ? error.cause : error;
    throw new CliError('--out', `cannot write in ${dir}: ${describeWriteError(cause)}`);
  }
  return {
    created,
    removed: [...removeStaleTemporaries(out), ...removeStaleTemporaries(trainingStatePath(out))],
  };
}

/**
 * Makes `dir` and the missing folders above it, one level at a time (Node's recursive `mkdirSync` never
 * returns under `/proc`), returning the outermost one made.
 */
function makeFolders(dir: string): string | undefined {
  const missing: string[] = [];
  for (let at = resolve(dir); stat(at) === undefined && dirname(at) !== at; at = dirname(at)) {
    missing.unshift(at);
  }
  for (const [i, folder] of missing.entries()) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if (i > 0) removeEmptyFolders(missing[i - 1]!, missing[0]!);
      throw new CliError('--out', `cannot create the folder ${folder}: ${describeWriteError(error)}`);
    }
  }
  return missing[0];
}

/**
 * Removes `dir` and the folders above it up to `outermost` (made by {@link prepareOutputFolder}), as long
 * as they are empty, so a run that saved nothing leaves nothing behind.
 */
export function removeEmptyFolders(dir: string, outermost: string): void {
  let current = resolve(dir);
  const last = resolve(outermost);
  for (;;) {
    try {
      rmdirSync(current);
    } catch {
      return;
    }
    if (current === last || dirname(current) === current) return;
    current = dirname(current);
  }
}

/** Why a file or folder could not be made where its parent folder exists. */
function describeWriteError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'the file system there does not take new files (ENOENT)';
  if (code === 'EROFS') return 'the file system is read-only';
  return describeFsError(error);
}

function stat(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
