/**
 * Image files from disk: one at a time for prediction, or a folder of images per class as a dataset.
 */
import type { Dirent } from 'node:fs';
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { tensor } from '../../creation.js';
import type { Dataset, Sample } from '../../data/dataset.js';
import { checkIndex } from '../../data/dataset.js';
import { DataError } from '../../data/errors.js';
import type { DecodeImageOptions } from '../../data/image.js';
import { decodeImage } from '../../data/image.js';
import type { Transform } from '../../data/transforms.js';
import type { Tensor } from '../../tensor.js';
import { describeFsError, isDirectory, readDataFile } from './files.js';

/** File extensions {@link ImageFolder} reads (compared case-insensitively). */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze(['.png', '.jpg', '.jpeg']);

/**
 * Reads a PNG or JPEG file as `(C, H, W)` `float32` in [0, 1], as {@link decodeImage}.
 *
 * @example
 * const image = readImage('sneaker.png', { channels: 1 });   // (1, H, W)
 */
export function readImage(path: string, options?: DecodeImageOptions): Tensor {
  return decodeImage(readDataFile(path, 'readImage'), path, options);
}

/** Options of {@link ImageFolder}. */
export interface ImageFolderOptions extends DecodeImageOptions {
  /** Applied to each image after decoding, e.g. `resize([32, 32])` when the images differ in size. */
  transform?: Transform;
}

/** One image file of an {@link ImageFolder} and its label. */
export interface ImageFolderEntry {
  /** The image file's path. */
  readonly path: string;
  /** Its class's label: the index of its folder among the sorted class folders. */
  readonly label: number;
}

/**
 * A dataset of images stored one folder per class, as `torchvision.datasets.ImageFolder`:
 * `root/<class>/**\/*.png|jpg|jpeg`. Classes are the sub-folder names sorted, labelled `0, 1, …` in that
 * order; files are sorted by path. Images are read when asked for: `get(i)` gives `{ input: (C, H, W),
 * target: 0-d int32 label }`. Like torchvision (which converts to RGB), images have 3 channels unless
 * `channels: 1` is given.
 *
 * @throws {DataError} if `root` is not a folder, has no class folders, or a class folder holds no images
 *
 * @example
 * const folder = new ImageFolder('photos', { channels: 1, transform: resize([28, 28]) });
 * folder.classes   // ['bag', 'sneaker', …]
 * const loader = new data.DataLoader(folder, { batchSize: 32, shuffle: true, seed: 0 });
 */
export class ImageFolder implements Dataset {
  /** The folder holding one sub-folder per class. */
  readonly root: string;
  /** The class names (the sub-folders' names), sorted; a sample's label indexes them. */
  readonly classes: readonly string[];
  /** Every image file with its label, sorted by path within each class. */
  readonly samples: readonly ImageFolderEntry[];
  private readonly channels: 1 | 3;
  private readonly transform: Transform | undefined;
  private readonly limits: ImageFolderOptions['limits'];

  constructor(root: string, options?: ImageFolderOptions) {
    const op = 'ImageFolder';
    if (!isDirectory(root)) throw new DataError(op, root, {}, 'is not a folder');
    this.root = root;
    this.channels = options?.channels ?? 3;
    this.transform = options?.transform;
    this.limits = options?.limits;
    const classes = listFolder(root, op)
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    if (classes.length === 0) throw new DataError(op, root, {}, 'has no class folders');
    const samples: ImageFolderEntry[] = [];
    classes.forEach((name, label) => {
      const files = imageFiles(join(root, name), op).sort();
      if (files.length === 0) {
        throw new DataError(
          op,
          join(root, name),
          {},
          `class folder holds no images (${IMAGE_EXTENSIONS.join(', ')})`,
        );
      }
      for (const path of files) samples.push({ path, label });
    });
    this.classes = Object.freeze(classes);
    this.samples = Object.freeze(samples);
  }

  get length(): number {
    return this.samples.length;
  }

  get(index: number): Sample {
    checkIndex(index, this.length, 'ImageFolder.get', 'index');
    const { path, label } = this.samples[index]!;
    const image = readImage(path, { channels: this.channels, limits: this.limits });
    return {
      input: this.transform === undefined ? image : this.transform(image),
      target: tensor(label, undefined, { dtype: 'int32' }),
    };
  }
}

function listFolder(dir: string, op: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new DataError(op, dir, {}, describeFsError(error));
  }
}

/** Paths of the image files under `dir`, at any depth. */
function imageFiles(dir: string, op: string): string[] {
  return listFolder(dir, op).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return imageFiles(path, op);
    return entry.isFile() && IMAGE_EXTENSIONS.includes(extname(entry.name).toLowerCase()) ? [path] : [];
  });
}
