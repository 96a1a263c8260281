/**
 * `npm run fuzz [-- --runs N] [-- --reader NAME] [-- --seed S]`: feeds every reader N hostile inputs
 * (10,000 by default) made by test/fuzz/readers.ts, and prints per reader the inputs, typed errors,
 * accepted files, the slowest input and the peak resident memory. Exits 1 if any input gave an untyped
 * error, took over 2 s, or memory passed 512 MiB.
 */
import { parseArgs } from 'node:util';
import { MAX_MILLISECONDS, MAX_RSS_BYTES, fuzzReader, fuzzedReaders } from '../test/fuzz/readers.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '10000' },
    reader: { type: 'string' },
    seed: { type: 'string', default: '20261206' },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
const readers = fuzzedReaders().filter((r) => values.reader === undefined || r.name === values.reader);
console.log(
  `fuzzing ${readers.length} readers with ${runs} inputs each (seed ${seed}); limits: ${MAX_MILLISECONDS} ms per input, ${MAX_RSS_BYTES / 2 ** 20} MiB resident`,
);
console.log('reader        inputs  typed errors  accepted  max ms  peak RSS MiB');
let failed = false;
for (const reader of readers) {
  const report = fuzzReader(reader, runs, seed);
  console.log(
    `${report.reader.padEnd(12)} ${String(report.inputs).padStart(7)} ${String(report.typedErrors).padStart(13)} ${String(report.accepted).padStart(9)} ${report.maxMilliseconds.toFixed(0).padStart(7)} ${(report.peakRssBytes / 2 ** 20).toFixed(0).padStart(13)}`,
  );
  for (const failure of report.failures) console.log(`  FAIL ${failure}`);
  failed ||= report.failures.length > 0;
}
process.exitCode = failed ? 1 : 0;
