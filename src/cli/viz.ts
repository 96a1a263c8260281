/**
 * `convnet viz CHECKPOINT --input IMAGE --out DIR`: pictures of what a trained network does with one image,
 * as PNG files in DIR: the input as the model sees it, the first convolution's filters, the feature maps of
 * every convolution and pooling layer, and the predicted class probabilities as a bar chart.
 *
 * The image is prepared as `convnet predict` prepares it (the model's channels, resized to its input size,
 * normalised with the training statistics). Each filter and feature map is drawn min–max scaled to its own
 * range, so its pattern shows whatever its scale.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { noGrad } from '../autograd/grad-mode.js';
import { normalize, resize } from '../data/transforms.js';
import { SerializationError } from '../errors.js';
import { readImage } from '../node/data/images.js';
import { describeFsError } from '../node/data/files.js';
import { writeFileAtomic } from '../node/files.js';
import { predictionPng } from '../node/report/prediction.js';
import type { ContactSheetTile } from '../node/vision/contact-sheet.js';
import { renderContactSheet } from '../node/vision/contact-sheet.js';
import { softmax } from '../ops/activation.js';
import { Tensor } from '../tensor.js';
import type { CliIo } from './io.js';
import { CliError, println } from './io.js';
import { threadCount } from './options.js';
import { percent } from './progress.js';
import type { ReadLimitOptions } from '../serialization/limits.js';
import {
  DEFAULT_BACKEND,
  LIMIT_HELP,
  THREADS_HELP,
  parseLimit,
  readCheckpoint,
  useBackend,
  useThreads,
} from './shared.js';

/** The options of `convnet viz`, as parsed. */
export interface VizOptions {
  input?: string;
  out?: string;
  backend?: string;
  threads?: number;
  limit?: ReadLimitOptions;
}

/** Layer types whose output is drawn as feature maps. */
const MAPPED_LAYERS = new Set(['Conv2d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d']);

/** The side of each tile's box in the grids, in pixels. */
const TILE_SIZE = 84;

/** Tiles per row of the grids. */
const COLUMNS = 8;

/** Adds `convnet viz` to `program`. */
export function registerViz(program: Command, io: CliIo): void {
  program
    .command('viz')
    .description(
      'pictures of a trained network on one image: its filters, every convolution and pooling layer’s feature maps, and its prediction, as PNG files',
    )
    .argument('<checkpoint>', 'checkpoint written by convnet train')
    .requiredOption('--input <image>', 'PNG or JPEG image, any size, gray or colour')
    .requiredOption('--out <dir>', 'folder to write the PNG files into (created if missing)')
    .option('--backend <name>', `compute backend (default: ${DEFAULT_BACKEND})`)
    .option('--threads <n>', THREADS_HELP, threadCount)
    .option('--limit <name=value>', LIMIT_HELP, parseLimit)
    .action(async (checkpoint: string, options: VizOptions) => {
      await vizCommand(checkpoint, options, io);
    });
}

/** One picture to write: its file name and bytes. */
interface Picture {
  readonly file: string;
  readonly bytes: Uint8Array;
}

/**
 * Runs `convnet viz` on `checkpointPath` with parsed `options`, writing to `io`. Every picture is drawn
 * before any file is written.
 *
 * @throws {CliError} with a one-line message when the checkpoint, image or folder is unusable
 */
