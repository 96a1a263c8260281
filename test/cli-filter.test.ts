/**
 * `convnet filter`, run in-process: results equal `vision.applyKernel` (and friends) on the decoded input,
 * files are named as documented, alpha and bit depth pass through, folders are filtered whole, and every
 * bad input fails with one clear line and leaves no file behind — not even the results of inputs that
 * succeeded before the failing one.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApplyKernelOptions, KernelInput } from '../src/vision/index.js';
import { Tensor, vision } from '../src/index.js';
import { convnet } from './helpers/cli.js';

const root = mkdtempSync(join(tmpdir(), 'convnet-cli-filter-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});
let counter = 0;

/** A fresh folder with `in/` (for inputs) and the path of a not yet existing `out/`. */
function workdir(): { input: (name: string) => string; out: string } {
  const dir = join(root, String(counter++));
  mkdirSync(join(dir, 'in'), { recursive: true });
  return { input: (name) => join(dir, 'in', name), out: join(dir, 'out') };
}

const CHELSEA = 'data/images/chelsea.png';

/** A deterministic `(c, h, w)` image with values spread over [0, 1]. */
function pattern(c: number, h: number, w: number, seed = 1): Tensor {
  const data = new Float32Array(c * h * w);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 37 + seed * 11) % 101) / 100;
  return new Tensor(data, [c, h, w]);
}

function decode(path: string): vision.DecodedImage {
  return vision.decodeImage(new Uint8Array(readFileSync(path)), path);
}

/** `image` as the 8-bit (or 16-bit) levels a PNG of it holds. */
function levels(image: Tensor, bitDepth: 8 | 16 = 8): number[] {
  const max = bitDepth === 16 ? 65535 : 255;
  return Array.from(image.data, (v) => Math.round(Math.min(1, Math.max(0, v)) * max));
}

/** Asserts that the image file at `path` holds `vision.applyKernel(input, spec, options)`. */
function assertFiltered(path: string, input: Tensor, spec: KernelInput, options?: ApplyKernelOptions): void {
  const written = decode(path).image;
  const expected = vision.applyKernel(input, spec, options);
  assert.deepEqual(written.shape, expected.shape);
  assert.deepEqual(levels(written), levels(expected));
}

/** Writes a PNG of `image` (with `alpha`, at `bitDepth`) to `path` and returns the image as decoded. */
function writePng(path: string, image: Tensor, options?: vision.EncodePngOptions): Tensor {
  writeFileSync(path, vision.encodePng(image, options));
  return decode(path).image;
}

