/**
 * PyTorch both ways through safetensors, and the way to a cluster:
 * - committed fixtures (scripts/interop/make_fixtures.py): PyTorch's state_dict imports with
 *   `convnet import --model` and gives PyTorch's logits; a convnet-ts checkpoint loaded into the equivalent
 *   torch.nn.Sequential gave the logits convnet-ts gives;
 * - with PyTorch installed (else skipped with a message): the model.py of `convnet export --pytorch` loads a
 *   fresh checkpoint with convnet-ts's logits, and its train_ddp.py runs under torchrun with 2 processes
 *   (gloo) on the shipped Fashion-MNIST subset; `convnet import` reads the result back with PyTorch's logits.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualSeed, models, randn, tensor } from '../src/index.js';
import { loadCheckpointFile, saveCheckpointFile } from '../src/node/index.js';
import { assertAllClose, toleranceFor } from './helpers/close.js';
import { convnet } from './helpers/cli.js';
import { ARCHITECTURES, PYTHON, logitsOf, smallCheckpoint, torchMissing } from './helpers/interop.js';

const FIXTURES = new URL('./fixtures/interop/', import.meta.url);
const folder = mkdtempSync(join(tmpdir(), 'convnet-ts-interop-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

interface LogitsFixture {
  input: number[];
  input_shape: number[];
  logits: number[];
}

function fixture(name: string): LogitsFixture & { architecture?: models.Architecture } {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as LogitsFixture;
}

/** PyTorch's logits for `input` from the generated project in `dir` with the weights at `weights`. */
function torchLogits(
  dir: string,
  weights: string,
  input: { data: ArrayLike<number>; shape: readonly number[] },
): number[] {
  const inputPath = join(dir, 'input.json');
  writeFileSync(inputPath, JSON.stringify({ data: Array.from(input.data), shape: input.shape }));
  const script = [
    'import json, sys, torch',
    `sys.path.insert(0, ${JSON.stringify(dir)})`,
    'import model',
    `net = model.load_weights(model.build_model(), ${JSON.stringify(weights)}).eval()`,
    `x = json.load(open(${JSON.stringify(inputPath)}))`,
    'with torch.no_grad():',
    '    y = net(torch.tensor(x["data"], dtype=torch.float32).reshape(x["shape"]))',
    'print(json.dumps(y.reshape(-1).tolist()))',
  ].join('\n');
  const result = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as number[];
}

void describe('PyTorch interop through safetensors', () => {
  void it('convnet import --model reads PyTorch state_dict weights with PyTorch logits', async () => {
    const expected = fixture('torch-weights.json');
    const architecture = join(folder, 'torch-weights.json');
    writeFileSync(architecture, JSON.stringify(expected.architecture));
    const out = join(folder, 'from-torch.safetensors');
    const weights = new URL('torch-weights.safetensors', FIXTURES).pathname;
    const result = await convnet(
      'import',
      weights,
      '--model',
      architecture,
      '--input-shape',
      '3,12,12',
      '--out',
      out,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /imported .*torch-weights\.safetensors: torch-weights, 15 layers \(Conv2d, BatchNorm2d,/,
    );
    const { model } = loadCheckpointFile(out);
    const x = tensor(Float32Array.from(expected.input), expected.input_shape);
    assertAllClose(logitsOf(model, x), expected.logits, toleranceFor('float32', expected.logits));
  });

  void it('a convnet-ts checkpoint gives the logits PyTorch computed with it in torch.nn.Sequential', () => {
    const expected = fixture('convnet-checkpoint.json');
    const { model } = loadCheckpointFile(new URL('convnet-checkpoint.safetensors', FIXTURES).pathname);
    const x = tensor(Float32Array.from(expected.input), expected.input_shape);
    assertAllClose(logitsOf(model, x), expected.logits, toleranceFor('float32', expected.logits));
  });

  void it('explains what is missing for weights without an architecture, and what does not fit', async () => {
    const weights = new URL('torch-weights.safetensors', FIXTURES).pathname;
    const bare = await convnet('import', weights, '--out', join(folder, 'x.safetensors'));
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /^error: importWeights\(.*\): the file does not say its architecture/);
    const wrong = await convnet(
      'import',
      weights,
      '--model',
      'lenet5',
      '--out',
      join(folder, 'y.safetensors'),
    );
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /the weights do not fit the architecture/);
    assert.ok(wrong.stderr.length < 700, `${wrong.stderr.length} characters`);
  });
});

