/**
 * The bench CNN (conv 32@3×3 → ReLU → max-pool → conv 64@3×3 → ReLU → max-pool → 3136 → 128 → 10) at
 * batch 64 on random 28×28 images: training steps (forward, cross-entropy, backward, SGD with momentum)
 * and inference, in images per second from the median step. The wasm backend with 1 and with every thread,
 * and the js reference, against PyTorch with 2 threads (training and inference) and TensorFlow.js's wasm
 * backend (inference, one thread); the least CPU time of a wasm step on one thread, which a shared machine
 * does not inflate; then which backend methods the wasm step still leaves to js.
 */
import type { BackendMethod } from '../src/index.js';
import {
  F,
  backendFallbacks,
  getBackend,
  getNumThreads,
  manualSeed,
  nn,
  noGrad,
  optim,
  randint,
  randn,
  registerBackend,
  setBackend,
  setNumThreads,
} from '../src/index.js';
import { registeredBackend } from '../src/backend/registry.js';
import { loadTfjs, tfjsCnnInference } from './peers/tfjs.js';
import { runTorch } from './peers/torch.js';
import { formatTable, time, wasmThreadsReady } from './timing.js';

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

/** A bench CNN with its optimizer and a random batch: one training step, and one inference. */
function makeSteps(): { train: () => void; infer: () => void } {
  manualSeed(0);
  const model = benchCnn();
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const images = randn([BATCH, 1, 28, 28]);
  const labels = randint(0, 10, [BATCH]);
  return {
    train: () => {
      model.train();
      optimizer.zeroGrad();
      F.crossEntropy(model.forward(images), labels).backward();
      optimizer.step();
    },
    infer: () => {
      model.eval();
      noGrad(() => model.forward(images));
    },
  };
}

/** Median training-step and inference milliseconds on the active backend. */
function measure(repeats: number): { train: number; infer: number } {
  const steps = makeSteps();
  const options = { warmup: 2, repeats, minMs: 0 };
  return { train: time(steps.train, options).median, infer: time(steps.infer, options).median };
}

/**
 * The least CPU time (this process, every thread) of one call of `body`, in ms, over `repeats` calls after a
 * warm-up: on a shared machine wall-clock time counts the time other processes held the core, CPU time does
 * not, so on one thread it measures the work itself.
 */
function cpuMs(body: () => void, repeats: number): number {
  body();
  body();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const start = process.cpuUsage();
    body();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1e3);
  }
  return best;
}

/** Milliseconds per backend method during one training step of the wasm backend, the largest first. */
function profileStep(): [string, number][] {
  const wasm = registeredBackend('wasm')! as unknown as Record<string, (...args: unknown[]) => unknown>;
  const spent = new Map<string, number>();
  const timed: Record<string, unknown> = { name: 'wasm-profiled' };
  setBackend('wasm');
  for (const [method, fn] of Object.entries(wasm)) {
    if (method === 'name') continue;
    timed[method] = (...args: unknown[]) => {
      const t0 = performance.now();
      const out = fn(...args);
      spent.set(method, (spent.get(method) ?? 0) + performance.now() - t0);
      return out;
    };
  }
  const steps = makeSteps();
  steps.train();
  steps.train();
  registerBackend(timed as never);
  setBackend('wasm-profiled');
  steps.train();
  setBackend('wasm');
  return [...spent.entries()].sort((a, b) => b[1] - a[1]);
}

const imagesPerSecond = (ms: number): number => (BATCH * 1e3) / ms;

/** Prints the tables. */
export async function run(options: { quick: boolean }): Promise<void> {
  const previous = getBackend();
  const threads = getNumThreads();
  const repeats = options.quick ? 5 : 15;
  const torch = runTorch(2, { cnn: { batch: BATCH } });
  const tfjs = await loadTfjs();
  const { relaxedSimd } = await wasmThreadsReady(threads);
  console.log(
    `bench CNN, batch ${BATCH}, float32, images/s from the median step; wasm ${relaxedSimd ? 'with' : 'without'} relaxed SIMD`,
  );
  for (const peer of [torch, tfjs]) if (typeof peer === 'string') console.log(peer);
  const rows: string[][] = [];
  const results = new Map<string, { train: number; infer: number }>();
  for (const [label, backend, count] of [
    ['convnet-ts wasm, 1 thread', 'wasm', 1],
    [`convnet-ts wasm, ${threads} threads`, 'wasm', threads],
    ['convnet-ts js (reference)', 'js', 1],
  ] as const) {
    setBackend(backend);
    if (backend === 'wasm') await wasmThreadsReady(count);
    const r = measure(backend === 'js' ? Math.min(repeats, 5) : repeats);
    results.set(label, r);
    rows.push([label, imagesPerSecond(r.train).toFixed(0), imagesPerSecond(r.infer).toFixed(0)]);
  }
  await wasmThreadsReady(1);
  setBackend('wasm');
  const cpuSteps = makeSteps();
  const cpuTrain = cpuMs(cpuSteps.train, repeats);
  const cpuInfer = cpuMs(cpuSteps.infer, repeats);
  setNumThreads(threads);
  if (typeof torch !== 'string' && torch.cnn) {
    rows.push([
      `PyTorch ${torch.version}, ${torch.threads} threads`,
      imagesPerSecond(torch.cnn.train).toFixed(0),
      imagesPerSecond(torch.cnn.infer).toFixed(0),
    ]);
  }
  if (typeof tfjs !== 'string') {
    rows.push([
      `TensorFlow.js ${tfjs.version} wasm, 1 thread`,
      '(cannot train convolutions)',
      tfjsCnnInference(tfjs.tf, BATCH).toFixed(0),
    ]);
  }
  console.log(formatTable(['', 'training images/s', 'inference images/s'], rows));
  const one = results.get('convnet-ts wasm, 1 thread')!;
  const all = results.get(`convnet-ts wasm, ${threads} threads`)!;
  console.log(
    `thread scaling 1 → ${threads}: training ${(one.train / all.train).toFixed(2)}×, inference ${(one.infer / all.infer).toFixed(2)}×`,
  );
  console.log(
    `convnet-ts wasm, 1 thread, least CPU time of one call (what a shared machine does not inflate): training ${cpuTrain.toFixed(1)} ms, inference ${cpuInfer.toFixed(1)} ms`,
  );
  if (typeof torch !== 'string' && torch.cnn) {
    console.log(
      `ours / PyTorch: training ${(torch.cnn.train / all.train).toFixed(2)}×, inference ${(torch.cnn.infer / all.infer).toFixed(2)}×`,
    );
  }
  setBackend('wasm');
  const profile = profileStep();
  const total = profile.reduce((s, [, ms]) => s + ms, 0);
  const fallbacks = new Set<BackendMethod>(backendFallbacks('wasm'));
  console.log(`where one wasm training step spends its backend time (${total.toFixed(1)} ms):`);
  console.log(
    formatTable(
      ['method', 'ms', 'share', 'runs on'],
      profile
        .filter(([, ms]) => ms >= 0.05)
        .map(([method, ms]) => [
          method,
          ms.toFixed(1),
          `${((100 * ms) / total).toFixed(0)}%`,
          fallbacks.has(method as BackendMethod) ? 'js (fallback)' : 'wasm',
        ]),
    ),
  );
  setBackend(previous);
}
