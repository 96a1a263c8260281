/**
 * `CheckpointError`: a checkpoint or training-state file, or what was to be written to one, is not what
 * the format requires. The message names the operation and the file (or argument), e.g.
 * `loadCheckpoint(model.safetensors): metadata "classes": is missing`.
 */
import { ConvnetError } from '../errors.js';

/** A checkpoint or training state is malformed or does not match its model. */
export class CheckpointError extends ConvnetError {}

/**
 * A checkpoint is not the one its training state was saved with (the state records another SHA-256):
 * the two files come from different saves, so resuming from them would train from the wrong point.
 */
export class CheckpointMismatchError extends CheckpointError {}

/**
 * A checkpoint's architecture describes a model past one of the read limits (`maxParameters`,
 * `maxActivationElements`, `maxMultiplyAdds`): found from the metadata alone, before anything is built.
 * The message names the file, what the model would need and the option that raises the limit.
 */
export class ModelSizeError extends CheckpointError {
  /** The limit passed, e.g. `'maxParameters'`. */
  readonly limit: string;

  constructor(op: string, file: string, limit: string, detail: string) {
    super(op, file, detail);
    this.limit = limit;
  }
}
