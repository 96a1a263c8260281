/**
 * `convnet predict CHECKPOINT IMAGE…`: the most likely classes of image files of any size or colour,
 * converted the way the model's training images were: to the model's channels (ITU-R 601-2 luma for gray),
 * resized to its input size (bilinear, antialiased), scaled to [0, 1] and normalised with the training
 * statistics stored in the checkpoint.
 */
import type { Command } from 'commander';
import { normalize, resize } from '../data/transforms.js';
import { noGrad } from '../autograd/grad-mode.js';
import { softmax } from '../ops/activation.js';
import { stack } from '../ops/shape.js';
import { readImage } from '../node/data/images.js';
import type { Tensor } from '../tensor.js';
import type { ReadLimitOptions } from '../serialization/limits.js';
import type { CliIo } from './io.js';
import { println } from './io.js';
import { positiveInteger, threadCount } from './options.js';
import { percent } from './progress.js';
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

/** The options of `convnet predict`, as parsed. */
export interface PredictOptions {
  topK?: number;
  json?: boolean;
  backend?: string;
  threads?: number;
  limit?: ReadLimitOptions;
}

/** One class of a prediction. */
interface Guess {
  readonly class: string;
  readonly index: number;
  readonly probability: number;
}

/** Adds `convnet predict` to `program`. */
export function registerPredict(program: Command, io: CliIo): void {
  program
    .command('predict')
    .description('the most likely classes of PNG or JPEG images, with their probabilities')
    .argument('<checkpoint>', 'checkpoint written by convnet train')
    .argument('<images...>', 'PNG or JPEG files, any size, gray or colour')
    .option('--top-k <k>', 'how many classes to show per image (default: 3)', positiveInteger)
    .option('--json', 'print JSON instead of a table')
    .option('--backend <name>', `compute backend (default: ${DEFAULT_BACKEND})`)
    .option('--threads <n>', THREADS_HELP, threadCount)
    .option('--limit <name=value>', LIMIT_HELP, parseLimit)
    .action((checkpoint: string, images: string[], options: PredictOptions) => {
      predictCommand(checkpoint, images, options, io);
    });
}

/** Runs `convnet predict` on `checkpointPath` and `imagePaths` with parsed `options`, writing to `io`. */
export function predictCommand(
  checkpointPath: string,
  imagePaths: readonly string[],
  options: PredictOptions,
  io: CliIo,
): void {
  useBackend(options.backend ?? DEFAULT_BACKEND);
  useThreads(options.threads);
  const { model, classes, inputShape, preprocessing } = readCheckpoint(
    checkpointPath,
    'checkpoint',
    options.limit,
  );
  warnNonFinite(io, checkpointPath, model);
  const [channels, height, width] = inputShape as [number, number, number];
  const fit = resize([height, width]);
  const standardise = normalize(preprocessing.mean, preprocessing.std);
  const images = imagePaths.map((path) => {
    const image = readImage(path, { channels: channels === 1 ? 1 : 3, limits: options.limit });
    return standardise(image.shape[1] === height && image.shape[2] === width ? image : fit(image));
  });
  const probabilities: Tensor = noGrad(() => softmax(model.eval().forward(stack(images)), 1));
  const k = Math.min(options.topK ?? 3, classes.length);
  const results = imagePaths.map((file, i) => {
    const row = Array.from(probabilities.data.subarray(i * classes.length, (i + 1) * classes.length));
    const guesses: Guess[] = row
      .map((probability, index) => ({ class: classes[index]!, index, probability }))
      .sort((a, b) => b.probability - a.probability || a.index - b.index)
      .slice(0, k);
    return { file, predictions: guesses };
  });
  if (options.json === true) {
    println(io.stdout, JSON.stringify(results, null, 2));
    return;
  }
  const nameWidth = Math.max(...classes.map((c) => c.length));
  for (const { file, predictions } of results) {
    println(io.stdout, file);
    for (const guess of predictions) {
      println(io.stdout, `  ${guess.class.padEnd(nameWidth)}  ${percent(guess.probability).padStart(7)}`);
    }
  }
}
