/**
 * Taking named regular files out of a `.tar` or `.tar.gz` archive with node-tar's streaming parser. The
 * archive is refused whole if any entry's path is absolute or climbs out with `..`; the members are
 * written to temporary files beside their destinations and renamed into place only once the whole
 * archive has been read, so a failure leaves none of them behind.
 */
import type { WriteStream } from 'node:fs';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { Parser } from 'tar';
import type { ReadEntry } from 'tar';
import type { ArchiveContents, ArchiveMember } from './catalog.js';
import { DownloadError } from './errors.js';
import { temporaryPath } from './fetch-file.js';

const REGULAR_FILE_TYPES = new Set(['File', 'OldFile', 'ContiguousFile']);

/** A member being written to its temporary file. */
interface Extraction {
  readonly member: ArchiveMember;
  readonly temporary: string;
  readonly destination: string;
  readonly output: WriteStream;
}

/**
 * Writes the members `contents` lists, found in the archive under `contents.folder`, to
 * `dir/contents.folder/`. Other entries are skipped. Returns the paths written, in `contents.members`
 * order.
 *
 * @param onMember called as each member is renamed into place
 * @throws {DownloadError} (`'archive'`) naming the archive and the entry when the archive is malformed,
 * holds an unsafe path, or lacks a member, or a member is not a regular file or has the wrong size;
 * (`'filesystem'`) when a file cannot be written
 */
export async function unpackArchive(
  op: string,
  archive: string,
  dir: string,
  contents: ArchiveContents,
  onMember?: (member: string, path: string) => void,
): Promise<string[]> {
  const target = join(dir, contents.folder);
  try {
    await mkdir(target, { recursive: true });
  } catch (error) {
    throw new DownloadError(op, target, 'filesystem', `cannot create the folder: ${messageOf(error)}`);
  }
  const wanted = new Map(contents.members.map((m) => [`${contents.folder}/${m.name}`, m]));
  const extractions = new Map<string, Extraction>();
  let failure: DownloadError | undefined;
  const fail = (detail: string): void => {
    failure ??= new DownloadError(op, archive, 'archive', detail);
  };

  const onReadEntry = (entry: ReadEntry): void => {
    const unsafe = unsafePath(entry.path) ?? (entry.linkpath ? unsafePath(entry.linkpath) : undefined);
    if (unsafe !== undefined) {
      fail(
        `entry ${JSON.stringify(entry.path)}${entry.linkpath ? ` (link to ${JSON.stringify(entry.linkpath)})` : ''} ${unsafe}: ` +
          'refusing to unpack an archive that could write outside its folder',
      );
    }
    const key = entry.path.replace(/^(\.\/)+/, '');
    const member = wanted.get(key);
    if (failure !== undefined || member === undefined) {
      entry.resume();
      return;
    }
    if (!REGULAR_FILE_TYPES.has(entry.type)) {
      fail(`entry ${JSON.stringify(key)} is a ${entry.type}, not a regular file`);
    } else if (extractions.has(key)) {
      fail(`entry ${JSON.stringify(key)} appears twice`);
    } else if (member.size !== undefined && entry.size !== member.size) {
      fail(`entry ${JSON.stringify(key)} holds ${entry.size} bytes, expected ${member.size}`);
    }
    if (failure !== undefined) {
      entry.resume();
      return;
    }
    const destination = join(target, member.name);
    const temporary = temporaryPath(destination);
    const output = createWriteStream(temporary, { flags: 'wx', flush: true });
    output.on('error', () => {
      entry.unpipe(output);
      entry.resume();
    });
    extractions.set(key, { member, temporary, destination, output });
    entry.pipe(output);
  };

  const parser = new Parser({ strict: true, onReadEntry });
  const parsed = new Promise<void>((resolve) => {
    parser.on('end', resolve);
    parser.on('error', (error: unknown) => {
      fail(`is not a valid .tar or .tar.gz archive: ${messageOf(error)}`);
      resolve();
    });
  });
  try {
    for await (const chunk of createReadStream(archive)) {
      if (failure !== undefined) break;
      if (!parser.write(chunk as Buffer)) await Promise.race([once(parser, 'drain'), parsed]);
    }
    if (failure === undefined) {
      parser.end();
      await parsed;
    }
  } catch (error) {
    failure ??= new DownloadError(op, archive, 'filesystem', `cannot read the archive: ${messageOf(error)}`);
  }

  const outputs = [...extractions.values()];
  if (failure !== undefined) for (const { output } of outputs) output.destroy();
  const written = await Promise.allSettled(outputs.map(({ output }) => finished(output)));
  const writeError = written.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure === undefined && writeError !== undefined) {
    failure = new DownloadError(op, target, 'filesystem', `cannot write: ${messageOf(writeError.reason)}`);
  }
  const missing = [...wanted.keys()].filter((key) => !extractions.has(key));
  if (failure === undefined && missing.length > 0) {
    fail(`has no ${missing.map((m) => JSON.stringify(m)).join(', ')}`);
  }
  if (failure !== undefined) {
    await Promise.all(outputs.map(({ temporary }) => rm(temporary, { force: true })));
    throw failure;
  }

  const paths: string[] = [];
  try {
    for (const member of contents.members) {
      const { temporary, destination } = extractions.get(`${contents.folder}/${member.name}`)!;
      await rename(temporary, destination);
      paths.push(destination);
      onMember?.(member.name, destination);
    }
  } catch (error) {
    await Promise.all(outputs.map(({ temporary }) => rm(temporary, { force: true })));
    throw new DownloadError(op, target, 'filesystem', `cannot save the unpacked files: ${messageOf(error)}`);
  }
  return paths;
}

/** Why an archive path is unsafe to unpack (absolute, or climbing out with `..`), or `undefined`. */
function unsafePath(path: string): string | undefined {
  if (/^([/\\]|[A-Za-z]:)/.test(path)) return 'is an absolute path';
  if (path.split(/[/\\]/).includes('..')) return "climbs out of the archive with '..'";
  return undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
