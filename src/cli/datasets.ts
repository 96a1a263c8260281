/**
 * `--data PATH`: finds out which kind of dataset a path holds and loads it as image tensors.
 *
 * - an IDX folder (MNIST, Fashion-MNIST): the four standard files, `.gz` or raw; class names from
 *   `classes.txt`, else Fashion-MNIST's for Debian's `/usr/share/datasets/fashion-mnist`, else `'0'`…`'9'`;
 * - a CIFAR-10 binary folder: `data_batch_1.bin` … `test_batch.bin`, or the `cifar-10-batches-bin`
 *   folder inside it;
 * - an MNIST CSV pair: a folder holding one `*train*.csv` and one `*test*.csv` (or either file, its partner
 *   found by swapping `train` and `test` in the name); class names from `classes.txt` beside them, else
 *   `'0'`…`'9'`;
 * - an image-folder root with `train/` and `test/`, each holding one folder of PNG/JPEG images per class.
 *   Images keep the channels of the first training image (1 for a gray PNG, else 3) and are resized to its
 *   size.
 */
import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { CIFAR10_CLASSES } from '../data/cifar.js';
import type { LabelledImages } from '../data/dataset.js';
import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from '../data/mnist.js';
import { resize } from '../data/transforms.js';
import { stack } from '../ops/shape.js';
import { tensor } from '../creation.js';
import type { Tensor } from '../tensor.js';
import { loadCifar10, readCifar10Batch } from '../node/data/cifar.js';
import { readMnistCsv } from '../node/data/csv.js';
import { isDirectory, isFile, readClassNames } from '../node/data/files.js';
import { loadIdxDataset } from '../node/data/idx.js';
import { ImageFolder, readImage } from '../node/data/images.js';
import type { ReadLimitOptions, ReadOptions } from '../serialization/limits.js';
import { CliError } from './io.js';

/** Where Debian's `dataset-fashion-mnist` package installs Fashion-MNIST. */
const DEBIAN_FASHION_MNIST = '/usr/share/datasets/fashion-mnist';

/** The dataset layouts `--data` understands. */
export type DataKind = 'idx' | 'cifar10' | 'csv' | 'image-folder';

/** A dataset as the commands use it. */
export interface LoadedData {
  readonly kind: DataKind;
  /** The training split (absent when only the test split was asked for). */
  readonly train: LabelledImages | null;
  readonly test: LabelledImages;
  readonly classes: readonly string[];
  /** One sample's shape `[C, H, W]`. */
  readonly inputShape: readonly number[];
}

/** Options of {@link loadData}. */
export interface LoadDataOptions {
  /** Load the training split too (default true); `eval` needs only the test split. */
  train?: boolean;
  /** Keep only the first this many training samples. */
  limitTrain?: number;
  /** Keep only the first this many test samples. */
  limitTest?: number;
  /** The `--limit` overrides of the readers' limits. */
  limits?: ReadLimitOptions;
}

/**
 * Loads the dataset at `path` (see the module comment for the layouts).
 *
 * @throws {CliError} naming `--data` when the path is missing or holds no known layout; the readers'
 * `DataError`s name the file at fault
 */
export function loadData(path: string, options?: LoadDataOptions): LoadedData {
  const withTrain = options?.train ?? true;
  const loaded = readLayout(path, withTrain, { limits: options?.limits });
  const limit = (split: LabelledImages, n: number | undefined): LabelledImages =>
    n === undefined || n >= split.labels.shape[0]!
      ? split
      : { images: split.images.narrow(0, 0, n), labels: split.labels.narrow(0, 0, n) };
  const train = loaded.train === null ? null : limit(loaded.train, options?.limitTrain);
  const test = limit(loaded.test, options?.limitTest);
  return { ...loaded, train, test, inputShape: test.images.shape.slice(1) };
}

type Layout = Omit<LoadedData, 'inputShape'>;

function readLayout(path: string, withTrain: boolean, read: ReadOptions): Layout {
  if (isFile(path) && path.toLowerCase().endsWith('.csv')) {
    return readCsvPair(csvPair(path), path, withTrain, read);
  }
  if (!isDirectory(path)) {
    throw new CliError('--data', `${JSON.stringify(path)}: no such folder (or CSV file)`);
  }
  if (IDX_STEMS.some((stem) => idxFile(path, stem) !== undefined)) return readIdx(path, read);
  if (isFile(join(path, 'test_batch.bin')) || isDirectory(join(path, 'cifar-10-batches-bin'))) {
    return readCifar(path, withTrain, read);
  }
  const csvFiles = listNames(path).filter((name) => name.toLowerCase().endsWith('.csv'));
  const trainCsv = csvFiles.filter((name) => /train/i.test(name));
  const testCsv = csvFiles.filter((name) => /test/i.test(name));
  if (trainCsv.length === 1 && testCsv.length === 1) {
    return readCsvPair([join(path, trainCsv[0]!), join(path, testCsv[0]!)], path, withTrain, read);
  }
  if (isDirectory(join(path, 'train')) && isDirectory(join(path, 'test'))) {
    return readImageFolders(path, withTrain, read);
  }
  throw new CliError(
    '--data',
    `${JSON.stringify(path)} holds no dataset convnet can read: expected IDX files (train-images-idx3-ubyte[.gz] …), CIFAR-10 batches (data_batch_1.bin … test_batch.bin), one *train*.csv and one *test*.csv, or train/ and test/ folders of images by class`,
  );
}

