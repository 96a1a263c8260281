import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Gunzip } from 'fflate';
import { SerializationError, data, tensor } from '../src/index.js';
import { FASHION_MNIST_SUBSET_DIR, loadIdxDataset, readIdxFile } from '../src/node/data/index.js';

const { DataError, encodeIdx, gzip, parseIdx, parseIdxImages, parseIdxLabels } = data;

/** An IDX file written byte by byte: magic, type code, rank, big-endian dims, then `body`. */
function idx(type: number, dims: number[], body: number[] | Uint8Array): Uint8Array {
  const header = [0, 0, type, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return new Uint8Array([...header, ...body]);
}

/** Asserts `call` throws a DataError for `file` whose message mentions `offset` and matches `pattern`. */
function assertDataError(
  call: () => unknown,
  file: string,
  offset: number | undefined,
  pattern: RegExp,
): void {
  assert.throws(call, (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
    assert.equal(error.file, file);
    assert.equal(error.offset, offset, error.message);
    assert.match(error.message, pattern);
    assert.ok(error.message.includes(file), 'the message names the file');
    if (offset !== undefined) assert.ok(error.message.includes(`at byte ${offset}`), error.message);
    return true;
  });
}

void describe('parseIdx', () => {
  void it('reads unsigned bytes of any rank as int32', () => {
    const t = parseIdx(idx(0x08, [2, 1, 3], [0, 1, 2, 253, 254, 255]), 'x');
    assert.equal(t.dtype, 'int32');
    assert.deepEqual([...t.shape], [2, 1, 3]);
    assert.deepEqual([...t.data], [0, 1, 2, 253, 254, 255]);
  });

  void it('reads signed bytes, big-endian shorts and ints', () => {
    assert.deepEqual([...parseIdx(idx(0x09, [3], [0xff, 0x80, 0x7f]), 'x').data], [-1, -128, 127]);
    assert.deepEqual([...parseIdx(idx(0x0b, [2], [0x01, 0x02, 0xff, 0xfe]), 'x').data], [258, -2]);
    assert.deepEqual([...parseIdx(idx(0x0c, [1], [0xff, 0xff, 0xff, 0xfd]), 'x').data], [-3]);
  });

  void it('reads floats as float32 and doubles as float64', () => {
    const f = parseIdx(idx(0x0d, [2], [0x3f, 0xc0, 0, 0, 0xc0, 0x20, 0, 0]), 'x');
    assert.equal(f.dtype, 'float32');
    assert.deepEqual([...f.data], [1.5, -2.5]);
    const d = parseIdx(idx(0x0e, [1, 1], [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18]), 'x');
    assert.equal(d.dtype, 'float64');
    assert.equal(d.data[0], 3.141592653589793);
  });

  void it('reads a rank-0 file and an empty one', () => {
    assert.deepEqual([...parseIdx(idx(0x08, [], [7]), 'x').shape], []);
    assert.deepEqual([...parseIdx(idx(0x08, [0, 28, 28], []), 'x').shape], [0, 28, 28]);
  });

  void it('round-trips every type through encodeIdx, raw and gzip-compressed', () => {
    const cases = [
      { type: 'ubyte', values: [0, 17, 255] },
      { type: 'sbyte', values: [-128, 0, 127] },
      { type: 'short', values: [-32768, 1, 32767] },
      { type: 'int', values: [-(2 ** 31), 5, 2 ** 31 - 1] },
      { type: 'float', values: [-1.5, 0, 1e-3] },
      { type: 'double', values: [Math.PI, -0, 1e300] },
    ] as const;
    for (const { type, values } of cases) {
      const dtype = type === 'double' ? 'float64' : type === 'float' ? 'float32' : 'int32';
      const t = tensor([...values], [3, 1], { dtype });
      for (const bytes of [encodeIdx(t, { type }), gzip(encodeIdx(t, { type }))]) {
        const back = parseIdx(bytes, type);
        assert.deepEqual([...back.shape], [3, 1]);
        assert.deepEqual([...back.data], [...t.data], type);
      }
    }
  });

  void it('refuses to encode values that do not fit the type', () => {
    assert.throws(
      () => encodeIdx(tensor([1, 256], undefined, { dtype: 'int32' }), { type: 'ubyte' }),
      SerializationError,
    );
    assert.throws(() => encodeIdx(tensor([0.5]), { type: 'short' }), SerializationError);
    assert.throws(() => encodeIdx(tensor([1]), { type: 'half' as 'float' }), SerializationError);
  });

  void describe('malformed files', () => {
    const good = idx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]);
    const cases: [string, Uint8Array, number, RegExp][] = [
      ['empty', new Uint8Array(0), 0, /magic number/],
      ['cut inside the magic number', good.subarray(0, 3), 3, /magic number/],
      ['bad first magic byte', idx(0x08, [1], [1]).map((b, i) => (i === 0 ? 1 : b)), 0, /two zero bytes/],
      ['bad second magic byte', idx(0x08, [1], [1]).map((b, i) => (i === 1 ? 8 : b)), 1, /two zero bytes/],
      ['unknown type code', idx(0x0a, [1], [1]), 2, /unknown IDX type code 0x0a/],
      ['cut inside the dims', good.subarray(0, 9), 9, /header/],
      ['truncated values', good.subarray(0, good.length - 1), good.length - 1, /truncated/],
      ['trailing bytes', new Uint8Array([...good, 0, 0]), good.length, /2 unexpected bytes/],
      [
        'a rank that reads values as dims',
        idx(0x08, [2, 3], [1, 2, 3, 4, 5, 6]).map((b, i) => (i === 3 ? 3 : b)),
        18,
        /truncated/,
      ],
      ['huge dims', idx(0x08, [0xffffffff, 0xffffffff], [1]), 13, /truncated/],
    ];
    for (const [name, bytes, offset, pattern] of cases) {
      void it(name, () => {
        assertDataError(() => parseIdx(bytes, 'bad.idx'), 'bad.idx', offset, pattern);
      });
    }

    void it('gives offsets in the decompressed stream of a gzip file', () => {
      const bytes = gzip(idx(0x08, [4], [1, 2, 3]));
      assertDataError(
        () => parseIdx(bytes, 'short.gz'),
        'short.gz',
        11,
        /\(decompressed\): file is truncated/,
      );
    });

    void it('rejects a truncated gzip file', () => {
      const bytes = gzip(
        idx(
          0x08,
          [64],
          Array.from({ length: 64 }, (_, i) => (i * 37) % 256),
        ),
      );
      const cut = bytes.subarray(0, bytes.length - 12);
      assertDataError(() => parseIdx(cut, 'cut.gz'), 'cut.gz', cut.length, /truncated/);
    });

    void it('rejects a gzip file whose data does not match its CRC-32', () => {
      const bytes = gzip(idx(0x08, [3], [1, 2, 3]));
      const bad = bytes.slice();
      bad[bad.length - 8] = bad[bad.length - 8]! ^ 0xff;
      assertDataError(() => parseIdx(bad, 'crc.gz'), 'crc.gz', bytes.length - 8, /CRC-32 mismatch/);
    });

    void it('rejects a gzip file whose trailer length is wrong', () => {
      const bad = gzip(idx(0x08, [3], [1, 2, 3])).slice();
      bad[bad.length - 4] = bad[bad.length - 4]! ^ 1;
      assertDataError(() => parseIdx(bad, 'len.gz'), 'len.gz', bad.length - 4, /trailer records/);
    });

    void it('rejects an unknown gzip compression method and reserved flags', () => {
      const bytes = gzip(idx(0x08, [1], [1]));
      assertDataError(
        () =>
          parseIdx(
            bytes.map((b, i) => (i === 2 ? 7 : b)),
            'm.gz',
          ),
        'm.gz',
        2,
        /method 7/,
      );
      assertDataError(
        () =>
          parseIdx(
            bytes.map((b, i) => (i === 3 ? 0x20 : b)),
            'f.gz',
          ),
        'f.gz',
        3,
        /reserved/,
      );
    });

    void it('rejects corrupt compressed data', () => {
      const bytes = gzip(idx(0x08, [1], [1])).slice();
      bytes[10] = 0xff;
      assertDataError(() => parseIdx(bytes, 'c.gz'), 'c.gz', 10, /corrupt/);
    });
  });
});

