/**
 * Image filtering against sharp (libvips): a 5×5 Gaussian (`gaussian:5:1.1`) and the Sobel pair (`sobel-x`,
 * `sobel-y`) over a 4096×4096 RGB 8-bit image already in memory — no decoding or encoding on either side.
 *
 * - sharp: `convolve` with the same kernel matrix on the raw interleaved buffer, to a raw buffer (clipped to
 *   0–255 as libvips casts back to 8 bits), its cache off; once with its default thread count and once with
 *   `sharp.concurrency(1)`, since ours runs on one thread.
 * - ours: `vision.applyKernel` (default `'same'`, zeros, output clipped to [0, 1]) on the `(3, 4096, 4096)`
 *   float32 tensor, on the js and wasm backends; the uint8 → float32 conversion (and the float32 → uint8 one
 *   per output) reported apart from the kernel time.
 *
 * Median of 3 runs after one warm-up. Prints milliseconds, the ratio ours / sharp, the largest difference
 * from sharp's output in 8-bit levels, and, from one more run with every backend op timed, the share of the
 * kernel time spent in each backend op. `npm run bench -- --quick` uses a 1024×1024 image instead (the
 * full run takes about ten minutes on two cores).
 */
import sharp from 'sharp';
import type { Backend } from '../src/index.js';
import { getBackend, registerBackend, setBackend, tensor, vision } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { registeredBackend } from '../src/backend/registry.js';
import { formatTable } from './timing.js';

/** The image's width and height, and with `--quick`. */
const SIZE = 4096;
const QUICK_SIZE = 1024;
const CHANNELS = 3;
const RUNS = 3;

/** libvips extends the border by copying the edge pixels: the same as our `'replicate'` padding. */
const FILTER_OPTIONS = { paddingMode: 'replicate' } as const;

/** The benchmark's two jobs: the kernels each applies to the input, independently. */
const CASES = [
  { name: 'gaussian:5:1.1', kernels: ['gaussian:5:1.1'] },
  { name: 'sobel pair', kernels: ['sobel-x', 'sobel-y'] },
] as const;

/** Median milliseconds of `RUNS` calls of `body`, after one untimed call unless `warmUp` is false. */
async function medianMs(body: () => unknown, warmUp = true): Promise<number> {
  if (warmUp) await body();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await body();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

/**
 * A `size × size` RGB image, interleaved: smooth waves (different per channel) plus deterministic
 * pseudo-random noise, so there are both gradients and edges to filter.
 */
function syntheticImage(size: number): Uint8Array {
  const pixels = new Uint8Array(size * size * CHANNELS);
  let state = 0x2545f491;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < CHANNELS; c++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        const noise = ((state >>> 0) / 2 ** 32 - 0.5) * 60;
        const wave = 70 * Math.sin(x / (31 + 7 * c) + c) * Math.cos(y / (47 - 5 * c));
        pixels[(y * size + x) * CHANNELS + c] = Math.min(255, Math.max(0, Math.round(128 + wave + noise)));
      }
    }
  }
  return pixels;
}

/** Interleaved 8-bit pixels to the `(C, H, W)` float32 tensor in [0, 1] that `applyKernel` takes. */
function toTensor(pixels: Uint8Array, size: number): Tensor {
  const planar = new Float32Array(pixels.length);
  const plane = size * size;
  for (let i = 0, p = 0; p < plane; p++) {
    for (let c = 0; c < CHANNELS; c++, i++) planar[c * plane + p] = pixels[i]! / 255;
  }
  return tensor(planar, [CHANNELS, size, size]);
}

/** A `(C, H, W)` tensor in [0, 1] back to interleaved 8-bit pixels, rounded to the nearest level. */
function toPixels(image: Tensor): Uint8Array {
  const size = image.shape[1]!;
  const planar = image.data;
  const pixels = new Uint8Array(planar.length);
  const plane = size * size;
  for (let i = 0, p = 0; p < plane; p++) {
    for (let c = 0; c < CHANNELS; c++, i++) pixels[i] = Math.round(planar[c * plane + p]! * 255);
  }
  return pixels;
}

