/**
 * Where `convnet train` writes (`--out`): checked before any data is read, and proved writable before
 * training starts, so a run never trains for an hour to fail at its first save, and never overwrites a
 * file that is not a convnet-ts checkpoint unless told to (`--force`).
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
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

/**
 * Makes the folder of `out` and writes (then removes) a file in it, failing with a {@link CliError} naming
 * `--out` and the path if that is impossible; then removes what runs killed while writing `out` or its
 * training state left behind. Returns the paths removed.
 */
export function prepareOutputFolder(out: string): string[] {
  const dir = dirname(out);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new CliError('--out', `cannot create the folder ${dir}: ${describeFsError(error)}`);
  }
  try {
    rmSync(writeTemporary(out, ''));
  } catch (error) {
    const cause = error instanceof SerializationError ? error.cause : error;
    throw new CliError('--out', `cannot write in ${dir}: ${describeFsError(cause)}`);
  }
  return [...removeStaleTemporaries(out), ...removeStaleTemporaries(trainingStatePath(out))];
}

function stat(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