void describe('parseIdxImages and parseIdxLabels', () => {
  void it('scale unsigned-byte images to [0, 1] as (N, 1, H, W) float32', () => {
    const images = parseIdxImages(idx(0x08, [2, 1, 2], [0, 51, 255, 102]), 'i');
    assert.equal(images.dtype, 'float32');
    assert.deepEqual([...images.shape], [2, 1, 1, 2]);
    assert.deepEqual([...images.data], [0, 0.2, 1, 0.4].map(Math.fround));
    assert.deepEqual([...parseIdxLabels(idx(0x08, [3], [9, 0, 4]), 'l').data], [9, 0, 4]);
  });

  void it('name the offset of a wrong rank or type', () => {
    assertDataError(() => parseIdxImages(idx(0x08, [4], [1, 2, 3, 4]), 'i'), 'i', 3, /expected 3 dims/);
    assertDataError(() => parseIdxImages(idx(0x0c, [1, 1, 1], [0, 0, 0, 1]), 'i'), 'i', 2, /unsigned-byte/);
    assertDataError(() => parseIdxLabels(idx(0x08, [1, 2], [1, 2]), 'l'), 'l', 3, /expected 1 dim/);
    assertDataError(() => parseIdxLabels(idx(0x09, [1], [1]), 'l'), 'l', 2, /unsigned-byte/);
  });
});

