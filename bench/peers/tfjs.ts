/**
 * TensorFlow.js's WebAssembly backend (XNNPACK kernels) as a benchmark peer, on one thread (its threaded
 * build needs a cross-origin-isolated page; in Node it runs single-threaded). Loaded on demand from the
 * devDependencies `@tensorflow/tfjs-core` and `@tensorflow/tfjs-backend-wasm`; null with a reason when
 * they are missing.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Rank, Tensor, Tensor4D } from '@tensorflow/tfjs-core';

/** The parts of TensorFlow.js the benchmarks use. */
export type Tfjs = typeof import('@tensorflow/tfjs-core');

/** TensorFlow.js with its wasm backend ready, and its version; or why it is not available. */
export async function loadTfjs(): Promise<{ tf: Tfjs; version: string } | string> {
  try {
    const tf = await import('@tensorflow/tfjs-core');
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    wasm.setWasmPaths(`${dist}/`);
    wasm.setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
    return { tf, version: tf.version_core };
  } catch (error) {
    return `TensorFlow.js skipped: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Median milliseconds of `body`, whose result is read back (`dataSync`) and disposed each time. */
export function timeTfjs(body: () => Tensor, repeats = 7): number {
  const samples: number[] = [];
  for (let i = 0; i < repeats + 2; i++) {
    const t0 = performance.now();
    const out = body();
    out.dataSync();
    const ms = performance.now() - t0;
    out.dispose();
    if (i >= 2) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/**
 * Inference of the bench CNN in TensorFlow.js (NHWC, the same layer sizes), timed as images per second
 * at `batch`.
 */
export function tfjsCnnInference(tf: Tfjs, batch: number): number {
  const conv1 = tf.randomNormal<Rank.R4>([3, 3, 1, 32]);
  const conv2 = tf.randomNormal<Rank.R4>([3, 3, 32, 64]);
  const b1 = tf.randomNormal([32]);
  const b2 = tf.randomNormal([64]);
  const fc1 = tf.randomNormal<Rank.R2>([3136, 128]);
  const fb1 = tf.randomNormal([128]);
  const fc2 = tf.randomNormal<Rank.R2>([128, 10]);
  const fb2 = tf.randomNormal([10]);
  const images = tf.randomNormal<Rank.R4>([batch, 28, 28, 1]);
  const block = (x: Tensor4D, weight: Tensor4D, bias: Tensor): Tensor4D =>
    tf.maxPool<Tensor4D>(tf.relu(tf.add<Tensor4D>(tf.conv2d(x, weight, 1, 'same'), bias)), 2, 2, 'valid');
  const forward = (): Tensor =>
    tf.tidy(() => {
      const features = block(block(images, conv1, b1), conv2, b2);
      const hidden = tf.relu(tf.add(tf.matMul(tf.reshape(features, [batch, 3136]), fc1), fb1));
      return tf.add(tf.matMul(hidden, fc2), fb2);
    });
  const ms = timeTfjs(forward);
  for (const t of [conv1, conv2, b1, b2, fc1, fb1, fc2, fb2, images]) t.dispose();
  return (batch * 1e3) / ms;
}
