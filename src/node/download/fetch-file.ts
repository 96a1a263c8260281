/**
 * Downloading one file over HTTP(S) with Node's `fetch`: streamed to a temporary file in the target folder
 * while its MD5 is computed, then renamed into place only once the checksum matches. Transient failures
 * (a dropped connection, a timeout, a 5xx answer) are retried with exponential backoff; whatever happens,
 * no partial file is left behind.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ArgumentError } from '../../errors.js';
import { DownloadError } from './errors.js';

/** What {@link fetchFile} reports while it works, for a progress bar. */
export type FetchEvent =
  /** The server answered; `totalBytes` is its `Content-Length`, when it sent one. */
  | {
      /** The event's kind. */
      readonly type: 'start';
      /** The URL being downloaded. */
      readonly url: string;
      /** Which attempt this is: 1 for the first, 2 for the first retry… */
      readonly attempt: number;
      /** The file's size in bytes, when the server sent a `Content-Length`. */
      readonly totalBytes?: number;
    }
  /** More bytes arrived (one event per chunk received, typically tens of kilobytes). */
  | {
      /** The event's kind. */
      readonly type: 'progress';
      /** The URL being downloaded. */
      readonly url: string;
      /** Bytes received so far in this attempt (it restarts from 0 on a retry). */
      readonly receivedBytes: number;
      /** The file's size in bytes, when the server sent a `Content-Length`. */
      readonly totalBytes?: number;
    }
  /** Attempt `attempt` failed with a transient `error`; the next one starts after `delayMs`. */
  | {
      /** The event's kind. */
      readonly type: 'retry';
      /** The URL being downloaded. */
      readonly url: string;
      /** The attempt that failed (1 for the first). */
      readonly attempt: number;
      /** Milliseconds until the next attempt: `retryDelayMs`, doubled after each further failure. */
      readonly delayMs: number;
      /** Why the attempt failed. */
      readonly error: DownloadError;
    };

/** Options of {@link fetchFile}. */
export interface FetchFileOptions {
  /** The expected MD5 of the file, 32 hex digits. A file with another checksum is discarded. */
  md5: string;
  /** Called with each {@link FetchEvent}. */
  onEvent?: (event: FetchEvent) => void;
  /** Aborts the download (and any wait between attempts) when it fires. */
  signal?: AbortSignal;
  /** Give up on an attempt after this many milliseconds without receiving data. Default 30,000. */
  timeoutMs?: number;
  /** How many times to retry after a transient failure. Default 3. */
  retries?: number;
  /** Wait before the first retry, doubled before each further one. Default 1,000 ms. */
  retryDelayMs?: number;
}

/** A file {@link fetchFile} saved. */
export interface FetchedFile {
  /** Where the file was saved: the `path` passed to {@link fetchFile}. */
  readonly path: string;
  /** The file's size in bytes. */
  readonly bytes: number;
  /** The file's MD5, 32 lower-case hex digits (the expected one, since it matched). */
  readonly md5: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_RETRY_DELAY_MS = 1_000;

/** Error codes meaning no connection could be made at all: the machine is offline or the host unreachable. */
const OFFLINE_CODES = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Downloads `url` to `path` and checks its MD5. The bytes stream into a temporary file beside `path`
 * (`.<name>.<uuid>.part`), which is flushed and renamed over `path` only when the checksum matches, so
 * `path` is either untouched or the complete, verified file. Dropped connections, timeouts and HTTP 408,
 * 429 and 5xx answers are retried up to `retries` times, waiting `retryDelayMs`, then twice that, and so
 * on; other failures are not.
 *
 * @throws {DownloadError} saying why (`reason`): `'offline'` when no connection could be made (with a hint
 * to use a mirror), `'http'` naming the status, `'checksum'` naming the expected and actual MD5,
 * `'timeout'`, `'network'`, `'filesystem'` or `'aborted'`
 * @throws {ArgumentError} for a malformed `md5`, `timeoutMs`, `retries` or `retryDelayMs`
 *
 * @example
 * await fetchFile('https://example.org/data.gz', 'data/data.gz', {
 *   md5: '9fb629c4189551a2d022fa330f9573f3',
 *   onEvent: (e) => { if (e.type === 'progress') bar.update(e.receivedBytes, e.totalBytes); },
 * });
 */
export async function fetchFile(url: string, path: string, options: FetchFileOptions): Promise<FetchedFile> {
  return fetchVerified('fetchFile', url, path, options);
}

/** {@link fetchFile}, reporting errors as `op`. */
export async function fetchVerified(
  op: string,
  url: string,
  path: string,
  options: FetchFileOptions,
): Promise<FetchedFile> {
  const md5 = checkMd5(options.md5, op);
  const timeoutMs = checkCount(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, op, 'timeoutMs', 1);
  const retries = checkCount(options.retries ?? DEFAULT_RETRIES, op, 'retries', 0);
  const retryDelayMs = checkCount(options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS, op, 'retryDelayMs', 0);
  const { onEvent, signal } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await attemptDownload({ op, url, path, md5, timeoutMs, attempt, onEvent, signal });
    } catch (error) {
      if (!(error instanceof DownloadError) || !isTransient(error)) throw error;
      if (attempt > retries) {
        if (attempt === 1) throw error;
        throw new DownloadError(
          op,
          url,
          error.reason,
          `${error.detail} (gave up after ${attempt} attempts)`,
          error.status,
        );
      }
      const delayMs = retryDelayMs * 2 ** (attempt - 1);
      onEvent?.({ type: 'retry', url, attempt, delayMs, error });
      try {
        await sleep(delayMs, undefined, { signal });
      } catch {
        throw abortedError(op, url);
      }
    }
  }
}

