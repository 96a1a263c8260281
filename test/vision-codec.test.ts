import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { ArgumentError, DTypeError, ShapeError, Tensor, data, tensor, vision, zeros } from '../src/index.js';
import * as codec from '../src/vision/codec.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { badInputSuite } from './helpers/bad-input.js';
import { describeEachBackend } from './helpers/backends.js';

const { DataError } = data;
const { decodeImage, encodeJpeg, encodePng, imageFormat } = vision;

interface FileCase {
  name: string;
  bytes: string;
  shape: [number, number, number];
  bitDepth: 8 | 16;
  levels: number[];
  alpha: number[] | null;
  /** Largest and mean absolute difference allowed, in levels (0 for PNG: exact). */
  tolerance: { max: number; mean: number };
}
interface PhotoCase {
  file: string;
  shape: [number, number, number];
  channelSums: number[];
  stride: number;
  samples: number[];
}
const fixture = JSON.parse(readFileSync('test/fixtures/vision-codec.json', 'utf8')) as {
  photos: PhotoCase[];
  files: FileCase[];
  refused: { name: string; bytes: string; error: string }[];
};

const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
const chelsea = new Uint8Array(readFileSync('data/images/chelsea.png'));
const rocket = new Uint8Array(readFileSync('data/images/rocket.jpg'));

/** Levels `round(v · max)` of a tensor in [0, 1]. */
function levelsOf(t: Tensor, max: number): number[] {
  return Array.from(t.data, (v) => Math.round(v * max));
}

/** Largest and mean absolute difference of two equally long arrays. */
function differences(actual: readonly number[], expected: readonly number[]): { max: number; mean: number } {
  assert.equal(actual.length, expected.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { max, mean: sum / actual.length };
}

/** A `(C, H, W)` float32 image of levels `0 … max`, pseudo-random but fixed. */
function levelImage(shape: number[], max: number, seed = 1): { image: Tensor; levels: number[] } {
  let state = seed;
  const levels = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % (max + 1);
  });
  return { image: tensor(levels.map((l) => l / max)).reshape(shape), levels };
}

/** `bytes` with the chunk CRC of the PNG chunk starting at `offset` recomputed. */
function fixPngCrc(bytes: Uint8Array, offset: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const length = view.getUint32(offset);
  view.setUint32(offset + 8 + length, crc32(bytes.subarray(offset + 4, offset + 8 + length)));
  return bytes;
}

/** A copy of `bytes` (a PNG) declaring `width × height` pixels, with a valid IHDR CRC. */
function withPngSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return fixPngCrc(copy, 8);
}

/** A copy of `bytes` (a JPEG) whose frame header declares `width × height` pixels. */
function withJpegSize(bytes: Uint8Array, width: number, height: number): Uint8Array {
  const copy = bytes.slice();
  let i = 2;
  while (!(copy[i + 1]! >= 0xc0 && copy[i + 1]! <= 0xc2)) i += 2 + ((copy[i + 2]! << 8) | copy[i + 3]!);
  const view = new DataView(copy.buffer);
  view.setUint16(i + 5, height);
  view.setUint16(i + 7, width);
  return copy;
}

