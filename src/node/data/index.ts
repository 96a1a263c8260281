/**
 * Node-only dataset readers: files and folders read from disk, then parsed by the core readers in
 * `convnet-ts`'s `data`.
 */
export { readDataFile } from './files.js';
export { FASHION_MNIST_SUBSET_DIR, readIdxFile, loadIdxDataset } from './idx.js';
export type { LoadIdxDatasetOptions } from './idx.js';
export { readMnistCsv } from './csv.js';
export { readCifar10Batch, loadCifar10 } from './cifar.js';
export { IMAGE_EXTENSIONS, readImage, ImageFolder } from './images.js';
export type { ImageFolderOptions, ImageFolderEntry } from './images.js';
