/**
 * Datasets, as `torch.utils.data`: anything with a `length` and `get(i)`. `TensorDataset` holds inputs and
 * targets as two tensors whose first dim indexes the samples, and also hands out whole batches at once
 * (one gather per tensor) so a `DataLoader` need not stack samples one by one.
 */
import { backend } from '../backend/registry.js';
import { ArgumentError, ShapeError } from '../errors.js';
import { gather } from '../ops/shape.js';
import { formatShape, sizeOf } from '../shape.js';
import { Tensor, checkTensor } from '../tensor.js';

/** One training example (or, from a `DataLoader`, a batch of them stacked along a new first dim). */
export interface Sample {
  /** The model's input, e.g. an image `(C, H, W)`, or a batch `(N, C, H, W)`. */
  readonly input: Tensor;
  /** What the model should predict, e.g. a class index (a 0-d `int32` tensor), or a batch of them `(N)`. */
  readonly target: Tensor;
}

/** A collection of samples, indexed `0 … length - 1`. */
export interface Dataset<T = Sample> {
  /** Number of samples. */
  readonly length: number;
  /** The sample at `index`. */
  get(index: number): T;
}

/** A dataset that can also return many samples at once, already stacked. */
export interface BatchedDataset extends Dataset {
  /** The samples at `indices`, stacked along a new first dim. */
  getBatch(indices: readonly number[]): Sample;
}

/** Images with their class labels, as the dataset readers return them. */
export interface LabelledImages {
  /** `(N, C, H, W)` `float32` in [0, 1]. */
  readonly images: Tensor;
  /** `(N)` `int32` class indices. */
  readonly labels: Tensor;
}

/** A dataset's training and test splits and the names of its classes (index = label). */
export interface DatasetSplits {
  /** The training split. */
  readonly train: LabelledImages;
  /** The test split. */
  readonly test: LabelledImages;
  /** Class names, `classes[label]`. */
  readonly classes: readonly string[];
}

/**
 * A dataset over two tensors whose first dim indexes the samples: sample `i` is
 * `{ input: input[i], target: target[i] }`, as `torch.utils.data.TensorDataset(input, target)`.
 *
 * @example
 * const { images, labels } = data.parseCifar10Batch(bytes, 'data_batch_1.bin');
 * const dataset = new data.TensorDataset(images, labels);
 * dataset.get(0).input.shape  // [3, 32, 32]
 */
export class TensorDataset implements BatchedDataset {
  /** Every sample's input, stacked along dim 0. */
  readonly input: Tensor;
  /** Every sample's target, stacked along dim 0 (the same size along it as `input`). */
  readonly target: Tensor;

  constructor(input: Tensor, target: Tensor) {
    checkTensor(input, 'TensorDataset', 'input');
    checkTensor(target, 'TensorDataset', 'target');
    if (input.ndim === 0 || target.ndim === 0 || input.shape[0] !== target.shape[0]) {
      throw new ShapeError(
        'TensorDataset',
        'target',
        `input and target need the same size along dim 0, got shapes ${formatShape(input.shape)} and ${formatShape(target.shape)}`,
      );
    }
    this.input = input;
    this.target = target;
  }

  get length(): number {
    return this.input.shape[0]!;
  }

  get(index: number): Sample {
    checkIndex(index, this.length, 'TensorDataset.get', 'index');
    return {
      input: this.input.narrow(0, index, 1).squeeze({ dim: 0 }),
      target: this.target.narrow(0, index, 1).squeeze({ dim: 0 }),
    };
  }

  getBatch(indices: readonly number[]): Sample {
    indices.forEach((i, k) => {
      checkIndex(i, this.length, 'TensorDataset.getBatch', `indices[${k}]`);
    });
    return { input: selectRows(this.input, indices), target: selectRows(this.target, indices) };
  }
}

/** Throws unless `index` is an integer in `[0, length)`. */
export function checkIndex(index: number, length: number, op: string, argument: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= length) {
    throw new ArgumentError(
      op,
      argument,
      `index ${index} is out of range for a dataset of ${length} samples`,
    );
  }
}

/** Rows `indices` of `t` along dim 0, as `t[indices]` in PyTorch: one gather over the flattened rows. */
function selectRows(t: Tensor, indices: readonly number[]): Tensor {
  const rest = t.shape.slice(1);
  const width = sizeOf(rest);
  const rows = backend().alloc('int32', indices.length);
  rows.set(indices);
  const index = new Tensor(rows, [indices.length, 1]).expand([indices.length, width]);
  return gather(t.reshape([t.shape[0]!, width]), 0, index).reshape([indices.length, ...rest]);
}
