/**
 * Runs the benchmarks: `npm run bench` runs them all, `npm run bench -- gemm` only the named ones, and
 * `--quick` asks the long ones for a smaller problem (the filter benchmark: a 1024×1024 image instead of
 * 4096×4096; the CNN benchmark: fewer steps). Each benchmark is one file of this folder exporting `run()`,
 * synchronous or asynchronous. Importing `convnet-ts/node` gives the wasm backend its worker threads, and
 * relaxed SIMD is turned on as the command line turns it on. The date, Node version, cores and load
 * averages are printed first and the load again after each benchmark: on a shared machine they say how far
 * to trust the figures.
 */
import { availableParallelism, cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import '../src/node/index.js';
import { run as cnn } from './cnn.js';
import { run as conv } from './conv.js';
import { run as filter } from './filter.js';
import { run as gemm } from './gemm.js';

/** What `npm run bench` passes every benchmark. */
interface BenchOptions {
  /** `--quick`: a smaller problem where the full one takes minutes. */
  quick: boolean;
}

const BENCHMARKS: Record<string, (options: BenchOptions) => void | Promise<void>> = {
  gemm,
  conv,
  cnn,
  filter,
};

// As the `convnet` command line does: Node 20's V8 validates relaxed SIMD (fused multiply-add) only behind
// this flag (Node 22 ships it); set before the wasm backend compiles its module, it loads the relaxed build.
setFlagsFromString('--experimental-wasm-relaxed-simd');

const args = process.argv.slice(2);
const options: BenchOptions = { quick: args.includes('--quick') };
const requested = args.filter((arg) => arg !== '--quick');
const unknown = requested.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(
    `unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')} (and --quick)`,
  );
  process.exit(1);
}
/** The machine's load averages (1, 5, 15 min), which shared machines need beside every figure. */
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
console.log(
  `${new Date().toISOString()}, Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown CPU'}), load average ${load()}\n`,
);
for (const name of requested.length > 0 ? requested : Object.keys(BENCHMARKS)) {
  await BENCHMARKS[name]!(options);
  console.log(`(load average ${load()})\n`);
}
