/**
 * The training and evaluation loops of a classifier: one epoch of minibatch steps with cross-entropy loss,
 * and a pass over a test set collecting loss, accuracy and every prediction. Both report each batch to a
 * callback (for a progress bar) and need nothing from Node.
 */
import { noGrad } from '../autograd/grad-mode.js';
import type { Sample } from '../data/dataset.js';
import { ArgumentError } from '../errors.js';
import type { Module } from '../nn/module.js';
import { crossEntropy } from '../ops/loss.js';
import { argmax, sum } from '../ops/reduction.js';
import { cat } from '../ops/shape.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Tensor } from '../tensor.js';
import type { NonFiniteQuantity } from './errors.js';
import { NonFiniteError } from './errors.js';
import { findNonFinite } from './finite.js';

/** Batches of `{ input, target }` and how many there are, as a `DataLoader` gives them. */
export type BatchSource = Iterable<Sample> & {
  /** Batches in one pass, as {@link BatchProgress.batches} reports it. */
  readonly length: number;
};

/** What a loop reports after each batch. */
export interface BatchProgress {
  /** Batches done so far in this pass (1 after the first). */
  readonly batch: number;
  /** Batches in the whole pass. */
  readonly batches: number;
  /** Samples done so far in this pass. */
  readonly samples: number;
  /** Mean loss of the samples done so far (NaN while every batch so far was skipped). */
  readonly loss: number;
  /** Fraction of the samples done so far that were classified correctly. */
  readonly accuracy: number;
  /** Training batches whose update was skipped so far (`onNonFinite: 'skip'`); 0 when evaluating. */
  readonly skipped: number;
}

/** What to do with a batch whose loss or gradient is NaN or infinite. */
export type NonFiniteAction = 'stop' | 'skip';

/** The non-finite actions there are. */
export const NON_FINITE_ACTIONS: readonly NonFiniteAction[] = Object.freeze(['stop', 'skip']);

/**
 * The running totals of a training pass: what a pass stopped part-way needs to continue exactly as if it
 * had not stopped. Plain numbers, so they can be saved as JSON.
 */
export interface EpochTotals {
  /** Batches done (trained on or skipped). */
  readonly batches: number;
  /** Samples of the batches trained on. */
  readonly samples: number;
  /** The summed loss of those samples. */
  readonly lossSum: number;
  /** How many of those samples were classified correctly. */
  readonly hits: number;
  /** Batches whose update was skipped because their loss or gradient was not finite. */
  readonly skipped: number;
  /** The mean loss of every batch trained on, in order. */
  readonly stepLosses: readonly number[];
}

/** What {@link trainBatches} yields after each batch: the progress, and the totals to continue from. */
export interface TrainProgress extends BatchProgress {
  /** The totals so far, for {@link TrainEpochOptions.resume}. */
  readonly totals: EpochTotals;
}

/** Options of {@link trainEpoch} and {@link trainBatches}. */
export interface TrainEpochOptions {
  /** Stepped after every batch, its update skipped or not (a per-batch schedule such as `OneCycleLR`). */
  batchScheduler?: {
    /** Advances the schedule by one batch. */
    step(): void;
  };
  /** Called after every batch. */
  onBatch?: (progress: TrainProgress) => void;
  /**
   * A batch whose loss or gradient is NaN or infinite: `'stop'` (default) throws a {@link NonFiniteError}
   * before the update, so the weights stay as they were; `'skip'` leaves out that batch's update (and its
   * loss and accuracy) and counts it in `skipped`. An update that makes a weight non-finite always throws.
   */
  onNonFinite?: NonFiniteAction;
  /**
   * Continues a pass stopped part-way, from its totals: the loader's first `resume.batches` batches are
   * drawn but not trained on. The loader's generator must be as it was when the stopped pass began, and
   * the model, optimizer and global generator as they were when it stopped.
   */
  resume?: EpochTotals;
}

/** What one pass over the training set measured. */
export interface TrainEpochResult {
  /** Mean cross-entropy loss over every sample, as the model was while it trained on it. */
  readonly loss: number;
  /** Fraction of samples classified correctly, likewise during training. */
  readonly accuracy: number;
  /** Samples trained on. */
  readonly samples: number;
  /** The mean loss of every batch trained on, in order. */
  readonly stepLosses: readonly number[];
  /** Batches whose update was skipped (`onNonFinite: 'skip'`). */
  readonly skipped: number;
}

/**
 * One epoch of training a classifier: the model in training mode, and for each batch of `loader` the
 * cross-entropy loss of its logits `(N, C)` against the class indices `(N)`, backward, one optimizer step
 * (gradients cleared before each), then the per-batch scheduler if any. A NaN or infinite loss or
 * gradient stops it before the update (see {@link TrainEpochOptions.onNonFinite}).
 *
 * @throws {NonFiniteError} naming the batch, when a loss, gradient or updated weight is not finite
 *
 * @example
 * const loader = new data.DataLoader(trainSet, { batchSize: 64, shuffle: true, seed: 0 });
 * const { loss, accuracy } = trainEpoch(model, loader, new optim.SGD(model.parameters(), { lr: 0.05 }));
 */
