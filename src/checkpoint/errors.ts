/**
 * `CheckpointError`: a checkpoint or training-state file, or what was to be written to one, is not what
 * the format requires. The message names the operation and the file (or argument), e.g.
 * `loadCheckpoint(model.safetensors): metadata "classes": is missing`.
 */
import { ConvnetError } from '../errors.js';

/** A checkpoint or training state is malformed or does not match its model. */
export class CheckpointError extends ConvnetError {}
