/**
 * `downloadDataset`: fetches one dataset's files into a folder, skipping those already there and valid,
 * verifying each download's MD5, and unpacking archives.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArgumentError } from '../../errors.js';
import type { ArchiveContents, DatasetFile, DatasetName, DatasetSpec } from './catalog.js';
import { DATASETS } from './catalog.js';
import { DownloadError } from './errors.js';
import type { FetchEvent } from './fetch-file.js';
import { fetchVerified, md5OfFile, temporaryPath } from './fetch-file.js';
import { unpackArchive } from './unpack-archive.js';

/**
 * What {@link downloadDataset} reports while it works, enough to drive a progress bar. `file` names the
 * dataset file (`'train-images-idx3-ubyte.gz'`) or, for an unpacked member, its path in the folder
 * (`'cifar-10-batches-bin/data_batch_1.bin'`).
 * - `'skip'`: the file is already there and valid (its MD5 matches, or an unpacked member has its size);
 * - `'start'`, `'progress'`, `'retry'`: as {@link FetchEvent}, while the file downloads;
 * - `'saved'`: the file was downloaded, verified and moved into place (or `classes.txt` written);
 * - `'unpacked'`: a member of an archive was written.
 *
 * @example
 * await downloadDataset('mnist', {
 *   dir: 'data/mnist',
 *   onProgress: (e) => {
 *     if (e.type === 'progress') bar.update(e.file, e.receivedBytes, e.totalBytes);
 *     else if (e.type === 'retry') console.warn(`${e.file}: ${e.error.detail}, retrying in ${e.delayMs} ms`);
 *   },
 * });
 */
export type DownloadProgress = {
  /** The dataset file, or the unpacked member's path relative to the folder. */
  readonly file: string;
} & (
  | FetchEvent
  | {
      /** The event's kind. */
      readonly type: 'skip';
      /** The file's path on disk, inside `dir`. */
      readonly path: string;
    }
  | {
      /** The event's kind. */
      readonly type: 'saved';
      /** The file's path on disk, inside `dir`. */
      readonly path: string;
      /** The file's size in bytes. */
      readonly bytes: number;
    }
  | {
      /** The event's kind. */
      readonly type: 'unpacked';
      /** The member's path on disk, inside `dir`. */
      readonly path: string;
    }
);

/** Options of {@link downloadDataset}. */
export interface DownloadDatasetOptions {
  /** The folder to write to; created if missing. */
  dir: string;
  /** Download from this URL instead of the dataset's usual one (a mirror holding the same file names). */
  baseUrl?: string;
  /** Called with each {@link DownloadProgress} event. */
  onProgress?: (event: DownloadProgress) => void;
  /** Stops the download when it fires; the file being downloaded is discarded. */
  signal?: AbortSignal;
  /** Give up on an attempt after this many milliseconds without receiving data. Default 30,000. */
  timeoutMs?: number;
  /** How many times to retry a file after a transient failure. Default 3. */
  retries?: number;
  /** Wait before the first retry, doubled before each further one. Default 1,000 ms. */
  retryDelayMs?: number;
}

/** What {@link downloadDataset} left in the folder. */
export interface DownloadedDataset {
  /** The dataset's name. */
  readonly name: string;
  /** The folder, to pass to `loadIdxDataset` or `loadCifar10`. */
  readonly dir: string;
  /** Every file of the dataset, with whether it was there already or written now. */
  readonly files: readonly DownloadedFile[];
}

/** One file in {@link DownloadedDataset.files}. */
export interface DownloadedFile {
  /** As in {@link DownloadProgress}. */
  readonly file: string;
  /** The file's path on disk, inside `dir`. */
  readonly path: string;
  /**
   * `'present'`: already there and valid; `'downloaded'`: fetched and verified now; `'unpacked'`: written
   * from an archive now; `'written'`: `classes.txt`, written now.
   */
  readonly status: 'present' | 'downloaded' | 'unpacked' | 'written';
}

