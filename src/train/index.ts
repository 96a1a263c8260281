/**
 * `train`: the loops that train and evaluate a classifier, the optimizers and schedules by name with
 * `convnet train`'s defaults, and the normalisation statistics of a training set.
 */
export { trainEpoch, evaluate } from './loop.js';
export type {
  BatchProgress,
  BatchSource,
  EvaluateOptions,
  EvaluationResult,
  TrainEpochOptions,
  TrainEpochResult,
} from './loop.js';
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
