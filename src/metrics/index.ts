/**
 * `metrics`: how well a classifier does — `accuracy`, `confusionMatrix`, sklearn's per-class
 * `classificationReport`, and plain-text tables of both for a terminal.
 *
 * @example
 * const confusion = metrics.confusionMatrix(logits, labels, 10);
 * console.log(metrics.formatConfusionMatrix(confusion, data.FASHION_MNIST_CLASSES));
 * console.log(metrics.formatClassificationReport(metrics.classificationReport(confusion)));
 */
export { accuracy, confusionMatrix } from './classification.js';
export { classificationReport } from './report.js';
export type { ClassificationReport, ClassScores } from './report.js';
export { formatConfusionMatrix, formatClassificationReport } from './format.js';
export type { FormatClassificationReportOptions } from './format.js';
