/**
 * Checkpoints and training states as files. Writes are atomic (through `saveFile`): a reader sees the old
 * file or the complete new one, never a partial write. A checkpoint and the training state to resume it
 * are written as one unit: the state records the checkpoint's SHA-256, and a save cut short between the
 * two files is finished (or refused) when they are read. Every error names the path.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CheckpointError, CheckpointMismatchError } from '../checkpoint/errors.js';
import type { Checkpoint, CheckpointInfo } from '../checkpoint/model.js';
import { checkpointContents, checkpointFromContents } from '../checkpoint/model.js';
import type { TrainingState } from '../checkpoint/training-state.js';
import { trainingStateContents, trainingStateFromContents } from '../checkpoint/training-state.js';
import { ConvnetError } from '../errors.js';
import type { AnyModule } from '../nn/module.js';
import type { ReadOptions } from '../serialization/limits.js';
import type { SafetensorsContents } from '../serialization/safetensors.js';
import { loadSafetensors, saveSafetensors } from '../serialization/safetensors.js';
import { commitTemporary, saveFile, staleTemporaries, writeFileAtomic, writeTemporary } from './files.js';

/**
 * Writes a checkpoint of `model` with `info` (see `checkpoint.saveCheckpoint`) to `path`, atomically.
 *
 * @example
 * saveCheckpointFile('runs/lenet5.safetensors', model, { architecture, classes, inputShape, preprocessing });
 */
export function saveCheckpointFile(path: string, model: AnyModule, info: CheckpointInfo): void {
  const { tensors, metadata } = checkpointContents(model, info);
  saveFile(tensors, path, { metadata });
}

/**
 * Reads the checkpoint at `path`: the rebuilt model with its weights, the architecture, class names, input
 * shape and preprocessing (see `checkpoint.loadCheckpoint`). `options.limits` raises (or lowers) the read
 * limits, as for `checkpoint.loadCheckpoint`.
 *
 * @throws {CheckpointError} naming the path if it cannot be read or is not a valid checkpoint
 *
 * @example
 * const { model, classes } = loadCheckpointFile('runs/lenet5.safetensors');
 */
export function loadCheckpointFile(path: string, options?: ReadOptions): Checkpoint {
  return checkpointFromContents(readContents(path, 'loadCheckpointFile', options), path, options);
}

/**
 * Where the training state of the checkpoint at `path` lives: beside it, `.safetensors` replaced by
 * `.train-state.safetensors` (or that appended when the name has another extension).
 *
 * @example
 * trainingStatePath('runs/model.safetensors')   // 'runs/model.train-state.safetensors'
 */
export function trainingStatePath(path: string): string {
  const name = basename(path);
  const stem = name.endsWith('.safetensors') ? name.slice(0, -'.safetensors'.length) : name;
  return join(dirname(path), `${stem}.train-state.safetensors`);
}

/** Writes a training state (see `checkpoint.saveTrainingState`) to `path`, atomically. */
export function saveTrainingStateFile(path: string, state: TrainingState): void {
  const { tensors, metadata } = trainingStateContents(state);
  saveFile(tensors, path, { metadata });
}

/**
 * Reads the training state at `path`; `options.limits` raises (or lowers) the read limits.
 *
 * @throws {CheckpointError} naming the path if it cannot be read or is not a valid training state
 */
export function loadTrainingStateFile(path: string, options?: ReadOptions): TrainingState {
  return trainingStateFromContents(readContents(path, 'loadTrainingStateFile', options), path, options);
}

/**
 * Writes a checkpoint of `model` with `info` to `path` and `state` to the training state beside it
 * ({@link trainingStatePath}) as one unit, the state recording the checkpoint's SHA-256. Both files go to
 * flushed temporary files first; the state is renamed into place, then the checkpoint. Killed at any
 * moment, this leaves either the old pair, or the new state beside the old checkpoint and the complete
 * new one in a temporary file, which {@link loadCheckpointWithState} renames into place.
 *
 * @example
 * saveCheckpointWithState('runs/model.safetensors', model, info, { epoch: 3, optimizer: opt.stateDict(), … });
 */
