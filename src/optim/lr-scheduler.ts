/**
 * Learning-rate schedulers, exactly as `torch.optim.lr_scheduler` (1.13): `StepLR`, `CosineAnnealingLR`
 * (its recursive form) and `OneCycleLR` (with momentum cycling). A scheduler writes the learning rate of
 * every param group of its optimizer; call `scheduler.step()` after `optimizer.step()`.
 */
import { ArgumentError } from '../errors.js';
import type { BaseHyper, ParamGroup, ScheduleFields } from './optimizer.js';
import { Optimizer, checkKnownKeys, describe } from './optimizer.js';

/** The part of a scheduler's state that every scheduler has. */
export interface LRSchedulerState {
  /** Number of `step()` calls since construction (0 right after it), PyTorch's `last_epoch`. */
  lastEpoch: number;
  /** Every group's `initialLr`, the learning rate the schedule starts from. */
  baseLrs: number[];
  /** Every group's learning rate after the latest step. */
  lastLr: number[];
}

/** A scheduler's saved state: the common part plus its own settings (`stepSize`, `tMax`…). */
export type LRSchedulerStateDict<S> = LRSchedulerState & S;

/** The values a scheduler's own settings may take. */
export type SettingValue = number | string | boolean;

type MomentumGroup = ParamGroup<BaseHyper> & { momentum?: number; betas?: readonly [number, number] };

/**
 * The base class of learning-rate schedulers. Construction records every group's `initialLr` (if not
 * already set) and takes the first step, which sets the learning rates for epoch 0; each later `step()`
 * moves to the next epoch. Subclasses compute the learning rates of one epoch in `getLr` from their
 * `settings` (they keep no other fields, so the state dict is `settings` plus the common state).
 */
export abstract class LRScheduler<S extends Record<string, SettingValue>> {
  /** The optimizer whose learning rates this scheduler sets. */
  readonly optimizer: Optimizer;
  /** The scheduler's own settings, as saved in its state dict. */
  protected settings: S;
  private readonly op: string;
  private epoch = -1;
  private base: number[];
  private last: number[] = [];

  protected constructor(op: string, optimizer: Optimizer, settings: S) {
    checkOptimizer(op, optimizer);
    this.op = op;
    this.optimizer = optimizer;
    this.checkSettings(op, settings);
    this.settings = settings;
    for (const group of optimizer.paramGroups) group.initialLr ??= group.lr;
    this.base = optimizer.paramGroups.map((group) => group.initialLr!);
    this.step();
  }

  /** Number of `step()` calls since construction (PyTorch's `last_epoch`). */
  get lastEpoch(): number {
    return this.epoch;
  }

  /** Every group's `initialLr` when the scheduler was made. */
  get baseLrs(): readonly number[] {
    return this.base;
  }

  /** Moves to the next epoch and writes its learning rate into every param group. */
  step(): void {
    const lrs = this.getLr(this.epoch + 1);
    this.epoch += 1;
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = lrs[i]!;
    });
    this.last = this.optimizer.paramGroups.map((group) => group.lr);
  }

  /** The learning rate of every group as of the latest step. */
  getLastLr(): number[] {
    return [...this.last];
  }

  /** A snapshot of the scheduler: `{ lastEpoch, baseLrs, lastLr, ...settings }`. */
  stateDict(): LRSchedulerStateDict<S> {
    return { ...this.settings, lastEpoch: this.epoch, baseLrs: [...this.base], lastLr: [...this.last] };
  }

  /**
   * Restores a state saved by `stateDict()` from a scheduler of the same class over an optimizer with as
   * many param groups. It does not touch the optimizer: load its state dict as well.
   */
  loadStateDict(stateDict: LRSchedulerStateDict<S>): void {
    const op = `${this.op}.loadStateDict`;
    if (stateDict === null || typeof stateDict !== 'object') {
      throw new ArgumentError(op, 'stateDict', `expected an object, got ${describe(stateDict)}`);
    }
    const { lastEpoch, baseLrs, lastLr, ...settings } = stateDict;
    const settingKeys = Object.keys(this.settings);
    checkKnownKeys(op, settings, settingKeys, 'stateDict');
    for (const key of settingKeys) {
      const value = (settings as Record<string, unknown>)[key];
      if (typeof value !== typeof this.settings[key]) {
        throw new ArgumentError(op, key, `expected a ${typeof this.settings[key]}, got ${describe(value)}`);
      }
    }
    if (typeof lastEpoch !== 'number' || !Number.isInteger(lastEpoch) || lastEpoch < 0) {
      throw new ArgumentError(op, 'lastEpoch', `expected a non-negative integer, got ${describe(lastEpoch)}`);
    }
    const groups = this.optimizer.paramGroups.length;
    for (const [key, list] of [
      ['baseLrs', baseLrs],
      ['lastLr', lastLr],
    ] as const) {
      if (!Array.isArray(list) || list.length !== groups || !list.every((v) => Number.isFinite(v))) {
        throw new ArgumentError(
          op,
          key,
          `expected ${groups} finite numbers (one per group), got ${describe(list)}`,
        );
      }
    }
    this.checkSettings(op, settings as unknown as S);
    this.settings = { ...(settings as unknown as S) };
    this.epoch = lastEpoch;
    this.base = [...baseLrs];
    this.last = [...lastLr];
  }

  /** Throws an `ArgumentError` if a setting is out of range. */
  protected abstract checkSettings(op: string, settings: Readonly<S>): void;

  /**
   * The learning rate of every group at `epoch` (the optimizer's groups still hold the previous epoch's
   * values). It may also set other hyperparameters of the groups, as `OneCycleLR` does with momentum.
   */
  protected abstract getLr(epoch: number): number[];
}

