/**
 * The command line end to end, in-process: train one short epoch on a slice of the shipped subset, then
 * evaluate the checkpoint, predict on PNG files the test writes, and summarise it; two runs with one seed
 * write byte-identical checkpoints; one epoch and then one resumed epoch equal two epochs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { loadSafetensors } from '../src/index.js';
import { FASHION_MNIST_SUBSET_DIR, loadIdxDataset, trainingStatePath } from '../src/node/index.js';
import { convnet } from './helpers/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'convnet-cli-train-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** Runs the command line in-process, returning its exit code and what it printed. */
/** Runs and fails the test, showing stderr, unless the command succeeds. */
async function ok(...argv: string[]): Promise<string> {
  const result = await convnet(...argv);
  assert.equal(result.code, 0, `convnet ${argv.join(' ')} failed: ${result.stderr}`);
  assert.equal(result.stderr, '');
  return result.stdout;
}

/** A small architecture with dropout (so a resumed run must restore the global generator too). */
const TINY = join(folder, 'tiny.json');
writeFileSync(
  TINY,
  JSON.stringify({
    name: 'tiny',
    layers: [
      { type: 'Conv2d', outChannels: 4, kernelSize: 3, stride: 2 },
      { type: 'ReLU' },
      { type: 'Flatten' },
      { type: 'Dropout', p: 0.2 },
      { type: 'Linear', outFeatures: 10 },
    ],
  }),
);
const SLICE = ['--limit-train', '192', '--limit-test', '64', '--batch-size', '32'];

