/**
 * `DownloadError`: what the dataset downloader throws. The message names the function, the URL (or the
 * file) at fault and what went wrong, e.g.
 * `downloadDataset(https://…/train-images-idx3-ubyte.gz): HTTP 404 Not Found`.
 */
import { ConvnetError } from '../../errors.js';

/**
 * Why a download failed:
 * - `'offline'`: no connection could be made (name lookup failed, connection refused, network unreachable);
 * - `'http'`: the server answered with an error status;
 * - `'timeout'`: the server sent nothing for `timeoutMs`;
 * - `'network'`: the connection broke before the whole file arrived;
 * - `'checksum'`: the file arrived but its MD5 is not the published one;
 * - `'archive'`: the archive is malformed, lacks a member, or holds an unsafe path;
 * - `'filesystem'`: a file or folder could not be written;
 * - `'aborted'`: the caller's `signal` fired.
 */
export type DownloadFailure =
  'offline' | 'http' | 'timeout' | 'network' | 'checksum' | 'archive' | 'filesystem' | 'aborted';

/** A dataset file could not be downloaded, verified, unpacked or written. No partial file is left behind. */
export class DownloadError extends ConvnetError {
  /** The URL (or, for `'archive'` and `'filesystem'` failures, the path) at fault. */
  readonly resource: string;
  /** Why the download failed. */
  readonly reason: DownloadFailure;
  /** What happened, without the `op(resource): ` prefix of the message. */
  readonly detail: string;
  /** The HTTP status, for `'http'` failures. */
  readonly status: number | undefined;

  /**
   * @param op the function that failed, e.g. `'downloadDataset'`
   * @param resource the URL or path at fault, for the message
   * @param reason why it failed
   * @param detail what happened, and what to do about it
   * @param status the HTTP status, for `'http'` failures
   */
  constructor(op: string, resource: string, reason: DownloadFailure, detail: string, status?: number) {
    super(op, resource, detail);
    this.resource = resource;
    this.reason = reason;
    this.detail = detail;
    this.status = status;
  }
}