/** Settings of `StepLR`. */
export type StepLRSettings = {
  /** Epochs between decays. */
  stepSize: number;
  /** The factor the learning rate is multiplied by every `stepSize` epochs. */
  gamma: number;
};

/** Options of `StepLR`. */
export interface StepLROptions {
  /** Factor applied every `stepSize` epochs. Default 0.1. */
  gamma?: number;
}

/**
 * Multiplies every group's learning rate by `gamma` every `stepSize` epochs: `lr = initialLr ·
 * gamma^⌊epoch / stepSize⌋` (computed step by step, so changes made to `lr` from outside carry on).
 *
 * @example
 * const sched = new optim.lrScheduler.StepLR(opt, 30, { gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); sched.step(); }
 */
export class StepLR extends LRScheduler<StepLRSettings> {
  constructor(optimizer: Optimizer, stepSize: number, options: StepLROptions = {}) {
    checkKnownKeys('StepLR', options, ['gamma'], 'options');
    super('StepLR', optimizer, { stepSize, gamma: options.gamma ?? 0.1 });
  }

  protected checkSettings(op: string, { stepSize, gamma }: Readonly<StepLRSettings>): void {
    checkPositiveInteger(op, 'stepSize', stepSize);
    checkNonNegativeNumber(op, 'gamma', gamma);
  }

  protected getLr(epoch: number): number[] {
    const { stepSize, gamma } = this.settings;
    const decay = epoch !== 0 && epoch % stepSize === 0;
    return this.optimizer.paramGroups.map((group) => (decay ? group.lr * gamma : group.lr));
  }
}

/** Settings of `CosineAnnealingLR`. */
export type CosineAnnealingLRSettings = {
  /** Epochs of the half cosine, from the initial learning rate down to `etaMin`. */
  tMax: number;
  /** The lowest learning rate, reached after `tMax` epochs. */
  etaMin: number;
};

/** Options of `CosineAnnealingLR`. */
export interface CosineAnnealingLROptions {
  /** The learning rate at the bottom of the cosine. Default 0. */
  etaMin?: number;
}

