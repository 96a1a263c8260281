/**
 * `convnet eval CHECKPOINT`: the accuracy, per-class precision and recall, and confusion matrix of a
 * checkpoint on a dataset's test split, its images normalised as in training.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { TensorDataset } from '../data/dataset.js';
import { DataLoader } from '../data/loader.js';
import { normalize } from '../data/transforms.js';
import { confusionMatrix } from '../metrics/classification.js';
import { formatClassificationReport, formatConfusionMatrix } from '../metrics/format.js';
import { classificationReport } from '../metrics/report.js';
import { groupDigits } from '../nn/format.js';
import { FASHION_MNIST_SUBSET_DIR } from '../node/data/idx.js';
import { evaluate } from '../train/loop.js';
import type { ReadLimitOptions } from '../serialization/limits.js';
import { loadData } from './datasets.js';
import type { CliIo } from './io.js';
import { CliError, println } from './io.js';
import { positiveInteger, threadCount } from './options.js';
import { passProgress, percent } from './progress.js';
import {
  DEFAULT_BACKEND,
  LIMIT_HELP,
  THREADS_HELP,
  parseLimit,
  readCheckpoint,
  useBackend,
  useThreads,
  warnNonFinite,
} from './shared.js';

/** The options of `convnet eval`, as parsed. */
export interface EvalOptions {
  data?: string;
  batchSize?: number;
  limitTest?: number;
  backend?: string;
  threads?: number;
  limit?: ReadLimitOptions;
}

/** Adds `convnet eval` to `program`. */
export function registerEval(program: Command, io: CliIo): void {
  program
    .command('eval')
    .description(
      "a checkpoint's accuracy, per-class precision and recall, and confusion matrix on a test set",
    )
    .argument('<checkpoint>', 'checkpoint written by convnet train')
    .option('--data <path>', 'dataset whose test split to use (default: the shipped subset)')
    .option('--batch-size <n>', 'samples per batch (default: 256)', positiveInteger)
    .option('--limit-test <n>', 'use only the first n test samples', positiveInteger)
    .option('--backend <name>', `compute backend (default: ${DEFAULT_BACKEND})`)
    .option('--threads <n>', THREADS_HELP, threadCount)
    .option('--limit <name=value>', LIMIT_HELP, parseLimit)
    .action((checkpoint: string, options: EvalOptions) => {
      evalCommand(checkpoint, options, io);
    });
}

/** Runs `convnet eval` on `checkpointPath` with parsed `options`, writing to `io`. */
export function evalCommand(checkpointPath: string, options: EvalOptions, io: CliIo): void {
  useBackend(options.backend ?? DEFAULT_BACKEND);
  useThreads(options.threads);
  const { model, classes, inputShape, preprocessing, architecture } = readCheckpoint(
    checkpointPath,
    'checkpoint',
    options.limit,
  );
  warnNonFinite(io, checkpointPath, model);
  const dataPath = resolve(options.data ?? FASHION_MNIST_SUBSET_DIR);
  const data = loadData(dataPath, { train: false, limitTest: options.limitTest, limits: options.limit });
  if (data.inputShape.join('×') !== inputShape.join('×')) {
    throw new CliError(
      '--data',
      `its images are ${data.inputShape.join('×')} but the model takes ${inputShape.join('×')}`,
    );
  }
  let largest = 0;
  for (const label of data.test.labels.data) largest = Math.max(largest, label);
  if (largest >= classes.length) {
    throw new CliError('--data', `it has label ${largest} but the model knows ${classes.length} classes`);
  }
  const images = normalize(preprocessing.mean, preprocessing.std)(data.test.images);
  const loader = new DataLoader(new TensorDataset(images, data.test.labels), {
    batchSize: options.batchSize ?? 256,
  });
  const bar = passProgress(io, 'eval', data.test.labels.size);
  const started = performance.now();
  const result = evaluate(model, loader, {
    onBatch: (p) => {
      bar.update(p);
    },
  });
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  const confusion = confusionMatrix(result.predictions, result.targets, classes.length);
  const correct = Math.round(result.accuracy * result.samples);
  println(
    io.stdout,
    `${checkpointPath}: ${architecture.name ?? 'model'} on ${groupDigits(result.samples)} test images of ${dataPath} (${Math.round(result.samples / seconds)} img/s)`,
  );
  println(
    io.stdout,
    `accuracy ${percent(result.accuracy)} (${groupDigits(correct)}/${groupDigits(result.samples)}), loss ${result.loss.toFixed(4)}`,
  );
  println(io.stdout);
  println(io.stdout, formatClassificationReport(classificationReport(confusion), classes));
  println(io.stdout);
  println(io.stdout, 'confusion matrix (rows: true class, columns: predicted class):');
  println(io.stdout, formatConfusionMatrix(confusion, classes));
}
