/**
 * The check every report writer makes of where it writes: a folder and a bare file name (no folder in it),
 * so a report never lands outside the folder the caller named.
 */
import { ArgumentError } from '../../errors.js';

/**
 * Checks a report writer's `dir` (a non-empty string) and `baseName` (a file name without a folder, not
 * `.` or `..`).
 *
 * @param op the writer, for the error message
 * @throws {ArgumentError} naming `dir` or `baseName`
 */
export function checkReportTarget(op: string, dir: unknown, baseName: unknown): void {
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
}