/**
 * The MD5 of the file at `path` as 32 lower-case hex digits, read as a stream, or `undefined` if there is
 * no such file.
 */
export async function md5OfFile(path: string): Promise<string | undefined> {
  const hash = createHash('md5');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
    throw error;
  }
  return hash.digest('hex');
}

/**
 * A fresh temporary file name beside `path` (`.<name>.<uuid>.part`): in the same folder, so renaming it
 * over `path` is atomic.
 */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomUUID()}.part`);
}

interface Attempt {
  op: string;
  url: string;
  path: string;
  md5: string;
  timeoutMs: number;
  attempt: number;
  onEvent: ((event: FetchEvent) => void) | undefined;
  signal: AbortSignal | undefined;
}

/** One try at downloading `url`: the file saved, or a {@link DownloadError} with nothing left on disk. */
async function attemptDownload(a: Attempt): Promise<FetchedFile> {
  const { op, url, path, onEvent, signal } = a;
  if (signal?.aborted === true) throw abortedError(op, url);
  const temporary = temporaryPath(path);
  const controller = new AbortController();
  const cancel = (): void => {
    controller.abort();
  };
  signal?.addEventListener('abort', cancel, { once: true });
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  /** Restarts the idle timer: the attempt fails if no data arrives for `timeoutMs`. */
  const rearm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, a.timeoutMs);
  };
  const failure = (error: unknown, received?: number, total?: number): DownloadError => {
    if (signal?.aborted === true) return abortedError(op, url);
    if (timedOut) {
      return new DownloadError(
        op,
        url,
        'timeout',
        `no data received for ${a.timeoutMs} ms (timeoutMs): the server stopped responding`,
      );
    }
    return connectionError(op, url, error, received, total);
  };
  let file: FileHandle | undefined;
  let saved = false;
  try {
    rearm();
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal, headers: { 'accept-encoding': 'identity' } });
    } catch (error) {
      throw failure(error);
    }
    if (!response.ok) {
      const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw new DownloadError(op, url, 'http', `the server answered ${status}`, response.status);
    }
    const totalBytes = contentLength(response);
    onEvent?.({ type: 'start', url, attempt: a.attempt, totalBytes });
    file = await openTemporary(temporary, op);
    const hash = createHash('md5');
    let received = 0;
    const reader = response.body?.getReader();
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array> | undefined;
      try {
        chunk = await reader?.read();
      } catch (error) {
        throw failure(error, received, totalBytes);
      }
      if (chunk === undefined || chunk.done) break;
      rearm();
      hash.update(chunk.value);
      await writeAll(file, chunk.value, temporary, op);
      received += chunk.value.length;
      onEvent?.({ type: 'progress', url, receivedBytes: received, totalBytes });
    }
    clearTimeout(timer);
    if (totalBytes !== undefined && received !== totalBytes) {
      throw new DownloadError(
        op,
        url,
        'network',
        `the connection closed after ${received} of ${totalBytes} bytes`,
      );
    }
    await finish(file, temporary, op);
    file = undefined;
    const actual = hash.digest('hex');
    if (actual !== a.md5) {
      throw new DownloadError(
        op,
        url,
        'checksum',
        `MD5 mismatch: expected ${a.md5}, got ${actual} (${received} bytes); the file was discarded. ` +
          'The server sent a different or damaged file',
      );
    }
    try {
      await rename(temporary, path);
    } catch (error) {
      throw new DownloadError(op, path, 'filesystem', `cannot save the download: ${messageOf(error)}`);
    }
    saved = true;
    return { path, bytes: received, md5: actual };
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
    if (!saved) {
      controller.abort();
      await file?.close().catch(() => undefined);
      await rm(temporary, { force: true });
    }
  }
}

/** Failures worth another attempt: the same request may well succeed a moment later. */
function isTransient(error: DownloadError): boolean {
  if (error.reason === 'network' || error.reason === 'timeout') return true;
  const status = error.status ?? 0;
  return error.reason === 'http' && (status === 408 || status === 429 || status >= 500);
}

/** A failed `fetch` or body read as a {@link DownloadError}: `'offline'` if no connection was made at all. */
function connectionError(
  op: string,
  url: string,
  error: unknown,
  received?: number,
  total?: number,
): DownloadError {
  const code = errorCode(error);
  const cause = innermostMessage(error);
  if (code !== undefined && OFFLINE_CODES.has(code)) {
    const host = new URL(url).host;
    return new DownloadError(
      op,
      url,
      'offline',
      `cannot connect to ${host} (${cause}): the machine appears to be offline, or ${host} is down. ` +
        'Check the network connection, or download from a mirror with --base-url <url> (option baseUrl)',
    );
  }
  const where =
    received === undefined
      ? 'the request failed'
      : `the connection broke after ${received}${total === undefined ? '' : ` of ${total}`} bytes`;
  return new DownloadError(op, url, 'network', `${where} (${cause})`);
}

/** The first `code` (a string such as `'ECONNREFUSED'`) along `error`'s chain of causes. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const { code, errors, cause } = current as { code?: unknown; errors?: unknown; cause?: unknown };
    if (typeof code === 'string') return code;
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = cause;
  }
  return undefined;
}

/** The message of the deepest cause of `error`, which says what actually went wrong. */
function innermostMessage(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 8; depth++) {
    const cause = (current as { cause?: unknown } | null)?.cause;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  return messageOf(current);
}

function contentLength(response: Response): number | undefined {
  const encoding = response.headers.get('content-encoding');
  if (encoding !== null && encoding !== 'identity') return undefined;
  const length = Number(response.headers.get('content-length') ?? NaN);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

async function openTemporary(path: string, op: string): Promise<FileHandle> {
  try {
    return await open(path, 'wx');
  } catch (error) {
    throw new DownloadError(op, path, 'filesystem', `cannot create the file: ${messageOf(error)}`);
  }
}

async function writeAll(file: FileHandle, bytes: Uint8Array, path: string, op: string): Promise<void> {
  try {
    await file.write(bytes);
  } catch (error) {
    throw new DownloadError(op, path, 'filesystem', `cannot write the file: ${messageOf(error)}`);
  }
}

/** Flushes `file` to disk and closes it. */
async function finish(file: FileHandle, path: string, op: string): Promise<void> {
  try {
    await file.sync();
    await file.close();
  } catch (error) {
    throw new DownloadError(op, path, 'filesystem', `cannot write the file: ${messageOf(error)}`);
  }
}

function abortedError(op: string, url: string): DownloadError {
  return new DownloadError(op, url, 'aborted', 'the download was aborted');
}

function checkMd5(md5: unknown, op: string): string {
  if (typeof md5 !== 'string' || !/^[0-9a-f]{32}$/i.test(md5)) {
    throw new ArgumentError(op, 'md5', `expected 32 hex digits, got ${JSON.stringify(md5)}`);
  }
  return md5.toLowerCase();
}

function checkCount(value: unknown, op: string, argument: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ArgumentError(op, argument, `expected an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