function assertDataError(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeImage(bytes, 'photo.x'),
    (error: unknown) => {
      assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
      assert.equal(error.file, 'photo.x');
      assert.match(error.message, /^decodeImage\(photo\.x\): /);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describeEachBackend('vision.decodeImage against PIL/OpenCV', () => {
  for (const c of fixture.files) {
    void it(c.name, () => {
      const decoded = decodeImage(fromBase64(c.bytes), c.name);
      const max = c.bitDepth === 16 ? 65535 : 255;
      assert.equal(decoded.format, c.name.startsWith('png') ? 'png' : 'jpeg');
      assert.equal(decoded.bitDepth, c.bitDepth);
      assert.equal(decoded.image.dtype, 'float32');
      assert.deepEqual([...decoded.image.shape], c.shape);
      const colour = differences(levelsOf(decoded.image, max), c.levels);
      assert.ok(
        colour.max <= c.tolerance.max && colour.mean <= c.tolerance.mean,
        `max difference ${colour.max}, mean ${colour.mean}; allowed ${JSON.stringify(c.tolerance)}`,
      );
      if (c.alpha === null) {
        assert.equal(decoded.alpha, null);
      } else {
        assert.ok(decoded.alpha !== null, 'expected an alpha channel');
        assert.deepEqual([...decoded.alpha.shape], [1, c.shape[1], c.shape[2]]);
        assert.deepEqual(levelsOf(decoded.alpha, max), c.alpha);
      }
    });
  }

  for (const c of fixture.refused) {
    void it(`refuses ${c.name} with a clear message`, () => {
      assertDataError(fromBase64(c.bytes), new RegExp(c.error));
    });
  }

  void it('chelsea.png: every sampled pixel and every channel sum exactly as PIL', () => {
    const photo = fixture.photos.find((p) => p.file.endsWith('.png'))!;
    const { image, alpha, bitDepth, format } = decodeImage(chelsea, photo.file);
    assert.deepEqual([format, bitDepth, alpha], ['png', 8, null]);
    assert.deepEqual([...image.shape], photo.shape);
    assert.deepEqual(channelSums(image), photo.channelSums);
    assert.deepEqual(sampled(image, photo.stride), photo.samples);
  });

  // jpeg-js and libjpeg (PIL) round differently in the IDCT and colour conversion. On rocket.jpg (640×427,
  // 4:4:4) over all 819,840 values: 40% equal, 59% off by 1, 0.9% by 2, 0.03% by 3; max 3, mean 0.61 levels.
  void it('rocket.jpg: within 3 levels of PIL (libjpeg) per pixel, 0.7 on average', () => {
    const photo = fixture.photos.find((p) => p.file.endsWith('.jpg'))!;
    const { image, alpha, bitDepth, format } = decodeImage(rocket, photo.file);
    assert.deepEqual([format, bitDepth, alpha], ['jpeg', 8, null]);
    assert.deepEqual([...image.shape], photo.shape);
    const pixels = photo.shape[1] * photo.shape[2];
    channelSums(image).forEach((sum, c) => {
      assert.ok(
        Math.abs(sum - photo.channelSums[c]!) / pixels < 0.7,
        `channel ${c}: ${sum} vs ${photo.channelSums[c]}`,
      );
    });
    const { max, mean } = differences(sampled(image, photo.stride), photo.samples);
    assert.ok(max <= 3 && mean < 0.7, `max ${max}, mean ${mean}`);
  });
});

function channelSums(image: Tensor): number[] {
  const [channels] = image.shape as [number];
  const plane = image.size / channels;
  return Array.from({ length: channels }, (_, c) =>
    levelsOf(image, 255)
      .slice(c * plane, (c + 1) * plane)
      .reduce((a, b) => a + b, 0),
  );
}

/** Every `stride`-th pixel of every `stride`-th row, channels first, as 8-bit levels. */
function sampled(image: Tensor, stride: number): number[] {
  const [channels, height, width] = image.shape as [number, number, number];
  const out: number[] = [];
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y += stride) {
      for (let x = 0; x < width; x += stride)
        out.push(Math.round(image.data[(c * height + y) * width + x]! * 255));
    }
  }
  return out;
}