export function trainEpoch(
  model: Module,
  loader: BatchSource,
  optimizer: Optimizer,
  options?: TrainEpochOptions,
): TrainEpochResult {
  const steps = runBatches('trainEpoch', model, loader, optimizer, options);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/**
 * {@link trainEpoch} one batch at a time: each `next()` trains one batch and yields its progress with the
 * totals so far; the generator returns the epoch's result. Between batches the caller may wait (to let
 * signals in) or stop, and later continue the pass with `resume: progress.totals`.
 *
 * @throws {NonFiniteError} naming the batch, when a loss, gradient or updated weight is not finite
 *
 * @example
 * for (const progress of trainBatches(model, loader, optimizer)) {
 *   if (stopRequested) { save(progress.totals); break; }
 * }
 */
export function trainBatches(
  model: Module,
  loader: BatchSource,
  optimizer: Optimizer,
  options?: TrainEpochOptions,
): Generator<TrainProgress, TrainEpochResult, void> {
  return runBatches('trainBatches', model, loader, optimizer, options);
}

function* runBatches(
  op: string,
  model: Module,
  loader: BatchSource,
  optimizer: Optimizer,
  options: TrainEpochOptions | undefined,
): Generator<TrainProgress, TrainEpochResult, void> {
  checkLoop(op, model, loader);
  const action = options?.onNonFinite ?? 'stop';
  if (!NON_FINITE_ACTIONS.includes(action)) {
    throw new ArgumentError(op, 'onNonFinite', `expected 'stop' or 'skip', got ${JSON.stringify(action)}`);
  }
  const tally = new Tally(loader.length, checkTotals(op, options?.resume, loader.length));
  const parameters = model.namedParameters();
  const gradients = function* (): Generator<[string, Tensor]> {
    for (const [name, p] of parameters) if (p.grad !== null) yield [name, p.grad];
  };
  model.train();
  let batch = 0;
  let lastBad: NonFiniteError | null = null;
  for (const { input, target } of loader) {
    batch += 1;
    if (batch <= tally.batch) continue;
    optimizer.zeroGrad();
    const logits = model.forward(input);
    const loss = crossEntropy(logits, target);
    const batchLoss = loss.item();
    let bad: { quantity: NonFiniteQuantity; name: string | null; value: number } | null = null;
    if (!Number.isFinite(batchLoss)) {
      bad = { quantity: 'loss', name: null, value: batchLoss };
    } else {
      loss.backward();
      const found = findNonFinite(gradients());
      if (found !== null) bad = { quantity: 'gradient', name: found.name, value: found.value };
    }
    if (bad !== null) {
      lastBad = new NonFiniteError(op, batch, loader.length, bad.quantity, bad.name, bad.value);
      if (action === 'stop') throw lastBad;
    }
    if (bad === null) {
      optimizer.step();
      const broken = findNonFinite(parameters);
      if (broken !== null) {
        throw new NonFiniteError(op, batch, loader.length, 'weight', broken.name, broken.value);
      }
    }
    options?.batchScheduler?.step();
    const progress =
      bad === null
        ? tally.addStep(
            batchLoss,
            noGrad(() => correct(logits, target)),
            target,
          )
        : tally.skip();
    options?.onBatch?.(progress);
    yield progress;
  }
  if (tally.samples === 0 && lastBad !== null) {
    const { batch: last, batches, quantity, parameter, value } = lastBad;
    throw new NonFiniteError(op, last, batches, quantity, parameter, value, true);
  }
  const { loss, accuracy, samples } = tally.result(op);
  return { loss, accuracy, samples, stepLosses: tally.stepLosses, skipped: tally.skipped };
}

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** Called after every batch. */
  onBatch?: (progress: BatchProgress) => void;
}

/** What a pass over a test set measured. */
export interface EvaluationResult {
  /** Mean cross-entropy loss over every sample. */
  readonly loss: number;
  /** Fraction of samples classified correctly. */
  readonly accuracy: number;
  /** Samples seen. */
  readonly samples: number;
  /** `(N)` int32: the predicted class (the largest logit) of every sample, in order. */
  readonly predictions: Tensor;
  /** `(N)` int32: the true class of every sample, in order. */
  readonly targets: Tensor;
}

/**
 * Evaluates a classifier on every batch of `loader`, in evaluation mode and without recording gradients:
 * the mean cross-entropy loss, the accuracy, and every prediction with its target (for a confusion
 * matrix). The model's training mode is restored afterwards.
 *
 * @example
 * const { accuracy, predictions, targets } = evaluate(model, new data.DataLoader(testSet, { batchSize: 500 }));
 * metrics.confusionMatrix(predictions, targets, 10);
 */