void describe('convnet export --pytorch', () => {
  const missing = torchMissing();
  if (missing !== null) {
    void it.skip(`the generated project in PyTorch (${missing})`);
    return;
  }

  void it("model.py loads a checkpoint into torch.nn.Sequential with convnet-ts's logits", async () => {
    const ckpt = smallCheckpoint(ARCHITECTURES['conv-pool-linear']!, 11);
    const path = join(folder, 'fresh.safetensors');
    saveCheckpointFile(path, ckpt.model, ckpt);
    const dir = join(folder, 'fresh-project');
    const result = await convnet('export', path, '--pytorch', dir);
    assert.equal(result.code, 0, result.stderr);
    for (const name of ['model.py', 'weights.safetensors', 'train_ddp.py', 'README.txt'])
      assert.ok(existsSync(join(dir, name)), name);
    const x = randn([3, 3, 11, 11], { seed: 12 });
    const expected = logitsOf(ckpt.model, x);
    assertAllClose(
      torchLogits(dir, join(dir, 'weights.safetensors'), x),
      expected,
      toleranceFor('float32', expected),
    );
  });

  void it('train_ddp.py trains under torchrun on 2 processes (gloo) and convnet import reads the result back', async () => {
    manualSeed(21);
    const { model, architecture } = models.buildModel(models.namedArchitecture('lenet5', 10), [1, 28, 28]);
    const classes = readFileSync('data/fashion-mnist-subset/classes.txt', 'utf8').trim().split('\n');
    const start = join(folder, 'lenet5.safetensors');
    saveCheckpointFile(start, model, {
      architecture,
      classes,
      inputShape: [1, 28, 28],
      preprocessing: { mean: [0.2863], std: [0.354] },
    });
    const dir = join(folder, 'lenet5-project');
    assert.equal((await convnet('export', start, '--pytorch', dir)).code, 0);
    const trained = join(dir, 'trained.safetensors');
    const run = spawnSync(
      PYTHON,
      [
        '-m',
        'torch.distributed.run',
        '--standalone',
        // Debian's torch 1.13 launcher fails on Python >= 3.11 with its default --redirects 0.
        '--redirects',
        '1',
        '--tee',
        '1',
        '--nproc_per_node',
        '2',
        join(dir, 'train_ddp.py'),
        '--data',
        'data/fashion-mnist-subset',
        '--max-steps',
        '3',
        '--batch-size',
        '16',
        '--out',
        trained,
      ],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } },
    );
    assert.equal(run.status, 0, run.stderr.slice(-3000));
    assert.match(run.stdout, /training on 2 processes \(gloo\), 10000 images/);
    assert.match(run.stdout, /step 3 loss \d/);
    const back = join(folder, 'lenet5-trained.safetensors');
    const imported = await convnet('import', trained, '--out', back);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /lenet5, 12 layers .* input 1×28×28, 10 classes/);
    const ckpt = loadCheckpointFile(back);
    assert.deepEqual(ckpt.classes, classes);
    const before = model.stateDict()['0.weight']!.data;
    const after = ckpt.model.stateDict()['0.weight']!.data;
    assert.ok(
      after.some((v, i) => v !== before[i]),
      'training changed the weights',
    );
    const x = randn([4, 1, 28, 28], { seed: 22 });
    const expected = torchLogits(dir, trained, x);
    assertAllClose(logitsOf(ckpt.model, x), expected, { rtol: 1e-5, atol: 1e-5 });
  });
});
