/**
 * `DataError`: what the dataset readers throw when a file does not hold what its format promises. The
 * message names the reader, the file and where in it the problem is (a byte offset for binary formats, a
 * line and column for CSV), e.g.
 * `parseIdx(train-images-idx3-ubyte.gz): at byte 2 (decompressed): unknown type code 0x07`.
 */
import { ConvnetError } from '../errors.js';

/** Where in a file a problem was found. Binary formats give `offset`; text formats give `line` and `column`. */
export interface DataLocation {
  /** Byte offset from the start of the file (of the decompressed stream for a gzip file). */
  offset?: number;
  /** 1-based line number. */
  line?: number;
  /** 1-based column (for CSV, the field number). */
  column?: number;
  /** True when `offset` counts bytes of the decompressed stream of a gzip file. */
  decompressed?: boolean;
}

/** A dataset file is missing, truncated or malformed. */
export class DataError extends ConvnetError {
  /** The file's name as the caller gave it. */
  readonly file: string;
  /** Byte offset of the problem, when the format is binary. */
  readonly offset: number | undefined;
  /** 1-based line of the problem, when the format is text. */
  readonly line: number | undefined;
  /** 1-based column (field) of the problem, when the format is text. */
  readonly column: number | undefined;

  /**
   * @param op the reader, e.g. `'parseIdx'`
   * @param file the file's name, for the message
   * @param location where the problem is (`{}` when it concerns the file as a whole)
   * @param detail what is wrong
   */
  constructor(op: string, file: string, location: DataLocation, detail: string) {
    super(op, file, `${describeLocation(location)}${detail}`);
    this.file = file;
    this.offset = location.offset;
    this.line = location.line;
    this.column = location.column;
  }
}

function describeLocation(location: DataLocation): string {
  const parts: string[] = [];
  if (location.offset !== undefined) {
    parts.push(`at byte ${location.offset}${location.decompressed === true ? ' (decompressed)' : ''}`);
  }
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  if (location.column !== undefined) parts.push(`column ${location.column}`);
  return parts.length === 0 ? '' : `${parts.join(', ')}: `;
}
