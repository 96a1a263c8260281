/**
 * `CheckpointError`: a checkpoint or training-state file, or what was to be written to one, is not what
 * the format requires. The message names the operation and the file (or argument), e.g.
 * `loadCheckpoint(model.safetensors): metadata "classes": is missing`.
 */
import { ConvnetError } from '../errors.js';

/** A checkpoint or training state is malformed or does not match its model. */
export class CheckpointError extends ConvnetError {}

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
