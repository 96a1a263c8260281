import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { ArgumentError, data } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { ImageFolder, readImage } from '../src/node/data/index.js';
import { assertTensorClose } from './helpers/close.js';

const { DataError, DataLoader, decodeImage, resize } = data;

/** A PNG of `width × height` pixels with `channels` interleaved samples per pixel. */
function png(
  width: number,
  height: number,
  channels: number,
  values: number[],
  depth: 1 | 8 | 16 = 8,
): Uint8Array {
  const samples = depth === 16 ? new Uint16Array(values) : new Uint8Array(values);
  return encodePng({ width, height, channels, depth, data: samples });
}

/** A JPEG of one flat colour (quality 100). */
function flatJpeg(width: number, height: number, rgb: [number, number, number]): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) rgba.set([...rgb, 255], i * 4);
  return new Uint8Array(jpeg.encode({ width, height, data: rgba }, 100).data);
}

function values(t: Tensor): number[] {
  return [...t.data];
}

function assertImageError(bytes: Uint8Array, pattern: RegExp, offset?: number): void {
  assert.throws(
    () => decodeImage(bytes, 'picture.png'),
    (error: unknown) => {
      assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
      assert.equal(error.file, 'picture.png');
      assert.equal(error.offset, offset, error.message);
      assert.match(error.message, /^decodeImage\(picture\.png\): /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

void describe('decodeImage', () => {
  void it('decodes an 8-bit gray PNG to (1, H, W) in [0, 1]', () => {
    const image = decodeImage(png(3, 2, 1, [0, 51, 102, 153, 204, 255]), 'g.png');
    assert.equal(image.dtype, 'float32');
    assertTensorClose(image, { shape: [1, 2, 3], values: [0, 0.2, 0.4, 0.6, 0.8, 1] });
  });

  void it('puts RGB channels first and drops alpha', () => {
    const rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255];
    const expected = { shape: [3, 2, 2], values: [1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1] };
    assertTensorClose(decodeImage(png(2, 2, 3, rgb), 'rgb.png'), expected);
    const rgba = [255, 0, 0, 9, 0, 255, 0, 99, 0, 0, 255, 0, 255, 255, 255, 255];
    assertTensorClose(decodeImage(png(2, 2, 4, rgba), 'rgba.png'), expected);
    assertTensorClose(decodeImage(png(2, 1, 2, [0, 7, 255, 0]), 'ga.png'), {
      shape: [1, 1, 2],
      values: [0, 1],
    });
  });

  void it('converts between gray and RGB on request', () => {
    const red = decodeImage(png(1, 1, 3, [255, 0, 0]), 'red.png', { channels: 1 });
    assertTensorClose(red, { shape: [1, 1, 1], values: [0.299] });
    const gray = decodeImage(png(2, 1, 1, [0, 255]), 'g.png', { channels: 3 });
    assertTensorClose(gray, { shape: [3, 1, 2], values: [0, 1, 0, 1, 0, 1] });
  });

  void it('scales 16-bit and 1-bit PNGs by their own maximum', () => {
    assertTensorClose(decodeImage(png(2, 1, 1, [0, 65535], 16), 'deep.png'), {
      shape: [1, 1, 2],
      values: [0, 1],
    });
    const bits = png(10, 2, 1, [0b10110000, 0b01000000, 0b01001111, 0b11000000], 1);
    assertTensorClose(decodeImage(bits, 'bits.png'), {
      shape: [1, 2, 10],
      values: [1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1, 1, 1, 1],
    });
  });

  void it('expands a palette PNG to RGB', () => {
    const bytes = encodePng({
      width: 3,
      height: 1,
      channels: 1,
      depth: 8,
      data: new Uint8Array([1, 0, 1]),
      palette: [
        [255, 0, 0],
        [0, 0, 255],
      ],
    });
    assertTensorClose(decodeImage(bytes, 'palette.png'), {
      shape: [3, 1, 3],
      values: [0, 1, 0, 0, 0, 0, 1, 0, 1],
    });
  });

  void it('decodes a JPEG to RGB, or to gray on request', () => {
    const bytes = flatJpeg(16, 8, [200, 100, 50]);
    const image = decodeImage(bytes, 'photo.jpg');
    assert.deepEqual([...image.shape], [3, 8, 16]);
    const [r, g, b] = [0, 1, 2].map((c) => image.narrow(0, c, 1).mean().item() * 255);
    assert.ok(Math.abs(r! - 200) < 3 && Math.abs(g! - 100) < 3 && Math.abs(b! - 50) < 3, `${r} ${g} ${b}`);
    const gray = decodeImage(bytes, 'photo.jpg', { channels: 1 });
    assert.deepEqual([...gray.shape], [1, 8, 16]);
    assert.ok(Math.abs(gray.mean().item() * 255 - (0.299 * 200 + 0.587 * 100 + 0.114 * 50)) < 3);
  });

  void describe('malformed files', () => {
    const good = png(
      4,
      4,
      1,
      Array.from({ length: 16 }, (_, i) => i * 16),
    );
    void it('neither PNG nor JPEG', () => {
      assertImageError(
        new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39]),
        /not a PNG or JPEG file \(it starts with 47 49 46 38\)/,
        0,
      );
      assertImageError(new Uint8Array(0), /starts with nothing/, 0);
    });
    void it('a truncated PNG', () => {
      assertImageError(good.subarray(0, good.length - 20), /cannot decode this PNG file/);
    });
    void it('a PNG whose chunk CRC is wrong', () => {
      const bad = good.slice();
      bad[29] = bad[29]! ^ 0xff;
      assertImageError(bad, /cannot decode this PNG file/);
    });
    void it('a truncated JPEG', () => {
      const photo = flatJpeg(16, 16, [10, 20, 30]);
      assertImageError(photo.subarray(0, photo.length >> 1), /cannot decode this JPEG file/);
    });
    void it('an unknown channel count', () => {
      assert.throws(() => decodeImage(good, 'g.png', { channels: 2 as 1 }), ArgumentError);
    });
  });
});

void describe('readImage and ImageFolder', () => {
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'convnet-images-'));
    mkdirSync(join(root, 'pets', 'dog'), { recursive: true });
    mkdirSync(join(root, 'pets', 'cat', 'kittens'), { recursive: true });
    writeFileSync(join(root, 'pets', 'dog', 'rex.PNG'), png(2, 2, 1, [0, 255, 255, 0]));
    writeFileSync(join(root, 'pets', 'dog', 'notes.txt'), 'not an image');
    writeFileSync(
      join(root, 'pets', 'cat', 'tom.png'),
      png(
        3,
        2,
        3,
        Array.from({ length: 18 }, (_, i) => i * 10),
      ),
    );
    writeFileSync(join(root, 'pets', 'cat', 'kittens', 'a.jpg'), flatJpeg(8, 8, [0, 0, 0]));
    mkdirSync(join(root, 'empty', 'a'), { recursive: true });
    mkdirSync(join(root, 'empty', 'b'), { recursive: true });
    writeFileSync(join(root, 'empty', 'a', 'x.png'), png(1, 1, 1, [0]));
    mkdirSync(join(root, 'flat'));
    writeFileSync(join(root, 'flat', 'x.png'), png(1, 1, 1, [0]));
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  void it('reads an image file, naming a missing one', () => {
    const path = join(root, 'pets', 'dog', 'rex.PNG');
    assert.deepEqual(values(readImage(path)), [0, 1, 1, 0]);
    assert.throws(() => readImage(join(root, 'missing.png')), /missing\.png\): no such file/);
  });

  void it('labels images by their sorted class folders, searching sub-folders', () => {
    const folder = new ImageFolder(join(root, 'pets'));
    assert.deepEqual(folder.classes, ['cat', 'dog']);
    assert.deepEqual(
      folder.samples.map((s) => [s.path.slice(root.length), s.label]),
      [
        ['/pets/cat/kittens/a.jpg', 0],
        ['/pets/cat/tom.png', 0],
        ['/pets/dog/rex.PNG', 1],
      ],
    );
    assert.equal(folder.length, 3);
    const { input, target } = folder.get(2);
    assert.deepEqual([...input.shape], [3, 2, 2]);
    assert.deepEqual([...target.shape], []);
    assert.equal(target.dtype, 'int32');
    assert.equal(target.item(), 1);
  });

  void it('batches images of different sizes once a transform resizes them', () => {
    const folder = new ImageFolder(join(root, 'pets'), { channels: 1, transform: resize([4, 4]) });
    const batches = [...new DataLoader(folder, { batchSize: 2 })];
    assert.deepEqual(
      batches.map((b) => [[...b.input.shape], [...b.target.data]]),
      [
        [
          [2, 1, 4, 4],
          [0, 0],
        ],
        [[1, 1, 4, 4], [1]],
      ],
    );
  });

  void it('names a class folder without images, a root without class folders, and a missing root', () => {
    assert.throws(
      () => new ImageFolder(join(root, 'empty')),
      (error: unknown) => error instanceof DataError && error.file === join(root, 'empty', 'b'),
    );
    assert.throws(() => new ImageFolder(join(root, 'flat')), /has no class folders/);
    assert.throws(() => new ImageFolder(join(root, 'nowhere')), /not a folder/);
    assert.throws(() => new ImageFolder(join(root, 'pets')).get(3), ArgumentError);
  });
});
