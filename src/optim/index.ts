/**
 * Optimizers and learning-rate schedulers with PyTorch's update rules, options and state dicts:
 * `optim.SGD`, `optim.Adam`, `optim.AdamW`, `optim.RMSprop`, `optim.Adagrad`, and
 * `optim.lrScheduler.StepLR` / `CosineAnnealingLR` / `OneCycleLR`.
 */
export { Optimizer } from './optimizer.js';
export type {
  BaseHyper,
  HyperKind,
  OptimizerSpec,
  OptimizerStateDict,
  PackedParamGroup,
  ParamGroup,
  ParamGroupSpec,
  Params,
  ParamState,
  ScheduleFields,
  StateEntrySpec,
  StateValue,
  ZeroGradOptions,
} from './optimizer.js';
export { SGD } from './sgd.js';
export type { SGDHyper, SGDOptions, SGDState } from './sgd.js';
export { Adam, AdamW } from './adam.js';
export type { AdamHyper, AdamOptions, AdamState } from './adam.js';
export { RMSprop } from './rmsprop.js';
export type { RMSpropHyper, RMSpropOptions, RMSpropState } from './rmsprop.js';
export { Adagrad } from './adagrad.js';
export type { AdagradHyper, AdagradOptions, AdagradState } from './adagrad.js';
export * as lrScheduler from './lr-scheduler.js';
