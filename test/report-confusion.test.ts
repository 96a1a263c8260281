/**
 * The confusion-matrix figure that `convnet train` writes beside its learning curves: SVG with every
 * count and class name, PNG of the right kind, both written atomically by name, and bad input refused.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decode } from 'fast-png';
import { ArgumentError, tensor } from '../src/index.js';
import { confusionMatrixPng, confusionMatrixSvg, writeConfusionMatrix } from '../src/node/index.js';

const classes = ['cat', 'dog', 'bird'];
const counts = [
  [50, 3, 1],
  [7, 41, 0],
  [0, 2, 96],
];

const folder = mkdtempSync(join(tmpdir(), 'convnet-confusion-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

void describe('confusion matrix figure', () => {
  void it('draws every count, class name and the accuracy in the SVG', async () => {
    const svg = await confusionMatrixSvg(tensor(counts, undefined, { dtype: 'int32' }), classes, {
      title: 'pets',
    });
    assert.match(svg, /^<svg/);
    for (const name of [...classes, 'pets', 'predicted class', 'true class'])
      assert.ok(svg.includes(name), name);
    for (const count of counts.flat()) assert.match(svg, new RegExp(`>${count}<`), `count ${count}`);
    assert.ok(svg.includes('accuracy 93.50%'), 'accuracy (187 of 200)');
  });

  void it('rasterises to a PNG at the requested scale', async () => {
    const one = decode(await confusionMatrixPng(counts, classes, { scale: 1 }));
    const two = decode(await confusionMatrixPng(counts, classes, { scale: 2 }));
    assert.ok(one.width > 200 && one.height > 200, `${one.width}×${one.height}`);
    assert.ok(Math.abs(two.width - 2 * one.width) <= 2, `${two.width} vs 2 × ${one.width}`);
  });

  void it('writes <base>-confusion.svg and .png and leaves no temporary file', async () => {
    const dir = join(folder, 'run');
    const files = await writeConfusionMatrix(dir, 'model', counts, classes);
    assert.deepEqual(files, { svg: join(dir, 'model-confusion.svg'), png: join(dir, 'model-confusion.png') });
    assert.deepEqual(readdirSync(dir).sort(), ['model-confusion.png', 'model-confusion.svg']);
    assert.deepEqual([...readFileSync(files.png).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });

  void it('refuses a matrix that does not fit the classes, and bad names', async () => {
    await assert.rejects(confusionMatrixSvg([[1, 2]], classes), ArgumentError);
    await assert.rejects(
      confusionMatrixSvg(
        counts.map((r) => r.map((v) => v - 1)),
        classes,
      ),
      ArgumentError,
    );
    await assert.rejects(confusionMatrixSvg(counts, []), ArgumentError);
    await assert.rejects(writeConfusionMatrix(folder, 'a/b', counts, classes), ArgumentError);
    await assert.rejects(confusionMatrixPng(counts, classes, { scale: 0 }), ArgumentError);
  });
});
