/**
 * CIFAR-10's binary version from disk.
 */
import { join } from 'node:path';
import { CIFAR10_CLASSES, parseCifar10Batch } from '../../data/cifar.js';
import type { DatasetSplits, LabelledImages } from '../../data/dataset.js';
import { DataError } from '../../data/errors.js';
import { cat } from '../../ops/shape.js';
import type { ReadOptions } from '../../serialization/limits.js';
import { isDirectory, isFile, readDataFile } from './files.js';

const TRAIN_BATCHES = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
const TEST_BATCH = 'test_batch.bin';

/** Reads one CIFAR-10 binary batch file, as {@link parseCifar10Batch} (whose `options.limits` it takes). */
export function readCifar10Batch(path: string, options?: ReadOptions): LabelledImages {
  return parseCifar10Batch(readDataFile(path, 'readCifar10Batch'), path, options);
}

/**
 * Loads CIFAR-10's binary version from `dir` or its `cifar-10-batches-bin` subfolder (as the archive
 * unpacks): the five training batches `data_batch_1.bin` … `data_batch_5.bin` (50,000 images) and
 * `test_batch.bin` (10,000). Images are `(N, 3, 32, 32)` `float32` in [0, 1].
 *
 * @param options `limits` for each batch file, as {@link parseCifar10Batch} takes them
 * @throws {DataError} naming a missing or malformed batch file
 */
export function loadCifar10(dir: string, options?: ReadOptions): DatasetSplits {
  const nested = join(dir, 'cifar-10-batches-bin');
  const root = !isFile(join(dir, TEST_BATCH)) && isDirectory(nested) ? nested : dir;
  if (!isDirectory(root)) throw new DataError('loadCifar10', dir, {}, 'is not a folder');
  const read = (name: string): LabelledImages => {
    const path = join(root, name);
    if (!isFile(path)) throw new DataError('loadCifar10', path, {}, `missing: no ${name} in ${root}`);
    return readCifar10Batch(path, options);
  };
  const batches = TRAIN_BATCHES.map(read);
  return {
    train: {
      images: cat(batches.map((b) => b.images)),
      labels: cat(batches.map((b) => b.labels)),
    },
    test: read(TEST_BATCH),
    classes: CIFAR10_CLASSES,
  };
}