void describe('convnet filter', () => {
  void it('writes one kernel to exactly OUT, equal to vision.applyKernel', async () => {
    const { input, out } = workdir();
    const image = writePng(input('a.png'), pattern(3, 10, 12));
    const target = join(out, 'sobel.png');
    const run = await convnet('filter', input('a.png'), '-k', 'sobel-x', '-o', target);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out), ['sobel.png']);
    assertFiltered(target, image, 'sobel-x');
    assert.match(run.stdout, /sobel\.png\s+12×10\s+sobel-x\n$/);
  });

  void it('names several results after their kernels, matrices by size, repeats with a suffix', async () => {
    const { input, out } = workdir();
    const image = writePng(input('a.png'), pattern(1, 9, 9));
    const run = await convnet(
      'filter',
      input('a.png'),
      '-k',
      'sobel-x',
      '-k',
      'gaussian:5:1.4',
      '-k',
      '[[0,1,0],[1,-4,1],[0,1,0]]',
      '-k',
      'sobel-x',
      '--output',
      'abs',
      '--padding-mode',
      'reflect',
      '-o',
      join(out, 'out.png'),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'out.gaussian-5-1.4.png',
      'out.matrix-3x3.png',
      'out.sobel-x-2.png',
      'out.sobel-x.png',
    ]);
    const options = { output: 'abs', paddingMode: 'reflect' } as const;
    assertFiltered(join(out, 'out.gaussian-5-1.4.png'), image, 'gaussian:5:1.4', options);
    assertFiltered(
      join(out, 'out.matrix-3x3.png'),
      image,
      [
        [0, 1, 0],
        [1, -4, 1],
        [0, 1, 0],
      ],
      options,
    );
    assertFiltered(join(out, 'out.sobel-x-2.png'), image, 'sobel-x', options);
    assert.equal(run.stdout.trim().split('\n').length, 4);
  });

  void it('--chain applies the kernels in sequence (raw in between), --convolve flips them', async () => {
    const { input, out } = workdir();
    const image = writePng(input('a.png'), pattern(3, 8, 11));
    const target = join(out, 'chain.png');
    const run = await convnet(
      'filter',
      input('a.png'),
      '-k',
      'gaussian:3',
      '-k',
      'diagonal-ne',
      '--chain',
      '--convolve',
      '-o',
      target,
    );
    assert.equal(run.code, 0, run.stderr);
    const blurred = vision.applyKernel(image, 'gaussian:3', { output: 'none', convolve: true });
    assertFiltered(target, blurred, 'diagonal-ne', { convolve: true });
    assert.match(run.stdout, /gaussian:3:0\.8 → diagonal-ne/);
    const named = await convnet(
      'filter',
      input('a.png'),
      '-k',
      'gaussian:3',
      '-k',
      'sobel-x',
      '--chain',
      '--edges',
      'prewitt',
      '-o',
      join(out, 'two.png'),
    );
    assert.equal(named.code, 0, named.stderr);
    assert.ok(existsSync(join(out, 'two.gaussian-3-0.8+sobel-x.png')));
    assert.ok(existsSync(join(out, 'two.edges-prewitt.png')));
  });

  void it('on a real photo: --edges, --pool and a --sheet beside the kernel results', async () => {
    const { out } = workdir();
    const sheet = join(out, 'sheet.png');
    const run = await convnet(
      'filter',
      CHELSEA,
      '-k',
      'sobel-y',
      '--edges',
      'sobel',
      '--norm',
      'l2',
      '--pool',
      'max:20',
      '--sheet',
      sheet,
      '-o',
      join(out, 'cat.png'),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(readdirSync(out).sort(), [
      'cat.edges-sobel-l2.png',
      'cat.pool-max-20.png',
      'cat.sobel-y.png',
      'sheet.png',
    ]);
    const photo = decode(CHELSEA).image;
    const edges = decode(join(out, 'cat.edges-sobel-l2.png')).image;
    assert.deepEqual(levels(edges), levels(vision.edgeMagnitude(photo, { norm: 'l2' })));
    const pooled = decode(join(out, 'cat.pool-max-20.png')).image;
    assert.deepEqual(pooled.shape, [3, 15, 22]);
    assert.deepEqual(levels(pooled), levels(vision.poolImage(photo, { mode: 'max', kernelSize: 20 })));
    const drawn = decode(sheet).image;
    const [, h, w] = drawn.shape as [number, number, number];
    assert.ok(w > 4 * 256 && w < 5 * 300 && h > 256 && h < 400, `sheet ${w}×${h}`);
    assert.match(run.stdout, /sheet\.png\s+\d+×\d+\s+contact sheet of 4 images/);
  });

  void it('--list prints every kernel with its matrix, without inputs', async () => {
    const run = await convnet('filter', '--list');
    assert.equal(run.code, 0, run.stderr);
    for (const { name } of vision.KERNEL_DEFINITIONS)
      assert.match(run.stdout, new RegExp(`^${name}\\b`, 'm'));
    assert.match(run.stdout, /^sobel-x +.*\n +matrix\n +-1 +0 +1\n +-2 +0 +2\n +-1 +0 +1$/m);
    assert.match(run.stdout, /^gaussian:SIZE:SIGMA .*\n +SIZE +default 5 /m);
  });

  void it('filters a folder into a created folder, keeping each input format', async () => {
    const { input, out } = workdir();
    const folder = input('photos');
    mkdirSync(folder);
    const a = writePng(join(folder, 'a.png'), pattern(3, 6, 7, 1));
    writePng(join(folder, 'b.png'), pattern(1, 7, 6, 2));
    writeFileSync(join(folder, 'c.jpg'), vision.encodeJpeg(pattern(3, 8, 8, 3)));
    writeFileSync(join(folder, 'notes.txt'), 'not an image');
    const one = await convnet('filter', folder, '-k', 'box:3', '-o', join(out, 'one'));
    assert.equal(one.code, 0, one.stderr);
    assert.deepEqual(readdirSync(join(out, 'one')), ['a.png', 'b.png', 'c.jpg']);
    assertFiltered(join(out, 'one', 'a.png'), a, 'box:3');
    const two = await convnet(
      'filter',
      folder,
      '-k',
      'box:3',
      '-k',
      'emboss',
      '--format',
      'png',
      '-o',
      join(out, 'two'),
    );
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(readdirSync(join(out, 'two')).sort(), [
      'a.box-3.png',
      'a.emboss.png',
      'b.box-3.png',
      'b.emboss.png',
      'c.box-3.png',
      'c.emboss.png',
    ]);
  });

  void it("keeps the input's 16 bits, alpha exactly, and crops alpha with 'valid' padding", async () => {
    const { input, out } = workdir();
    const alpha = pattern(1, 10, 12, 5);
    const image = writePng(input('deep.png'), pattern(3, 10, 12), { alpha, bitDepth: 16 });
    const stored = decode(input('deep.png'));
    const same = join(out, 'same.png');
    const run = await convnet('filter', input('deep.png'), '-k', 'sharpen', '-o', same);
    assert.equal(run.code, 0, run.stderr);
    const written = decode(same);
    assert.equal(written.bitDepth, 16);
    assert.deepEqual(levels(written.image, 16), levels(vision.applyKernel(image, 'sharpen'), 16));
    assert.deepEqual(levels(written.alpha!, 16), levels(stored.alpha!, 16));
    const valid = join(out, 'valid.png');
    const shrunk = await convnet(
      'filter',
      input('deep.png'),
      '-k',
      'box:3',
      '--padding',
      'valid',
      '--bit-depth',
      '8',
      '-o',
      valid,
    );
    assert.equal(shrunk.code, 0, shrunk.stderr);
    const cropped = decode(valid);
    assert.equal(cropped.bitDepth, 8);
    assert.deepEqual(cropped.image.shape, [3, 8, 10]);
    assert.deepEqual(levels(cropped.alpha!), levels(stored.alpha!.narrow(1, 1, 8).narrow(2, 1, 10)));
    const jpeg = join(out, 'flat.jpg');
    const dropped = await convnet(
      'filter',
      input('deep.png'),
      '-k',
      'identity',
      '--quality',
      '95',
      '-o',
      jpeg,
    );
    assert.equal(dropped.code, 0, dropped.stderr);
    assert.match(dropped.stderr, /^note: .*deep\.png has an alpha channel, which JPEG cannot hold/);
    assert.equal(decode(jpeg).alpha, null);
  });
});