export function saveCheckpointWithState(
  path: string,
  model: AnyModule,
  info: CheckpointInfo,
  state: TrainingState,
): void {
  const op = 'saveCheckpointWithState';
  const { tensors, metadata } = checkpointContents(model, info);
  const checkpointBytes = saveSafetensors(tensors, metadata);
  const stateContents = trainingStateContents({ ...state, checkpointSha256: sha256(checkpointBytes) });
  const stateBytes = saveSafetensors(stateContents.tensors, stateContents.metadata);
  const temporary = writeTemporary(path, checkpointBytes, op);
  try {
    writeFileAtomic(trainingStatePath(path), stateBytes, op);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  commitTemporary(temporary, path, op);
}

/** A checkpoint and the training state saved with it. */
export interface CheckpointWithState {
  /** The checkpoint: the rebuilt model with its weights, and its metadata. */
  readonly checkpoint: Checkpoint;
  /** The training state saved with it. */
  readonly state: TrainingState;
  /**
   * How the two were found to belong together: `'verified'` (the state records this checkpoint's
   * SHA-256), `'finished'` (a save had been cut short between the two files; its complete checkpoint was
   * renamed into place now), or `'unverified'` (the state, from an older writer, records no hash).
   */
  readonly match: 'verified' | 'finished' | 'unverified';
}

/**
 * Reads the checkpoint at `path` and the training state beside it, checking that the state was saved with
 * this very checkpoint (by the SHA-256 it records). A save by {@link saveCheckpointWithState} that was
 * killed after the state's rename is finished first: the complete temporary checkpoint it left is renamed
 * into place. `options.limits` raises (or lowers) the read limits of both files.
 *
 * @throws {CheckpointMismatchError} naming both paths if the checkpoint is not the one the state was
 * saved with (another epoch's or another run's)
 * @throws {CheckpointError} naming the path if either file cannot be read or is not valid
 */
export function loadCheckpointWithState(path: string, options?: ReadOptions): CheckpointWithState {
  const op = 'loadCheckpointWithState';
  const statePath = trainingStatePath(path);
  const state = loadTrainingStateFile(statePath, options);
  const expected = state.checkpointSha256;
  if (expected === undefined) {
    return { checkpoint: loadCheckpointFile(path, options), state, match: 'unverified' };
  }
  const bytes = readBytes(path, op, true);
  if (bytes !== null && sha256(bytes) === expected) {
    return { checkpoint: checkpointFromBytes(bytes, path, op, options), state, match: 'verified' };
  }
  for (const temporary of staleTemporaries(path)) {
    const candidate = readBytes(temporary.path, op, true);
    if (candidate !== null && sha256(candidate) === expected) {
      commitTemporary(temporary.path, path, op);
      return { checkpoint: checkpointFromBytes(candidate, path, op, options), state, match: 'finished' };
    }
  }
  const found = bytes === null ? 'it does not exist' : `it has SHA-256 ${sha256(bytes).slice(0, 12)}…`;
  throw new CheckpointMismatchError(
    op,
    path,
    `is not the checkpoint its training state ${statePath} was saved with (after epoch ${state.epoch}, SHA-256 ${expected.slice(0, 12)}…): ${found}; the two come from different saves`,
  );
}

/** What {@link convnetFileKind} found at a path. */
export type ConvnetFileKind = 'checkpoint' | 'training state' | 'missing' | 'other';

/**
 * Whether `path` holds a convnet-ts checkpoint or training state (by the marker in its safetensors
 * header), nothing, or something else (another file, a folder, a file it cannot read). Reads the header
 * only, at most 64 MiB of it, so looking at a large file of another kind costs nothing.
 *
 * @example
 * convnetFileKind('runs/model.safetensors')   // 'checkpoint'
 */
export function convnetFileKind(path: string): ConvnetFileKind {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return (error as { code?: unknown }).code === 'ENOENT' ? 'missing' : 'other';
  }
  try {
    const prefix = new Uint8Array(8);
    if (readSync(fd, prefix, 0, 8, 0) !== 8) return 'other';
    const length = Number(new DataView(prefix.buffer).getBigUint64(0, true));
    if (length < 2 || length > HEADER_PEEK_LIMIT) return 'other';
    const header = new Uint8Array(length);
    if (readSync(fd, header, 0, length, 8) !== length) return 'other';
    const parsed = JSON.parse(new TextDecoder().decode(header)) as { __metadata__?: Record<string, unknown> };
    const metadata = parsed.__metadata__;
    if (metadata === null || typeof metadata !== 'object') return 'other';
    if (typeof metadata[CHECKPOINT_MARKER] === 'string') return 'checkpoint';
    if (typeof metadata[TRAINING_STATE_MARKER] === 'string') return 'training state';
    return 'other';
  } catch {
    return 'other';
  } finally {
    closeSync(fd);
  }
}

/** The largest safetensors header {@link convnetFileKind} reads. */
const HEADER_PEEK_LIMIT = 64 * 1024 * 1024;
const CHECKPOINT_MARKER = 'convnet_checkpoint';
const TRAINING_STATE_MARKER = 'convnet_training_state';

/** The lowercase hex SHA-256 of `bytes`. */
function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function readContents(path: string, op: string, options: ReadOptions | undefined): SafetensorsContents {
  return parseContents(readBytes(path, op, false), path, op, options);
}

/** The checkpoint in `bytes`, read from `path`. */
function checkpointFromBytes(
  bytes: Uint8Array,
  path: string,
  op: string,
  options: ReadOptions | undefined,
): Checkpoint {
  return checkpointFromContents(parseContents(bytes, path, op, options), path, options);
}

/** The bytes of the file at `path`; `null` if it does not exist and `missingOk`. */
function readBytes(path: string, op: string, missingOk: true): Uint8Array | null;
function readBytes(path: string, op: string, missingOk: false): Uint8Array;
function readBytes(path: string, op: string, missingOk: boolean): Uint8Array | null {
  if (typeof path !== 'string' || path === '') {
    throw new CheckpointError(op, 'path', `expected a non-empty string, got ${JSON.stringify(path)}`);
  }
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' && missingOk) return null;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : error instanceof Error
            ? error.message
            : String(error);
    throw new CheckpointError(op, path, `cannot read: ${reason}`);
  }
}

function parseContents(
  bytes: Uint8Array,
  path: string,
  op: string,
  options: ReadOptions | undefined,
): SafetensorsContents {
  try {
    return loadSafetensors(bytes, options);
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    throw new CheckpointError(op, path, `not a valid safetensors file: ${error.message}`);
  }
}
