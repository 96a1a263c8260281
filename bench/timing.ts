/**
 * Timing helpers shared by the benchmarks. The machines this runs on are often shared, so each measurement
 * reports the best and the median of several repetitions after a warm-up (which also lets the JavaScript
 * and WebAssembly engines finish compiling their optimized code).
 */
import { setNumThreads } from '../src/index.js';
import { wasmRuntime } from '../src/backends/wasm/runtime.js';

/**
 * Waits (up to 20 s) until the wasm backend has its worker threads for `threads` threads ready: workers start
 * in the background, and a run before they are ready takes place on fewer threads. Returns how many threads
 * runs use now, and whether the module is the relaxed-SIMD build.
 */
export async function wasmThreadsReady(threads: number): Promise<{ threads: number; relaxedSimd: boolean }> {
  setNumThreads(threads);
  const rt = wasmRuntime();
  const start = performance.now();
  while (rt.readyWorkers() < rt.threads - 1 && performance.now() - start < 20_000) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return { threads: Math.min(rt.threads, rt.readyWorkers() + 1), relaxedSimd: rt.relaxedSimd };
}

/** Best and median wall-clock milliseconds of one call. */
export interface Timing {
  best: number;
  median: number;
}

/**
 * Times `body`: `warmup` untimed calls, then calls until `repeats` are done and `minMs` milliseconds have
 * passed (at most 1000 calls).
 */
export function time(
  body: () => void,
  options: { warmup?: number; repeats?: number; minMs?: number } = {},
): Timing {
  const { warmup = 2, repeats = 5, minMs = 300 } = options;
  for (let i = 0; i < warmup; i++) body();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 1000 && (samples.length < repeats || performance.now() - start < minMs)) {
    const t0 = performance.now();
    body();
    samples.push(performance.now() - t0);
  }
  samples.sort((x, y) => x - y);
  return { best: samples[0]!, median: samples[Math.floor(samples.length / 2)]! };
}

/** A plain-text table: every column padded to its widest cell. */
export function formatTable(header: string[], rows: string[][]): string {
  const cells = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells
    .map((row) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