/**
 * Anneals every group's learning rate from `initialLr` down to `etaMin` along half a cosine over `tMax`
 * epochs, then back up over the next `tMax`, and so on:
 * `lr = etaMin + (initialLr − etaMin) (1 + cos(π · epoch / tMax)) / 2`. Like PyTorch it computes this
 * recursively from the previous learning rate,
 * `lr_t = etaMin + (lr_{t−1} − etaMin) (1 + cos(π t / tMax)) / (1 + cos(π (t − 1) / tMax))`, with an
 * additive step where that ratio would be 0/0.
 *
 * @example
 * const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 50, { etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler<CosineAnnealingLRSettings> {
  constructor(optimizer: Optimizer, tMax: number, options: CosineAnnealingLROptions = {}) {
    checkKnownKeys('CosineAnnealingLR', options, ['etaMin'], 'options');
    super('CosineAnnealingLR', optimizer, { tMax, etaMin: options.etaMin ?? 0 });
  }

  protected checkSettings(op: string, { tMax, etaMin }: Readonly<CosineAnnealingLRSettings>): void {
    checkPositiveInteger(op, 'tMax', tMax);
    checkNonNegativeNumber(op, 'etaMin', etaMin);
  }

  protected getLr(epoch: number): number[] {
    const { tMax, etaMin } = this.settings;
    const groups = this.optimizer.paramGroups;
    if (epoch === 0) return groups.map((group) => group.lr);
    if ((epoch - 1 - tMax) % (2 * tMax) === 0) {
      return groups.map(
        (group, i) => group.lr + ((this.baseLrs[i]! - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2,
      );
    }
    const ratio = (1 + Math.cos((Math.PI * epoch) / tMax)) / (1 + Math.cos((Math.PI * (epoch - 1)) / tMax));
    return groups.map((group) => ratio * (group.lr - etaMin) + etaMin);
  }
}

/** Settings of `OneCycleLR`. */
export type OneCycleLRSettings = {
  /** Steps of the whole cycle. */
  totalSteps: number;
  /** Fraction of the cycle spent increasing the learning rate. */
  pctStart: number;
  /** How the learning rate moves between its turning points. */
  annealStrategy: 'cos' | 'linear';
  /** Whether momentum (or β₁) moves inversely to the learning rate. */
  cycleMomentum: boolean;
  /** Three phases (up to `maxLr`, back to `initialLr`, down to `minLr`) instead of two. */
  threePhase: boolean;
  /** True when the cycled momentum is `betas[0]` (Adam-style optimizers) rather than `momentum`. */
  useBeta1: boolean;
};

/** Options of `OneCycleLR`. Give `totalSteps`, or `epochs` and `stepsPerEpoch`. */
export interface OneCycleLROptions {
  /** Steps of the whole cycle (or give `epochs` and `stepsPerEpoch`). */
  totalSteps?: number;
  /** Epochs of the cycle, with `stepsPerEpoch`. */
  epochs?: number;
  /** Optimizer steps per epoch, with `epochs`. */
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent increasing the learning rate. Default 0.3. */
  pctStart?: number;
  /** `'cos'` (default) or `'linear'` annealing. */
  annealStrategy?: 'cos' | 'linear';
  /** Cycle momentum (or Adam's β₁) inversely to the learning rate. Default true. */
  cycleMomentum?: boolean;
  /** Lowest momentum, reached at the peak learning rate; one value or one per group. Default 0.85. */
  baseMomentum?: number | readonly number[];
  /** Highest momentum, at the start and end; one value or one per group. Default 0.95. */
  maxMomentum?: number | readonly number[];
  /** `initialLr = maxLr / divFactor`. Default 25. */
  divFactor?: number;
  /** `minLr = initialLr / finalDivFactor`. Default 1e4. */
  finalDivFactor?: number;
  /**
   * Three phases (up to `maxLr`, back down to `initialLr`, then down to `minLr`) instead of two (up, then
   * down to `minLr`). Default false.
   */
  threePhase?: boolean;
}

type Phase = {
  endStep: number;
  startLr: keyof ScheduleFields;
  endLr: keyof ScheduleFields;
  startMomentum: keyof ScheduleFields;
  endMomentum: keyof ScheduleFields;
};

/**
 * The 1cycle policy: the learning rate rises from `maxLr / divFactor` to `maxLr` over the first
 * `pctStart` of `totalSteps`, then falls to `maxLr / divFactor / finalDivFactor`, while momentum (β₁ for
 * Adam-style optimizers) moves the opposite way between `maxMomentum` and `baseMomentum`. Step it after
 * every batch; like PyTorch it allows `totalSteps` steps after construction and throws on the next one.
 * It writes `initialLr`, `maxLr`, `minLr` (and `maxMomentum`, `baseMomentum`) into every param group.
 *
 * @example
 * const sched = new optim.lrScheduler.OneCycleLR(opt, 0.1, { epochs: 10, stepsPerEpoch: batches });
 */
export class OneCycleLR extends LRScheduler<OneCycleLRSettings> {
  /** @param maxLr the peak learning rate, one value or one per param group. */
  constructor(optimizer: Optimizer, maxLr: number | readonly number[], options: OneCycleLROptions = {}) {
    super('OneCycleLR', optimizer, prepareOneCycle(optimizer, maxLr, options));
  }

  protected checkSettings(op: string, settings: Readonly<OneCycleLRSettings>): void {
    checkOneCycleSettings(op, settings);
  }

