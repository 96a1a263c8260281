/**
 * Files from strangers through `convnet import`'s readers: 500 random mutations of a valid ONNX file
 * (byte flips, truncations, inserted bytes, varints set to huge values) each either import or fail with an
 * InteropError whose message is short, never another error or a hang; safetensors weights whose metadata
 * nests deeply, or that do not fit the architecture, fail the same way.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Generator, models, zeros } from '../src/index.js';
import { InteropError, MAX_DETAIL } from '../src/interop/errors.js';
import { exportOnnx } from '../src/interop/onnx-export.js';
import { importOnnx } from '../src/interop/onnx-import.js';
import { checkpointFromWeights } from '../src/interop/safetensors-import.js';
import { ARCHITECTURES, smallCheckpoint } from './helpers/interop.js';

/** A uniformly random integer in [0, n). */
function below(random: Generator, n: number): number {
  return random.integer(0, n);
}

/** One random mutation of `bytes`. */
function mutate(bytes: Uint8Array, random: Generator): Uint8Array {
  const copy = Uint8Array.from(bytes);
  switch (below(random, 4)) {
    case 0:
      for (let k = 0; k < 1 + below(random, 8); k++) copy[below(random, copy.length)] = below(random, 256);
      return copy;
    case 1:
      return copy.subarray(0, below(random, copy.length));
    case 2: {
      const at = below(random, copy.length);
      const junk = Uint8Array.from({ length: 1 + below(random, 16) }, () => below(random, 256));
      return Uint8Array.from([...copy.subarray(0, at), ...junk, ...copy.subarray(at)]);
    }
    default: {
      // A ten-byte varint of 2^63 - 1 in place of whatever was there: a huge length or size.
      const at = below(random, copy.length - 10);
      copy.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], at);
      return copy;
    }
  }
}

void describe('hostile files through import', () => {
  void it('500 mutated ONNX files: each imports or fails with a short InteropError', () => {
    const good = exportOnnx(smallCheckpoint(ARCHITECTURES['padded-global']!)).bytes;
    const random = new Generator(1234);
    const outcomes = { imported: 0, rejected: 0 };
    for (let i = 0; i < 500; i++) {
      const bytes = mutate(good, random);
      try {
        importOnnx(bytes, 'mutant.onnx');
        outcomes.imported++;
      } catch (error) {
        if (!(error instanceof InteropError)) {
          assert.fail(
            `mutant ${i}: ${error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : String(error)}`,
          );
        }
        assert.ok(
          error.message.length < MAX_DETAIL + 200,
          `mutant ${i}: a message of ${error.message.length} characters`,
        );
        outcomes.rejected++;
      }
    }
    assert.ok(outcomes.rejected > 100, JSON.stringify(outcomes));
  });

  void it('safetensors metadata nested deeply, and weights that do not fit, are InteropErrors', () => {
    const deep = `{"layers":[{"type":"Conv2d","outChannels":1,"kernelSize":${'['.repeat(50_000)}${']'.repeat(50_000)}}]}`;
    assert.throws(
      () => checkpointFromWeights({ tensors: {}, metadata: { architecture: deep } }, 'deep.safetensors'),
      (error: unknown) =>
        error instanceof InteropError &&
        /metadata "architecture" is JSON nested 65 levels deep.*maxJsonDepth/.test(error.message),
    );
    const keys = Object.fromEntries(
      Array.from({ length: 5000 }, (_, i) => [`${i}.weight`.repeat(20), zeros([1])]),
    );
    assert.throws(
      () =>
        checkpointFromWeights({ tensors: keys, metadata: {} }, 'many.safetensors', {
          architecture: models.namedArchitecture('lenet5', 10),
        }),
      (error: unknown) =>
        error instanceof InteropError &&
        /the weights do not fit the architecture/.test(error.message) &&
        error.message.length < MAX_DETAIL + 200,
    );
  });
});