void describe('loadIdxDataset', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'convnet-idx-'));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** A folder with a 3-image training split and a 2-image test split of 2×2 images. */
  function writeFolder(options: { gz?: boolean; omit?: string; testLabels?: number[] } = {}): string {
    const dir = mkdtempSync(join(root, 'set-'));
    const files: Record<string, Uint8Array> = {
      'train-images-idx3-ubyte': idx(
        0x08,
        [3, 2, 2],
        Array.from({ length: 12 }, (_, i) => i * 20),
      ),
      'train-labels-idx1-ubyte': idx(0x08, [3], [0, 1, 2]),
      't10k-images-idx3-ubyte': idx(0x08, [2, 2, 2], [255, 0, 0, 255, 0, 255, 255, 0]),
      't10k-labels-idx1-ubyte': idx(0x08, [options.testLabels?.length ?? 2], options.testLabels ?? [2, 0]),
    };
    for (const [file, bytes] of Object.entries(files)) {
      if (file === options.omit) continue;
      const path = join(dir, options.gz === true ? `${file}.gz` : file);
      writeFileSync(path, options.gz === true ? gzip(bytes) : bytes);
    }
    return dir;
  }

  void it('reads the four files, gzip-compressed or raw', () => {
    for (const gz of [true, false]) {
      const { train, test, classes } = loadIdxDataset(writeFolder({ gz }));
      assert.deepEqual([...train.images.shape], [3, 1, 2, 2]);
      assert.deepEqual([...train.labels.data], [0, 1, 2]);
      assert.deepEqual([...test.images.shape], [2, 1, 2, 2]);
      assert.deepEqual([...test.images.data], [1, 0, 0, 1, 0, 1, 1, 0]);
      assert.deepEqual(classes, ['0', '1', '2']);
    }
  });

  void it('takes class names from classes.txt or the options', () => {
    const dir = writeFolder();
    writeFileSync(join(dir, 'classes.txt'), 'cat\ndog\r\nbird\n\n');
    assert.deepEqual(loadIdxDataset(dir).classes, ['cat', 'dog', 'bird']);
    assert.deepEqual(loadIdxDataset(dir, { classes: ['a', 'b', 'c', 'd'] }).classes, ['a', 'b', 'c', 'd']);
  });

  void it('names a label without a class name', () => {
    const dir = writeFolder({ testLabels: [0, 3] });
    assertDataError(
      () => loadIdxDataset(dir, { classes: ['a', 'b', 'c'] }),
      join(dir, 't10k-labels-idx1-ubyte'),
      9,
      /label 3 of sample 1 has no class name/,
    );
  });

  void it('names a missing file', () => {
    const dir = writeFolder({
      gz: true,
      omit: 't10k-images-idx3-ubyte',
    });
    assertDataError(() => loadIdxDataset(dir), join(dir, 't10k-images-idx3-ubyte'), undefined, /missing/);
    assertDataError(
      () => loadIdxDataset(join(root, 'nowhere')),
      join(root, 'nowhere'),
      undefined,
      /not a folder/,
    );
    assert.throws(() => readIdxFile(join(root, 'nothing.gz')), /no such file/);
  });

  void it('names a label file whose count does not match its images', () => {
    const dir = writeFolder({ testLabels: [1, 2, 0] });
    assertDataError(
      () => loadIdxDataset(dir),
      join(dir, 't10k-labels-idx1-ubyte'),
      4,
      /3 labels for 2 images/,
    );
  });
});

