/**
 * Trains a small CNN for ten epochs on the wasm backend (worker threads included) and prints, as JSON, the
 * resident memory after each epoch, read after full garbage collections. Run by
 * test/memory.test.ts as `node --expose-gc --import tsx test/programs/memory-run.ts`.
 */

import { F, manualSeed, nn, optim, randint, randn, setBackend } from '../../src/index.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

setBackend('wasm');
manualSeed(0);
const model = new nn.Sequential(
  new nn.Conv2d(1, 8, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Conv2d(8, 16, 3, { padding: 1 }),
  new nn.ReLU(),
  new nn.MaxPool2d(2),
  new nn.Flatten(),
  new nn.Linear(16 * 7 * 7, 10),
);
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });
const images = randn([256, 1, 28, 28]);
const labels = randint(0, 10, [256]);
/** Resident bytes after full collections: the least of three readings, each after its own collection. */
function settledRss(): number {
  let least = Infinity;
  for (let i = 0; i < 3; i++) {
    gc!();
    least = Math.min(least, process.memoryUsage().rss);
  }
  return least;
}

const rss: number[] = [];
for (let epoch = 1; epoch <= 10; epoch++) {
  for (let start = 0; start < 256; start += 32) {
    const x = images.narrow(0, start, 32);
    const y = labels.narrow(0, start, 32);
    optimizer.zeroGrad();
    F.crossEntropy(model.forward(x), y).backward();
    optimizer.step();
  }
  rss.push(settledRss());
}
console.log(JSON.stringify({ rss }));
