/**
 * Per-class precision, recall, F1 and support from a confusion matrix, with the accuracy and the macro and
 * weighted averages, as sklearn's `classification_report` defines them.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import { sum } from '../ops/reduction.js';
import type { Tensor } from '../tensor.js';
import { checkTensor } from '../tensor.js';

/** The scores of one class, or an average over classes. */
export interface ClassScores {
  /** Of the samples predicted as the class, the fraction that belong to it: `tp / (tp + fp)`. */
  readonly precision: number;
  /** Of the samples of the class, the fraction predicted as it: `tp / (tp + fn)`. */
  readonly recall: number;
  /** The harmonic mean of precision and recall: `2·tp / (2·tp + fp + fn)`. */
  readonly f1: number;
  /** How many samples belong to the class (for an average: to every class). */
  readonly support: number;
}

/** What {@link classificationReport} returns. */
export interface ClassificationReport {
  /** The scores of class `i` at index `i`. */
  readonly perClass: readonly ClassScores[];
  /** The fraction of all samples predicted correctly (the diagonal's sum over the total). */
  readonly accuracy: number;
  /** The unweighted mean of every class's scores, classes without samples included (as sklearn). */
  readonly macroAvg: ClassScores;
  /** The mean of every class's scores weighted by its support. */
  readonly weightedAvg: ClassScores;
}

/**
 * Precision, recall, F1 and support of every class, the accuracy, and the macro and weighted averages of a
 * confusion matrix whose rows are true classes and columns predictions (as {@link confusionMatrix} makes).
 * A ratio whose denominator is 0 (a class never predicted, or without samples) is 0, as sklearn's
 * `classification_report(..., labels=range(C), zero_division=0, output_dict=True)`.
 *
 * Shapes: `confusion` is `(C, C)` of non-negative integer counts (any dtype), not all zero.
 *
 * @example
 * const report = metrics.classificationReport(metrics.confusionMatrix(logits, labels, 10));
 * report.perClass[3].recall; // recall of class 3
 */
export function classificationReport(confusion: Tensor): ClassificationReport {
  const op = 'classificationReport';
  checkConfusion(confusion, op);
  const classes = confusion.shape[0]!;
  const support = sum(confusion, { dim: 1 }).data;
  const predicted = sum(confusion, { dim: 0 }).data;
  const total = sum(confusion).item();
  if (total === 0) throw new ArgumentError(op, 'confusion', 'the confusion matrix counts no samples');
  let correct = 0;
  const perClass: ClassScores[] = [];
  for (let c = 0; c < classes; c++) {
    const tp = confusion.data[c * classes + c]!;
    correct += tp;
    perClass.push({
      precision: ratio(tp, predicted[c]!),
      recall: ratio(tp, support[c]!),
      f1: ratio(2 * tp, predicted[c]! + support[c]!),
      support: support[c]!,
    });
  }
  const average = (weight: (s: ClassScores) => number, norm: number): ClassScores => ({
    precision: perClass.reduce((acc, s) => acc + weight(s) * s.precision, 0) / norm,
    recall: perClass.reduce((acc, s) => acc + weight(s) * s.recall, 0) / norm,
    f1: perClass.reduce((acc, s) => acc + weight(s) * s.f1, 0) / norm,
    support: total,
  });
  return {
    perClass,
    accuracy: correct / total,
    macroAvg: average(() => 1, classes),
    weightedAvg: average((s) => s.support, total),
  };
}

/** `numerator / denominator`, or 0 when the denominator is 0 (sklearn's `zero_division=0`). */
function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Checks that `confusion` is a square matrix of non-negative integer counts. */
export function checkConfusion(confusion: unknown, op: string): asserts confusion is Tensor {
  checkTensor(confusion, op, 'confusion');
  if (confusion.ndim !== 2 || confusion.shape[0] !== confusion.shape[1] || confusion.shape[0] === 0) {
    throw new ShapeError(
      op,
      'confusion',
      `expected a non-empty square (C, C) matrix, got shape ${formatShape(confusion.shape)}`,
    );
  }
  for (let i = 0; i < confusion.size; i++) {
    const count = confusion.data[i]!;
    if (!Number.isInteger(count) || count < 0) {
      const classes = confusion.shape[0]!;
      throw new ArgumentError(
        op,
        'confusion',
        `entry [${Math.floor(i / classes)}, ${i % classes}] is ${count}, expected a non-negative integer count`,
      );
    }
  }
}
