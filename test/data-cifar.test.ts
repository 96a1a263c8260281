import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { data } from '../src/index.js';
import { loadCifar10, readCifar10Batch } from '../src/node/data/index.js';

const { CIFAR10_CLASSES, DataError, parseCifar10Batch } = data;

const RECORD = 3073;

/** A CIFAR-10 batch of records with `labels`; pixel byte `p` of record `r` is `(7 * r + p) % 256`. */
function batch(labels: number[]): Uint8Array {
  const bytes = new Uint8Array(labels.length * RECORD);
  labels.forEach((label, r) => {
    bytes[r * RECORD] = label;
    for (let p = 0; p < RECORD - 1; p++) bytes[r * RECORD + 1 + p] = (7 * r + p) % 256;
  });
  return bytes;
}

function assertCifarError(bytes: Uint8Array, offset: number | undefined, pattern: RegExp): void {
  assert.throws(
    () => parseCifar10Batch(bytes, 'data_batch_1.bin'),
    (error: unknown) => {
      assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
      assert.equal(error.file, 'data_batch_1.bin');
      assert.equal(error.offset, offset, error.message);
      assert.match(error.message, /^parseCifar10Batch\(data_batch_1\.bin\): /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

void describe('parseCifar10Batch', () => {
  void it('reads label bytes and red, green, blue 32×32 planes into (N, 3, 32, 32) in [0, 1]', () => {
    const { images, labels } = parseCifar10Batch(batch([6, 9, 0]), 'data_batch_1.bin');
    assert.deepEqual([...images.shape], [3, 3, 32, 32]);
    assert.equal(images.dtype, 'float32');
    assert.deepEqual([...labels.data], [6, 9, 0]);
    for (const [r, c, y, x] of [
      [0, 0, 0, 0],
      [1, 1, 5, 7],
      [2, 2, 31, 31],
      [2, 0, 10, 3],
    ] as const) {
      const expected = (7 * r + c * 1024 + y * 32 + x) % 256;
      const index = ((r * 3 + c) * 32 + y) * 32 + x;
      assert.equal(
        images.data[index],
        Math.fround(expected / 255),
        `record ${r}, channel ${c}, (${y}, ${x})`,
      );
    }
  });

  void it('names CIFAR-10 classes in label order', () => {
    assert.equal(CIFAR10_CLASSES.length, 10);
    assert.equal(CIFAR10_CLASSES[0], 'airplane');
    assert.equal(CIFAR10_CLASSES[9], 'truck');
  });

  void describe('malformed files', () => {
    const two = batch([1, 2]);
    const cases: [string, Uint8Array, number, RegExp][] = [
      ['an empty file', new Uint8Array(0), 0, /empty/],
      [
        'a truncated record',
        two.subarray(0, two.length - 1),
        RECORD,
        /record 1 is cut short: 3072 of its 3073/,
      ],
      ['a lone label byte', new Uint8Array([...two, 3]), 2 * RECORD, /record 2 is cut short: 1 of its 3073/],
      ['a label above 9', batch([1, 2, 10]), 2 * RECORD, /label 10 of record 2/],
      ['a label of 255', batch([255]), 0, /label 255 of record 0/],
    ];
    for (const [name, bytes, offset, pattern] of cases) {
      void it(name, () => {
        assertCifarError(bytes, offset, pattern);
      });
    }
  });
});

void describe('loadCifar10', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'convnet-cifar-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** `cifar-10-batches-bin/` under a new folder, with batches of 1…5 training images and a test batch of 2. */
  function writeBatches(omit?: string): string {
    const dir = mkdtempSync(join(root, 'set-'));
    const bin = join(dir, 'cifar-10-batches-bin');
    mkdirSync(bin);
    const files: Record<string, number[]> = { 'test_batch.bin': [3, 4] };
    for (let i = 1; i <= 5; i++)
      files[`data_batch_${i}.bin`] = Array.from({ length: i }, (_, k) => (i + k) % 10);
    for (const [name, labels] of Object.entries(files)) {
      if (name !== omit) writeFileSync(join(bin, name), batch(labels));
    }
    return dir;
  }

  void it('reads the five training batches and the test batch, from the folder or its parent', () => {
    const dir = writeBatches();
    for (const path of [dir, join(dir, 'cifar-10-batches-bin')]) {
      const { train, test, classes } = loadCifar10(path);
      assert.deepEqual([...train.images.shape], [15, 3, 32, 32]);
      assert.deepEqual([...train.labels.data], [1, 2, 3, 3, 4, 5, 4, 5, 6, 7, 5, 6, 7, 8, 9]);
      assert.deepEqual([...test.images.shape], [2, 3, 32, 32]);
      assert.deepEqual([...test.labels.data], [3, 4]);
      assert.deepEqual(classes, CIFAR10_CLASSES);
    }
  });

  void it('names a missing batch', () => {
    const dir = writeBatches('data_batch_4.bin');
    const expected = join(dir, 'cifar-10-batches-bin', 'data_batch_4.bin');
    assert.throws(
      () => loadCifar10(dir),
      (error: unknown) =>
        error instanceof DataError && error.file === expected && /missing/.test(error.message),
    );
    assert.throws(() => loadCifar10(join(root, 'nowhere')), /not a folder/);
    assert.throws(() => readCifar10Batch(join(root, 'none.bin')), /none\.bin\): no such file/);
  });

  void it('names the file and offset of a bad record', () => {
    const dir = writeBatches();
    const path = join(dir, 'cifar-10-batches-bin', 'data_batch_2.bin');
    writeFileSync(path, batch([1, 12]));
    assert.throws(
      () => loadCifar10(dir),
      (error: unknown) => error instanceof DataError && error.file === path && error.offset === RECORD,
    );
  });
});
