/**
 * `DataLoader`, as `torch.utils.data.DataLoader`: batches of samples, optionally in a fresh random order
 * each epoch drawn from a seeded generator, with an optional transform applied to each batch's input.
 */
import { ArgumentError } from '../errors.js';
import { stack } from '../ops/shape.js';
import { randperm } from '../creation.js';
import { defaultGenerator, Generator } from '../random.js';
import type { BatchedDataset, Dataset, Sample } from './dataset.js';
import type { Transform } from './transforms.js';

/** Options of {@link DataLoader}. */
export interface DataLoaderOptions {
  /** Samples per batch (default 1). */
  batchSize?: number;
  /** Visit the samples in a new random order each epoch (default false). */
  shuffle?: boolean;
  /** Leave out the last batch when it would be smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Shuffle with a private generator seeded with this, so every run sees the same orders. */
  seed?: number;
  /** Shuffle with this generator (its state can be saved for resuming); the global one by default. */
  generator?: Generator;
  /**
   * Applied to each batch's stacked input `(N, …)`, e.g. `compose([randomCrop(28, { padding: 2 }),
   * normalize([0.286], [0.353])])`. Random transforms draw independently for every image of the batch.
   */
  transform?: Transform;
}

/**
 * Iterates over a dataset in batches of `{ input, target }`, inputs and targets stacked along a new first
 * dim. Each `for … of` (or call of `[Symbol.iterator]()`) is one epoch; with `shuffle` each epoch draws a
 * new order from the generator, so a seed fixes every epoch's order. `length` is the number of batches.
 *
 * @example
 * const loader = new DataLoader(new TensorDataset(images, labels), { batchSize: 64, shuffle: true, seed: 0 });
 * for (let epoch = 0; epoch < 2; epoch++) {
 *   for (const { input, target } of loader) {
 *     // input (64, 1, 28, 28), target (64)
 *   }
 * }
 */
export class DataLoader implements Iterable<Sample> {
  /** The dataset the batches are drawn from. */
  readonly dataset: Dataset;
  /** Samples per batch (the last batch may have fewer, unless `dropLast`). */
  readonly batchSize: number;
  /** Whether each epoch visits the samples in a new random order. */
  readonly shuffle: boolean;
  /** Whether the last batch is left out when it would be smaller than `batchSize`. */
  readonly dropLast: boolean;
  /** The generator the shuffled orders come from. */
  readonly generator: Generator;
  /** Applied to each batch's stacked input, if given. */
  readonly transform: Transform | undefined;

  constructor(dataset: Dataset, options?: DataLoaderOptions) {
    const op = 'DataLoader';
    if (
      dataset === null ||
      typeof dataset !== 'object' ||
      !Number.isInteger(dataset.length) ||
      dataset.length < 0 ||
      typeof dataset.get !== 'function'
    ) {
      throw new ArgumentError(
        op,
        'dataset',
        'expected a dataset with an integer length and a get(index) method',
      );
    }
    const batchSize = options?.batchSize ?? 1;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new ArgumentError(op, 'batchSize', `expected a positive integer, got ${batchSize}`);
    }
    if (options?.seed !== undefined && options.generator !== undefined) {
      throw new ArgumentError(op, 'seed', 'give either a seed or a generator, not both');
    }
    if (options?.transform !== undefined && typeof options.transform !== 'function') {
      throw new ArgumentError(op, 'transform', `expected a function, got ${typeof options.transform}`);
    }
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = options?.shuffle ?? false;
    this.dropLast = options?.dropLast ?? false;
    this.generator =
      options?.generator ?? (options?.seed === undefined ? defaultGenerator : new Generator(options.seed));
    this.transform = options?.transform;
  }

  /** Number of batches in an epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /**
   * One epoch of batches. The order is drawn when this is called, so calling it starts the next epoch
   * even before the first batch is taken.
   */
  [Symbol.iterator](): IterableIterator<Sample, void> {
    const order = this.shuffle
      ? Array.from(randperm(this.dataset.length, { generator: this.generator }).data)
      : range(this.dataset.length);
    return this.batches(order);
  }

  private *batches(order: readonly number[]): IterableIterator<Sample, void> {
    for (let b = 0; b < this.length; b++) {
      const indices = order.slice(b * this.batchSize, (b + 1) * this.batchSize);
      const batch = isBatched(this.dataset) ? this.dataset.getBatch(indices) : collate(this.dataset, indices);
      yield this.transform === undefined
        ? batch
        : { input: this.transform(batch.input), target: batch.target };
    }
  }
}

function isBatched(dataset: Dataset): dataset is BatchedDataset {
  return typeof (dataset as Partial<BatchedDataset>).getBatch === 'function';
}

/** The samples at `indices`, inputs and targets each stacked along a new first dim. */
function collate(dataset: Dataset, indices: readonly number[]): Sample {
  const samples = indices.map((i) => dataset.get(i));
  return { input: stack(samples.map((s) => s.input)), target: stack(samples.map((s) => s.target)) };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
