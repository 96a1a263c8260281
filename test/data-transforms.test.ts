import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, DTypeError, Generator, ShapeError, arange, data, tensor } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { assertTensorClose } from './helpers/close.js';
import { fixtureSuite } from './helpers/fixtures.js';

const { compose, normalize, randomCrop, randomHorizontalFlip, resize, toGrayscale } = data;

fixtureSuite('transforms', {
  resize: ([x], [size], options) => resize(size as number | [number, number], options)(x!),
});

/** `(N, C, H, W)` float32 holding 0, 1, 2, … */
function counting(shape: number[]): Tensor {
  return arange(
    shape.reduce((a, b) => a * b, 1),
    undefined,
    { dtype: 'float32' },
  ).reshape(shape);
}

void describe('normalize', () => {
  void it('subtracts the mean and divides by the std of each channel', () => {
    const x = tensor([
      [
        [0, 1],
        [2, 3],
      ],
      [
        [4, 5],
        [6, 7],
      ],
    ]);
    const out = normalize([1, 4], [2, 0.5])(x);
    assertTensorClose(out, { shape: [2, 2, 2], values: [-0.5, 0, 0.5, 1, 0, 2, 4, 6] });
  });

  void it('uses a single mean and std for every channel of a batch', () => {
    const out = normalize([0.5], [0.25])(tensor([0, 0.25, 0.5, 1], [2, 2, 1, 1]));
    assertTensorClose(out, { shape: [2, 2, 1, 1], values: [-2, -1, 0, 2] });
  });
});

void describe('toGrayscale', () => {
  const rgb = tensor([1, 0, 0.5, 0, 1, 0.5, 0, 0, 0.5, 1, 1, 1], [4, 3, 1, 1]);

  void it('weights red, green and blue 0.299, 0.587, 0.114 (ITU-R 601-2)', () => {
    const image = tensor([1, 0, 0.2, 0, 1, 0.4, 0, 0, 0.6], [3, 1, 3]);
    const gray = toGrayscale()(image);
    assertTensorClose(gray, {
      shape: [1, 1, 3],
      values: [0.299, 0.587, 0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6],
    });
  });

  void it('repeats the gray value into 3 channels when asked, for a batch', () => {
    const gray = toGrayscale({ numOutputChannels: 3 })(rgb);
    assert.deepEqual([...gray.shape], [4, 3, 1, 1]);
    const first = 0.299 * 1 + 0.587 * 0 + 0.114 * 0.5;
    assertTensorClose(gray.narrow(0, 0, 1), { shape: [1, 3, 1, 1], values: [first, first, first] });
  });

  void it('passes a one-channel image through', () => {
    const x = counting([1, 2, 2]).div(3);
    assertTensorClose(toGrayscale()(x), x);
  });
});

void describe('randomHorizontalFlip', () => {
  void it('mirrors every image when p = 1 and none when p = 0', () => {
    const x = counting([2, 1, 2, 3]);
    assertTensorClose(randomHorizontalFlip(1)(x), {
      shape: [2, 1, 2, 3],
      values: [2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9],
    });
    assert.equal(randomHorizontalFlip(0)(x), x);
  });

  void it('flips exactly the images whose draw is below p, as the generator dictates', () => {
    const x = counting([16, 2, 3, 4]);
    const out = randomHorizontalFlip(0.5, { generator: new Generator(3) })(x);
    const replay = new Generator(3);
    const flipped = randomHorizontalFlip(1)(x);
    let count = 0;
    for (let i = 0; i < 16; i++) {
      const flip = replay.uniform() < 0.5;
      count += flip ? 1 : 0;
      assertTensorClose(out.narrow(0, i, 1), (flip ? flipped : x).narrow(0, i, 1), undefined, `image ${i}`);
    }
    assert.ok(count > 0 && count < 16, 'a seed that flips some but not all images');
  });
});

