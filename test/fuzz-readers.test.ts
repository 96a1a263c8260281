/**
 * A sample of the readers' fuzz suite (test/fuzz/readers.ts; `npm run fuzz` runs 10,000 inputs per
 * reader): 500 hostile variants of valid files per reader, from a fixed seed. Every input is accepted or
 * refused with one of the project's typed errors, none takes over 2 s, and resident memory stays under
 * 512 MiB.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzReader, fuzzedReaders } from './fuzz/readers.js';

const RUNS = 500;

void describe('fuzzing the readers with hostile variants of valid files', () => {
  for (const reader of fuzzedReaders()) {
    void it(`${reader.name}: ${RUNS} inputs give only typed errors, quickly, in bounded memory`, () => {
      const report = fuzzReader(reader, RUNS, 1);
      assert.deepEqual(report.failures, []);
      assert.equal(report.inputs, RUNS);
      assert.equal(report.typedErrors + report.accepted, RUNS);
    });
  }
});