/**
 * Downloads a dataset into `dir`: one of {@link DATASETS} by name, or any {@link DatasetSpec}. Each file
 * already in `dir` with the published MD5 is kept; the others are downloaded from `baseUrl` (default: the
 * dataset's usual mirror), verified, and moved into place atomically, so `dir` never holds a partial or
 * unverified file. Archives are unpacked into their sub-folder (skipped when every member is already
 * there). Files are fetched one at a time, as {@link fetchFile} does, with its timeout and retries.
 *
 * The folder then loads with `loadIdxDataset(dir)` (`mnist`, `fashion-mnist`) or `loadCifar10(dir)`
 * (`cifar10`).
 *
 * @throws {DownloadError} naming the URL or file and why (`reason`): `'offline'` (with the hint to use a
 * mirror through `--base-url`/`baseUrl`), `'http'`, `'checksum'`, `'timeout'`, `'network'`, `'archive'`,
 * `'filesystem'` or `'aborted'`
 * @throws {ArgumentError} for an unknown dataset name, a malformed spec, or a `baseUrl` that is not an
 * http(s) URL
 *
 * @example
 * const { dir } = await downloadDataset('fashion-mnist', { dir: 'data/fashion-mnist' });
 * const { train, test, classes } = loadIdxDataset(dir);
 */
export async function downloadDataset(
  dataset: DatasetName | DatasetSpec,
  options: DownloadDatasetOptions,
): Promise<DownloadedDataset> {
  const op = 'downloadDataset';
  const spec = resolveSpec(dataset, op);
  const dir = options?.dir;
  if (typeof dir !== 'string' || dir === '') {
    throw new ArgumentError(op, 'dir', `expected a folder path, got ${JSON.stringify(dir)}`);
  }
  const baseUrl = checkBaseUrl(options.baseUrl ?? spec.baseUrl, op);
  const { onProgress, signal } = options;
  const fetchOptions = {
    signal,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
  };
  await makeFolder(dir, op);
  const files: DownloadedFile[] = [];
  const record = (file: string, path: string, status: DownloadedFile['status']): void => {
    files.push({ file, path, status });
  };

  for (const entry of spec.files) {
    const path = join(dir, entry.name);
    const { unpack } = entry;
    if (unpack !== undefined && (await membersPresent(dir, unpack, op))) {
      for (const member of unpack.members) {
        const file = `${unpack.folder}/${member.name}`;
        const memberPath = join(dir, unpack.folder, member.name);
        onProgress?.({ type: 'skip', file, path: memberPath });
        record(file, memberPath, 'present');
      }
      continue;
    }
    if (signal?.aborted === true) {
      throw new DownloadError(op, path, 'aborted', 'the download was aborted');
    }
    if ((await existingMd5(path, op)) === entry.md5.toLowerCase()) {
      onProgress?.({ type: 'skip', file: entry.name, path });
      record(entry.name, path, 'present');
    } else {
      const url = new URL(entry.name, baseUrl).href;
      const { bytes } = await fetchVerified(op, url, path, {
        ...fetchOptions,
        md5: entry.md5,
        onEvent:
          onProgress &&
          ((event) => {
            onProgress({ ...event, file: entry.name });
          }),
      });
      onProgress?.({ type: 'saved', file: entry.name, path, bytes });
      record(entry.name, path, 'downloaded');
    }
    if (unpack !== undefined) {
      await unpackArchive(op, path, dir, unpack, (member, memberPath) => {
        const file = `${unpack.folder}/${member}`;
        onProgress?.({ type: 'unpacked', file, path: memberPath });
        record(file, memberPath, 'unpacked');
      });
    }
  }

  if (spec.classes !== undefined) {
    const path = join(dir, 'classes.txt');
    const text = `${spec.classes.join('\n')}\n`;
    if ((await readText(path)) === text) {
      onProgress?.({ type: 'skip', file: 'classes.txt', path });
      record('classes.txt', path, 'present');
    } else {
      await writeTextAtomically(path, text, op);
      onProgress?.({ type: 'saved', file: 'classes.txt', path, bytes: Buffer.byteLength(text) });
      record('classes.txt', path, 'written');
    }
  }
  return { name: spec.name, dir, files };
}