const IDX_STEMS = ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte'];

/** The IDX file `stem` in `dir` under any of its usual names, if present. */
function idxFile(dir: string, stem: string): string | undefined {
  const dotted = stem.replace(/-idx(\d)/, '.idx$1');
  return [`${stem}.gz`, stem, `${dotted}.gz`, dotted].map((name) => join(dir, name)).find(isFile);
}

function readIdx(dir: string, read: ReadOptions): Layout {
  const named = readClassNames(dir, 'loadData');
  const debian = realpath(dir) === DEBIAN_FASHION_MNIST;
  const classes = named ?? (debian ? FASHION_MNIST_CLASSES : undefined);
  const {
    train,
    test,
    classes: found,
  } = loadIdxDataset(dir, classes === undefined ? read : { ...read, classes });
  return { kind: 'idx', train, test, classes: classes ?? digitNames(found.length) };
}

function readCifar(dir: string, withTrain: boolean, read: ReadOptions): Layout {
  if (withTrain) return { kind: 'cifar10', ...loadCifar10(dir, read) };
  const nested = join(dir, 'cifar-10-batches-bin');
  const root = isFile(join(dir, 'test_batch.bin')) ? dir : nested;
  return {
    kind: 'cifar10',
    train: null,
    test: readCifar10Batch(join(root, 'test_batch.bin'), read),
    classes: CIFAR10_CLASSES,
  };
}

/** The training and test file of a CSV pair named by one of them. */
function csvPair(file: string): [string, string] {
  const name = basename(file);
  const isTrain = /train/i.test(name);
  const partner = isTrain
    ? name.replace(/train/i, (m) => matchCase(m, 'test'))
    : name.replace(/test/i, (m) => matchCase(m, 'train'));
  if (partner === name) {
    throw new CliError('--data', `${JSON.stringify(file)}: a CSV file's name must contain "train" or "test"`);
  }
  const other = join(dirname(file), partner);
  return isTrain ? [file, other] : [other, file];
}

function matchCase(model: string, word: string): string {
  return model === model.toUpperCase() ? word.toUpperCase() : word;
}

function readCsvPair(
  [trainFile, testFile]: [string, string],
  path: string,
  withTrain: boolean,
  read: ReadOptions,
): Layout {
  for (const file of withTrain ? [trainFile, testFile] : [testFile]) {
    if (!isFile(file))
      throw new CliError('--data', `${JSON.stringify(file)}: no such file (the CSV pair of ${path})`);
  }
  const train = withTrain ? readMnistCsv(trainFile, read) : null;
  const test = readMnistCsv(testFile, read);
  const largest = largestLabel(train, test);
  const named = readClassNames(dirname(testFile), 'loadData');
  if (named !== undefined && largest >= named.length) {
    throw new CliError(
      '--data',
      `label ${largest} has no class name: ${join(dirname(testFile), 'classes.txt')} lists ${named.length}`,
    );
  }
  return { kind: 'csv', train, test, classes: named ?? digitNames(largest + 1) };
}

function readImageFolders(root: string, withTrain: boolean, readOptions: ReadOptions): Layout {
  const trainDir = join(root, 'train');
  const testDir = join(root, 'test');
  const probe = new ImageFolder(trainDir);
  const first = readImage(probe.samples[0]!.path, readOptions);
  const [channels, height, width] = first.shape as [number, number, number];
  const fit = resize([height, width]);
  const options = {
    ...readOptions,
    channels: channels === 1 ? (1 as const) : (3 as const),
    transform: (image: Tensor): Tensor =>
      image.shape[1] === height && image.shape[2] === width ? image : fit(image),
  };
  const train = withTrain ? new ImageFolder(trainDir, options) : null;
  const test = new ImageFolder(testDir, options);
  if (JSON.stringify(test.classes) !== JSON.stringify(probe.classes)) {
    throw new CliError(
      '--data',
      `${testDir} has the class folders ${test.classes.join(', ')} but ${trainDir} has ${probe.classes.join(', ')}`,
    );
  }
  const read = (folder: ImageFolder): LabelledImages => ({
    images: stack(Array.from({ length: folder.length }, (_, i) => folder.get(i).input)),
    labels: tensor(
      folder.samples.map((s) => s.label),
      undefined,
      { dtype: 'int32' },
    ),
  });
  return {
    kind: 'image-folder',
    train: train === null ? null : read(train),
    test: read(test),
    classes: probe.classes,
  };
}

/** `'0'` … `'9'`, or up to `count - 1` when there are more than ten classes. */
function digitNames(count: number): readonly string[] {
  return count <= 10 ? MNIST_CLASSES : Array.from({ length: count }, (_, i) => String(i));
}

function largestLabel(...splits: (LabelledImages | null)[]): number {
  let largest = 0;
  for (const split of splits) {
    if (split === null) continue;
    for (const label of split.labels.data) largest = Math.max(largest, label);
  }
  return largest;
}

function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function listNames(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
