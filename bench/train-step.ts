/**
 * One training step of the bench CNN (PyTorch's MNIST example: conv 32@3×3 → ReLU → max-pool → conv 64@3×3
 * → ReLU → max-pool → 3136 → 128 → 10) at batch 64 on random 28×28 images, on the js and wasm backends:
 * forward, cross-entropy, backward, an SGD step with momentum. Prints images per second from the best and the
 * median step, and the share of one more step spent in `gemm`.
 */
import type { Backend } from '../src/index.js';
import {
  F,
  getBackend,
  manualSeed,
  nn,
  optim,
  randint,
  randn,
  registerBackend,
  setBackend,
} from '../src/index.js';
import { registeredBackend } from '../src/backend/registry.js';
import { formatTable, time } from './timing.js';

const BATCH = 64;

function benchCnn(): nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(3136, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}

/** A backend's gemm wrapped to add up the milliseconds it takes. */
function timedGemm(backend: Backend): { gemm: Backend['gemm']; spent: { ms: number } } {
  const spent = { ms: 0 };
  const gemm: Backend['gemm'] = (spec) => {
    const t0 = performance.now();
    const out = backend.gemm(spec);
    spent.ms += performance.now() - t0;
    return out;
  };
  return { gemm, spent };
}

/** Prints the table of images per second. */
export function run(): void {
  console.log(`bench-CNN training step, batch ${BATCH}, float32, images/s (best / median)`);
  const previous = getBackend();
  const rows: string[][] = [];
  for (const backend of ['js', 'wasm'].map((name) => registeredBackend(name)!)) {
    manualSeed(0);
    const model = benchCnn();
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
    const images = randn([BATCH, 1, 28, 28]);
    const labels = randint(0, 10, [BATCH]);
    const step = (): void => {
      optimizer.zeroGrad();
      F.crossEntropy(model.forward(images), labels).backward();
      optimizer.step();
    };
    setBackend(backend.name);
    const { best, median } = time(step, { warmup: 2, repeats: 5, minMs: 0 });
    // The gemm share, from one more step with gemm wrapped in a timer.
    const timed = timedGemm(backend);
    registerBackend({ ...backend, name: `${backend.name}-timed`, gemm: timed.gemm });
    setBackend(`${backend.name}-timed`);
    const t0 = performance.now();
    step();
    const share = timed.spent.ms / (performance.now() - t0);
    rows.push([
      backend.name,
      `${((BATCH * 1e3) / best).toFixed(1)} / ${((BATCH * 1e3) / median).toFixed(1)}`,
      median.toFixed(0),
      `${Math.round(100 * share)}%`,
    ]);
  }
  setBackend(previous);
  console.log(formatTable(['backend', 'images/s', 'median step ms', 'gemm share'], rows));
}
