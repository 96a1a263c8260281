/**
 * Optimizers and learning-rate schedules by name, with the defaults `convnet train` uses: what turns
 * `--optimizer adam --lr 0.001 --schedule cosine` into objects.
 */
import { ArgumentError } from '../errors.js';
import { Adagrad } from '../optim/adagrad.js';
import { Adam, AdamW } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { CosineAnnealingLR, OneCycleLR, StepLR } from '../optim/lr-scheduler.js';
import { RMSprop } from '../optim/rmsprop.js';
import { SGD } from '../optim/sgd.js';
import type { Tensor } from '../tensor.js';

/** The optimizers {@link createOptimizer} makes. */
export const OPTIMIZER_NAMES = ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;

/** An optimizer's name. */
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/** The learning-rate schedules {@link createScheduler} makes. */
export const SCHEDULE_NAMES = ['none', 'step', 'cosine', 'onecycle'] as const;

/** A learning-rate schedule's name. */
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

/**
 * The learning rate each optimizer gets by default: PyTorch's MNIST recipe for SGD (0.05, with momentum
 * 0.9), PyTorch's own defaults for the others.
 */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = Object.freeze({
  sgd: 0.05,
  adam: 1e-3,
  adamw: 1e-3,
  rmsprop: 1e-2,
  adagrad: 1e-2,
});

/** The optimizers that have a `momentum` hyperparameter, and its default. */
export const DEFAULT_MOMENTUM: Readonly<Partial<Record<OptimizerName, number>>> = Object.freeze({
  sgd: 0.9,
  rmsprop: 0,
});

/** Settings of {@link createOptimizer}; anything left out takes the optimizer's default. */
export interface OptimizerSettings {
  /** Learning rate (default {@link DEFAULT_LR}). */
  lr?: number;
  /** Momentum, for `sgd` (default 0.9) and `rmsprop` (default 0) only. */
  momentum?: number;
  /** L2 penalty, or decoupled weight decay for `adamw` (default 0, 0.01 for `adamw` as PyTorch). */
  weightDecay?: number;
}

/** True if `name` is one of {@link OPTIMIZER_NAMES}. */
export function isOptimizerName(name: unknown): name is OptimizerName {
  return typeof name === 'string' && (OPTIMIZER_NAMES as readonly string[]).includes(name);
}

/** True if `name` is one of {@link SCHEDULE_NAMES}. */
export function isScheduleName(name: unknown): name is ScheduleName {
  return typeof name === 'string' && (SCHEDULE_NAMES as readonly string[]).includes(name);
}

/**
 * The optimizer `name` over `params`. `momentum` is rejected for optimizers without one (Adam's β₁ plays
 * its part); the optimizer itself checks the ranges.
 *
 * @example
 * const opt = createOptimizer('sgd', model.parameters(), { lr: 0.05 });   // momentum 0.9
 */
export function createOptimizer(
  name: OptimizerName,
  params: Iterable<Tensor>,
  settings?: OptimizerSettings,
): Optimizer {
  const op = 'createOptimizer';
  if (!isOptimizerName(name)) {
    throw new ArgumentError(
      op,
      'name',
      `unknown optimizer ${JSON.stringify(name)} (expected one of ${OPTIMIZER_NAMES.join(', ')})`,
    );
  }
  const lr = settings?.lr ?? DEFAULT_LR[name];
  const weightDecay = settings?.weightDecay;
  const momentum = settings?.momentum ?? DEFAULT_MOMENTUM[name];
  if (settings?.momentum !== undefined && DEFAULT_MOMENTUM[name] === undefined) {
    throw new ArgumentError(op, 'momentum', `${name} has no momentum (only sgd and rmsprop do)`);
  }
  const common = weightDecay === undefined ? { lr } : { lr, weightDecay };
  switch (name) {
    case 'sgd':
      return new SGD(params, { ...common, momentum });
    case 'adam':
      return new Adam(params, common);
    case 'adamw':
      return new AdamW(params, common);
    case 'rmsprop':
      return new RMSprop(params, { ...common, momentum });
    case 'adagrad':
      return new Adagrad(params, common);
  }
}

/** A scheduler {@link createScheduler} makes. */
export type Scheduler = StepLR | CosineAnnealingLR | OneCycleLR;

/** A learning-rate scheduler and how often to step it. */
export interface Schedule {
  /** The scheduler, or `null` for a constant learning rate. */
  readonly scheduler: Scheduler | null;
  /** Step it after every batch (`onecycle`) or after every epoch (the others). */
  readonly stepEvery: 'batch' | 'epoch';
}

/** The length of the run a schedule is laid out over. */
export interface ScheduleLength {
  /** Epochs in the run. */
  epochs: number;
  /** Batches per epoch. */
  stepsPerEpoch: number;
}

/**
 * The schedule `name` for `optimizer`, laid out over a run of `length`:
 * - `none`: the learning rate stays as set;
 * - `step`: `StepLR` dividing it by 10 every third of the run (`stepSize = max(1, round(epochs / 3))`);
 * - `cosine`: `CosineAnnealingLR` down to 0 over the run (`tMax = epochs`), stepped every epoch;
 * - `onecycle`: `OneCycleLR` peaking at the optimizer's learning rate, stepped every batch; it cycles
 *   momentum (or Adam's β₁) too, except for Adagrad and for momentum-free SGD and RMSprop.
 *
 * @example
 * const { scheduler, stepEvery } = createScheduler('cosine', opt, { epochs: 10, stepsPerEpoch: 157 });
 */
export function createScheduler(name: ScheduleName, optimizer: Optimizer, length: ScheduleLength): Schedule {
  const op = 'createScheduler';
  if (!isScheduleName(name)) {
    throw new ArgumentError(
      op,
      'name',
      `unknown schedule ${JSON.stringify(name)} (expected one of ${SCHEDULE_NAMES.join(', ')})`,
    );
  }
  for (const key of ['epochs', 'stepsPerEpoch'] as const) {
    const value = length[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new ArgumentError(op, key, `expected a positive integer, got ${String(value)}`);
    }
  }
  const { epochs, stepsPerEpoch } = length;
  switch (name) {
    case 'none':
      return { scheduler: null, stepEvery: 'epoch' };
    case 'step':
      return {
        scheduler: new StepLR(optimizer, Math.max(1, Math.round(epochs / 3)), { gamma: 0.1 }),
        stepEvery: 'epoch',
      };
    case 'cosine':
      return { scheduler: new CosineAnnealingLR(optimizer, epochs), stepEvery: 'epoch' };
    case 'onecycle': {
      const group = optimizer.paramGroups[0] as { momentum?: number; betas?: unknown } | undefined;
      const cycleMomentum = group?.betas !== undefined || (group?.momentum ?? 0) > 0;
      const maxLr = optimizer.paramGroups.map((g) => g.lr);
      return {
        scheduler: new OneCycleLR(optimizer, maxLr, { epochs, stepsPerEpoch, cycleMomentum }),
        stepEvery: 'batch',
      };
    }
  }
}
