/**
 * `train`: the loops that train and evaluate a classifier (stopping at NaN or infinite values, and
 * resumable part-way through an epoch), the optimizers and schedules by name with `convnet train`'s
 * defaults, and the normalisation statistics of a training set.
 */
export { NON_FINITE_ACTIONS, trainBatches, trainEpoch, evaluate } from './loop.js';
export type {
  BatchProgress,
  BatchSource,
  EpochTotals,
  EvaluateOptions,
  EvaluationResult,
  NonFiniteAction,
  TrainEpochOptions,
  TrainEpochResult,
  TrainProgress,
} from './loop.js';
export { NonFiniteError } from './errors.js';
export type { NonFiniteQuantity } from './errors.js';
export { countNonFinite, findNonFinite } from './finite.js';
export type { NonFiniteValue } from './finite.js';
export {
  DEFAULT_LR,
  DEFAULT_MOMENTUM,
  OPTIMIZER_NAMES,
  SCHEDULE_NAMES,
  createOptimizer,
  createScheduler,
  isOptimizerName,
  isScheduleName,
} from './setup.js';
export type {
  OptimizerName,
  OptimizerSettings,
  Schedule,
  ScheduleLength,
  ScheduleName,
  Scheduler,
} from './setup.js';
export { channelStatistics } from './statistics.js';
export type { ChannelStatistics } from './statistics.js';