  protected getLr(epoch: number): number[] {
    const { totalSteps, annealStrategy, cycleMomentum, useBeta1 } = this.settings;
    if (epoch > totalSteps) {
      throw new ArgumentError(
        'OneCycleLR.step',
        'totalSteps',
        `tried to step ${epoch + 1} times; the specified number of total steps is ${totalSteps}`,
      );
    }
    const phases = this.phases();
    const anneal = annealStrategy === 'cos' ? annealCos : annealLinear;
    return this.optimizer.paramGroups.map((group: MomentumGroup, g) => {
      const i = phases.findIndex((phase, k) => epoch <= phase.endStep || k === phases.length - 1);
      const start = i > 0 ? phases[i - 1]!.endStep : 0;
      const phase = phases[i]!;
      if (phase.endStep === start) {
        throw new ArgumentError(
          'OneCycleLR.step',
          'pctStart',
          `phase ${i + 1} of the schedule has no steps (pctStart ${this.settings.pctStart}, totalSteps ${totalSteps})`,
        );
      }
      const pct = (epoch - start) / (phase.endStep - start);
      const value = (key: keyof ScheduleFields): number => {
        const v = group[key];
        if (v === undefined) {
          throw new ArgumentError('OneCycleLR.step', key, `param group ${g} has no ${key}; was it replaced?`);
        }
        return v;
      };
      if (cycleMomentum) {
        const momentum = anneal(value(phase.startMomentum), value(phase.endMomentum), pct);
        if (useBeta1) group.betas = [momentum, group.betas![1]];
        else group.momentum = momentum;
      }
      return anneal(value(phase.startLr), value(phase.endLr), pct);
    });
  }

  private phases(): Phase[] {
    const { totalSteps, pctStart, threePhase } = this.settings;
    const rise = pctStart * totalSteps - 1;
    if (threePhase) {
      return [
        {
          endStep: rise,
          startLr: 'initialLr',
          endLr: 'maxLr',
          startMomentum: 'maxMomentum',
          endMomentum: 'baseMomentum',
        },
        {
          endStep: 2 * pctStart * totalSteps - 2,
          startLr: 'maxLr',
          endLr: 'initialLr',
          startMomentum: 'baseMomentum',
          endMomentum: 'maxMomentum',
        },
        {
          endStep: totalSteps - 1,
          startLr: 'initialLr',
          endLr: 'minLr',
          startMomentum: 'maxMomentum',
          endMomentum: 'maxMomentum',
        },
      ];
    }
    return [
      {
        endStep: rise,
        startLr: 'initialLr',
        endLr: 'maxLr',
        startMomentum: 'maxMomentum',
        endMomentum: 'baseMomentum',
      },
      {
        endStep: totalSteps - 1,
        startLr: 'maxLr',
        endLr: 'minLr',
        startMomentum: 'baseMomentum',
        endMomentum: 'maxMomentum',
      },
    ];
  }
}

/** Cosine annealing from `start` to `end` as `pct` goes from 0 to 1. */
function annealCos(start: number, end: number, pct: number): number {
  return end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1);
}

/** Linear annealing from `start` to `end` as `pct` goes from 0 to 1. */
function annealLinear(start: number, end: number, pct: number): number {
  return (end - start) * pct + start;
}

/**
 * Checks `OneCycleLR`'s arguments and writes the schedule's fields into the optimizer's groups (before the
 * base constructor takes the first step), returning the settings.
 */
