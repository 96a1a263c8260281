/**
 * The files of `convnet filter`: the input images (files, or every PNG/JPEG in a folder), where each
 * result goes, and writing them all or nothing — every file is first written beside its final name under a
 * hidden temporary name, and renamed into place only once every input has been processed.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join, resolve, sep } from 'node:path';
import { describeFsError, isDirectory } from '../node/data/files.js';
import type { ImageFormat } from '../vision/codec.js';
import { imageFormat } from '../vision/codec.js';
import { CliError } from './io.js';

/** An input image, its format sniffed from its first bytes. */
export interface InputImage {
  readonly path: string;
  /** The file name without its extension: what its outputs in a folder are named after. */
  readonly stem: string;
  readonly format: ImageFormat;
  /** Its extension in lower case (`.png`, `.jpg`, `.jpeg`), or `''`. */
  readonly extension: string;
}

const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'];

/**
 * The images `args` name: files as given, folders as every `.png`/`.jpg`/`.jpeg` file directly inside,
 * sorted by name. Each is opened and its first bytes checked now, so an unreadable file or one that is
 * neither PNG nor JPEG fails before anything is written.
 *
 * @throws {CliError} naming the file or folder
 */
export function listInputs(args: readonly string[]): { images: InputImage[]; hasFolder: boolean } {
  const images: InputImage[] = [];
  let hasFolder = false;
  for (const arg of args) {
    if (!isDirectory(arg)) {
      images.push(inputImage(arg));
      continue;
    }
    hasFolder = true;
    let names: string[];
    try {
      names = readdirSync(arg).filter((name) => IMAGE_EXTENSIONS.includes(extname(name).toLowerCase()));
    } catch (error) {
      throw new CliError(arg, describeFsError(error));
    }
    const files = names
      .sort()
      .map((name) => join(arg, name))
      .filter((path) => !isDirectory(path));
    if (files.length === 0) throw new CliError(arg, 'no .png, .jpg or .jpeg files in this folder');
    images.push(...files.map(inputImage));
  }
  return { images, hasFolder };
}

function inputImage(path: string): InputImage {
  const head = new Uint8Array(8);
  let length: number;
  try {
    const fd = openSync(path, 'r');
    try {
      length = readSync(fd, head, 0, head.length, 0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    throw new CliError(path, describeFsError(error));
  }
  const format = imageFormat(head.subarray(0, length));
  if (format === null) throw new CliError(path, 'not a PNG or JPEG file');
  const extension = extname(path).toLowerCase();
  return { path, stem: basename(path, extname(path)), format, extension };
}

/** True if `out` names a folder: an existing one, or a path ending with a separator. */
export function isFolderPath(out: string): boolean {
  return out.endsWith('/') || out.endsWith(sep) || isDirectory(out);
}

/** The format a file name's extension asks for, or `null`. */
export function formatOfExtension(path: string): ImageFormat | null {
  const extension = extname(path).toLowerCase();
  if (extension === '.png') return 'png';
  if (extension === '.jpg' || extension === '.jpeg') return 'jpeg';
  return null;
}

/**
 * The output path of result `slug` when `total` results are written for one image to the file `out`:
 * `out` itself for one result, else `out` with the slug before its extension (`out.sobel-x.png`).
 */
export function resultPath(out: string, slug: string, total: number): string {
  if (total === 1) return out;
  const extension = extname(out);
  return `${out.slice(0, out.length - extension.length)}.${slug}${extension}`;
}

/**
 * The output path of result `slug` of `input` in the folder `dir`: `<stem>.png` for one result, else
 * `<stem>.<slug>.png`, with the extension of `format` when given, else of the input's own format.
 */
export function folderResultPath(
  dir: string,
  input: InputImage,
  slug: string,
  total: number,
  format: ImageFormat | undefined,
): string {
  const name = total === 1 ? input.stem : `${input.stem}.${slug}`;
  return join(dir, `${name}${extensionFor(format ?? input.format, input.extension)}`);
}

function extensionFor(format: ImageFormat, inputExtension: string): string {
  if (format === 'png') return '.png';
  return inputExtension === '.jpeg' ? '.jpeg' : '.jpg';
}

/**
 * Fails if two outputs share a path, or an output would replace an input.
 *
 * @throws {CliError} naming `option` and the paths
 */
export function checkDistinct(
  outputs: readonly { path: string; option: string }[],
  inputs: readonly string[],
): void {
  const inputPaths = new Map(inputs.map((path) => [resolve(path), path]));
  const seen = new Map<string, string>();
  for (const { path, option } of outputs) {
    const full = resolve(path);
    const input = inputPaths.get(full);
    if (input !== undefined) throw new CliError(option, `${path} would overwrite the input ${input}`);
    if (seen.has(full)) throw new CliError(option, `two results would both be written to ${path}`);
    seen.set(full, path);
  }
}

/**
 * Files written all or nothing: {@link stage} writes each under a hidden temporary name beside its final
 * path, {@link commit} renames them all into place, {@link abort} removes everything this run wrote
 * (and the folders it created).
 */
export class StagedFiles {
  private readonly staged: { temporary: string; path: string }[] = [];
  private readonly committed: string[] = [];
  private readonly createdFolders: string[] = [];

  /** Creates `dir` (and missing parents) if needed, to be removed again on {@link abort}. */
  makeFolder(dir: string, option: string): void {
    try {
      const created = mkdirSync(dir, { recursive: true });
      if (created !== undefined) this.createdFolders.push(created);
    } catch (error) {
      throw new CliError(option, `cannot create the folder ${dir}: ${describeFsError(error)}`);
    }
  }

  /** Calls `write` with a temporary path beside `path` (same extension) that {@link commit} renames to `path`. */
  stage(path: string, write: (temporary: string) => void): void {
    const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}${extname(path)}`);
    this.staged.push({ temporary, path });
    write(temporary);
  }

  /** Moves every staged file into place, returning the final paths. */
  commit(): string[] {
    for (const { temporary, path } of this.staged) {
      try {
        renameSync(temporary, path);
      } catch (error) {
        throw new CliError('--out', `cannot write ${path}: ${describeFsError(error)}`);
      }
      this.committed.push(path);
    }
    return [...this.committed];
  }

  /** Removes every file this run wrote, temporary or final, and the folders it created. */
  abort(): void {
    for (const { temporary } of this.staged) rmSync(temporary, { force: true });
    for (const path of this.committed) rmSync(path, { force: true });
    for (const dir of this.createdFolders) rmSync(dir, { recursive: true, force: true });
  }
}
