/**
 * CIFAR-10 in its binary version (`cifar-10-batches-bin/data_batch_1.bin` … `data_batch_5.bin`,
 * `test_batch.bin`): records of one label byte (0…9) followed by 3,072 pixel bytes, the red, green and
 * blue 32×32 planes in turn.
 */
import type { LabelledImages } from './dataset.js';
import type { ReadOptions } from '../serialization/limits.js';
import { exceeds, resolveLimits } from '../serialization/limits.js';
import { DataError } from './errors.js';
import { bytesToTensor, toUnitInterval } from './pixels.js';

/** CIFAR-10's class names, in label order (as its `batches.meta.txt` lists them). */
export const CIFAR10_CLASSES: readonly string[] = Object.freeze([
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
]);

const SIDE = 32;
const CHANNELS = 3;
const RECORD = 1 + CHANNELS * SIDE * SIDE;

/**
 * Reads one CIFAR-10 binary batch.
 *
 * @param bytes the file's contents
 * @param name the file's name, for error messages
 * @param options `limits.maxElements` (pixels the file may hold) can be raised
 * @returns images `(N, 3, 32, 32)` `float32` in [0, 1] and labels `(N)` `int32` in 0…9
 * @throws {DataError} naming the byte offset of a label above 9 or of a record cut short
 *
 * @example
 * const { images, labels } = parseCifar10Batch(readFileSync(path), 'data_batch_1.bin');
 * images.shape  // [10000, 3, 32, 32]
 */
export function parseCifar10Batch(bytes: Uint8Array, name: string, options?: ReadOptions): LabelledImages {
  const op = 'parseCifar10Batch';
  const limits = resolveLimits(options?.limits, op);
  if (!(bytes instanceof Uint8Array)) {
    throw new DataError(op, name, {}, `expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  }
  if (bytes.length === 0) throw new DataError(op, name, { offset: 0 }, 'file is empty');
  const n = Math.floor(bytes.length / RECORD);
  if (bytes.length !== n * RECORD) {
    throw new DataError(
      op,
      name,
      { offset: n * RECORD },
      `record ${n} is cut short: ${bytes.length - n * RECORD} of its ${RECORD} bytes are present (file length ${bytes.length} is not a multiple of ${RECORD})`,
    );
  }
  if (n * (RECORD - 1) > limits.maxElements) {
    throw new DataError(
      op,
      name,
      {},
      exceeds(`the file holds ${n} images, ${n * (RECORD - 1)} pixel values`, 'maxElements', limits),
    );
  }
  for (let i = 0; i < n; i++) {
    const label = bytes[i * RECORD]!;
    if (label > 9) {
      throw new DataError(
        op,
        name,
        { offset: i * RECORD },
        `label ${label} of record ${i} is not a CIFAR-10 class (0…9)`,
      );
    }
  }
  const records = bytesToTensor(bytes, [n, RECORD]);
  const labels = records.slice(1, { end: 1 }).reshape([n]);
  const pixels = records.slice(1, { start: 1 }).reshape([n, CHANNELS, SIDE, SIDE]);
  return { images: toUnitInterval(pixels), labels };
}