void describe('randomCrop', () => {
  const image = tensor([1, 2, 3, 4], [1, 2, 2]);
  /** The 4×4 zero-padded image, row-major. */
  const padded = [0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4, 0, 0, 0, 0, 0];

  void it('cuts a window of the padded image at offsets drawn top then left', () => {
    const crop = randomCrop(2, { padding: 1, generator: new Generator(11) });
    const replay = new Generator(11);
    const seen = new Set<string>();
    for (let k = 0; k < 30; k++) {
      const out = crop(image);
      const top = replay.integer(0, 3);
      const left = replay.integer(0, 3);
      seen.add(`${top},${left}`);
      const expected = [0, 1, 4, 5].map((o) => padded[top * 4 + left + o]!);
      assertTensorClose(out, { shape: [1, 2, 2], values: expected }, undefined, `draw ${k}`);
    }
    assert.equal(seen.size, 9, 'every offset of the 3×3 range is drawn');
  });

  void it('draws separately for each image of a batch', () => {
    const batch = counting([6, 1, 3, 3]);
    const out = randomCrop([2, 3], { padding: [0, 1], generator: new Generator(5) })(batch);
    assert.deepEqual([...out.shape], [6, 1, 2, 3]);
    const replay = new Generator(5);
    for (let i = 0; i < 6; i++) {
      const top = replay.integer(0, 4);
      const left = replay.integer(0, 1);
      assert.equal(left, 0);
      const rows = [top - 1, top].map((r) =>
        r < 0 || r > 2 ? [0, 0, 0] : [0, 1, 2].map((c) => 9 * i + 3 * r + c),
      );
      assertTensorClose(
        out.narrow(0, i, 1),
        { shape: [1, 1, 2, 3], values: rows.flat() },
        undefined,
        `image ${i}`,
      );
    }
  });

  void it('pads by reflection and with a fill value', () => {
    const whole = (options: Parameters<typeof randomCrop>[1]): Tensor => randomCrop([2, 4], options)(image);
    assertTensorClose(whole({ padding: [1, 0], paddingMode: 'reflect' }), {
      shape: [1, 2, 4],
      values: [2, 1, 2, 1, 4, 3, 4, 3],
    });
    assertTensorClose(whole({ padding: [1, 0], fill: 9 }), {
      shape: [1, 2, 4],
      values: [9, 1, 2, 9, 9, 3, 4, 9],
    });
  });

  void it('is reproducible under a seed', () => {
    const batch = counting([8, 3, 5, 5]);
    const a = randomCrop(5, { padding: 2, generator: new Generator(1) })(batch);
    const b = randomCrop(5, { padding: 2, generator: new Generator(1) })(batch);
    assert.deepEqual([...a.data], [...b.data]);
  });
});

void describe('compose', () => {
  void it('applies the transforms left to right', () => {
    const x = tensor([1, 2, 3, 4], [1, 1, 4]);
    const out = compose([randomHorizontalFlip(1), normalize([1], [2])])(x);
    assertTensorClose(out, { shape: [1, 1, 4], values: [1.5, 1, 0.5, 0] });
  });
});

void describe('transforms bad input', () => {
  const x = counting([2, 3, 4, 4]);
  const cases: [string, () => unknown, new (...args: never[]) => Error][] = [
    ['normalize of integers', () => normalize([0], [1])(arange(16).reshape([1, 4, 4])), DTypeError],
    ['normalize with a zero std', () => normalize([0], [0]), ArgumentError],
    ['normalize with mismatched lists', () => normalize([0, 1], [1, 1, 1]), ArgumentError],
    ['normalize with 2 means for 3 channels', () => normalize([0, 1], [1, 1])(x), ShapeError],
    ['normalize of a 2-D tensor', () => normalize([0], [1])(counting([4, 4])), ShapeError],
    ['toGrayscale of 2 channels', () => toGrayscale()(counting([2, 4, 4])), ShapeError],
    ['toGrayscale to 2 channels', () => toGrayscale({ numOutputChannels: 2 as 1 }), ArgumentError],
    ['randomHorizontalFlip with p 1.5', () => randomHorizontalFlip(1.5), ArgumentError],
    ['randomCrop of size 0', () => randomCrop(0), ArgumentError],
    ['randomCrop with negative padding', () => randomCrop(2, { padding: -1 }), ArgumentError],
    [
      'randomCrop with 3 paddings',
      () => randomCrop(2, { padding: [1, 1, 1] as unknown as number }),
      ArgumentError,
    ],
    ['randomCrop larger than the padded image', () => randomCrop(7, { padding: 1 })(x), ShapeError],
    [
      'randomCrop with circular padding',
      () => randomCrop(2, { paddingMode: 'circular' as 'reflect' }),
      ArgumentError,
    ],
    ['resize to 0 rows', () => resize([0, 3]), ArgumentError],
    ['resize to a fractional size', () => resize(2.5), ArgumentError],
    ['resize of a 5-D tensor', () => resize(2)(counting([1, 1, 1, 2, 2])), ShapeError],
    ['compose of a non-function', () => compose([1 as unknown as data.Transform]), ArgumentError],
  ];
  for (const [name, call, error] of cases) {
    void it(name, () => {
      assert.throws(call, error);
    });
  }
});