export async function vizCommand(checkpointPath: string, options: VizOptions, io: CliIo): Promise<void> {
  const input = options.input;
  const out = options.out;
  if (input === undefined) throw new CliError('--input', 'an image is required');
  if (out === undefined) throw new CliError('--out', 'a folder is required');
  useBackend(options.backend ?? DEFAULT_BACKEND);
  useThreads(options.threads);
  const { model, classes, inputShape, preprocessing, architecture } = readCheckpoint(
    checkpointPath,
    'checkpoint',
    options.limit,
  );
  const [channels, height, width] = inputShape as [number, number, number];
  const image = readImage(input, { channels: channels === 1 ? 1 : 3, limits: options.limit });
  const fitted =
    image.shape[1] === height && image.shape[2] === width ? image : resize([height, width])(image);
  const layers = architecture.layers.map((layer) => layer.type);

  const pictures: Picture[] = [];
  pictures.push({
    file: 'input.png',
    bytes: await renderContactSheet([{ label: `${width}×${height}`, image: fitted }], {
      tileSize: 168,
      title: 'input, as the model sees it',
    }),
  });
  const firstConv = layers.indexOf('Conv2d');
  if (firstConv >= 0) {
    const weight = model.at(firstConv).getParameter('weight');
    pictures.push({
      file: `filters-${firstConv}-conv2d.png`,
      bytes: await renderContactSheet(filterTiles(weight), {
        tileSize: TILE_SIZE,
        columns: COLUMNS,
        title: `layer ${firstConv} (Conv2d): ${weight.shape[0]} filters ${weight.shape[2]}×${weight.shape[3]}`,
      }),
    });
  }

  const activations: { index: number; type: string; output: Tensor }[] = [];
  let logits = normalize(preprocessing.mean, preprocessing.std)(fitted).reshape([1, channels, height, width]);
  noGrad(() => {
    model.eval();
    layers.forEach((type, index) => {
      logits = model.at(index).forward(logits);
      if (MAPPED_LAYERS.has(type)) activations.push({ index, type, output: logits });
    });
  });
  for (const { index, type, output } of activations) {
    const [, c, h, w] = output.shape as [number, number, number, number];
    pictures.push({
      file: `features-${index}-${type.toLowerCase()}.png`,
      bytes: await renderContactSheet(mapTiles(output), {
        tileSize: TILE_SIZE,
        columns: COLUMNS,
        title: `layer ${index} (${type}): ${c} feature maps ${w}×${h}`,
      }),
    });
  }
  const probabilities = Array.from(noGrad(() => softmax(logits, 1)).data);
  pictures.push({
    file: 'prediction.png',
    bytes: await predictionPng(probabilities, classes, { title: `Prediction for ${basename(input)}` }),
  });

  writePictures(out, pictures);
  const ranked = probabilities
    .map((probability, index) => ({ name: classes[index]!, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, 3);
  const nameWidth = Math.max(...ranked.map((r) => r.name.length));
  println(io.stdout, input);
  for (const { name, probability } of ranked) {
    println(io.stdout, `  ${name.padEnd(nameWidth)}  ${percent(probability).padStart(7)}`);
  }
  println(io.stdout, `wrote ${pictures.map((p) => join(out, p.file)).join(', ')}`);
}

/** One tile per filter of a `(O, I, kH, kW)` weight: RGB for 3 input channels, else their mean in gray. */
function filterTiles(weight: Tensor): ContactSheetTile[] {
  const [o, i, kh, kw] = weight.shape as [number, number, number, number];
  const data = weight.data as Float32Array;
  return Array.from({ length: o }, (_, f) => {
    const values = data.subarray(f * i * kh * kw, (f + 1) * i * kh * kw);
    const image =
      i === 3
        ? new Tensor(scaled(values), [3, kh, kw])
        : new Tensor(scaled(channelMean(values, i, kh * kw)), [1, kh, kw]);
    return { label: `${f}`, image };
  });
}

/** One gray tile per channel of a `(1, C, H, W)` activation. */
function mapTiles(output: Tensor): ContactSheetTile[] {
  const [, c, h, w] = output.shape as [number, number, number, number];
  const data = output.data as Float32Array;
  return Array.from({ length: c }, (_, k) => ({
    label: `${k}`,
    image: new Tensor(scaled(data.subarray(k * h * w, (k + 1) * h * w)), [1, h, w]),
  }));
}

/** The mean over `channels` planes of `plane` values each. */
function channelMean(values: Float32Array, channels: number, plane: number): Float32Array {
  const mean = new Float32Array(plane);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane; p++) mean[p]! += values[c * plane + p]! / channels;
  }
  return mean;
}

/** `values` min–max scaled to [0, 1] (all zeros when they are all equal). */
function scaled(values: Float32Array): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi - lo;
  return values.map((v) => (span > 0 ? (v - lo) / span : 0));
}

/** Writes every picture into `dir` (created if missing), each file atomically. */
function writePictures(dir: string, pictures: readonly Picture[]): void {
  try {
    mkdirSync(dir, { recursive: true });
    for (const { file, bytes } of pictures) writeFileAtomic(join(dir, file), bytes, 'viz');
  } catch (error) {
    if (error instanceof SerializationError) {
      throw new CliError('--out', `cannot write into ${dir}: ${describeFsError(error.cause)}`);
    }
    if (error instanceof Error && 'code' in error) {
      throw new CliError('--out', `cannot write into ${dir}: ${describeFsError(error)}`);
    }
    throw error;
  }
}
