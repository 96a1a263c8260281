import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decode } from 'fast-png';
import { ArgumentError, SerializationError } from '../src/index.js';
import type { EpochRecord } from '../src/node/index.js';
import { learningCurvesPng, learningCurvesSvg, writeTrainingReport } from '../src/node/index.js';

/** A plausible run: losses falling, accuracies rising towards a plateau. */
function makeHistory(epochs: number): EpochRecord[] {
  return Array.from({ length: epochs }, (_, i) => {
    const e = i + 1;
    return {
      epoch: e,
      trainLoss: 0.9 / Math.sqrt(e) + 0.1,
      testLoss: 0.95 / Math.sqrt(e) + 0.15,
      trainAccuracy: 0.95 - 0.3 / e,
      testAccuracy: 0.9 - 0.3 / e,
      lr: 0.01,
      seconds: 12.5,
    };
  });
}

const many = makeHistory(15);
const stepLosses = many.map((r) =>
  Array.from({ length: 30 }, (_, k) => r.trainLoss * (1 + 0.3 * Math.sin(k))),
);

/** Throws unless every tag of `svg` is closed in order, which is what well-formed XML needs of tags. */
function assertBalancedTags(svg: string): void {
  const open: string[] = [];
  for (const [tag, closing, name, selfClosing] of svg.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    if (selfClosing === '/') continue;
    if (closing === '/') assert.equal(open.pop(), name, `unexpected ${tag}`);
    else open.push(name!);
  }
  assert.deepEqual(open, [], 'unclosed tags');
}

/** The text of every `<text>` element of an SVG. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

/** The SVG's own size in SVG units. */
function svgSize(svg: string): [number, number] {
  const match = /^<svg[^>]* width="(\d+)" height="(\d+)"/.exec(svg);
  assert.ok(match, 'the SVG states its width and height');
  return [Number(match[1]), Number(match[2])];
}

/** How many pixels of an RGB(A) image in the rectangle `[x0, x1) × [y0, y1)` satisfy `test`. */
function countPixels(
  png: ReturnType<typeof decode>,
  test: (r: number, g: number, b: number) => boolean,
  [x0, y0, x1, y1] = [0, 0, png.width, png.height],
): number {
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = (y * png.width + x) * png.channels;
      if (test(png.data[i]!, png.data[i + 1]!, png.data[i + 2]!)) count += 1;
    }
  }
  return count;
}

const dark = (r: number, g: number, b: number): boolean => r + g + b < 150;
const near =
  (hex: string) =>
  (r: number, g: number, b: number): boolean => {
    const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    return Math.abs(r - c[0]!) + Math.abs(g - c[1]!) + Math.abs(b - c[2]!) < 30;
  };

void describe('learningCurvesSvg', () => {
  void it('draws the title, both panels, axis titles and every series', async () => {
    const svg = await learningCurvesSvg(many, { title: 'Fashion-MNIST run', stepLosses });
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.ok(svg.endsWith('</svg>'));
    assertBalancedTags(svg);
    const labels = texts(svg);
    for (const label of [
      'Fashion-MNIST run',
      'Loss',
      'Accuracy',
      'epoch',
      'loss',
      'accuracy',
      'train',
      'test',
      'train (per step)',
      '100%',
    ]) {
      assert.ok(labels.includes(label), `no text "${label}" in ${JSON.stringify(labels)}`);
    }
    assert.ok(
      labels.some((t) => t.includes('15 epochs') && t.includes('88.00%')),
      'subtitle',
    );
    assert.ok(svg.includes('font-family="DejaVu Sans, sans-serif"'));
  });

  void it('draws a one-epoch history, without the per-step series when no step losses are given', async () => {
    const svg = await learningCurvesSvg(makeHistory(1));
    assertBalancedTags(svg);
    const labels = texts(svg);
    for (const label of ['Learning curves', 'Loss', 'Accuracy', 'train', 'test', '1']) {
      assert.ok(labels.includes(label), `no text "${label}"`);
    }
    assert.ok(!labels.includes('train (per step)'));
    assert.ok(labels.some((t) => t.startsWith('1 epoch ·')));
  });

  void it('escapes markup in the title', async () => {
    const svg = await learningCurvesSvg(makeHistory(2), { title: 'a < b & "c"' });
    assertBalancedTags(svg);
    assert.ok(svg.includes('a &lt; b &amp;'), 'the title is escaped');
  });
});

void describe('learningCurvesPng', () => {
  void it('rasterises the figure at twice its SVG size with visible text and curves', async () => {
    const [width, height] = svgSize(await learningCurvesSvg(many, { stepLosses }));
    const png = decode(await learningCurvesPng(many, { stepLosses }));
    assert.deepEqual([png.width, png.height], [2 * width, 2 * height]);
    // Black text in the title's corner: the font was loaded and the labels are drawn.
    assert.ok(countPixels(png, dark, [0, 0, 400, 60]) > 200, 'title text is drawn');
    assert.ok(countPixels(png, dark) > 5000, 'axis labels are drawn');
    assert.ok(countPixels(png, near('#4c78a8')) > 2000, 'train curves are drawn');
    assert.ok(countPixels(png, near('#f58518')) > 2000, 'test curves are drawn');
    assert.ok(countPixels(png, near('#9ecae9')) > 500, 'per-step losses are drawn');
    assert.ok(
      countPixels(png, (r, g, b) => r === 255 && g === 255 && b === 255) > png.width * png.height * 0.5,
    );
  });

  void it('honours scale and draws a one-epoch history', async () => {
    const history = makeHistory(1);
    const [width, height] = svgSize(await learningCurvesSvg(history));
    const png = decode(await learningCurvesPng(history, { scale: 1 }));
    assert.deepEqual([png.width, png.height], [width, height]);
    assert.ok(countPixels(png, dark, [0, 0, 200, 30]) > 50, 'title text is drawn');
    assert.ok(countPixels(png, near('#f58518')) > 20, 'the test points are drawn');
  });
});

