/**
 * Writes the example images under examples/images/: test-split images of the shipped Fashion-MNIST subset
 * (MIT licence, see data/fashion-mnist-subset/README.md), enlarged 4× to 112×112 and saved as RGB PNGs, so
 * `convnet predict` shows how images of another size and colour are converted. Run with
 * `npx tsx scripts/make-example-images.ts`.
 */
import { writeFileSync } from 'node:fs';
import { encode } from 'fast-png';
import { FASHION_MNIST_SUBSET_DIR, loadIdxDataset } from '../src/node/index.js';

const { test, classes } = loadIdxDataset(FASHION_MNIST_SUBSET_DIR);
const scale = 4;
for (const index of [0, 1]) {
  const label = classes[test.labels.data[index]!]!;
  const size = 28 * scale;
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = Math.round(
        test.images.data[index * 784 + Math.floor(y / scale) * 28 + Math.floor(x / scale)]! * 255,
      );
      pixels.set([v, v, v], (y * size + x) * 3);
    }
  }
  const name = `examples/images/test-${index}-${label.toLowerCase().replace(/[^a-z]+/g, '-')}.png`;
  writeFileSync(name, encode({ width: size, height: size, data: pixels, channels: 3, depth: 8 }));
  console.log(`wrote ${name}`);
}
