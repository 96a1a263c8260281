/**
 * The datasets `downloadDataset` knows: where their files are published and the MD5 checksums their
 * publishers give (MD5 is all any of them publishes).
 *
 * Sources of the checksums:
 * - MNIST: torchvision's `MNIST.resources` (`torchvision/datasets/mnist.py`), served by the mirror
 *   torchvision falls back to since the original site stopped serving the files.
 * - Fashion-MNIST: the table in zalandoresearch/fashion-mnist's README, the same values as torchvision's
 *   `FashionMNIST.resources`. Debian's `dataset-fashion-mnist` copies hash differently only because their
 *   gzip headers were normalised (see test/download.test.ts).
 * - CIFAR-10: the binary version's row of the table on the dataset's page at the University of Toronto;
 *   each batch holds 10,000 records of 3,073 bytes.
 */
import { FASHION_MNIST_CLASSES } from '../../data/mnist.js';

/** A dataset file to download: its name under the base URL (and in the target folder) and its MD5. */
export interface DatasetFile {
  /** File name, appended to the base URL and used as the name on disk, e.g. `'train-images-idx3-ubyte.gz'`. */
  readonly name: string;
  /** The published MD5 of the file, 32 lower-case hex digits. */
  readonly md5: string;
  /** For a `.tar.gz` archive: the regular files to take out of it. */
  readonly unpack?: ArchiveContents;
}

/** The files taken out of a `.tar`/`.tar.gz` archive. */
export interface ArchiveContents {
  /**
   * The folder holding the members inside the archive, and the sub-folder of the target folder they are
   * written to, e.g. `'cifar-10-batches-bin'`.
   */
  readonly folder: string;
  /** The members to take out; other entries of the archive are skipped. */
  readonly members: readonly ArchiveMember[];
}

/** One regular file inside an archive. */
export interface ArchiveMember {
  /** Its name inside {@link ArchiveContents.folder}. */
  readonly name: string;
  /** Its size in bytes, when known: checked on unpacking and when deciding whether to skip it. */
  readonly size?: number;
}

/** A dataset as {@link downloadDataset} fetches it. Pass your own to download any files in this layout. */
export interface DatasetSpec {
  /** Short name, e.g. `'fashion-mnist'`. */
  readonly name: string;
  /** URL of the folder holding the files, ending in `/`. */
  readonly baseUrl: string;
  /** The files, downloaded in this order. */
  readonly files: readonly DatasetFile[];
  /** Class names by label, written to `classes.txt` (which `loadIdxDataset` reads) when given. */
  readonly classes?: readonly string[];
}

/** The names {@link downloadDataset} accepts. */
export type DatasetName = 'mnist' | 'fashion-mnist' | 'cifar10';

const CIFAR10_BATCH_BYTES = 10_000 * 3_073;

/**
 * The built-in datasets:
 * - `mnist`: the four gzip IDX files, loadable with `loadIdxDataset(dir)`;
 * - `fashion-mnist`: the same layout plus `classes.txt`, loadable with `loadIdxDataset(dir)`;
 * - `cifar10`: the binary version's archive, unpacked into `dir/cifar-10-batches-bin/`, loadable with
 *   `loadCifar10(dir)`.
 *
 * @example
 * DATASETS['fashion-mnist'].files.map((f) => f.name)
 * // ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', …]
 */
export const DATASETS: Readonly<Record<DatasetName, DatasetSpec>> = Object.freeze({
  mnist: {
    name: 'mnist',
    baseUrl: 'https://ossci-datasets.s3.amazonaws.com/mnist/',
    files: [
      { name: 'train-images-idx3-ubyte.gz', md5: 'f68b3c2dcbeaaa9fbdd348bbdeb94873' },
      { name: 'train-labels-idx1-ubyte.gz', md5: 'd53e105ee54ea40749a09fcbcd1e9432' },
      { name: 't10k-images-idx3-ubyte.gz', md5: '9fb629c4189551a2d022fa330f9573f3' },
      { name: 't10k-labels-idx1-ubyte.gz', md5: 'ec29112dd5afa0611ce80d1b7f02629c' },
    ],
  },
  'fashion-mnist': {
    name: 'fashion-mnist',
    baseUrl: 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/',
    files: [
      { name: 'train-images-idx3-ubyte.gz', md5: '8d4fb7e6c68d591d4c3dfef9ec88bf0d' },
      { name: 'train-labels-idx1-ubyte.gz', md5: '25c81989df183df01b3e8a0aad5dffbe' },
      { name: 't10k-images-idx3-ubyte.gz', md5: 'bef4ecab320f06d8554ea6380940ec79' },
      { name: 't10k-labels-idx1-ubyte.gz', md5: 'bb300cfdad3c16e7a12a480ee83cd310' },
    ],
    classes: FASHION_MNIST_CLASSES,
  },
  cifar10: {
    name: 'cifar10',
    baseUrl: 'https://www.cs.toronto.edu/~kriz/',
    files: [
      {
        name: 'cifar-10-binary.tar.gz',
        md5: 'c32a1d4ab5d03f1284b67883e8d87530',
        unpack: {
          folder: 'cifar-10-batches-bin',
          members: [
            ...[1, 2, 3, 4, 5].map((i) => ({ name: `data_batch_${i}.bin`, size: CIFAR10_BATCH_BYTES })),
            { name: 'test_batch.bin', size: CIFAR10_BATCH_BYTES },
            { name: 'batches.meta.txt' },
          ],
        },
      },
    ],
  },
});
