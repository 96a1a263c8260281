/**
 * Writes the PyTorch project of a checkpoint (see `interop.pytorchProject`) into a folder: `model.py`,
 * `train_ddp.py`, `README.txt` and the weights, each file atomically.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Checkpoint } from '../../checkpoint/model.js';
import { saveCheckpoint } from '../../checkpoint/model.js';
import { PYTORCH_WEIGHTS_FILE, pytorchProject } from '../../interop/pytorch-project.js';
import { SerializationError } from '../../errors.js';
import { writeFileAtomic } from '../files.js';

/**
 * Writes `checkpoint` as a PyTorch project into `dir` (created if missing) and returns the paths written.
 *
 * @throws {SerializationError} naming the path if a file cannot be written
 *
 * @example
 * writePytorchProject(loadCheckpointFile('model.safetensors'), 'torch-project');
 */
export function writePytorchProject(checkpoint: Checkpoint, dir: string): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const failure = new SerializationError(
      'writePytorchProject',
      'dir',
      `cannot create ${JSON.stringify(dir)}: ${error instanceof Error ? error.message : String(error)}`,
    );
    failure.cause = error;
    throw failure;
  }
  const written: string[] = [];
  for (const [name, text] of Object.entries(pytorchProject(checkpoint)) as [string, string][]) {
    const path = join(dir, name);
    writeFileAtomic(path, text, 'writePytorchProject');
    written.push(path);
  }
  const weights = join(dir, PYTORCH_WEIGHTS_FILE);
  writeFileAtomic(weights, saveCheckpoint(checkpoint.model, checkpoint), 'writePytorchProject');
  written.splice(1, 0, weights);
  return written;
}
