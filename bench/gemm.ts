/**
 * GEMM throughput, float32, one thread: the wasm backend against TensorFlow.js's wasm backend (XNNPACK)
 * `matMul`, on square products of 256, 512 and 1024 and on the products of a bench-CNN training step at
 * batch 64 (the second convolution's im2col product and its gradients, the first linear layer). Prints
 * GFLOP/s (2·m·k·n per product) from the median run, the ratio ours / TensorFlow.js, and the largest
 * difference between the two results.
 */
import type { GemmSpec } from '../src/index.js';
import { getNumThreads, setNumThreads } from '../src/index.js';
import { registeredBackend } from '../src/backend/registry.js';
import { loadTfjs, timeTfjs } from './peers/tfjs.js';
import { formatTable, time } from './timing.js';

interface Product {
  what: string;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

const PRODUCTS: Product[] = [
  { what: 'square 256', m: 256, k: 256, n: 256, transA: false, transB: false },
  { what: 'square 512', m: 512, k: 512, n: 512, transA: false, transB: false },
  { what: 'square 1024', m: 1024, k: 1024, n: 1024, transA: false, transB: false },
  { what: 'conv2 im2col forward', m: 12544, k: 288, n: 64, transA: false, transB: true },
  { what: 'conv2 weight grad', m: 64, k: 12544, n: 288, transA: true, transB: false },
  { what: 'conv2 input grad', m: 12544, k: 64, n: 288, transA: false, transB: false },
  { what: 'fc1 forward', m: 64, k: 3136, n: 128, transA: false, transB: true },
];

/** Uniform values in [-1, 1). */
function randomFloat32(length: number): Float32Array {
  return Float32Array.from({ length }, () => 2 * Math.random() - 1);
}

/** Prints the table of GFLOP/s. */
export async function run(): Promise<void> {
  const tfjs = await loadTfjs();
  const wasm = registeredBackend('wasm')!;
  const threads = getNumThreads();
  setNumThreads(1);
  console.log(
    `GEMM, float32, one thread, GFLOP/s of the median run${typeof tfjs === 'string' ? '' : `; TensorFlow.js ${tfjs.version} wasm`}`,
  );
  if (typeof tfjs === 'string') console.log(tfjs);
  const rows: string[][] = [];
  for (const p of PRODUCTS) {
    const { m, k, n } = p;
    const left = randomFloat32(m * k);
    const right = randomFloat32(k * n);
    const spec: GemmSpec = {
      a: left,
      b: right,
      batch: 1,
      m,
      k,
      n,
      transA: p.transA,
      transB: p.transB,
      aBatchStride: 0,
      bBatchStride: 0,
    };
    const gflop = (2 * m * k * n) / 1e9;
    const ours = gflop / (time(() => wasm.gemm(spec)).median / 1e3);
    let theirs = '—';
    let ratio = '—';
    let diff = '—';
    if (typeof tfjs !== 'string') {
      const { tf } = tfjs;
      const a = tf.tensor2d(left, p.transA ? [k, m] : [m, k]);
      const b = tf.tensor2d(right, p.transB ? [n, k] : [k, n]);
      const rate = gflop / (timeTfjs(() => tf.matMul(a, b, p.transA, p.transB)) / 1e3);
      const expected = tf.matMul(a, b, p.transA, p.transB);
      const got = wasm.gemm(spec);
      const values = expected.dataSync();
      let maxDiff = 0;
      for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - values[i]!));
      for (const t of [a, b, expected]) t.dispose();
      theirs = rate.toFixed(1);
      ratio = `${(ours / rate).toFixed(2)}×`;
      diff = maxDiff.toExponential(1);
    }
    const trans = [p.transA ? 'Aᵀ' : '', p.transB ? 'Bᵀ' : ''].filter(Boolean).join(' ');
    rows.push([p.what, `${m}×${k}×${n}`, trans, ours.toFixed(1), theirs, ratio, diff]);
  }
  setNumThreads(threads);
  console.log(
    formatTable(
      ['product', 'm×k×n', 'trans', 'convnet-ts wasm', 'TF.js wasm', 'ours / TF.js', 'max |Δ|'],
      rows,
    ),
  );
}
