/**
 * Counting a classifier's hits: `accuracy` and `confusionMatrix`, from class indices or from the scores
 * (logits, probabilities) a model outputs.
 */
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import { backend } from '../backend/registry.js';
import { add, eq, mul } from '../ops/elementwise.js';
import { argmax, sum } from '../ops/reduction.js';
import { Tensor, checkTensor } from '../tensor.js';

/**
 * The predicted class of each sample: `input` itself when it holds `(N)` int32 class indices, or the index
 * of the largest score in each row when it holds `(N, C)` floating scores (logits or probabilities; ties go
 * to the first, as `argmax` does). `numClasses`, when known, bounds the indices and must match `C`.
 */
function predictedClasses(input: unknown, op: string, numClasses?: number): Tensor {
  checkTensor(input, op, 'input');
  if (isFloating(input.dtype)) {
    if (input.ndim !== 2) {
      throw new ShapeError(
        op,
        'input',
        `expected (N, C) scores or (N) int32 class indices, got a ${input.dtype} tensor of shape ${formatShape(input.shape)}`,
      );
    }
    if (numClasses !== undefined && input.shape[1] !== numClasses) {
      throw new ShapeError(
        op,
        'input',
        `scores of shape ${formatShape(input.shape)} have ${input.shape[1]} classes, expected numClasses = ${numClasses}`,
      );
    }
    return argmax(input, { dim: 1 });
  }
  if (input.ndim !== 1) {
    throw new ShapeError(
      op,
      'input',
      `expected (N) int32 class indices or (N, C) floating scores, got an int32 tensor of shape ${formatShape(input.shape)}`,
    );
  }
  if (numClasses !== undefined) checkClassIndices(input, numClasses, op, 'input');
  return input;
}

/** Checks that `target` holds `(count)` int32 class indices, each in `[0, numClasses)` when that is given. */
function checkTargets(
  target: unknown,
  count: number,
  op: string,
  numClasses?: number,
): asserts target is Tensor {
  checkTensor(target, op, 'target');
  if (target.dtype !== 'int32')
    throw new DTypeError(op, 'target', `expected int32 class indices, got ${target.dtype}`);
  if (target.ndim !== 1 || target.shape[0] !== count) {
    throw new ShapeError(
      op,
      'target',
      `expected shape [${count}] to match the ${count} predictions, got ${formatShape(target.shape)}`,
    );
  }
  if (numClasses !== undefined) checkClassIndices(target, numClasses, op, 'target');
}

/** Checks that every entry of the int32 tensor `indices` lies in `[0, numClasses)`. */
function checkClassIndices(indices: Tensor, numClasses: number, op: string, argument: string): void {
  for (let i = 0; i < indices.size; i++) {
    const c = indices.data[i]!;
    if (c < 0 || c >= numClasses) {
      throw new ArgumentError(
        op,
        argument,
        `${argument}[${i}] is ${c}, outside the classes [0, ${numClasses})`,
      );
    }
  }
}

/**
 * The fraction of samples whose predicted class equals the target, in `[0, 1]` (sklearn's
 * `accuracy_score`).
 *
 * Shapes: `input` is `(N)` int32 predicted classes or `(N, C)` floating scores (logits or probabilities,
 * whose row-wise `argmax` is the prediction); `target` is `(N)` int32 true classes; `N ≥ 1`.
 *
 * @example
 * const logits = model.forward(images); // (N, 10)
 * metrics.accuracy(logits, labels); // 0.87
 */
export function accuracy(input: Tensor, target: Tensor): number {
  const op = 'accuracy';
  const predicted = predictedClasses(input, op);
  const count = predicted.shape[0]!;
  checkTargets(target, count, op);
  if (count === 0) throw new ArgumentError(op, 'input', 'accuracy of no samples is undefined');
  return sum(eq(predicted, target)).item() / count;
}

/**
 * The confusion matrix: entry `[i, j]` counts the samples of true class `i` predicted as class `j` (rows
 * are true classes and columns predictions, as sklearn's `confusion_matrix(y_true, y_pred,
 * labels=range(numClasses))`). Classes that never occur or are never predicted get rows or columns of
 * zeros.
 *
 * Shapes: `input` is `(N)` int32 predicted classes or `(N, numClasses)` floating scores; `target` is `(N)`
 * int32 true classes, each in `[0, numClasses)`; the result is `(numClasses, numClasses)` int32.
 *
 * @example
 * const confusion = metrics.confusionMatrix(tensor([0, 2, 1], 'int32'), tensor([0, 1, 1], 'int32'), 3);
 * // [[1, 0, 0], [0, 1, 1], [0, 0, 0]]
 */
export function confusionMatrix(input: Tensor, target: Tensor, numClasses: number): Tensor {
  const op = 'confusionMatrix';
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new ArgumentError(op, 'numClasses', `expected a positive integer, got ${String(numClasses)}`);
  }
  const predicted = predictedClasses(input, op, numClasses);
  const count = predicted.shape[0]!;
  checkTargets(target, count, op, numClasses);
  // Sample k adds 1 at the flat position target[k] * numClasses + predicted[k].
  const cell = add(mul(target, numClasses), predicted);
  const counts = backend().scatterAdd(
    backend().full('int32', count, 1),
    [count],
    0,
    cell.data as Int32Array,
    [numClasses * numClasses],
  );
  return new Tensor(counts, [numClasses, numClasses]);
}
