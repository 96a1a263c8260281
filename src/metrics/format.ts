/**
 * Plain-text tables of a confusion matrix and a classification report, aligned for a terminal.
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { ClassificationReport, ClassScores } from './report.js';
import { checkConfusion } from './report.js';

/** Options of {@link formatClassificationReport}. */
export interface FormatClassificationReportOptions {
  /** Decimals of the scores (default 2, as sklearn), an integer in `[0, 15]`. */
  digits?: number;
}

/**
 * The confusion matrix as a table: one row per true class, labelled with its index and name, and one
 * column per predicted class, headed by its index. Counts are right-aligned; no trailing newline.
 *
 * Shapes: `confusion` is `(C, C)` of non-negative integer counts; `classNames`, when given, has `C` names.
 *
 * @example
 * console.log(metrics.formatConfusionMatrix(confusion, ['cat', 'dog']));
 * // true \ predicted  0  1
 * // 0 cat             5  1
 * // 1 dog             2  7
 */
export function formatConfusionMatrix(confusion: Tensor, classNames?: readonly string[]): string {
  const op = 'formatConfusionMatrix';
  checkConfusion(confusion, op);
  const classes = confusion.shape[0]!;
  checkClassNames(classNames, classes, op);
  const corner = 'true \\ predicted';
  const labels = Array.from({ length: classes }, (_, c) =>
    classNames === undefined ? String(c) : `${c} ${classNames[c]!}`,
  );
  const labelWidth = Math.max(corner.length, ...labels.map((l) => l.length));
  let largest = 0;
  for (let i = 0; i < confusion.size; i++) largest = Math.max(largest, confusion.data[i]!);
  const cellWidth = Math.max(String(largest).length, String(classes - 1).length);
  const row = (label: string, cells: readonly string[]): string =>
    [label.padEnd(labelWidth), ...cells.map((cell) => cell.padStart(cellWidth))].join('  ').trimEnd();
  const lines = [
    row(
      corner,
      labels.map((_, c) => String(c)),
    ),
  ];
  for (let r = 0; r < classes; r++) {
    const counts = Array.from(confusion.data.subarray(r * classes, (r + 1) * classes), String);
    lines.push(row(labels[r]!, counts));
  }
  return lines.join('\n');
}

/**
 * The classification report as sklearn's `classification_report` prints it (same columns, widths and
 * rounding, without the trailing newline): a row of precision, recall, F1 and support per class, then
 * accuracy, macro and weighted averages. Unlike sklearn, the accuracy row keeps its name when some class
 * neither occurs nor is predicted (sklearn then prints a "micro avg" row of the same value), and supports
 * are always integers.
 *
 * Shapes: `classNames`, when given, has one name per class of `report` (default: the class indices).
 *
 * @example
 * console.log(metrics.formatClassificationReport(report, data.FASHION_MNIST_CLASSES));
 * //               precision    recall  f1-score   support
 * //
 * // T-shirt/top       0.81      0.84      0.82      1000
 * // …
 * //     accuracy                           0.88     10000
 * //    macro avg       0.88      0.88      0.88     10000
 * // weighted avg       0.88      0.88      0.88     10000
 */
export function formatClassificationReport(
  report: ClassificationReport,
  classNames?: readonly string[],
  options?: FormatClassificationReportOptions,
): string {
  const op = 'formatClassificationReport';
  if (
    typeof report !== 'object' ||
    report === null ||
    !Array.isArray((report as { perClass?: unknown }).perClass)
  ) {
    throw new ArgumentError(op, 'report', 'expected what classificationReport returns');
  }
  const classes = report.perClass.length;
  checkClassNames(classNames, classes, op);
  const digits = options?.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 15) {
    throw new ArgumentError(op, 'digits', `expected an integer in [0, 15], got ${String(digits)}`);
  }
  const names = classNames ?? Array.from({ length: classes }, (_, c) => String(c));
  const width = Math.max(...names.map((n) => n.length), 'weighted avg'.length, digits);
  const cells = (heading: string, values: readonly string[]): string =>
    `${heading.padStart(width)} ${values.map((v) => ` ${v.padStart(9)}`).join('')}`;
  const scores = (heading: string, s: ClassScores): string =>
    cells(heading, [
      decimal(s.precision, digits),
      decimal(s.recall, digits),
      decimal(s.f1, digits),
      String(s.support),
    ]);
  const total = report.macroAvg.support;
  return [
    cells('', ['precision', 'recall', 'f1-score', 'support']),
    '',
    ...report.perClass.map((s, c) => scores(names[c]!, s)),
    '',
    cells('accuracy', ['', '', decimal(report.accuracy, digits), String(total)]),
    scores('macro avg', report.macroAvg),
    scores('weighted avg', report.weightedAvg),
  ].join('\n');
}

/**
 * `x` with `digits` decimals as Python's `format(x, '.2f')` writes it: correctly rounded, with an exact tie
 * (0.125 to two decimals) going to the even digit, where `toFixed` would round it up. A double that is a
 * tie has a short exact expansion, so its 20 extra exact decimals are `50…0`.
 */
function decimal(x: number, digits: number): string {
  const exact = x.toFixed(digits + 20);
  if (!exact.endsWith(`5${'0'.repeat(19)}`)) return x.toFixed(digits);
  const truncated = exact.slice(0, exact.length - 20).replace(/\.$/, '');
  return Number(truncated.at(-1)) % 2 === 0 ? truncated : x.toFixed(digits);
}

/** Checks that `classNames` is undefined or an array of `classes` strings. */
function checkClassNames(classNames: unknown, classes: number, op: string): void {
  if (classNames === undefined) return;
  if (!Array.isArray(classNames) || classNames.some((n) => typeof n !== 'string')) {
    throw new ArgumentError(op, 'classNames', 'expected an array of strings');
  }
  if (classNames.length !== classes) {
    throw new ArgumentError(
      op,
      'classNames',
      `expected ${classes} names, one per class, got ${classNames.length}`,
    );
  }
}
