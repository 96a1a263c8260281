/**
 * Writing a run's learning curves next to its checkpoint, each file atomically.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, SerializationError } from '../../errors.js';
import type { LearningCurvesPngOptions } from './curves.js';
import { checkScale, renderSvg } from './curves.js';
import type { EpochRecord } from './history.js';
import { checkHistory } from './history.js';
import { rasterizeSvg } from './rasterize.js';

/** The files {@link writeTrainingReport} wrote. */
export interface TrainingReportFiles {
  /** Path of `<baseName>-curves.svg`. */
  readonly svg: string;
  /** Path of `<baseName>-curves.png`. */
  readonly png: string;
}

/**
 * Draws the learning curves of `history` (see `learningCurvesSvg`) and writes them to
 * `<dir>/<baseName>-curves.svg` and `<dir>/<baseName>-curves.png`, creating `dir` if needed. Both figures
 * are drawn before either file is written, and each file goes to a temporary file in `dir` that is then
 * renamed over the target, so a reader never sees a partial file.
 *
 * @example
 * const files = await writeTrainingReport('runs/fashion', 'bench', history, { stepLosses });
 * // files.svg === 'runs/fashion/bench-curves.svg'
 */
export async function writeTrainingReport(
  dir: string,
  baseName: string,
  history: readonly EpochRecord[],
  options?: LearningCurvesPngOptions,
): Promise<TrainingReportFiles> {
  const op = 'writeTrainingReport';
  if (typeof dir !== 'string' || dir === '') {
    throw new ArgumentError(
      op,
      'dir',
      `expected a non-empty string, got ${JSON.stringify(dir) ?? typeof dir}`,
    );
  }
  if (typeof baseName !== 'string' || !/^[^/\\]+$/.test(baseName) || baseName === '.' || baseName === '..') {
    throw new ArgumentError(
      op,
      'baseName',
      `expected a file name without a folder, got ${JSON.stringify(baseName) ?? typeof baseName}`,
    );
  }
  checkHistory(history, options, op);
  const scale = checkScale(options?.scale, op);
  const svg = await renderSvg(history, options);
  const png = await rasterizeSvg(svg, scale);
  const files = { svg: join(dir, `${baseName}-curves.svg`), png: join(dir, `${baseName}-curves.png`) };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new SerializationError(op, 'dir', `cannot create ${JSON.stringify(dir)}: ${messageOf(error)}`);
  }
  writeAtomically(files.svg, svg, dir, op);
  writeAtomically(files.png, png, dir, op);
  return files;
}

/** Writes `contents` to a temporary file in `dir`, flushes it and renames it to `path`. */
function writeAtomically(path: string, contents: string | Uint8Array, dir: string, op: string): void {
  const temporary = join(dir, `.${randomUUID()}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx');
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
    rmSync(temporary, { force: true });
    throw new SerializationError(op, 'dir', `cannot write ${JSON.stringify(path)}: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