describeEachBackend('vision PNG and JPEG round trips', () => {
  for (const bitDepth of [8, 16] as const) {
    const max = bitDepth === 16 ? 65535 : 255;
    for (const channels of [1, 3]) {
      for (const withAlpha of [false, true]) {
        void it(`${bitDepth}-bit PNG, ${channels} channel(s)${withAlpha ? ' + alpha' : ''}: lossless`, () => {
          const { image, levels } = levelImage([channels, 5, 6], max, channels + bitDepth);
          const alpha = withAlpha ? levelImage([1, 5, 6], max, 7).image : null;
          const decoded = decodeImage(encodePng(image, { alpha, bitDepth }), 'round.png');
          assert.equal(decoded.bitDepth, bitDepth);
          assert.deepEqual([...decoded.image.shape], [channels, 5, 6]);
          assert.deepEqual(levelsOf(decoded.image, max), levels);
          assert.deepEqual(
            decoded.alpha === null ? null : levelsOf(decoded.alpha, max),
            alpha && levelsOf(alpha, max),
          );
        });
      }
    }
  }

  void it('keeps a 16-bit level exactly (1234/65535), and rounds other values to the nearest level', () => {
    const exact = decodeImage(encodePng(tensor([[1234 / 65535]]), { bitDepth: 16 }), 'a.png').image;
    assert.equal(Math.round(exact.item() * 65535), 1234);
    assert.equal(exact.item(), Math.fround(1234 / 65535));
    const values = tensor([[-0.5, 0, 0.2, 0.5 / 255, 1.4 / 255, 1, 7]], undefined, { dtype: 'float64' });
    const decoded = decodeImage(encodePng(values), 'b.png').image;
    assert.deepEqual([...decoded.shape], [1, 1, 7]);
    assert.deepEqual(levelsOf(decoded, 255), [0, 0, 51, 1, 1, 255, 255]);
  });

  void it('takes (H, W) as gray and a (H, W) alpha', () => {
    const { image, levels } = levelImage([4, 3], 255);
    const decoded = decodeImage(encodePng(image, { alpha: zeros([4, 3]) }), 'g.png');
    assert.deepEqual([...decoded.image.shape], [1, 4, 3]);
    assert.deepEqual(levelsOf(decoded.image, 255), levels);
    assert.deepEqual(levelsOf(decoded.alpha!, 255), new Array<number>(12).fill(0));
  });

  void it('JPEG at quality 90: a smooth image comes back within a few levels', () => {
    const [height, width] = [32, 48];
    const smooth = Array.from({ length: 3 * height * width }, (_, i) => {
      const [c, y, x] = [Math.floor(i / (height * width)), Math.floor(i / width) % height, i % width];
      return 0.5 + 0.4 * Math.sin((x + 2 * c) / 7) * Math.cos(y / 9);
    });
    const image = tensor(smooth).reshape([3, height, width]);
    const bytes = encodeJpeg(image);
    assert.equal(imageFormat(bytes), 'jpeg');
    const decoded = decodeImage(bytes, 'smooth.jpg');
    assert.deepEqual([decoded.format, decoded.bitDepth, decoded.alpha], ['jpeg', 8, null]);
    const { max, mean } = differences(levelsOf(decoded.image, 255), levelsOf(image, 255));
    assert.ok(mean < 1.5 && max <= 8, `mean ${mean}, max ${max}`);
    assert.ok(encodeJpeg(image, { quality: 20 }).length < bytes.length, 'lower quality, smaller file');
  });

  void it('writes a gray JPEG as RGB with three equal channels', () => {
    const gray = levelImage([1, 8, 8], 255).image;
    const decoded = decodeImage(encodeJpeg(gray, { quality: 100 }), 'gray.jpg').image;
    assert.deepEqual([...decoded.shape], [3, 8, 8]);
    const [r, g, b] = [0, 1, 2].map((c) => levelsOf(decoded.narrow(0, c, 1), 255));
    assert.ok(differences(r!, g!).max <= 1 && differences(r!, b!).max <= 1);
    assert.ok(differences(r!, levelsOf(gray, 255)).mean < 3);
  });
});

void describe('vision.decodeImage on malformed files', () => {
  const smallPng = encodePng(levelImage([3, 6, 5], 255).image);
  const smallJpeg = encodeJpeg(levelImage([3, 16, 16], 255).image);

  void it('neither PNG nor JPEG, or no bytes', () => {
    assertDataError(
      new TextEncoder().encode('GIF89a'),
      /at byte 0: not a PNG or JPEG file \(it starts with 47 49 46 38\)/,
    );
    assertDataError(new Uint8Array(0), /starts with nothing/);
    assert.throws(() => decodeImage(new Uint8Array(3)), /^DataError: decodeImage\(image\): /);
  });

  for (const [format, photo] of [
    ['PNG', chelsea],
    ['JPEG', rocket],
  ] as const) {
    void it(`${format} cut at 15 points, from inside the header to the last byte`, () => {
      const cuts = [
        4,
        9,
        20,
        40,
        100,
        1000,
        10_000,
        50_000,
        100_000,
        photo.length - 100,
        photo.length - 12,
        photo.length - 2,
        photo.length - 1,
      ];
      for (const cut of [...cuts, Math.floor(photo.length / 3), Math.floor(photo.length / 2)]) {
        assert.throws(
          () => decodeImage(photo.subarray(0, cut), 'photo.x'),
          (error: unknown) =>
            error instanceof DataError &&
            error.file === 'photo.x' &&
            /not a PNG or JPEG|truncated or corrupt/.test(error.message),
          `cut at ${cut} of ${photo.length}`,
        );
      }
    });
  }

  void it('a PNG chunk whose CRC is wrong', () => {
    const bad = smallPng.slice();
    bad[bad.length - 20] = bad[bad.length - 20]! ^ 0xff;
    assertDataError(bad, /cannot decode this PNG file, it is truncated or corrupt: .*crc/i);
  });

  void it('a zero-size image', () => {
    assertDataError(withPngSize(smallPng, 0, 6), /the image is empty \(0×6 pixels\)/);
    assertDataError(withJpegSize(smallJpeg, 16, 0), /the image is empty \(16×0 pixels\)/);
  });

  void it('a small file declaring a huge image (a decompression bomb) is refused before decoding', () => {
    assertDataError(
      withPngSize(smallPng, 100_000, 100_000),
      /10000000000 pixels, more than the limit maxPixels/,
    );
    assertDataError(
      withJpegSize(smallJpeg, 65_000, 65_000),
      /4225000000 pixels, more than the limit maxPixels/,
    );
  });

  void it('a JPEG whose scan data is corrupt, not only short', () => {
    const bad = rocket.slice();
    bad.fill(0xff, 5000, 5040);
    assertDataError(bad, /cannot decode this JPEG file, it is truncated or corrupt/);
  });
});

