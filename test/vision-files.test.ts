import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArgumentError, SerializationError, ShapeError, data, tensor, vision, zeros } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import * as files from '../src/node/vision/files.js';
import { readImageFile, writeImageFile } from '../src/node/vision/files.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { badInputSuite } from './helpers/bad-input.js';

const { DataError } = data;

function levels(t: Tensor, max = 255): number[] {
  return Array.from(t.data, (v) => Math.round(v * max));
}

let root = '';
before(() => {
  root = mkdtempSync(join(tmpdir(), 'convnet-vision-files-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const image = tensor(Array.from({ length: 3 * 4 * 5 }, (_, i) => ((i * 37) % 256) / 255)).reshape([3, 4, 5]);

void describe('readImageFile and writeImageFile', () => {
  void it('reads the shipped photographs', () => {
    const cat = readImageFile('data/images/chelsea.png');
    assert.deepEqual(
      [cat.format, cat.bitDepth, [...cat.image.shape], cat.alpha],
      ['png', 8, [3, 300, 451], null],
    );
    const rocket = readImageFile('data/images/rocket.jpg');
    assert.deepEqual([rocket.format, [...rocket.image.shape]], ['jpeg', [3, 427, 640]]);
  });

  void it('writes PNG by extension (any case), losslessly, with alpha and 16 bits', () => {
    const alpha = zeros([1, 4, 5]).add(0.5);
    const path = join(root, 'out.PNG');
    writeImageFile(path, image, { alpha, bitDepth: 16 });
    const back = readImageFile(path);
    assert.deepEqual([back.format, back.bitDepth], ['png', 16]);
    assert.deepEqual(levels(back.image), levels(image));
    assert.deepEqual(levels(back.alpha!, 65535), new Array<number>(20).fill(32768));
    assert.deepEqual(
      readdirSync(root).filter((f) => f.startsWith('.')),
      [],
      'no temporary file left',
    );
  });

  void it('writes JPEG for .jpg and .jpeg, or the format asked for', () => {
    for (const name of ['a.jpg', 'b.JPEG']) {
      writeImageFile(join(root, name), image, { quality: 95 });
      assert.equal(vision.imageFormat(new Uint8Array(readFileSync(join(root, name)))), 'jpeg');
    }
    writeImageFile(join(root, 'c.img'), image, { format: 'png' });
    assert.equal(readImageFile(join(root, 'c.img')).format, 'png');
  });

  void it('replaces an existing file', () => {
    const path = join(root, 'replace.png');
    writeImageFile(path, zeros([2, 2]));
    writeImageFile(path, zeros([3, 3]));
    assert.deepEqual([...readImageFile(path).image.shape], [1, 3, 3]);
  });

  void it('names the path of a missing, unreadable or corrupt file', () => {
    const missing = join(root, 'missing.png');
    assert.throws(
      () => readImageFile(missing),
      (e: unknown) => e instanceof DataError && e.file === missing && /no such file/.test(e.message),
    );
    assert.throws(() => readImageFile(root), /is a folder, not a file/);
    const corrupt = join(root, 'corrupt.jpg');
    writeFileSync(corrupt, readFileSync('data/images/rocket.jpg').subarray(0, 5000));
    assert.throws(
      () => readImageFile(corrupt),
      (e: unknown) => e instanceof DataError && e.file === corrupt && /truncated or corrupt/.test(e.message),
    );
    if (process.getuid?.() !== 0) {
      const locked = join(root, 'locked.png');
      writeImageFile(locked, image);
      chmodSync(locked, 0);
      assert.throws(() => readImageFile(locked), /locked\.png\): permission denied/);
    }
  });

  void it('a missing folder: a clear error and nothing created', () => {
    const folder = join(root, 'nowhere');
    assert.throws(
      () => {
        writeImageFile(join(folder, 'x.png'), image);
      },
      (e: unknown) =>
        e instanceof SerializationError && /cannot write ".*x\.png": no folder ".*nowhere"/.test(e.message),
    );
    assert.throws(() => readdirSync(folder), /ENOENT/);
  });

  void it('refuses a bad image before creating any file', () => {
    const folder = join(root, 'clean');
    mkdirSync(folder);
    assert.throws(() => {
      writeImageFile(join(folder, 'nan.png'), tensor([[Number.NaN]]));
    }, ArgumentError);
    assert.throws(() => {
      writeImageFile(join(folder, 'two.jpg'), zeros([2, 3, 3]));
    }, ShapeError);
    assert.throws(() => {
      writeImageFile(join(folder, 'alpha.jpg'), image, { alpha: zeros([4, 5]) });
    }, /writeImageFile\(alpha\): a JPEG file has no alpha channel/);
    assert.deepEqual(readdirSync(folder), []);
  });
});

const cases: BadInputCase[] = [
  ['readImageFile', 'an empty path', () => readImageFile(''), ArgumentError],
  [
    'readImageFile',
    'a path that is not a string',
    () => readImageFile(3 as unknown as string),
    ArgumentError,
  ],
  ['readImageFile', 'a missing file', () => readImageFile('no/such/image.png'), DataError],
  ['readImageFile', 'not an image', () => readImageFile('package.json'), DataError, 'decodeImage'],
  [
    'writeImageFile',
    'an empty path',
    () => {
      writeImageFile('', image);
    },
    ArgumentError,
  ],
  [
    'writeImageFile',
    'an unknown extension',
    () => {
      writeImageFile('out.gif', image);
    },
    ArgumentError,
  ],
  [
    'writeImageFile',
    'no extension',
    () => {
      writeImageFile('out', image);
    },
    ArgumentError,
  ],
  [
    'writeImageFile',
    'an unknown format',
    () => {
      writeImageFile('out.png', image, { format: 'gif' as 'png' });
    },
    ArgumentError,
  ],
  [
    'writeImageFile',
    'options not an object',
    () => {
      writeImageFile('out.png', image, 'png' as never);
    },
    ArgumentError,
  ],
  [
    'writeImageFile',
    'alpha for a JPEG',
    () => {
      writeImageFile('out.jpg', image, { alpha: zeros([4, 5]) });
    },
    ArgumentError,
  ],
  [
    'writeImageFile',
    '16 bits for a JPEG',
    () => {
      writeImageFile('out.jpg', image, { bitDepth: 16 });
    },
    ArgumentError,
  ],
  [
    'writeImageFile',
    'a bad image',
    () => {
      writeImageFile('out.png', zeros([4, 3, 3]));
    },
    ShapeError,
    'encodePng',
  ],
  [
    'writeImageFile',
    'a bad quality',
    () => {
      writeImageFile('out.jpg', image, { quality: 0 });
    },
    ArgumentError,
    'encodeJpeg',
  ],
];
badInputSuite('vision files bad input', cases, [files]);

void it('writeImageFile names the path of an unknown extension', () => {
  assert.throws(() => {
    writeImageFile('out.gif', image);
  }, /^ArgumentError: writeImageFile\(path\): cannot tell the image format of "out\.gif": expected a \.png, \.jpg or \.jpeg extension/);
});
