/**
 * Makes the Fashion-MNIST subset shipped in `data/fashion-mnist-subset/`: the first 10,000 training and
 * the first 2,000 test images of the full set, with their labels, as gzip-compressed IDX files, plus
 * `classes.txt`. The output is reproducible byte for byte (gzip without timestamp or file name).
 *
 *     node --import tsx scripts/make-fashion-mnist-subset.ts [--source DIR] [--out DIR] [--train N] [--test N]
 *
 * `--source` defaults to `/usr/share/datasets/fashion-mnist` (Debian: `apt-get install
 * dataset-fashion-mnist`), `--out` to the repository's `data/fashion-mnist-subset`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FASHION_MNIST_CLASSES, encodeIdx, gzip } from '../src/data/index.js';
import { FASHION_MNIST_SUBSET_DIR, readIdxFile } from '../src/node/data/index.js';

const { values } = parseArgs({
  options: {
    source: { type: 'string', default: '/usr/share/datasets/fashion-mnist' },
    out: { type: 'string', default: FASHION_MNIST_SUBSET_DIR },
    train: { type: 'string', default: '10000' },
    test: { type: 'string', default: '2000' },
  },
});

const splits = [
  { prefix: 'train', count: Number(values.train) },
  { prefix: 't10k', count: Number(values.test) },
];

mkdirSync(values.out, { recursive: true });
for (const { prefix, count } of splits) {
  for (const [kind, rank] of [
    ['images', 3],
    ['labels', 1],
  ] as const) {
    const name = `${prefix}-${kind}-idx${rank}-ubyte.gz`;
    const full = readIdxFile(join(values.source, name));
    if (!Number.isInteger(count) || count < 1 || count > full.shape[0]!) {
      throw new Error(`cannot take ${count} samples from ${name}, which holds ${full.shape[0]}`);
    }
    const bytes = gzip(encodeIdx(full.narrow(0, 0, count), { type: 'ubyte' }));
    writeFileSync(join(values.out, name), bytes);
    let summary = `${name}: ${count} of ${full.shape[0]}, ${bytes.length} bytes`;
    if (kind === 'labels') {
      const perClass = new Array<number>(FASHION_MNIST_CLASSES.length).fill(0);
      for (const label of full.data.subarray(0, count)) perClass[label]! += 1;
      summary += `, per class ${perClass.join(' ')}`;
    }
    console.log(summary);
  }
}
writeFileSync(join(values.out, 'classes.txt'), `${FASHION_MNIST_CLASSES.join('\n')}\n`);
