/**
 * conv2d, float32, on the shapes `[N, Cin, H, W, Cout, k, pad]` = `[64,1,28,28,32,3,1]` (the bench CNN's
 * first layer), `[64,32,14,14,64,3,1]` (its second) and `[16,64,56,56,64,3,1]` (a wider layer): the wasm
 * backend on every core against TensorFlow.js's wasm backend (forward only, one thread: it has no
 * threads in Node) and PyTorch with 2 threads (forward, and forward + backward of `sum(conv2d(x))`). Prints
 * median milliseconds and the ratios (theirs / ours: above 1 means faster than the peer).
 */
import { F, getNumThreads, noGrad, randn, setBackend, getBackend } from '../src/index.js';
import type { Rank } from '@tensorflow/tfjs-core';
import { loadTfjs, timeTfjs } from './peers/tfjs.js';
import { runTorch } from './peers/torch.js';
import { formatTable, time, wasmThreadsReady } from './timing.js';

type ConvShape = [number, number, number, number, number, number, number];

const SHAPES: ConvShape[] = [
  [64, 1, 28, 28, 32, 3, 1],
  [64, 32, 14, 14, 64, 3, 1],
  [16, 64, 56, 56, 64, 3, 1],
];

/** Prints the table of milliseconds. */
export async function run(): Promise<void> {
  const previous = getBackend();
  setBackend('wasm');
  const torch = runTorch(2, { conv: SHAPES });
  const tfjs = await loadTfjs();
  const ready = await wasmThreadsReady(getNumThreads());
  console.log(
    `conv2d, float32, median ms; convnet-ts wasm on ${ready.threads} threads${ready.relaxedSimd ? ', relaxed SIMD' : ''}`,
  );
  for (const peer of [torch, tfjs]) if (typeof peer === 'string') console.log(peer);
  if (typeof torch !== 'string') console.log(`PyTorch ${torch.version}, ${torch.threads} threads`);
  if (typeof tfjs !== 'string') console.log(`TensorFlow.js ${tfjs.version} wasm, 1 thread`);
  const rows: string[][] = [];
  SHAPES.forEach((shape, i) => {
    const [n, cin, h, w, cout, k, pad] = shape;
    const x = randn([n, cin, h, w]);
    const weight = randn([cout, cin, k, k]);
    const bias = randn([cout]);
    const forward = time(() => noGrad(() => F.conv2d(x, weight, bias, { padding: pad }))).median;
    x.requiresGrad = true;
    weight.requiresGrad = true;
    bias.requiresGrad = true;
    const both = time(() => {
      x.grad = weight.grad = bias.grad = null;
      F.conv2d(x, weight, bias, { padding: pad }).sum().backward();
    }).median;
    let tfForward = '—';
    let tfRatio = '—';
    if (typeof tfjs !== 'string') {
      const { tf } = tfjs;
      const tx = tf.randomNormal<Rank.R4>([n, h, w, cin]);
      const tw = tf.randomNormal<Rank.R4>([k, k, cin, cout]);
      const tb = tf.randomNormal([cout]);
      const ms = timeTfjs(() =>
        tf.tidy(() => tf.add(tf.conv2d(tx, tw, 1, pad === 0 ? 'valid' : 'same'), tb)),
      );
      for (const t of [tx, tw, tb]) t.dispose();
      tfForward = ms.toFixed(1);
      tfRatio = `${(ms / forward).toFixed(2)}×`;
    }
    const pt = typeof torch === 'string' ? null : torch.conv[i]!;
    rows.push([
      `[${shape.join(',')}]`,
      forward.toFixed(1),
      both.toFixed(1),
      tfForward,
      tfRatio,
      pt ? pt.forward.toFixed(1) : '—',
      pt ? `${(pt.forward / forward).toFixed(2)}×` : '—',
      pt ? pt.forwardBackward.toFixed(1) : '—',
      pt ? `${(pt.forwardBackward / both).toFixed(2)}×` : '—',
    ]);
  });
  setBackend(previous);
  console.log(
    formatTable(
      [
        '[N,Cin,H,W,Cout,k,pad]',
        'ours fwd',
        'ours fwd+bwd',
        'TF.js fwd',
        'TF.js / ours',
        'torch fwd',
        'torch / ours',
        'torch fwd+bwd',
        'torch / ours',
      ],
      rows,
    ),
  );
}
