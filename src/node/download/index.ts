/**
 * Downloading datasets (MNIST, Fashion-MNIST, CIFAR-10 or your own) with verified checksums, retries and
 * atomic writes; the engine behind `convnet data download`.
 */
export { DATASETS } from './catalog.js';
export type { DatasetName, DatasetSpec, DatasetFile, ArchiveContents, ArchiveMember } from './catalog.js';
export { DownloadError } from './errors.js';
export type { DownloadFailure } from './errors.js';
export { fetchFile } from './fetch-file.js';
export type { FetchEvent, FetchFileOptions, FetchedFile } from './fetch-file.js';
export { downloadDataset } from './download-dataset.js';
export type {
  DownloadProgress,
  DownloadDatasetOptions,
  DownloadedDataset,
  DownloadedFile,
} from './download-dataset.js';
