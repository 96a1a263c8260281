/**
 * MNIST-style CSV files (the Kaggle layout) from disk.
 */
import { readFileSync } from 'node:fs';
import type { LabelledImages } from '../../data/dataset.js';
import { DataError } from '../../data/errors.js';
import { parseMnistCsv } from '../../data/mnist.js';
import type { ReadOptions } from '../../serialization/limits.js';
import { describeFsError } from './files.js';

/**
 * Reads an MNIST or Fashion-MNIST CSV file (label, then 784 pixels per line; header optional), as
 * {@link parseMnistCsv} (whose `options.limits` it takes): images `(N, 1, 28, 28)` `float32` in [0, 1], labels `(N)` `int32`.
 *
 * @example
 * const { images, labels } = readMnistCsv('mnist_train.csv');
 */
export function readMnistCsv(path: string, options?: ReadOptions): LabelledImages {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DataError('readMnistCsv', path, {}, describeFsError(error));
  }
  return parseMnistCsv(text, path, options);
}