void describe('vision.imageFormat', () => {
  void it('reads the signature only', () => {
    assert.equal(imageFormat(chelsea), 'png');
    assert.equal(imageFormat(rocket), 'jpeg');
    assert.equal(imageFormat(rocket.subarray(0, 3)), 'jpeg');
    assert.equal(imageFormat(new Uint8Array([0xff, 0xd8])), null);
    assert.equal(data.imageFormat, imageFormat);
  });
});

const image = zeros([3, 4, 4]);
const cases: BadInputCase[] = [
  [
    'imageFormat',
    'bytes not a Uint8Array',
    () => imageFormat([0x89] as unknown as Uint8Array),
    ArgumentError,
  ],
  [
    'decodeImage',
    'bytes not a Uint8Array',
    () => decodeImage('abc' as unknown as Uint8Array, 'a.png'),
    DataError,
  ],
  ['decodeImage', 'a GIF', () => decodeImage(new TextEncoder().encode('GIF89a'), 'a.gif'), DataError],
  ['encodePng', 'image not a tensor', () => encodePng([[0]] as unknown as Tensor), ArgumentError],
  ['encodePng', 'an int32 image', () => encodePng(zeros([2, 2], { dtype: 'int32' })), DTypeError],
  ['encodePng', 'a 4-D image', () => encodePng(zeros([1, 3, 2, 2])), ShapeError],
  ['encodePng', 'two channels', () => encodePng(zeros([2, 2, 2])), ShapeError],
  ['encodePng', 'four channels (alpha goes apart)', () => encodePng(zeros([4, 2, 2])), ShapeError],
  ['encodePng', 'an empty image', () => encodePng(zeros([3, 0, 2])), ShapeError],
  ['encodePng', 'NaN', () => encodePng(tensor([[0, Number.NaN]])), ArgumentError],
  ['encodePng', 'bitDepth 12', () => encodePng(image, { bitDepth: 12 as 8 }), ArgumentError],
  ['encodePng', 'alpha of another size', () => encodePng(image, { alpha: zeros([1, 4, 5]) }), ShapeError],
  ['encodePng', 'alpha with three channels', () => encodePng(image, { alpha: zeros([3, 4, 4]) }), ShapeError],
  [
    'encodePng',
    'alpha not a tensor',
    () => encodePng(image, { alpha: 1 as unknown as Tensor }),
    ArgumentError,
  ],
  [
    'encodePng',
    'NaN in alpha',
    () => encodePng(image, { alpha: zeros([4, 4]).add(Number.NaN) }),
    ArgumentError,
  ],
  ['encodePng', 'options not an object', () => encodePng(image, 16 as never), ArgumentError],
  ['encodeJpeg', 'image not a tensor', () => encodeJpeg(null as unknown as Tensor), ArgumentError],
  ['encodeJpeg', 'two channels', () => encodeJpeg(zeros([2, 4, 4])), ShapeError],
  ['encodeJpeg', 'NaN', () => encodeJpeg(zeros([4, 4]).add(Number.NaN)), ArgumentError],
  ['encodeJpeg', 'quality 0', () => encodeJpeg(image, { quality: 0 }), ArgumentError],
  ['encodeJpeg', 'quality 101', () => encodeJpeg(image, { quality: 101 }), ArgumentError],
  ['encodeJpeg', 'quality 90.5', () => encodeJpeg(image, { quality: 90.5 }), ArgumentError],
];
badInputSuite('vision codec bad input', cases, [codec]);

void describe('vision codec error messages', () => {
  void it('names the argument at fault', () => {
    assert.throws(
      () => encodePng(image, { bitDepth: 4 as 8 }),
      /^ArgumentError: encodePng\(bitDepth\): expected 8 or 16, got 4$/,
    );
    assert.throws(
      () => encodePng(image, { alpha: zeros([2, 2]) }),
      /encodePng\(alpha\): expected \(1, 4, 4\) or \(4, 4\)/,
    );
    assert.throws(
      () => encodeJpeg(image, { quality: 0 }),
      /encodeJpeg\(quality\): expected an integer from 1 to 100, got 0/,
    );
    assert.throws(
      () => encodePng(zeros([2, 2, 2])),
      /encodePng\(image\): expected 1 \(gray\) or 3 \(RGB\) channels, got shape \[2, 2, 2\]/,
    );
  });
});