function prepareOneCycle(
  optimizer: Optimizer,
  maxLr: number | readonly number[],
  options: OneCycleLROptions,
): OneCycleLRSettings {
  const op = 'OneCycleLR';
  checkOptimizer(op, optimizer);
  checkKnownKeys(
    op,
    options,
    [
      'totalSteps',
      'epochs',
      'stepsPerEpoch',
      'pctStart',
      'annealStrategy',
      'cycleMomentum',
      'baseMomentum',
      'maxMomentum',
      'divFactor',
      'finalDivFactor',
      'threePhase',
    ],
    'options',
  );
  const { totalSteps, epochs, stepsPerEpoch } = options;
  let total: number;
  if (totalSteps !== undefined) {
    checkPositiveInteger(op, 'totalSteps', totalSteps);
    total = totalSteps;
  } else if (epochs !== undefined || stepsPerEpoch !== undefined) {
    checkPositiveInteger(op, 'epochs', epochs);
    checkPositiveInteger(op, 'stepsPerEpoch', stepsPerEpoch);
    total = epochs! * stepsPerEpoch!;
  } else {
    throw new ArgumentError(op, 'totalSteps', 'give either totalSteps or epochs and stepsPerEpoch');
  }
  const divFactor = options.divFactor ?? 25;
  const finalDivFactor = options.finalDivFactor ?? 1e4;
  checkPositiveNumber(op, 'divFactor', divFactor);
  checkPositiveNumber(op, 'finalDivFactor', finalDivFactor);
  const groups: MomentumGroup[] = optimizer.paramGroups;
  const maxLrs = perGroup(op, 'maxLr', maxLr, groups.length);
  const cycleMomentum = options.cycleMomentum ?? true;
  if (typeof cycleMomentum !== 'boolean') {
    throw new ArgumentError(op, 'cycleMomentum', `expected a boolean, got ${describe(cycleMomentum)}`);
  }
  const useBeta1 = cycleMomentum && groups[0]!.betas !== undefined;
  let maxMomenta: number[] = [];
  let baseMomenta: number[] = [];
  if (cycleMomentum) {
    if (!useBeta1 && groups[0]!.momentum === undefined) {
      throw new ArgumentError(op, 'cycleMomentum', 'the optimizer has no momentum or betas to cycle');
    }
    maxMomenta = perGroup(op, 'maxMomentum', options.maxMomentum ?? 0.95, groups.length);
    baseMomenta = perGroup(op, 'baseMomentum', options.baseMomentum ?? 0.85, groups.length);
    if (useBeta1) {
      for (const [key, list] of [
        ['maxMomentum', maxMomenta],
        ['baseMomentum', baseMomenta],
      ] as const) {
        if (list.some((m) => m >= 1))
          throw new ArgumentError(op, key, `betas[0] must be < 1, got ${list.join(', ')}`);
      }
    }
  }
  const settings: OneCycleLRSettings = {
    totalSteps: total,
    pctStart: options.pctStart ?? 0.3,
    annealStrategy: options.annealStrategy ?? 'cos',
    cycleMomentum,
    threePhase: options.threePhase ?? false,
    useBeta1,
  };
  checkOneCycleSettings(op, settings);
  groups.forEach((group, i) => {
    group.initialLr = maxLrs[i]! / divFactor;
    group.maxLr = maxLrs[i]!;
    group.minLr = group.initialLr / finalDivFactor;
    if (!cycleMomentum) return;
    if (useBeta1) group.betas = [maxMomenta[i]!, group.betas![1]];
    else group.momentum = maxMomenta[i]!;
    group.maxMomentum = maxMomenta[i]!;
    group.baseMomentum = baseMomenta[i]!;
  });
  return settings;
}

function checkOneCycleSettings(op: string, settings: Readonly<OneCycleLRSettings>): void {
  const { totalSteps, pctStart, annealStrategy, threePhase } = settings;
  checkPositiveInteger(op, 'totalSteps', totalSteps);
  if (typeof pctStart !== 'number' || !(pctStart >= 0 && pctStart <= 1)) {
    throw new ArgumentError(op, 'pctStart', `expected a number in [0, 1], got ${describe(pctStart)}`);
  }
  if (annealStrategy !== 'cos' && annealStrategy !== 'linear') {
    throw new ArgumentError(
      op,
      'annealStrategy',
      `expected 'cos' or 'linear', got ${describe(annealStrategy)}`,
    );
  }
  if (typeof threePhase !== 'boolean') {
    throw new ArgumentError(op, 'threePhase', `expected a boolean, got ${describe(threePhase)}`);
  }
}

/** One non-negative finite number per group, from a single value or a list. */
function perGroup(op: string, name: string, value: number | readonly number[], groups: number): number[] {
  const list = typeof value === 'number' ? new Array<number>(groups).fill(value) : value;
  if (!Array.isArray(list) || list.length !== groups) {
    throw new ArgumentError(
      op,
      name,
      `expected a number or ${groups} numbers (one per group), got ${describe(value)}`,
    );
  }
  for (const v of list as unknown[]) checkNonNegativeNumber(op, name, v);
  return [...(list as number[])];
}

function checkOptimizer(op: string, optimizer: unknown): void {
  if (!(optimizer instanceof Optimizer)) {
    throw new ArgumentError(op, 'optimizer', `expected an Optimizer, got ${describe(optimizer)}`);
  }
}

function checkPositiveInteger(op: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new ArgumentError(op, name, `expected a positive integer, got ${describe(value)}`);
  }
}

function checkPositiveNumber(op: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ArgumentError(op, name, `expected a positive number, got ${describe(value)}`);
  }
}

function checkNonNegativeNumber(op: string, name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ArgumentError(op, name, `expected a non-negative finite number, got ${describe(value)}`);
  }
}
