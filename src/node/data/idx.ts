/**
 * IDX files and folders (MNIST, Fashion-MNIST, or any data in their layout) from disk.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from '../../data/errors.js';
import { isGzip } from '../../data/gzip.js';
import { parseIdx } from '../../data/idx.js';
import { parseIdxImages, parseIdxLabels } from '../../data/mnist.js';
import type { DatasetSplits, LabelledImages } from '../../data/dataset.js';
import type { ReadOptions } from '../../serialization/limits.js';
import type { Tensor } from '../../tensor.js';
import { isDirectory, isFile, readClassNames, readDataFile } from './files.js';

/**
 * The folder of the Fashion-MNIST subset that ships with convnet-ts (`data/fashion-mnist-subset`: the first
 * 10,000 training and 2,000 test images, with `classes.txt`), the default dataset of `convnet train`.
 *
 * @example
 * const { train, test, classes } = loadIdxDataset(FASHION_MNIST_SUBSET_DIR);
 */
export const FASHION_MNIST_SUBSET_DIR: string = fileURLToPath(
  new URL('../../../data/fashion-mnist-subset/', import.meta.url),
);

/**
 * Reads an IDX file of any rank (gzip or raw), as {@link parseIdx} (whose `options.limits` it takes).
 *
 * @example
 * readIdxFile('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz').shape  // [10000]
 */
export function readIdxFile(path: string, options?: ReadOptions): Tensor {
  return parseIdx(readDataFile(path, 'readIdxFile'), path, options);
}

/** Options of {@link loadIdxDataset}. */
export interface LoadIdxDatasetOptions extends ReadOptions {
  /**
   * Class names by label. By default the lines of `classes.txt` in the folder if there is one, else the
   * labels themselves (`'0'`, `'1'`, …); pass `data.FASHION_MNIST_CLASSES` for a Fashion-MNIST folder
   * without one.
   */
  classes?: readonly string[];
}

/** The four files of an IDX dataset folder, as MNIST and Fashion-MNIST name them. */
const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/**
 * Loads a folder holding MNIST-style IDX files: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 * `t10k-images-idx3-ubyte` and `t10k-labels-idx1-ubyte`, each gzip-compressed (`.gz`) or raw (the
 * variant `train-images.idx3-ubyte` with a dot is found too). Images come out as `(N, 1, H, W)` `float32`
 * in [0, 1], labels as `(N)` `int32`.
 *
 * @throws {DataError} naming the file that is missing, malformed, or whose count or size does not match
 * its partner
 *
 * @example
 * const { train, test, classes } = loadIdxDataset('/usr/share/datasets/fashion-mnist', {
 *   classes: data.FASHION_MNIST_CLASSES,
 * });
 * train.images.shape  // [60000, 1, 28, 28]
 */
export function loadIdxDataset(dir: string, options?: LoadIdxDatasetOptions): DatasetSplits {
  const op = 'loadIdxDataset';
  if (!isDirectory(dir)) throw new DataError(op, dir, {}, 'is not a folder');
  const train = loadSplit(dir, FILES.trainImages, FILES.trainLabels, options);
  const test = loadSplit(dir, FILES.testImages, FILES.testLabels, options);
  const [trainH, trainW] = train.images.shape.slice(2);
  const [testH, testW] = test.images.shape.slice(2);
  if (trainH !== testH || trainW !== testW) {
    throw new DataError(
      op,
      test.imagesPath,
      { offset: 8 },
      `test images are ${testH}×${testW} but training images are ${trainH}×${trainW}`,
    );
  }
  const classes = options?.classes ?? readClassNames(dir, 'loadIdxDataset') ?? labelNames(train, test);
  for (const split of [train, test]) {
    const at = split.labels.data.findIndex((label) => label >= classes.length);
    if (at >= 0) {
      throw new DataError(
        op,
        split.labelsPath,
        { offset: 8 + at },
        `label ${split.labels.data[at]} of sample ${at} has no class name (${classes.length} classes)`,
      );
    }
  }
  return {
    train: { images: train.images, labels: train.labels },
    test: { images: test.images, labels: test.labels },
    classes: Object.freeze([...classes]),
  };
}

interface LoadedSplit extends LabelledImages {
  readonly imagesPath: string;
  readonly labelsPath: string;
}

function loadSplit(
  dir: string,
  imagesStem: string,
  labelsStem: string,
  options: ReadOptions | undefined,
): LoadedSplit {
  const imagesPath = findIdxFile(dir, imagesStem);
  const labelsPath = findIdxFile(dir, labelsStem);
  const images = parseIdxImages(readDataFile(imagesPath, 'loadIdxDataset'), imagesPath, options);
  const labelBytes = readDataFile(labelsPath, 'loadIdxDataset');
  const labels = parseIdxLabels(labelBytes, labelsPath, options);
  if (labels.shape[0] !== images.shape[0]) {
    throw new DataError(
      'loadIdxDataset',
      labelsPath,
      { offset: 4, decompressed: isGzip(labelBytes) },
      `${labels.shape[0]} labels for ${images.shape[0]} images in ${imagesPath}`,
    );
  }
  return { images, labels, imagesPath, labelsPath };
}

/** The path of `stem` in `dir`, trying `stem.gz`, `stem`, and the dotted variant of each. */
function findIdxFile(dir: string, stem: string): string {
  const dotted = stem.replace(/-idx(\d)/, '.idx$1');
  const candidates = [`${stem}.gz`, stem, `${dotted}.gz`, dotted].map((name) => join(dir, name));
  const found = candidates.find(isFile);
  if (found === undefined) {
    throw new DataError(
      'loadIdxDataset',
      join(dir, stem),
      {},
      `missing: no ${stem}.gz or ${stem} (nor ${dotted}[.gz]) in ${dir}`,
    );
  }
  return found;
}

/** `'0'`, `'1'`, … up to the largest label in either split. */
function labelNames(...splits: LabelledImages[]): string[] {
  let largest = -1;
  for (const split of splits) for (const label of split.labels.data) largest = Math.max(largest, label);
  return Array.from({ length: largest + 1 }, (_, i) => String(i));
}