void describe('convnet train, eval, predict, summary', () => {
  const out = join(folder, 'e2e', 'lenet5.safetensors');
  let trainOutput = '';
  before(async () => {
    trainOutput = await ok(
      'train',
      '--model',
      'lenet5',
      '--limit-train',
      '512',
      '--limit-test',
      '256',
      '--epochs',
      '1',
      '--out',
      out,
    );
  });

  void it('train prints each epoch and a confusion matrix, and writes the checkpoint, state, metrics and curves', () => {
    assert.match(
      trainOutput,
      /training lenet5 \(61,706 parameters\) on 512 images 1×28×28 in 10 classes, testing on 256/,
    );
    assert.match(
      trainOutput,
      /epoch 1\/1 {2}train loss \d\.\d{4} acc \d+\.\d\d% {2}test loss \d\.\d{4} acc \d+\.\d\d%/,
    );
    assert.match(trainOutput, /true \\ predicted +0 +1 +2/);
    assert.match(trainOutput, /9 Ankle boot/);
    const dir = join(folder, 'e2e');
    for (const name of [
      'lenet5.safetensors',
      'lenet5.train-state.safetensors',
      'metrics.json',
      'lenet5-curves.svg',
      'lenet5-curves.png',
    ]) {
      assert.ok(existsSync(join(dir, name)), name);
    }
    const { tensors, metadata } = loadSafetensors(readFileSync(out));
    assert.deepEqual(Object.keys(tensors).sort(), [
      '0.bias',
      '0.weight',
      '11.bias',
      '11.weight',
      '3.bias',
      '3.weight',
      '7.bias',
      '7.weight',
      '9.bias',
      '9.weight',
    ]);
    assert.equal((JSON.parse(metadata.classes!) as string[])[9], 'Ankle boot');
    const { mean, std } = JSON.parse(metadata.preprocessing!) as { mean: number[]; std: number[] };
    assert.ok(
      Math.abs(mean[0]! - 0.28) < 0.02 && Math.abs(std[0]! - 0.35) < 0.02,
      JSON.stringify({ mean, std }),
    );
    const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as {
      epochs: { epoch: number; testAccuracy: number }[];
      test: { accuracy: number; confusionMatrix: number[][]; perClass: unknown[] };
      settings: { lr: number; momentum: number; limitTrain: number };
    };
    assert.equal(metrics.epochs.length, 1);
    assert.equal(metrics.epochs[0]!.testAccuracy, metrics.test.accuracy);
    assert.equal(
      metrics.test.confusionMatrix.flat().reduce((a, b) => a + b, 0),
      256,
    );
    assert.equal(metrics.test.perClass.length, 10);
    assert.deepEqual(
      [metrics.settings.lr, metrics.settings.momentum, metrics.settings.limitTrain],
      [0.05, 0.9, 512],
    );
    assert.match(readFileSync(join(dir, 'lenet5-curves.svg'), 'utf8'), /<svg/);
    assert.deepEqual([...readFileSync(join(dir, 'lenet5-curves.png')).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  });

  void it('eval prints the accuracy, per-class precision and recall, and the confusion matrix', async () => {
    const output = await ok('eval', out, '--limit-test', '256');
    const metrics = JSON.parse(readFileSync(join(folder, 'e2e', 'metrics.json'), 'utf8')) as {
      test: { accuracy: number };
    };
    const accuracy = metrics.test.accuracy;
    assert.match(output, new RegExp(`accuracy ${(100 * accuracy).toFixed(2)}% \\(\\d+/256\\)`));
    assert.match(output, /precision {4}recall {2}f1-score {3}support/);
    assert.match(output, /Ankle boot +\d\.\d\d +\d\.\d\d/);
    assert.match(output, /confusion matrix/);
  });

  void it('predict gives the top classes with probabilities for images of any size and colour', async () => {
    const { test } = loadIdxDataset(FASHION_MNIST_SUBSET_DIR);
    const gray = Uint8Array.from(test.images.narrow(0, 0, 1).data, (v) => Math.round(v * 255));
    const grayPath = join(folder, 'ankle-boot.png');
    writeFileSync(grayPath, encode({ width: 28, height: 28, data: gray, channels: 1, depth: 8 }));
    const rgb = new Uint8Array(50 * 40 * 3).map((_, i) => (i * 7) % 256);
    const rgbPath = join(folder, 'colour.png');
    writeFileSync(rgbPath, encode({ width: 50, height: 40, data: rgb, channels: 3, depth: 8 }));
    const table = await ok('predict', out, grayPath, rgbPath, '--top-k', '2');
    const lines = table.trimEnd().split('\n');
    assert.equal(lines.length, 6);
    assert.equal(lines[0], grayPath);
    assert.match(lines[1]!, /^ {2}\S.* +\d+\.\d\d%$/);
    const json = JSON.parse(await ok('predict', out, grayPath, rgbPath, '--json')) as {
      file: string;
      predictions: { class: string; index: number; probability: number }[];
    }[];
    assert.deepEqual(
      json.map((r) => r.file),
      [grayPath, rgbPath],
    );
    for (const { predictions } of json) {
      assert.equal(predictions.length, 3);
      assert.ok(predictions[0]!.probability >= predictions[1]!.probability);
      assert.ok(predictions.reduce((s, p) => s + p.probability, 0) <= 1 + 1e-6);
    }
  });

  void it('summary lists layers, output shapes and parameters for a checkpoint or a model name', async () => {
    const fromCheckpoint = await ok('summary', out);
    assert.match(fromCheckpoint, /classes \(10\): T-shirt\/top, Trouser/);
    assert.match(fromCheckpoint, /7 \(Linear\) +\[1, 120\] +48,120/);
    assert.match(fromCheckpoint, /Total params: 61,706/);
    const byName = await ok('summary', '--model', 'bench-cnn');
    assert.match(byName, /7 \(Linear\) +\[1, 128\] +401,536/);
    assert.match(byName, /Total params: 421,642/);
    const cifar = await ok('summary', '--model', 'bench-cnn', '--input-shape', '3,32,32', '--classes', '5');
    assert.match(cifar, /bench-cnn for input 3×32×32/);
    assert.match(cifar, /7 \(Linear\) +\[1, 128\] +524,416/);
    assert.match(cifar, /9 \(Linear\) +\[1, 5\]/);
    const file = await ok('summary', '--model', TINY, '--input-shape', '3,32,32');
    assert.match(file, /tiny for input 3×32×32/);
    assert.match(file, /4 \(Linear\) +\[1, 10\] +9,010/);
  });
});

void describe('convnet train is deterministic', () => {
  const bytes = (path: string): Buffer => readFileSync(path);

  void it('writes byte-identical checkpoints for the same seed, and different ones for another', async () => {
    const paths = ['a', 'b', 'c'].map((name) => join(folder, 'seeds', `${name}.safetensors`));
    await ok('train', '--model', TINY, ...SLICE, '--epochs', '1', '--seed', '7', '--out', paths[0]!);
    await ok('train', '--model', TINY, ...SLICE, '--epochs', '1', '--seed', '7', '--out', paths[1]!);
    await ok('train', '--model', TINY, ...SLICE, '--epochs', '1', '--seed', '8', '--out', paths[2]!);
    assert.ok(bytes(paths[0]!).equals(bytes(paths[1]!)));
    assert.ok(!bytes(paths[0]!).equals(bytes(paths[2]!)));
  });

  void it('resumes exactly: one epoch, then one resumed epoch, equals two epochs (Adam, step schedule, dropout)', async () => {
    const options = ['--model', TINY, ...SLICE, '--optimizer', 'adam', '--schedule', 'step', '--seed', '3'];
    const straight = join(folder, 'straight', 'model.safetensors');
    const resumed = join(folder, 'resumed', 'model.safetensors');
    await ok('train', ...options, '--epochs', '2', '--out', straight);
    await ok('train', ...options, '--epochs', '1', '--out', resumed);
    const output = await ok('train', '--resume', resumed, '--epochs', '2');
    assert.match(output, /resuming after epoch 1: tiny/);
    assert.match(output, /epoch 2\/2 /);
    assert.doesNotMatch(output, /epoch 1\/2 /);
    assert.ok(bytes(resumed).equals(bytes(straight)), 'checkpoints differ');
    const a = loadSafetensors(bytes(trainingStatePath(straight)));
    const b = loadSafetensors(bytes(trainingStatePath(resumed)));
    assert.deepEqual(Object.keys(b.tensors), Object.keys(a.tensors));
    for (const [key, t] of Object.entries(a.tensors)) {
      assert.deepEqual(Array.from(b.tensors[key]!.data), Array.from(t.data), key);
    }
    for (const key of ['epoch', 'optimizer', 'scheduler', 'rng']) {
      assert.equal(b.metadata[key], a.metadata[key], key);
    }
    const metrics = JSON.parse(readFileSync(join(folder, 'resumed', 'metrics.json'), 'utf8')) as {
      epochs: { epoch: number; testLoss: number }[];
    };
    const straightMetrics = JSON.parse(
      readFileSync(join(folder, 'straight', 'metrics.json'), 'utf8'),
    ) as typeof metrics;
    assert.deepEqual(
      metrics.epochs.map((e) => e.epoch),
      [1, 2],
    );
    assert.deepEqual(
      metrics.epochs.map((e) => e.testLoss),
      straightMetrics.epochs.map((e) => e.testLoss),
    );
  });

  void it('refuses to resume with settings that change the run, or with nothing left to do', async () => {
    const path = join(folder, 'straight', 'model.safetensors');
    const changed = await convnet('train', '--resume', path, '--epochs', '3', '--lr', '0.5');
    assert.equal(changed.code, 1);
    assert.match(changed.stderr, /^error: --lr: the resumed run used 0\.001; leave --lr out/);
    const done = await convnet('train', '--resume', path);
    assert.equal(done.code, 1);
    assert.match(done.stderr, /^error: --epochs: the resumed run has done 2 epochs already/);
  });
});
