/**
 * `--data` reads every layout it promises, on small files the test writes: a raw IDX folder without
 * `classes.txt` (classes '0'…'9'), an MNIST CSV pair (as a folder or by one of its files), a CIFAR-10 binary
 * folder, and train/ and test/ folders of PNG images by class (channels and size from the first image).
 * Each is trained for one epoch and evaluated through the command line.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { data, loadSafetensors, randint, tensor } from '../src/index.js';
import { loadData } from '../src/cli/datasets.js';
import { convnet } from './helpers/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'convnet-cli-data-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

const TINY = join(folder, 'tiny.json');
writeFileSync(
  TINY,
  JSON.stringify({
    layers: [
      { type: 'AdaptiveAvgPool2d', outputSize: 4 },
      { type: 'Flatten' },
      { type: 'Linear', outFeatures: 10 },
    ],
  }),
);

/** Trains one epoch on `path` and evaluates the checkpoint; returns the checkpoint's class names. */
async function trainAndEval(path: string, name: string, model = TINY): Promise<string[]> {
  const out = join(folder, 'runs', name, 'model.safetensors');
  const trained = await convnet('train', '--data', path, '--model', model, '--epochs', '1', '--out', out);
  assert.equal(trained.code, 0, trained.stderr);
  const evaluated = await convnet('eval', out, '--data', path);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.match(evaluated.stdout, /accuracy \d+\.\d\d%/);
  return JSON.parse(loadSafetensors(readFileSync(out)).metadata.classes!) as string[];
}

/** `n` gray images 28×28 with labels cycling through `classes` labels. */
function grayDigits(n: number, classes = 10): { images: Uint8Array; labels: number[] } {
  const images = Uint8Array.from(randint(0, 256, [n * 784], { seed: n }).data);
  return { images, labels: Array.from({ length: n }, (_, i) => i % classes) };
}

void describe('--data layouts', () => {
  void it('an IDX folder of raw files without classes.txt, classes named 0…9', async () => {
    const dir = join(folder, 'idx');
    mkdirSync(dir);
    for (const [prefix, n] of [
      ['train', 40],
      ['t10k', 20],
    ] as const) {
      const { images, labels } = grayDigits(n, 7);
      const pixels = tensor(Array.from(images), [n, 28, 28], { dtype: 'int32' });
      writeFileSync(join(dir, `${prefix}-images-idx3-ubyte`), data.encodeIdx(pixels, { type: 'ubyte' }));
      const targets = tensor(labels, [n], { dtype: 'int32' });
      writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte`), data.encodeIdx(targets, { type: 'ubyte' }));
    }
    assert.deepEqual(await trainAndEval(dir, 'idx'), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  });

  void it('an MNIST CSV pair, as a folder or by one of its files, with classes.txt', async () => {
    const dir = join(folder, 'csv');
    mkdirSync(dir);
    for (const [name, n] of [
      ['mnist_train.csv', 30],
      ['mnist_test.csv', 10],
    ] as const) {
      const { images, labels } = grayDigits(n, 3);
      const rows = labels.map((label, i) => [label, ...images.subarray(i * 784, (i + 1) * 784)].join(','));
      writeFileSync(
        join(dir, name),
        `label,${Array.from({ length: 784 }, (_, i) => `pixel${i}`).join(',')}\n${rows.join('\n')}\n`,
      );
    }
    assert.deepEqual(await trainAndEval(dir, 'csv'), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    writeFileSync(join(dir, 'classes.txt'), 'zero\none\ntwo\n');
    const byFile = loadData(join(dir, 'mnist_test.csv'));
    assert.equal(byFile.kind, 'csv');
    assert.deepEqual(byFile.classes, ['zero', 'one', 'two']);
    assert.deepEqual([byFile.train!.labels.size, byFile.test.labels.size], [30, 10]);
  });

  void it('a CIFAR-10 binary folder (cifar-10-batches-bin inside)', async () => {
    const dir = join(folder, 'cifar', 'cifar-10-batches-bin');
    mkdirSync(dir, { recursive: true });
    const batch = (n: number, seed: number): Uint8Array => {
      const bytes = Uint8Array.from(randint(0, 256, [n * 3073], { seed }).data);
      for (let i = 0; i < n; i++) bytes[i * 3073] = i % 10;
      return bytes;
    };
    for (let b = 1; b <= 5; b++) writeFileSync(join(dir, `data_batch_${b}.bin`), batch(4, b));
    writeFileSync(join(dir, 'test_batch.bin'), batch(6, 9));
    const classes = await trainAndEval(join(folder, 'cifar'), 'cifar');
    assert.equal(classes[0], 'airplane');
    const testOnly = loadData(join(folder, 'cifar'), { train: false });
    assert.equal(testOnly.train, null);
    assert.deepEqual(testOnly.inputShape, [3, 32, 32]);
  });

  void it('train/ and test/ folders of images by class, resized to the first image and kept gray', async () => {
    const root = join(folder, 'images');
    for (const [split, count] of [
      ['train', 3],
      ['test', 2],
    ] as const) {
      for (const name of ['cat', 'dog']) {
        mkdirSync(join(root, split, name), { recursive: true });
        for (let i = 0; i < count; i++) {
          const size = i === 0 ? 12 : 16;
          const pixels = Uint8Array.from(randint(0, 256, [size * size], { seed: i + count }).data);
          writeFileSync(
            join(root, split, name, `${i}.png`),
            encode({ width: size, height: size, data: pixels, channels: 1, depth: 8 }),
          );
        }
      }
    }
    const loaded = loadData(root);
    assert.equal(loaded.kind, 'image-folder');
    assert.deepEqual(loaded.inputShape, [1, 12, 12]);
    assert.deepEqual(Array.from(loaded.train!.labels.data), [0, 0, 0, 1, 1, 1]);
    const architecture = join(folder, 'two-classes.json');
    writeFileSync(
      architecture,
      JSON.stringify({ layers: [{ type: 'Flatten' }, { type: 'Linear', outFeatures: 2 }] }),
    );
    assert.deepEqual(await trainAndEval(root, 'images', architecture), ['cat', 'dog']);
    const limited = loadData(root, { limitTrain: 2, limitTest: 1 });
    assert.deepEqual([limited.train!.labels.size, limited.test.labels.size], [2, 1]);
  });

  const debian = '/usr/share/datasets/fashion-mnist';
  void it(
    "Debian's Fashion-MNIST folder, named with Fashion-MNIST's classes",
    { skip: !existsSync(debian) },
    () => {
      const loaded = loadData(debian, { limitTest: 5 });
      assert.deepEqual(loaded.classes, [...data.FASHION_MNIST_CLASSES]);
      assert.deepEqual([loaded.train!.labels.size, loaded.test.labels.size], [60000, 5]);
    },
  );
});