export function evaluate(model: Module, loader: BatchSource, options?: EvaluateOptions): EvaluationResult {
  checkLoop('evaluate', model, loader);
  const wasTraining = model.training;
  model.eval();
  const tally = new Tally(loader.length);
  const predictions: Tensor[] = [];
  const targets: Tensor[] = [];
  try {
    noGrad(() => {
      for (const { input, target } of loader) {
        const logits = model.forward(input);
        const predicted = argmax(logits, { dim: 1 });
        predictions.push(predicted);
        targets.push(target);
        const loss = crossEntropy(logits, target, { reduction: 'sum' }).item();
        const progress = tally.add(loss, sum(predicted.eq(target)).item(), target);
        options?.onBatch?.(progress);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  return { ...tally.result('evaluate'), predictions: cat(predictions), targets: cat(targets) };
}

/** How many rows of `logits` have their largest entry at the target class. */
function correct(logits: Tensor, target: Tensor): number {
  return sum(argmax(logits, { dim: 1 }).eq(target)).item();
}

/** Running sums of loss and hits over a pass, and (for training) the skipped batches and step losses. */
class Tally {
  batch = 0;
  samples = 0;
  skipped = 0;
  readonly stepLosses: number[] = [];
  private lossSum = 0;
  private hits = 0;

  constructor(
    private readonly batches: number,
    from?: EpochTotals,
  ) {
    if (from !== undefined) {
      this.batch = from.batches;
      this.samples = from.samples;
      this.lossSum = from.lossSum;
      this.hits = from.hits;
      this.skipped = from.skipped;
      this.stepLosses.push(...from.stepLosses);
    }
  }

  /** Adds a batch: its summed loss, its correct count, and its targets (for the size). */
  add(lossSum: number, hits: number, target: Tensor): BatchProgress {
    this.batch += 1;
    this.samples += target.shape[0]!;
    this.lossSum += lossSum;
    this.hits += hits;
    return this.progress();
  }

  /** Adds a training batch of mean loss `stepLoss` whose update was made. */
  addStep(stepLoss: number, hits: number, target: Tensor): TrainProgress {
    this.stepLosses.push(stepLoss);
    this.add(stepLoss * target.shape[0]!, hits, target);
    return { ...this.progress(), totals: this.totals() };
  }

  /** Counts a training batch whose update was skipped. */
  skip(): TrainProgress {
    this.batch += 1;
    this.skipped += 1;
    return { ...this.progress(), totals: this.totals() };
  }

  totals(): EpochTotals {
    return {
      batches: this.batch,
      samples: this.samples,
      lossSum: this.lossSum,
      hits: this.hits,
      skipped: this.skipped,
      stepLosses: [...this.stepLosses],
    };
  }

  result(op: string): { loss: number; accuracy: number; samples: number } {
    if (this.samples === 0) throw new ArgumentError(op, 'loader', 'gave no samples');
    return { loss: this.lossSum / this.samples, accuracy: this.hits / this.samples, samples: this.samples };
  }

  private progress(): BatchProgress {
    const samples = this.samples;
    return {
      batch: this.batch,
      batches: this.batches,
      samples,
      loss: samples === 0 ? NaN : this.lossSum / samples,
      accuracy: samples === 0 ? NaN : this.hits / samples,
      skipped: this.skipped,
    };
  }
}

/** `totals` checked as a pass of `batches` batches can continue from, or `undefined`. */
function checkTotals(op: string, totals: EpochTotals | undefined, batches: number): EpochTotals | undefined {
  if (totals === undefined) return undefined;
  const count = (key: 'batches' | 'samples' | 'hits' | 'skipped'): number => {
    const value = totals[key];
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new ArgumentError(op, `resume.${key}`, `expected an integer >= 0, got ${String(value)}`);
    }
    return value;
  };
  const done = count('batches');
  if (done > batches) {
    throw new ArgumentError(op, 'resume.batches', `${done} batches done, but the loader has only ${batches}`);
  }
  if (count('skipped') > done || count('hits') > count('samples')) {
    throw new ArgumentError(op, 'resume', 'its counts do not add up (skipped > batches or hits > samples)');
  }
  if (!Number.isFinite(totals.lossSum) || totals.lossSum < 0) {
    throw new ArgumentError(
      op,
      'resume.lossSum',
      `expected a finite number >= 0, got ${String(totals.lossSum)}`,
    );
  }
  const losses = totals.stepLosses;
  if (!Array.isArray(losses) || losses.length !== done - totals.skipped || !losses.every(Number.isFinite)) {
    throw new ArgumentError(op, 'resume.stepLosses', `expected ${done - totals.skipped} finite numbers`);
  }
  return totals;
}

function checkLoop(op: string, model: unknown, loader: unknown): void {
  if (model === null || typeof model !== 'object' || typeof (model as Module).forward !== 'function') {
    throw new ArgumentError(op, 'model', 'expected an nn.Module');
  }
  if (
    loader === null ||
    typeof loader !== 'object' ||
    !(Symbol.iterator in loader) ||
    !Number.isInteger((loader as BatchSource).length)
  ) {
    throw new ArgumentError(op, 'loader', 'expected a DataLoader (an iterable of batches with a length)');
  }
}