/** sharp's result of one kernel on the raw image, as raw interleaved pixels. */
async function sharpConvolve(pixels: Uint8Array, size: number, spec: string): Promise<Uint8Array> {
  const { matrix } = vision.kernel(spec);
  const buffer = await sharp(pixels, { raw: { width: size, height: size, channels: CHANNELS } })
    .convolve({ width: matrix[0]!.length, height: matrix.length, kernel: matrix.flat(), scale: 1 })
    .raw()
    .toBuffer();
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

/** The largest difference between two 8-bit buffers. */
function maxDifference(a: Uint8Array, b: Uint8Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** `backend` with every op wrapped to add up its milliseconds under the op's name. */
function timedBackend(backend: Backend, spent: Map<string, number>): Backend {
  const timed: Record<string, unknown> = { ...backend, name: `${backend.name}-timed` };
  for (const [name, value] of Object.entries(backend)) {
    if (typeof value !== 'function') continue;
    const op = value as (...args: unknown[]) => unknown;
    timed[name] = (...args: unknown[]): unknown => {
      const t0 = performance.now();
      const out = op.apply(backend, args);
      spent.set(name, (spent.get(name) ?? 0) + performance.now() - t0);
      return out;
    };
  }
  return timed as unknown as Backend;
}

/**
 * One run of `body` with every op of `backend` timed: its result, and the ops' shares of its wall time,
 * largest first, with the rest as "outside backend ops".
 */
function opShares<T>(backend: Backend, body: () => T): { outputs: T; shares: string } {
  const spent = new Map<string, number>();
  registerBackend(timedBackend(backend, spent));
  setBackend(`${backend.name}-timed`);
  const t0 = performance.now();
  const outputs = body();
  const total = performance.now() - t0;
  setBackend(backend.name);
  const inOps = [...spent.values()].reduce((a, b) => a + b, 0);
  const shares = [...spent.entries()]
    .sort((a, b) => b[1] - a[1])
    .filter(([, ms]) => ms / total >= 0.01)
    .map(([name, ms]) => `${name} ${Math.round((100 * ms) / total)}%`);
  const outside = `outside backend ops ${Math.round((100 * (total - inOps)) / total)}%`;
  return { outputs, shares: `${total.toFixed(0)} ms: ${[...shares, outside].join(', ')}` };
}

/** Prints the table of milliseconds and ratios, the differences from sharp, and where our time goes. */
export async function run(options: { quick?: boolean } = {}): Promise<void> {
  const size = options.quick === true ? QUICK_SIZE : SIZE;
  sharp.cache(false);
  const defaultThreads = sharp.concurrency();
  console.log(
    `Image filtering, ${size}×${size} RGB 8-bit in memory, median of ${RUNS} runs (ms); sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, default concurrency ${defaultThreads}`,
  );
  const pixels = syntheticImage(size);
  const toFloatMs = await medianMs(() => toTensor(pixels, size));
  const image = toTensor(pixels, size);

  const sharpMs = async (threads: number, kernels: readonly string[]): Promise<number> => {
    sharp.concurrency(threads);
    const ms = await medianMs(() => Promise.all(kernels.map((k) => sharpConvolve(pixels, size, k))));
    sharp.concurrency(defaultThreads);
    return ms;
  };
  const threadCounts = [...new Set([1, defaultThreads, 2])].sort((a, b) => a - b);
  const reference = new Map<string, Uint8Array>();
  for (const spec of CASES.flatMap((c) => c.kernels))
    reference.set(spec, await sharpConvolve(pixels, size, spec));

  const rows: string[][] = [];
  const sharpTimes = new Map<string, number[]>();
  for (const threads of threadCounts) {
    const times = [];
    for (const job of CASES) times.push(await sharpMs(threads, job.kernels));
    sharpTimes.set(`sharp, ${threads} thread${threads === 1 ? '' : 's'}`, times);
  }
  const baseline = sharpTimes.get('sharp, 1 thread')!;
  const ratio = (ms: number, i: number): string => `${(ms / baseline[i]!).toFixed(1)}×`;
  for (const [what, times] of sharpTimes) {
    rows.push([what, ...times.flatMap((ms, i) => [ms.toFixed(0), ratio(ms, i)])]);
  }

  const previous = getBackend();
  const differences: string[] = [];
  const profiles: string[] = [];
  let toPixelsMs = 0;
  for (const backend of ['js', 'wasm'].map((name) => registeredBackend(name)!)) {
    setBackend(backend.name);
    const kernelTimes: number[] = [];
    for (const job of CASES) {
      const apply = (): Tensor[] => job.kernels.map((k) => vision.applyKernel(image, k, FILTER_OPTIONS));
      // The warm-up run, with every backend op timed: where the time goes, and the outputs to check.
      const { outputs, shares } = opShares(backend, apply);
      profiles.push(`  ${backend.name} ${job.name}, ${shares}`);
      const worst = Math.max(
        ...outputs.map((out, i) => maxDifference(toPixels(out), reference.get(job.kernels[i]!)!)),
      );
      differences.push(`${backend.name} ${job.name}: ${worst}`);
      kernelTimes.push(await medianMs(apply, false));
      toPixelsMs = await medianMs(() => toPixels(outputs[0]!));
    }
    rows.push([
      `ours ${backend.name}, kernel`,
      ...kernelTimes.flatMap((ms, i) => [ms.toFixed(0), ratio(ms, i)]),
    ]);
    const totals = kernelTimes.map((ms, i) => ms + toFloatMs + CASES[i]!.kernels.length * toPixelsMs);
    rows.push([
      `ours ${backend.name}, + uint8↔float`,
      ...totals.flatMap((ms, i) => [ms.toFixed(0), ratio(ms, i)]),
    ]);
  }
  setBackend(previous);
  console.log(
    formatTable(['implementation', ...CASES.flatMap((c) => [`${c.name} ms`, '/ sharp 1 thread'])], rows),
  );
  console.log(
    `uint8 → float32 tensor ${toFloatMs.toFixed(0)} ms, float32 → uint8 ${toPixelsMs.toFixed(0)} ms per output image`,
  );
  console.log(`largest difference from sharp's output, 8-bit levels: ${differences.join('; ')}`);
  console.log('where our kernel time goes (one run, share of wall time per backend op):');
  for (const line of profiles) console.log(line);
}
