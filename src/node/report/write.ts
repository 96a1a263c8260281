/**
 * Writing a run's learning curves next to its checkpoint, each file atomically.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SerializationError } from '../../errors.js';
import type { LearningCurvesPngOptions } from './curves.js';
import { checkScale, renderSvg } from './curves.js';
import type { EpochRecord } from './history.js';
import { checkHistory } from './history.js';
import { rasterizeSvg } from './rasterize.js';
import { writeFileAtomic } from '../files.js';
import { checkReportTarget } from './target.js';

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
  checkReportTarget(op, dir, baseName);
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
  writeFileAtomic(files.svg, svg, op);
  writeFileAtomic(files.png, png, op);
  return files;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
