import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { convnet } from './helpers/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'convnet-cli-signal-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** The width and height attributes of an SVG document's root element. */
function svgSize(svg: string): [number, number] {
  const root = /<svg[^>]*>/.exec(svg)![0];
  const size = (name: string): number => Number(new RegExp(`\\b${name}="([\\d.]+)"`).exec(root)![1]);
  return [size('width'), size('height')];
}

void describe('convnet signal', () => {
  void it("draws the seed's three demonstrations as one PNG and prints the discrete convolution", async () => {
    const png = join(folder, 'seed.png');
    const svg = join(folder, 'seed.svg');
    const result = await convnet('signal', '-o', png);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /np\.convolve\(\[0\.1, 0\.1, 1, 1, 1, 0\.1, 0\.1\], \[0\.2, 0\.2, 0\.2, 0\.2\], 'full'\)\n {2}= \[0\.02, 0\.04, 0\.24, 0\.44, 0\.62, 0\.62, 0\.44, 0\.24, 0\.04, 0\.02\]/,
    );
    assert.match(result.stdout, /not scaled by dx/);
    assert.match(result.stdout, new RegExp(`wrote ${png.replace(/[.\\]/g, '\\$&')}`));
    assert.equal((await convnet('signal', '-o', svg)).code, 0);
    const text = readFileSync(svg, 'utf8');
    for (const title of [
      'Arrays A &amp; B get folded / convoluted -&gt; resulting in a smoothed version of both',
      'Convolution of Piecewise Linear Function with Gaussian Kernel',
      'Convolution of Piecewise Linear Function with Laplacian of Gaussian Kernel',
      'Array a',
      'Smoothing Function (Gaussian)',
      'Magnifying Function (Laplacian of Gaussian)',
      'Magnified Function',
    ]) {
      assert.ok(text.includes(title), `the SVG has the title ${title}`);
    }
    const image = decode(readFileSync(png));
    const [width, height] = svgSize(text);
    assert.equal(image.width, Math.round(2 * width));
    assert.equal(image.height, Math.round(2 * height));
    assert.ok(image.height > 1000, 'three rows of panels');
  });

  void it("convolves the user's arrays, and correlates them with --correlate", async () => {
    const out = join(folder, 'mine.svg');
    const convolved = await convnet('signal', '--signal', '1,2,3', '--kernel', '0, 1, 0.5', '-o', out);
    assert.equal(convolved.code, 0, convolved.stderr);
    assert.match(
      convolved.stdout,
      /np\.convolve\(\[1, 2, 3\], \[0, 1, 0\.5\], 'full'\)\n {2}= \[0, 1, 2\.5, 4, 1\.5\]/,
    );
    assert.ok(readFileSync(out, 'utf8').includes("np.convolve(signal, kernel, 'full')"));
    const correlated = await convnet(
      'signal',
      '--signal',
      '1,2,3',
      '--kernel',
      '0,1,0.5',
      '--mode',
      'same',
      '--correlate',
      '-o',
      out,
    );
    assert.equal(correlated.code, 0, correlated.stderr);
    assert.match(correlated.stdout, /= \[2, 3.5, 3\]/);
  });

  void it("swaps a kernel longer than the signal, as numpy does ('valid')", async () => {
    const out = join(folder, 'swapped.png');
    const args = ['--signal', '1,2', '--kernel', '1,2,3', '--mode', 'valid', '-o', out];
    const convolved = await convnet('signal', ...args);
    assert.equal(convolved.code, 0, convolved.stderr);
    assert.match(convolved.stdout, /np\.convolve\(\[1, 2\], \[1, 2, 3\], 'valid'\)\n {2}= \[4, 7\]/);
    const correlated = await convnet('signal', ...args, '--correlate');
    assert.equal(correlated.code, 0, correlated.stderr);
    assert.match(correlated.stdout, /= \[8, 5\]/);
  });

  void it('draws a long signal as a line and prints its values', async () => {
    const out = join(folder, 'long.png');
    const signal = Array.from({ length: 80 }, (_, i) => i % 10).join(',');
    const result = await convnet(
      'signal',
      '--signal',
      signal,
      '--kernel',
      '1,1',
      '--mode',
      'valid',
      '-o',
      out,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /79 values\n {2}= \[1, 3, 5/);
    assert.ok(decode(readFileSync(out)).width > 0);
  });

  const bad: [string, string[], RegExp][] = [
    ['a non-numeric signal', ['--signal', '1,2,x', '--kernel', '1'], /^error: --signal: .*"x" at position 3/],
    ['an empty kernel', ['--signal', '1,2', '--kernel', ' , '], /^error: --kernel: .*got nothing/],
    ['an unknown mode', ['--signal', '1,2', '--kernel', '1', '--mode', 'wrap'], /^error: --mode: .*"wrap"/],
    ['--mode without arrays', ['--mode', 'same'], /^error: --mode: /],
    ['a signal without a kernel', ['--signal', '1,2'], /^error: --kernel: is required/],
    ['a bad extension', ['-o', 'figure.jpg'], /^error: --out: expected a \.png or \.svg/],
    ['an unknown backend', ['--backend', 'gpu'], /^error: --backend: /],
  ];
  for (const [what, argv, message] of bad) {
    void it(`fails with one error line and no file on ${what}`, async () => {
      const out = argv.includes('-o')
        ? join(folder, 'bad', argv[argv.indexOf('-o') + 1]!)
        : join(folder, `bad-${what.replace(/\W+/g, '-')}.png`);
      const args = argv.includes('-o')
        ? argv.map((a, i) => (argv[i - 1] === '-o' ? out : a))
        : [...argv, '-o', out];
      const result = await convnet('signal', ...args);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.equal(existsSync(out), false);
    });
  }

  void it('fails naming --out when the folder does not exist, leaving no temporary file', async () => {
    const out = join(folder, 'missing', 'signal.png');
    const result = await convnet('signal', '--signal', '1,2', '--kernel', '1', '-o', out);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /^error: --out: cannot write .*: no such file or folder\n$/);
    assert.equal(result.stdout, '');
    assert.equal(existsSync(join(folder, 'missing')), false);
    assert.deepEqual(
      readdirSync(folder).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });
});