/** The spec for `dataset`, checked so that a custom spec cannot name files outside the folder. */
function resolveSpec(dataset: DatasetName | DatasetSpec, op: string): DatasetSpec {
  if (typeof dataset === 'string') {
    if (Object.hasOwn(DATASETS, dataset)) return DATASETS[dataset];
    const names = Object.keys(DATASETS).join(', ');
    throw new ArgumentError(
      op,
      'dataset',
      `unknown dataset ${JSON.stringify(dataset)}; expected one of ${names}`,
    );
  }
  if (typeof dataset !== 'object' || dataset === null || !Array.isArray(dataset.files)) {
    throw new ArgumentError(op, 'dataset', 'expected a dataset name or a spec with a files array');
  }
  const files: readonly DatasetFile[] = dataset.files;
  for (const file of files) {
    checkFileName(file.name, op, 'dataset.files[].name');
    if (typeof file.md5 !== 'string' || !/^[0-9a-f]{32}$/i.test(file.md5)) {
      throw new ArgumentError(op, 'dataset.files[].md5', `expected 32 hex digits for ${file.name}`);
    }
    if (file.unpack !== undefined) {
      checkFileName(file.unpack.folder, op, 'dataset.files[].unpack.folder');
      for (const member of file.unpack.members)
        checkFileName(member.name, op, 'dataset.files[].unpack.members[].name');
    }
  }
  return dataset;
}

/** Rejects anything but a plain file name: no separators, not `.` or `..`. */
function checkFileName(name: unknown, op: string, argument: string): void {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..' || /[/\\]/.test(name)) {
    throw new ArgumentError(op, argument, `expected a plain file name, got ${JSON.stringify(name)}`);
  }
}

/** `url` as an http(s) folder URL ending in `/`. */
function checkBaseUrl(url: unknown, op: string): URL {
  let parsed: URL | undefined;
  try {
    parsed = new URL(String(url));
  } catch {
    parsed = undefined;
  }
  if (typeof url !== 'string' || parsed === undefined || !/^https?:$/.test(parsed.protocol)) {
    throw new ArgumentError(op, 'baseUrl', `expected an http:// or https:// URL, got ${JSON.stringify(url)}`);
  }
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}

/** True if every member of `unpack` is in its folder under `dir`, with its size when that is known. */
async function membersPresent(dir: string, unpack: ArchiveContents, op: string): Promise<boolean> {
  for (const member of unpack.members) {
    const path = join(dir, unpack.folder, member.name);
    let size: number;
    try {
      const info = await stat(path);
      if (!info.isFile()) return false;
      size = info.size;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return false;
      throw new DownloadError(op, path, 'filesystem', `cannot read: ${messageOf(error)}`);
    }
    if (member.size !== undefined && size !== member.size) return false;
  }
  return true;
}

/** The MD5 of the file at `path`, or `undefined` if there is none. */
async function existingMd5(path: string, op: string): Promise<string | undefined> {
  try {
    return await md5OfFile(path);
  } catch (error) {
    throw new DownloadError(op, path, 'filesystem', `cannot read the existing file: ${messageOf(error)}`);
  }
}

async function makeFolder(dir: string, op: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new DownloadError(op, dir, 'filesystem', `cannot create the folder: ${messageOf(error)}`);
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes `text` to a temporary file beside `path`, flushed, then renamed over `path`. */
async function writeTextAtomically(path: string, text: string, op: string): Promise<void> {
  const temporary = temporaryPath(path);
  try {
    await writeFile(temporary, text, { flag: 'wx', flush: true });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new DownloadError(op, path, 'filesystem', `cannot write: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