void describe('writeTrainingReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convnet-report-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  void it('writes <base>-curves.svg and .png into a new folder and leaves no temporary file', async () => {
    const target = join(dir, 'run', 'nested');
    const files = await writeTrainingReport(target, 'bench', many, { stepLosses });
    assert.deepEqual(files, { svg: join(target, 'bench-curves.svg'), png: join(target, 'bench-curves.png') });
    assert.deepEqual(readdirSync(target).sort(), ['bench-curves.png', 'bench-curves.svg']);
    assert.equal(readFileSync(files.svg, 'utf8'), await learningCurvesSvg(many, { stepLosses }));
    const png = decode(readFileSync(files.png));
    assert.deepEqual(
      [png.width, png.height],
      svgSize(readFileSync(files.svg, 'utf8')).map((s) => 2 * s),
    );
  });

  void it('fails with a SerializationError, writing nothing, when the folder is a file', async () => {
    const file = join(dir, 'not-a-folder');
    writeFileSync(file, 'x');
    await assert.rejects(writeTrainingReport(file, 'bench', many), SerializationError);
    await assert.rejects(writeTrainingReport(join(file, 'below'), 'bench', many), SerializationError);
    assert.deepEqual(readdirSync(dir).sort(), ['not-a-folder', 'run']);
  });
});

void describe('report bad input', () => {
  const history = makeHistory(3);
  const withField = (i: number, field: keyof EpochRecord, value: unknown): EpochRecord[] =>
    history.map((r, k) => (k === i ? { ...r, [field]: value } : r));
  const missingLr = Object.fromEntries(Object.entries(history[1]!).filter(([key]) => key !== 'lr'));
  const histories: [string, unknown][] = [
    ['not an array', { epoch: 1 }],
    ['empty history', []],
    ['a record that is not an object', [history[0], 3]],
    ['NaN test loss', withField(1, 'testLoss', NaN)],
    ['infinite train loss', withField(0, 'trainLoss', Infinity)],
    ['a string accuracy', withField(2, 'trainAccuracy', '0.5')],
    ['a missing field', [history[0], missingLr]],
    ['accuracy above 1', withField(0, 'testAccuracy', 85)],
    ['negative accuracy', withField(0, 'trainAccuracy', -0.1)],
    ['fractional epoch', withField(0, 'epoch', 0.5)],
    ['negative epoch', withField(0, 'epoch', -1)],
    ['epochs out of order', withField(2, 'epoch', 2)],
  ];
  const optionCases: [string, unknown, string][] = [
    ['step losses of mismatched length', { stepLosses: [[1], [2]] }, 'stepLosses'],
    ['step losses not an array', { stepLosses: 'abc' }, 'stepLosses'],
    ['an epoch of step losses not an array', { stepLosses: [[1], 2, [3]] }, 'stepLosses'],
    ['a NaN step loss', { stepLosses: [[1], [2, NaN], [3]] }, 'stepLosses'],
    ['a title that is not a string', { title: 42 }, 'title'],
    ['options that are not an object', 'big', 'options'],
  ];
  const scaleCases: [string, unknown][] = [
    ['scale 0', 0],
    ['NaN scale', NaN],
    ['scale above 8', 9],
    ['string scale', '2'],
  ];
  type Call = (history: unknown, options?: unknown) => Promise<unknown>;
  const functions: [string, Call][] = [
    ['learningCurvesSvg', (h, o) => learningCurvesSvg(h as EpochRecord[], o as object)],
    ['learningCurvesPng', (h, o) => learningCurvesPng(h as EpochRecord[], o as object)],
    [
      'writeTrainingReport',
      (h, o) => writeTrainingReport(join(tmpdir(), 'never-written'), 'x', h as EpochRecord[], o as object),
    ],
  ];
  const rejectsWith = async (promise: Promise<unknown>, op: string, argument: string): Promise<void> => {
    await assert.rejects(promise, (e: unknown) => {
      assert.ok(e instanceof ArgumentError, `expected an ArgumentError, got ${String(e)}`);
      assert.equal(e.op, op);
      assert.equal(e.argument, argument, e.message);
      return true;
    });
  };
  for (const [op, call] of functions) {
    for (const [what, bad] of histories) {
      void it(`${op}: ${what}`, () => rejectsWith(call(bad), op, 'history'));
    }
    for (const [what, options, argument] of optionCases) {
      void it(`${op}: ${what}`, () => rejectsWith(call(history, options), op, argument));
    }
  }
  for (const [op, call] of functions.slice(1)) {
    for (const [what, scale] of scaleCases) {
      void it(`${op}: ${what}`, () => rejectsWith(call(history, { scale }), op, 'scale'));
    }
  }
  for (const [what, dir, base, argument] of [
    ['empty folder', '', 'x', 'dir'],
    ['folder not a string', 3, 'x', 'dir'],
    ['base name with a slash', tmpdir(), 'a/b', 'baseName'],
    ['empty base name', tmpdir(), '', 'baseName'],
    ['base name ..', tmpdir(), '..', 'baseName'],
  ] as const) {
    void it(`writeTrainingReport: ${what}`, () =>
      rejectsWith(writeTrainingReport(dir as string, base, history), 'writeTrainingReport', argument));
  }
});
