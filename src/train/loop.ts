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
  /** Mean loss of the samples done so far. */
  readonly loss: number;
  /** Fraction of the samples done so far that were classified correctly. */
  readonly accuracy: number;
}

/** Options of {@link trainEpoch}. */
export interface TrainEpochOptions {
  /** Stepped after every optimizer step (a per-batch schedule such as `OneCycleLR`). */
  batchScheduler?: {
    /** Advances the schedule by one batch. */
    step(): void;
  };
  /** Called after every batch. */
  onBatch?: (progress: BatchProgress) => void;
}

/** What one pass over the training set measured. */
export interface TrainEpochResult {
  /** Mean cross-entropy loss over every sample, as the model was while it trained on it. */
  readonly loss: number;
  /** Fraction of samples classified correctly, likewise during training. */
  readonly accuracy: number;
  /** Samples seen. */
  readonly samples: number;
  /** The mean loss of every batch, in order. */
  readonly stepLosses: readonly number[];
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
 * One epoch of training a classifier: the model in training mode, and for each batch of `loader` the
 * cross-entropy loss of its logits `(N, C)` against the class indices `(N)`, backward, one optimizer step
 * (gradients cleared before each), then the per-batch scheduler if any.
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
  checkLoop('trainEpoch', model, loader);
  model.train();
  const tally = new Tally(loader.length);
  const stepLosses: number[] = [];
  for (const { input, target } of loader) {
    optimizer.zeroGrad();
    const logits = model.forward(input);
    const loss = crossEntropy(logits, target);
    loss.backward();
    optimizer.step();
    options?.batchScheduler?.step();
    const batchLoss = loss.item();
    stepLosses.push(batchLoss);
    const hits = noGrad(() => correct(logits, target));
    const progress = tally.add(batchLoss * target.shape[0]!, hits, target);
    options?.onBatch?.(progress);
  }
  return { ...tally.result('trainEpoch'), stepLosses };
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

/** Running sums of loss and hits over a pass. */
class Tally {
  private batch = 0;
  private samples = 0;
  private lossSum = 0;
  private hits = 0;

  constructor(private readonly batches: number) {}

  /** Adds a batch: its summed loss, its correct count, and its targets (for the size). */
  add(lossSum: number, hits: number, target: Tensor): BatchProgress {
    this.batch += 1;
    this.samples += target.shape[0]!;
    this.lossSum += lossSum;
    this.hits += hits;
    return {
      batch: this.batch,
      batches: this.batches,
      samples: this.samples,
      loss: this.lossSum / this.samples,
      accuracy: this.hits / this.samples,
    };
  }

  result(op: string): { loss: number; accuracy: number; samples: number } {
    if (this.samples === 0) throw new ArgumentError(op, 'loader', 'gave no samples');
    return { loss: this.lossSum / this.samples, accuracy: this.hits / this.samples, samples: this.samples };
  }
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
