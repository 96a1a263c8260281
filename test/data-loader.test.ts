import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, Generator, ShapeError, arange, data, tensor } from '../src/index.js';
import type { Tensor } from '../src/index.js';

const { DataLoader, TensorDataset, randomHorizontalFlip } = data;

/** Ten samples: input `i` is the 1×2×2 image filled with `i`, target `i` is `i % 3`. */
function tenSamples(): data.TensorDataset {
  const input = arange(10, undefined, { dtype: 'float32' }).reshape([10, 1, 1, 1]).expand([10, 1, 2, 2]);
  const target = tensor(
    Array.from({ length: 10 }, (_, i) => i % 3),
    [10],
    { dtype: 'int32' },
  );
  return new TensorDataset(input, target);
}

/** The sample indices of each batch, read back from the inputs. */
function order(loader: data.DataLoader): number[][] {
  return [...loader].map((batch) => {
    const n = batch.input.shape[0]!;
    return Array.from({ length: n }, (_, i) => batch.input.data[i * 4]!);
  });
}

function replayPermutation(n: number, generator: Generator): number[] {
  const out = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = generator.integer(0, i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

void describe('TensorDataset', () => {
  void it('indexes samples along the first dim', () => {
    const dataset = tenSamples();
    assert.equal(dataset.length, 10);
    const { input, target } = dataset.get(7);
    assert.deepEqual([...input.shape], [1, 2, 2]);
    assert.deepEqual([...input.data], [7, 7, 7, 7]);
    assert.deepEqual([...target.shape], []);
    assert.equal(target.item(), 1);
  });

  void it('gathers a batch of any indices at once', () => {
    const { input, target } = tenSamples().getBatch([9, 0, 9, 4]);
    assert.deepEqual([...input.shape], [4, 1, 2, 2]);
    assert.deepEqual([...input.data], [9, 9, 9, 9, 0, 0, 0, 0, 9, 9, 9, 9, 4, 4, 4, 4]);
    assert.deepEqual([...target.data], [0, 0, 0, 1]);
  });

  void it('rejects mismatched sizes and out-of-range indices', () => {
    assert.throws(() => new TensorDataset(arange(3), arange(4)), ShapeError);
    assert.throws(() => new TensorDataset(arange(3), tensor(1)), ShapeError);
    assert.throws(() => tenSamples().get(10), ArgumentError);
    assert.throws(() => tenSamples().get(-1), ArgumentError);
    assert.throws(() => tenSamples().getBatch([0, 1.5]), ArgumentError);
  });
});

void describe('DataLoader', () => {
  void it('batches in order, the last batch smaller', () => {
    const loader = new DataLoader(tenSamples(), { batchSize: 4 });
    assert.equal(loader.length, 3);
    assert.deepEqual(order(loader), [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
    const last = [...loader][2]!;
    assert.deepEqual([...last.target.shape], [2]);
    assert.deepEqual([...last.target.data], [2, 0]);
  });

  void it('drops the incomplete last batch with dropLast', () => {
    const loader = new DataLoader(tenSamples(), { batchSize: 4, dropLast: true });
    assert.equal(loader.length, 2);
    assert.deepEqual(order(loader), [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    assert.equal(new DataLoader(tenSamples(), { batchSize: 5, dropLast: true }).length, 2);
    assert.equal(new DataLoader(tenSamples(), { batchSize: 11, dropLast: true }).length, 0);
    assert.equal(new DataLoader(tenSamples()).length, 10);
  });

  void it('shuffles each epoch anew, the orders fixed by the seed', () => {
    const loader = new DataLoader(tenSamples(), { batchSize: 3, shuffle: true, seed: 42 });
    const replay = new Generator(42);
    const epochs = [0, 1, 2].map(() => order(loader).flat());
    for (const epoch of epochs) {
      assert.deepEqual(epoch, replayPermutation(10, replay));
      assert.deepEqual(
        [...epoch].sort((a, b) => a - b),
        Array.from({ length: 10 }, (_, i) => i),
      );
    }
    assert.notDeepEqual(epochs[0], epochs[1]);
    const again = new DataLoader(tenSamples(), { batchSize: 3, shuffle: true, seed: 42 });
    assert.deepEqual(
      [0, 1, 2].map(() => order(again).flat()),
      epochs,
    );
    const other = new DataLoader(tenSamples(), { batchSize: 3, shuffle: true, seed: 43 });
    assert.notDeepEqual(order(other).flat(), epochs[0]);
  });

  void it('shuffles from a given generator, whose state can be saved and restored', () => {
    const generator = new Generator(7);
    const loader = new DataLoader(tenSamples(), { batchSize: 10, shuffle: true, generator });
    assert.equal(loader.generator, generator);
    order(loader);
    const saved = generator.getState();
    const second = order(loader);
    generator.setState(saved);
    assert.deepEqual(order(loader), second);
  });

  void it('stacks the samples of a dataset that only has get(i)', () => {
    const samples: data.Dataset = {
      length: 3,
      get: (i) => ({ input: tensor([i, 10 + i]), target: tensor(i * 2, undefined, { dtype: 'int32' }) }),
    };
    const batches = [...new DataLoader(samples, { batchSize: 2 })];
    assert.deepEqual([...batches[0]!.input.shape], [2, 2]);
    assert.deepEqual([...batches[0]!.input.data], [0, 10, 1, 11]);
    assert.deepEqual([...batches[0]!.target.data], [0, 2]);
    assert.deepEqual([...batches[1]!.target.data], [4]);
  });

  void it('applies the transform to each batch input, reproducibly under seeded generators', () => {
    const input = arange(2 * 3 * 8, undefined, { dtype: 'float32' }).reshape([8, 1, 2, 3]);
    const dataset = new TensorDataset(input, arange(8));
    const run = (): Tensor[] => {
      const loader = new DataLoader(dataset, {
        batchSize: 4,
        shuffle: true,
        seed: 1,
        transform: randomHorizontalFlip(0.5, { generator: new Generator(2) }),
      });
      return [...loader, ...loader].map((b) => b.input);
    };
    const [a, b] = [run(), run()];
    assert.deepEqual(
      a.map((t) => [...t.data]),
      b.map((t) => [...t.data]),
    );
    const flipped = new DataLoader(dataset, { batchSize: 8, transform: randomHorizontalFlip(1) });
    const batch = [...flipped][0]!;
    assert.deepEqual([...batch.input.data.subarray(0, 6)], [2, 1, 0, 5, 4, 3]);
    assert.deepEqual([...batch.target.data], [0, 1, 2, 3, 4, 5, 6, 7]);
  });

  void it('hands out an epoch as an iterator, one batch at a time', () => {
    const loader = new DataLoader(tenSamples(), { batchSize: 4 });
    const epoch = loader[Symbol.iterator]();
    assert.equal(epoch.next().value?.input.shape[0], 4);
    assert.equal(epoch.next().value?.input.shape[0], 4);
    assert.equal(epoch.next().value?.input.shape[0], 2);
    assert.equal(epoch.next().done, true);
  });

  void it('rejects bad options', () => {
    const dataset = tenSamples();
    assert.throws(() => new DataLoader(dataset, { batchSize: 0 }), ArgumentError);
    assert.throws(() => new DataLoader(dataset, { batchSize: 2.5 }), ArgumentError);
    assert.throws(() => new DataLoader(dataset, { seed: 1, generator: new Generator(1) }), ArgumentError);
    assert.throws(() => new DataLoader(dataset, { seed: 0.5, shuffle: true }), ArgumentError);
    assert.throws(
      () => new DataLoader(dataset, { transform: 3 as unknown as data.Transform }),
      ArgumentError,
    );
    assert.throws(() => new DataLoader([] as unknown as data.Dataset), ArgumentError);
  });
});
