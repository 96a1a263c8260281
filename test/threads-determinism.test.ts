/**
 * Determinism across thread counts: the wasm backend cuts every kernel's work into chunks that do not
 * depend on the thread count, so training on one thread and on two gives the same bits — the same
 * parameters after steps of the bench CNN with SGD and with Adam, and byte-identical checkpoints from
 * `convnet train --threads 1` and `--threads 2`. Each two-thread run first waits for the worker to be
 * ready, so it really shares the work.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/node/index.js';
import type { Tensor } from '../src/index.js';
import {
  F,
  getBackend,
  getNumThreads,
  manualSeed,
  models,
  optim,
  randint,
  randn,
  setBackend,
  setNumThreads,
} from '../src/index.js';
import { wasmRuntime } from '../src/backends/wasm/runtime.js';
import { convnet } from './helpers/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'convnet-threads-'));
const previousThreads = getNumThreads();
const previousBackend = getBackend();
after(() => {
  rmSync(folder, { recursive: true, force: true });
  setNumThreads(previousThreads);
  setBackend(previousBackend);
});

/** Sets the thread count and, for more than one, waits until a worker is ready to take part. */
async function useThreads(count: number): Promise<void> {
  setNumThreads(count);
  wasmRuntime().plan();
  const deadline = Date.now() + 20_000;
  while (count > 1 && wasmRuntime().readyWorkers() < count - 1) {
    assert.ok(Date.now() < deadline, 'the wasm worker did not start within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.equal(wasmRuntime().threads, count);
}

/** The bench CNN's parameters after three training steps, as bytes. */
function trainedBytes(optimizer: 'sgd' | 'adam'): Buffer[] {
  manualSeed(5);
  const { model } = models.buildModel(models.namedArchitecture('bench-cnn', 10), [1, 28, 28]);
  const params = model.parameters();
  const opt =
    optimizer === 'sgd'
      ? new optim.SGD(params, { lr: 0.05, momentum: 0.9 })
      : new optim.Adam(params, { lr: 1e-3 });
  const images = randn([32, 1, 28, 28]);
  const labels = randint(0, 10, [32]);
  for (let step = 0; step < 3; step++) {
    opt.zeroGrad();
    F.crossEntropy(model.forward(images), labels).backward();
    opt.step();
  }
  return params.map((p: Tensor) => Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength));
}

void describe('the wasm backend on 1 and 2 threads', () => {
  for (const optimizer of ['sgd', 'adam'] as const) {
    void it(`gives the same bits after bench-CNN training steps (${optimizer})`, async () => {
      setBackend('wasm');
      await useThreads(1);
      const one = trainedBytes(optimizer);
      await useThreads(2);
      const two = trainedBytes(optimizer);
      assert.equal(two.length, one.length);
      one.forEach((bytes, i) => {
        assert.ok(bytes.equals(two[i]!), `parameter ${i} differs`);
      });
    });
  }

  void it('convnet train --threads 1 and --threads 2 write byte-identical checkpoints', async () => {
    const paths = [1, 2].map((n) => join(folder, `threads-${n}`, 'model.safetensors'));
    for (const [i, count] of [1, 2].entries()) {
      await useThreads(count);
      const result = await convnet(
        'train',
        '--limit-train',
        '256',
        '--limit-test',
        '64',
        '--optimizer',
        'adam',
        '--threads',
        String(count),
        '--out',
        paths[i]!,
      );
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`backend wasm, ${count} threads?`));
    }
    assert.ok(readFileSync(paths[0]!).equals(readFileSync(paths[1]!)), 'checkpoints differ');
  });
});
