/**
 * Training reports: learning curves of a per-epoch history and the confusion matrix, as SVG (Vega-Lite, rendered without a canvas)
 * and PNG (rasterised by resvg in WebAssembly), and both written beside a checkpoint.
 */
export { learningCurvesSvg, learningCurvesPng } from './curves.js';
export type { LearningCurvesPngOptions } from './curves.js';
export type { EpochRecord, LearningCurvesOptions } from './history.js';
export { writeTrainingReport } from './write.js';
export type { TrainingReportFiles } from './write.js';
export { confusionMatrixPng, confusionMatrixSvg, writeConfusionMatrix } from './confusion.js';
export type { ConfusionMatrixFiles, ConfusionMatrixOptions } from './confusion.js';
export { predictionPng, predictionSvg } from './prediction.js';
export type { PredictionChartOptions } from './prediction.js';
