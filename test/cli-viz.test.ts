/**
 * `convnet viz`: on the shipped pretrained checkpoint and a Fashion-MNIST picture it writes the input, the
 * first layer's filters, a feature-map grid for every convolution and pooling layer and the prediction as
 * PNG files, prints the likeliest classes, and fails with one line for a missing or unusable argument.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decode } from 'fast-png';
import { convnet } from './helpers/cli.js';

const checkpoint = 'data/pretrained/fashion-mnist-small-cnn.safetensors';
const boot = 'examples/images/test-0-ankle-boot.png';
const folder = mkdtempSync(join(tmpdir(), 'convnet-viz-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

void describe('convnet viz', () => {
  void it('writes filters, feature maps per layer and the prediction as PNG files', async () => {
    const out = join(folder, 'boot');
    const result = await convnet('viz', checkpoint, '--input', boot, '--out', out);
    assert.equal(result.stderr, '');
    assert.equal(result.code, 0);
    const files = [
      'features-0-conv2d.png',
      'features-3-maxpool2d.png',
      'features-4-conv2d.png',
      'features-7-maxpool2d.png',
      'filters-0-conv2d.png',
      'input.png',
      'prediction.png',
    ];
    assert.deepEqual(readdirSync(out).sort(), files);
    for (const file of files) {
      const png = decode(readFileSync(join(out, file)));
      assert.ok(png.width >= 100 && png.height >= 100, `${file}: ${png.width}×${png.height}`);
    }
    // Two rows of 8 tiles for the 16 maps of the first layer, four rows for the 32 of the second.
    const first = decode(readFileSync(join(out, 'features-0-conv2d.png')));
    const second = decode(readFileSync(join(out, 'features-4-conv2d.png')));
    assert.equal(first.width, second.width);
    assert.ok(second.height > 1.7 * first.height, `${second.height} vs ${first.height}`);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], boot);
    assert.match(lines[1]!, /^ {2}Ankle boot +\d+\.\d\d%$/);
    assert.match(result.stdout, new RegExp(`wrote ${join(out, 'input.png')}`));
  });

  void it('fails with one line for a missing input, an unreadable image or checkpoint', async () => {
    const noInput = await convnet('viz', checkpoint, '--out', join(folder, 'x'));
    assert.notEqual(noInput.code, 0);
    assert.match(noInput.stderr, /--input/);
    const badImage = await convnet('viz', checkpoint, '--input', 'README.md', '--out', join(folder, 'y'));
    assert.equal(badImage.code, 1);
    assert.match(badImage.stderr, /^error: .*README\.md.*\n$/);
    const badCheckpoint = await convnet('viz', boot, '--input', boot, '--out', join(folder, 'z'));
    assert.equal(badCheckpoint.code, 1);
    assert.match(badCheckpoint.stderr, /^error: checkpoint/);
    assert.deepEqual(readdirSync(folder).sort(), ['boot']);
  });
});
