/**
 * `checkpoint`: models to and from checkpoint bytes (safetensors with the architecture, class names, input
 * shape and normalisation as metadata), and the training state a run needs to resume. Files are in
 * `convnet-ts/node`.
 */
export { CheckpointError, CheckpointMismatchError, ModelSizeError } from './errors.js';
export {
  CHECKPOINT_VERSION,
  checkpointContents,
  checkpointFromContents,
  loadCheckpoint,
  saveCheckpoint,
} from './model.js';
export type { Checkpoint, CheckpointInfo, Preprocessing } from './model.js';
export {
  TRAINING_STATE_VERSION,
  loadTrainingState,
  saveTrainingState,
  trainingStateContents,
  trainingStateFromContents,
} from './training-state.js';
export type {
  AnyOptimizerStateDict,
  AnySchedulerStateDict,
  JsonObject,
  TrainingState,
} from './training-state.js';
