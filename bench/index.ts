/**
 * Runs the benchmarks: `npm run bench` runs them all, `npm run bench -- gemm` only the named ones. Each
 * benchmark is one file of this folder exporting `run()`.
 */
import { run as gemm } from './gemm.js';
import { run as trainStep } from './train-step.js';

const BENCHMARKS: Record<string, () => void> = { gemm, 'train-step': trainStep };

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(1);
}
for (const name of requested.length > 0 ? requested : Object.keys(BENCHMARKS)) {
  BENCHMARKS[name]!();
  console.log();
}
