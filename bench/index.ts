/**
 * Runs the benchmarks: `npm run bench` runs them all, `npm run bench -- gemm` only the named ones, and
 * `--quick` asks the long ones for a smaller problem (the filter benchmark: a 1024×1024 image instead of
 * 4096×4096; the CNN benchmark: fewer steps). Each benchmark is one file of this folder exporting `run()`,
 * synchronous or asynchronous. Importing `convnet-ts/node` gives the wasm backend its worker threads, and
 * relaxed SIMD is turned on as the command line turns it on.
 */
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
for (const name of requested.length > 0 ? requested : Object.keys(BENCHMARKS)) {
  await BENCHMARKS[name]!(options);
  console.log();
}
