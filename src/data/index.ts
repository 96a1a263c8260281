/**
 * `data`: dataset readers (IDX, MNIST CSV, CIFAR-10 binary batches, PNG/JPEG images), `Dataset`,
 * `DataLoader` and image transforms. Everything here takes bytes or text, so it runs in browsers too;
 * reading files and folders is in `convnet-ts/node`.
 */
export { DataError } from './errors.js';
export type { DataLocation } from './errors.js';
export { isGzip, maybeGunzip, gzip } from './gzip.js';
export { parseIdx, readIdx, encodeIdx } from './idx.js';
export type { IdxType, IdxContents, EncodeIdxOptions } from './idx.js';
export {
  MNIST_CLASSES,
  FASHION_MNIST_CLASSES,
  parseIdxImages,
  parseIdxLabels,
  parseMnistCsv,
} from './mnist.js';
export { CIFAR10_CLASSES, parseCifar10Batch } from './cifar.js';
export { decodeImage, imageFormat } from './image.js';
export type { DecodeImageOptions } from './image.js';
export { TensorDataset } from './dataset.js';
export type { Sample, Dataset, BatchedDataset, LabelledImages, DatasetSplits } from './dataset.js';
export { DataLoader } from './loader.js';
export type { DataLoaderOptions } from './loader.js';
export { compose, normalize, randomCrop, randomHorizontalFlip, toGrayscale, resize } from './transforms.js';
export type {
  Transform,
  RandomTransformOptions,
  RandomCropOptions,
  ToGrayscaleOptions,
  ResizeOptions,
} from './transforms.js';
