/**
 * Checkpoints and training states as files. Writes are atomic (through `saveFile`): a reader sees the old
 * file or the complete new one, never a partial write. Every error names the path.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CheckpointError } from '../checkpoint/errors.js';
import type { Checkpoint, CheckpointInfo } from '../checkpoint/model.js';
import { checkpointContents, checkpointFromContents } from '../checkpoint/model.js';
import type { TrainingState } from '../checkpoint/training-state.js';
import { trainingStateContents, trainingStateFromContents } from '../checkpoint/training-state.js';
import { ConvnetError } from '../errors.js';
import type { AnyModule } from '../nn/module.js';
import type { SafetensorsContents } from '../serialization/safetensors.js';
import { loadSafetensors } from '../serialization/safetensors.js';
import { saveFile } from './files.js';

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
 * shape and preprocessing (see `checkpoint.loadCheckpoint`).
 *
 * @throws {CheckpointError} naming the path if it cannot be read or is not a valid checkpoint
 *
 * @example
 * const { model, classes } = loadCheckpointFile('runs/lenet5.safetensors');
 */
export function loadCheckpointFile(path: string): Checkpoint {
  return checkpointFromContents(readContents(path, 'loadCheckpointFile'), path);
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
 * Reads the training state at `path`.
 *
 * @throws {CheckpointError} naming the path if it cannot be read or is not a valid training state
 */
export function loadTrainingStateFile(path: string): TrainingState {
  return trainingStateFromContents(readContents(path, 'loadTrainingStateFile'), path);
}

function readContents(path: string, op: string): SafetensorsContents {
  if (typeof path !== 'string' || path === '') {
    throw new CheckpointError(op, 'path', `expected a non-empty string, got ${JSON.stringify(path)}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
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
  try {
    return loadSafetensors(bytes);
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    throw new CheckpointError(op, path, `not a valid safetensors file: ${error.message}`);
  }
}
