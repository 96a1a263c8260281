/**
 * The playground page end to end, in Debian's headless Chromium driven by playwright-core (never a
 * downloaded browser): built with vite, served by vite's preview server with the cross-origin isolation
 * headers (and once without them). The page loads without console errors; training runs in its worker
 * and the loss falls; a worker error shows on the page; drawing gives a prediction; the filter and
 * feature-map grids render; the convolution view's output size matches the formula; a kernel applies.
 * Without isolation the page says so and trains on one thread. Screenshots go to docs/images/playground/.
 *
 * Skipped, with a message, when /usr/bin/chromium is missing (`apt-get install chromium`; `.ci/run` does).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { build, preview } from 'vite';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const configFile = join(root, 'web', 'vite.config.ts');
const shots = join(root, 'docs', 'images', 'playground');
const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the playground tests`;

/** The URL a preview server listens on. */
function urlOf(server: PreviewServer): string {
  const { port } = server.httpServer.address() as AddressInfo;
  return `http://127.0.0.1:${port}/`;
}

void describe('playground in headless Chromium', { skip }, () => {
  let outDir = '';
  let isolated: PreviewServer;
  let plain: PreviewServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    // The page imports the package's published entry point, which `npm run build` (run by `npm ci`) writes.
    if (!existsSync(join(root, 'dist', 'index.js')))
      throw new Error('dist/index.js is missing: run npm run build');
    outDir = mkdtempSync(join(tmpdir(), 'convnet-web-'));
    mkdirSync(shots, { recursive: true });
    await build({ configFile, logLevel: 'silent', build: { outDir, emptyOutDir: true } });
    const server = { port: 0, host: '127.0.0.1', strictPort: false };
    isolated = await preview({ configFile, logLevel: 'silent', build: { outDir }, preview: server });
    // The same files with no headers: not cross-origin isolated.
    plain = await preview({
      configFile: false,
      root: join(root, 'web'),
      logLevel: 'silent',
      build: { outDir },
      preview: { ...server, headers: {} },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    await page.goto(urlOf(isolated));
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  });

  after(async () => {
    await browser?.close();
    await Promise.all([isolated?.close(), plain?.close()]);
    if (outDir !== '') rmSync(outDir, { recursive: true, force: true });
  });

  void it('loads cross-origin isolated, with no note and no console errors', async () => {
    assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
    assert.equal(await page.isVisible('#isolation-note'), false);
    assert.deepEqual(problems, []);
  });

  void it('trains in a worker: progress is shown and the loss falls', async () => {
    await page.click('button[data-tab="train"]');
    await page.selectOption('#train-images', '1000');
    await page.fill('#train-epochs', '2');
    await page.click('#train-start');
    const batches = async () =>
      ((await page.getAttribute('#train-status', 'data-losses')) ?? '').split(' ').length;
    await page.waitForFunction(
      () => (document.getElementById('train-status')!.dataset.losses ?? '').split(' ').length >= 3,
      null,
      {
        timeout: 60_000,
      },
    );
    assert.match(
      (await page.textContent('#train-status'))!,
      /^epoch 1\/2 · batch \d+\/16 · loss \d\.\d{4} · accuracy \d+\.\d% · \d+ images\/s · \d+ threads? · time left (\d+ min )?\d+ s/,
    );
    // Paused, the worker runs no batch until resumed.
    await page.click('#train-pause');
    await page.waitForSelector('#train-status[data-state="paused"]');
    const pausedAt = await batches();
    await page.waitForTimeout(1500);
    assert.equal(await batches(), pausedAt);
    assert.equal(await page.textContent('#train-pause'), 'Resume');
    await page.click('#train-pause');
    await page.waitForSelector('#train-status[data-state="done"]', { timeout: 90_000 });
    const losses = (await page.getAttribute('#train-status', 'data-losses'))!.split(' ').map(Number);
    assert.equal(losses.length, 2 * 16, 'two epochs of 16 batches of 1,000 images');
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(mean(losses.slice(-5)) < 0.8 * mean(losses.slice(0, 5)), `losses ${losses.join(' ')}`);
    assert.equal(await page.isVisible('#train-error'), false);
    assert.ok((await page.locator('#chart-loss svg').count()) === 1);
    assert.equal(await page.isEnabled('#draw-model option[value="trained"]'), true);
    await page.screenshot({ path: join(shots, 'train.png') });
  });

  void it('shows an error of the worker on the page', async () => {
    await page.fill('#train-lr', '-1');
    await page.click('#train-start');
    await page.waitForSelector('#train-error:visible', { timeout: 30_000 });
    assert.match((await page.textContent('#train-error'))!, /^Training failed: .*lr/);
    assert.equal(await page.isEnabled('#train-start'), true);
    await page.fill('#train-lr', '');
  });

  void it('predicts what is drawn, with the shipped model that knows ten kinds of clothing', async () => {
    await page.click('button[data-tab="draw"]');
    assert.match((await page.textContent('#draw-knows'))!, /ten kinds of clothing: T-shirt\/top, Trouser/);
    assert.match((await page.textContent('#draw-model-note'))!, /full Fashion-MNIST.*test accuracy/);
    await page.click('#draw-clear');
    const box = (await page.locator('#draw-canvas').boundingBox())!;
    // A pair of trouser legs: two long strokes down from a waistband.
    await page.mouse.move(box.x + 90, box.y + 30);
    await page.mouse.down();
    await page.mouse.move(box.x + 190, box.y + 30, { steps: 5 });
    await page.mouse.up();
    for (const x of [95, 115, 165, 185]) {
      await page.mouse.move(box.x + x, box.y + 30);
      await page.mouse.down();
      await page.mouse.move(box.x + x + (x < 140 ? -10 : 10), box.y + 265, { steps: 8 });
      await page.mouse.up();
    }
    await page.waitForFunction(() => document.getElementById('draw-top')!.textContent !== '');
    const bars = await page.locator('#draw-probabilities li .value').allTextContents();
    assert.equal(bars.length, 10);
    const total = bars.reduce((s, v) => s + Number.parseFloat(v), 0);
    assert.ok(Math.abs(total - 100) < 1, `probabilities add up to ${total}%`);
    assert.match((await page.textContent('#draw-top'))!, /^[A-Za-z/ -]+ \(\d+\.\d%\)$/);
    await page.screenshot({ path: join(shots, 'draw.png') });
    await page.setInputFiles('#draw-upload', join(root, 'examples', 'images', 'test-1-pullover.png'));
    await page.waitForFunction(() => document.getElementById('draw-top')!.textContent.startsWith('Pullover'));
    await page.selectOption('#draw-model', 'trained');
    assert.match((await page.textContent('#draw-model-note'))!, /trained here: 2 epochs/);
    await page.selectOption('#draw-model', 'pretrained');
    await page.click('#draw-sample');
    await page.waitForFunction(() =>
      document.getElementById('draw-top')!.textContent.startsWith('Ankle boot'),
    );
  });

  void it('shows the first layer’s filters and every convolution and pooling layer’s feature maps', async () => {
    await page.click('button[data-tab="inside"]');
    const counts = await page.$$eval('#inside-layers .layer', (layers) =>
      layers.map(
        (layer) => `${(layer as HTMLElement).dataset.kind} ${layer.querySelectorAll('canvas').length}`,
      ),
    );
    assert.deepEqual(counts, ['filters 16', 'maps 16', 'maps 16', 'maps 32', 'maps 32']);
    const sizes = await page.$$eval(
      '#inside-layers .layer[data-kind="maps"] canvas:first-child',
      (canvases) =>
        canvases.map((c) => `${(c as HTMLCanvasElement).width}×${(c as HTMLCanvasElement).height}`),
    );
    assert.deepEqual(sizes, ['28×28', '14×14', '14×14', '7×7']);
    await page.screenshot({ path: join(shots, 'inside.png'), fullPage: true });
  });

  void it('fills in the output-size formula and its result matches for several settings', async () => {
    await page.click('button[data-tab="convolution"]');
    const settings = [
      { size: 7, kernel: 3, stride: 1, dilation: 1, padding: 0 },
      { size: 7, kernel: 3, stride: 2, dilation: 1, padding: 1 },
      { size: 9, kernel: 3, stride: 1, dilation: 2, padding: 0 },
      { size: 10, kernel: 4, stride: 3, dilation: 1, padding: 2 },
      { size: 5, kernel: 5, stride: 1, dilation: 1, padding: 2 },
    ];
    for (const s of settings) {
      for (const [id, value] of Object.entries(s)) await page.fill(`#conv-${id}`, String(value));
      const expected = Math.floor((s.size + 2 * s.padding - s.dilation * (s.kernel - 1) - 1) / s.stride) + 1;
      const shown = await page.getAttribute('#conv-formula', 'data-size');
      const rows = await page.getAttribute('#conv-output', 'data-rows');
      const cols = await page.getAttribute('#conv-output', 'data-cols');
      const windows = await page.getAttribute('#conv-columns', 'data-rows');
      assert.deepEqual(
        [shown, rows, cols, windows],
        [expected, expected, expected, expected ** 2].map(String),
        JSON.stringify(s),
      );
      assert.match((await page.textContent('#conv-formula'))!, new RegExp(`= ${expected}$`));
    }
    await page.fill('#conv-size', '7');
    await page.fill('#conv-kernel', '3');
    await page.fill('#conv-stride', '1');
    await page.fill('#conv-dilation', '1');
    await page.fill('#conv-padding', '1');
    await page.hover('#conv-output div:nth-child(10)');
    assert.equal(await page.locator('#conv-input div.tap').count(), 9);
    await page.screenshot({ path: join(shots, 'convolution.png'), fullPage: true });
    // A window wider than the padded input: the library's error shows, no grid.
    await page.fill('#conv-size', '5');
    await page.fill('#conv-dilation', '4');
    await page.waitForSelector('#conv-error:visible');
    assert.match((await page.textContent('#conv-error'))!, /larger than/);
  });

  void it('applies a named and a typed kernel to a sample photo', async () => {
    await page.click('button[data-tab="kernels"]');
    await page.waitForSelector('#kernel-caption[data-applied="sobel-x"]', { timeout: 30_000 });
    const sizes = await page.$$eval(['#kernel-original', '#kernel-result'].join(','), (canvases) =>
      canvases.map((c) => `${(c as HTMLCanvasElement).width}×${(c as HTMLCanvasElement).height}`),
    );
    assert.equal(sizes[0], sizes[1]);
    assert.notEqual(sizes[0], '300×150', 'the photo is drawn');
    await page.selectOption('#kernel-name', 'emboss');
    await page.waitForSelector('#kernel-caption[data-applied^="emboss"]');
    await page.screenshot({ path: join(shots, 'kernels.png') });
    await page.setInputFiles('#kernel-upload', join(root, 'data', 'images', 'rocket.jpg'));
    await page.waitForFunction(
      () => document.querySelector<HTMLCanvasElement>('#kernel-original')!.width === 640,
    );
    await page.waitForSelector('#kernel-caption[data-applied^="emboss"]');
    await page.fill('#kernel-matrix', '0 -1 0; -1 5 -1; 0 -1 0');
    await page.click('#kernel-apply');
    await page.waitForSelector('#kernel-caption[data-applied="matrix 3x3"]');
    assert.deepEqual(problems, []);
  });

  void it('works without cross-origin isolation: the note shows and training runs on one thread', async () => {
    const other = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    try {
      await other.goto(urlOf(plain));
      await other.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      assert.equal(await other.evaluate(() => globalThis.crossOriginIsolated), false);
      assert.match((await other.textContent('#isolation-note'))!, /not cross-origin isolated.*one thread/);
      assert.equal(await other.isVisible('#isolation-note'), true);
      await other.selectOption('#train-images', '1000');
      await other.fill('#train-epochs', '1');
      await other.click('#train-start');
      await other.waitForFunction(
        () =>
          document.getElementById('train-status')!.textContent.includes('1 thread ·') &&
          (document.getElementById('train-status')!.dataset.losses ?? '').split(' ').length >= 8,
        null,
        { timeout: 60_000 },
      );
      await other.screenshot({ path: join(shots, 'not-isolated.png') });
    } finally {
      await other.close();
    }
  });
});