void describe('convnet filter refuses bad input and leaves nothing behind', () => {
  /** Writes the files each case needs into `input(...)`. */
  function inputs(input: (name: string) => string): void {
    writePng(input('good.png'), pattern(3, 6, 6));
    writePng(input('tiny.png'), pattern(1, 2, 2));
    const png = vision.encodePng(pattern(3, 16, 16));
    writeFileSync(input('truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
    const jpeg = vision.encodeJpeg(pattern(3, 16, 16));
    writeFileSync(input('truncated.jpg'), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  }

  const cases: [
    what: string,
    argv: (input: (name: string) => string, out: string) => string[],
    message: RegExp,
  ][] = [
    [
      'a missing file',
      (i, o) => ['filter', i('missing.png'), '-k', 'sobel-x', '-o', join(o, 'x.png')],
      /missing\.png: no such file/,
    ],
    [
      'a truncated PNG',
      (i, o) => ['filter', i('truncated.png'), '-k', 'sobel-x', '-o', join(o, 'x.png')],
      /truncated\.png/,
    ],
    [
      'a truncated JPEG',
      (i, o) => ['filter', i('truncated.jpg'), '-k', 'sobel-x', '-o', join(o, 'x.png')],
      /truncated\.jpg/,
    ],
    [
      'an unknown kernel',
      (i, o) => ['filter', i('good.png'), '-k', 'sobel-z', '-o', join(o, 'x.png')],
      /--kernel: "sobel-z": .*unknown/i,
    ],
    [
      'an even-sized matrix with same padding',
      (i, o) => ['filter', i('good.png'), '-k', '1,0;0,-1', '-o', join(o, 'x.png')],
      /--kernel: "1,0;0,-1" is 2×2: 'same' padding needs odd sizes/,
    ],
    [
      'a non-rectangular matrix',
      (i, o) => ['filter', i('good.png'), '-k', '[[1,0,1],[0,1]]', '-o', join(o, 'x.png')],
      /--kernel: "\[\[1,0,1\],\[0,1\]\]": .*row/,
    ],
    [
      'an image too small for valid padding',
      (i, o) => ['filter', i('tiny.png'), '-k', 'sobel-x', '--padding', 'valid', '-o', join(o, 'x.png')],
      /tiny\.png: sobel-x: /,
    ],
    [
      'a bad --pool',
      (i, o) => ['filter', i('good.png'), '--pool', 'median:3', '-o', join(o, 'x.png')],
      /--pool .*expected max:SIZE\[:STRIDE\]/,
    ],
    [
      'a pool larger than the image',
      (i, o) => ['filter', i('good.png'), '--pool', 'max:20', '-o', join(o, 'x.png')],
      /good\.png: pool max:20: /,
    ],
    [
      'a bad --padding-mode',
      (i, o) => [
        'filter',
        i('good.png'),
        '-k',
        'sobel-x',
        '--padding-mode',
        'mirror',
        '-o',
        join(o, 'x.png'),
      ],
      /--padding-mode .*mirror/,
    ],
    [
      'an output that is not .png or .jpg',
      (i, o) => ['filter', i('good.png'), '-k', 'sobel-x', '-o', join(o, 'x.gif')],
      /--out: .*x\.gif: expected a file name ending in \.png, \.jpg or \.jpeg/,
    ],
    [
      'a sheet that is not .png',
      (i, o) => [
        'filter',
        i('good.png'),
        '-k',
        'sobel-x',
        '--sheet',
        join(o, 's.jpg'),
        '-o',
        join(o, 'x.png'),
      ],
      /--sheet: .*s\.jpg: expected a file name ending in \.png/,
    ],
    [
      '16 bits into a JPEG',
      (i, o) => ['filter', i('good.png'), '-k', 'sobel-x', '--bit-depth', '16', '-o', join(o, 'x.jpg')],
      /--bit-depth: 16-bit samples need PNG/,
    ],
    [
      'no kernel',
      (i, o) => ['filter', i('good.png'), '-o', join(o, 'x.png')],
      /--kernel: give at least one kernel/,
    ],
    ['no output', (i) => ['filter', i('good.png'), '-k', 'sobel-x'], /--out: missing/],
    [
      'an output over its input',
      (i) => ['filter', i('good.png'), '-k', 'sobel-x', '-o', i('good.png')],
      /would overwrite the input/,
    ],
    [
      'a failure on the second input',
      (i, o) => [
        'filter',
        i('good.png'),
        i('truncated.png'),
        '-k',
        'sobel-x',
        '--sheet',
        join(o, 's.png'),
        '-o',
        o,
      ],
      /truncated\.png/,
    ],
  ];

  for (const [what, argv, message] of cases) {
    void it(what, async () => {
      const { input, out } = workdir();
      inputs(input);
      const run = await convnet(...argv(input, out));
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /^error: [^\n]+\n$/);
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
      assert.ok(
        !existsSync(out) || readdirSync(out).length === 0,
        `left ${existsSync(out) ? readdirSync(out).join(', ') : ''}`,
      );
      assert.deepEqual(readdirSync(join(out, '..', 'in')).sort(), [
        'good.png',
        'tiny.png',
        'truncated.jpg',
        'truncated.png',
      ]);
    });
  }
});
