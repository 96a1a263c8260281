/**
 * GEMM throughput of the js and wasm backends (float32, one thread) on the products of one bench-CNN
 * training step at batch 64: the second convolution's forward pass (12544 × 288 × 64, weights transposed),
 * its weight gradient (64 × 12544 × 288, gradient transposed) and input gradient (12544 × 64 × 288), and the
 * first linear layer (64 × 3136 × 128, weights transposed). Prints GFLOP/s (2·m·k·n per product) from the
 * best and the median run, and the largest difference between the two backends' results.
 */
import type { Backend, GemmSpec } from '../src/index.js';
import { registeredBackend } from '../src/backend/registry.js';
import { formatTable, time } from './timing.js';

interface Shape {
  what: string;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

/** The products, as `src/ops/convolution.ts` and `src/ops/linalg.ts` issue them. */
const SHAPES: Shape[] = [
  { what: 'conv2 forward', m: 12544, k: 288, n: 64, transA: false, transB: true },
  { what: 'conv2 weight grad', m: 64, k: 12544, n: 288, transA: true, transB: false },
  { what: 'conv2 input grad', m: 12544, k: 64, n: 288, transA: false, transB: false },
  { what: 'fc1 forward', m: 64, k: 3136, n: 128, transA: false, transB: true },
];

const BACKENDS: Backend[] = ['js', 'wasm'].map((name) => registeredBackend(name)!);

/** Uniform values in [-1, 1). */
function randomFloat32(length: number): Float32Array {
  return Float32Array.from({ length }, () => 2 * Math.random() - 1);
}

/** Prints the table of GFLOP/s. */
export function run(): void {
  console.log('GEMM, float32, GFLOP/s (best / median)');
  const rows: string[][] = [];
  for (const shape of SHAPES) {
    const { m, k, n } = shape;
    const spec: GemmSpec = {
      a: randomFloat32(m * k),
      b: randomFloat32(k * n),
      batch: 1,
      m,
      k,
      n,
      transA: shape.transA,
      transB: shape.transB,
      aBatchStride: 0,
      bBatchStride: 0,
    };
    const gflop = (2 * m * k * n) / 1e9;
    const results = BACKENDS.map((backend) => backend.gemm(spec));
    let maxDiff = 0;
    for (let i = 0; i < results[0]!.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(results[0]![i]! - results[1]![i]!));
    }
    const rates = BACKENDS.map((backend) => {
      const { best, median } = time(() => backend.gemm(spec));
      return `${(gflop / (best / 1e3)).toFixed(2)} / ${(gflop / (median / 1e3)).toFixed(2)}`;
    });
    const trans = [shape.transA ? 'Aᵀ' : '', shape.transB ? 'Bᵀ' : ''].filter(Boolean).join(' ');
    rows.push([shape.what, `${m}×${k}×${n}`, trans, ...rates, maxDiff.toExponential(1)]);
  }
  console.log(formatTable(['product', 'm×k×n', 'trans', ...BACKENDS.map((b) => b.name), 'max |Δ|'], rows));
}