void describe('the shipped Fashion-MNIST subset', () => {
  const subset = FASHION_MNIST_SUBSET_DIR;
  const full = '/usr/share/datasets/fashion-mnist';

  void it('loads 10,000 training and 2,000 test images with nearly balanced labels', () => {
    const { train, test, classes } = loadIdxDataset(subset);
    assert.deepEqual([...train.images.shape], [10000, 1, 28, 28]);
    assert.deepEqual([...test.images.shape], [2000, 1, 28, 28]);
    assert.deepEqual(classes, [...data.FASHION_MNIST_CLASSES]);
    for (const [split, total, counts] of [
      [train, 10000, [942, 1027, 1016, 1019, 974, 989, 1021, 1022, 990, 1000]],
      [test, 2000, [200, 203, 214, 190, 219, 195, 197, 200, 194, 188]],
    ] as const) {
      const perClass = new Array<number>(10).fill(0);
      for (const label of split.labels.data) perClass[label]! += 1;
      assert.deepEqual(perClass, [...counts]);
      assert.equal(split.labels.size, total);
    }
    let min = Infinity;
    let max = -Infinity;
    for (const v of test.images.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assert.deepEqual([min, max], [0, 1]);
  });

  /** The first `count` bytes of a gzip file's decompressed contents, inflating no further than needed. */
  function gunzipPrefix(path: string, count: number): Uint8Array {
    const out = new Uint8Array(count);
    let filled = 0;
    const stream = new Gunzip((chunk) => {
      out.set(chunk.subarray(0, count - filled), filled);
      filled += Math.min(chunk.length, count - filled);
    });
    const bytes = readFileSync(path);
    for (let at = 0; at < bytes.length && filled < count; at += 1 << 16) {
      stream.push(bytes.subarray(at, at + (1 << 16)), at + (1 << 16) >= bytes.length);
    }
    assert.equal(filled, count, `${path} holds ${count} bytes`);
    return out;
  }

  void it(
    "holds the first images of Debian's full set",
    { skip: existsSync(full) ? false : `${full} is absent (apt-get install dataset-fashion-mnist)` },
    () => {
      for (const [prefix, n] of [
        ['train', 10000],
        ['t10k', 2000],
      ] as const) {
        for (const [kind, header, size] of [
          ['images-idx3', 16, 784],
          ['labels-idx1', 8, 1],
        ] as const) {
          const name = `${prefix}-${kind}-ubyte.gz`;
          const shipped = readIdxFile(join(subset, name));
          assert.equal(shipped.shape[0], n, name);
          const original = gunzipPrefix(join(full, name), header + n * size).subarray(header);
          assert.ok(
            shipped.data.every((v, i) => v === original[i]),
            `${name} equals the first ${n} samples of the full set`,
          );
        }
      }
    },
  );
});
