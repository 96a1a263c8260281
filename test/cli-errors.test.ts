/**
 * The command line refuses bad input with one clear line on stderr and a non-zero exit code — never a stack
 * trace, never a partial output file: unknown models, missing or unreadable files, bad numbers, checkpoints
 * with missing or invalid metadata, images that cannot be decoded, misuse of commands. A child process
 * checks the real executable: `--help` and an error exit.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import { loadSafetensors, randint, saveSafetensors } from '../src/index.js';
import { convnet } from './helpers/cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'convnet-cli-errors-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

const out = join(folder, 'out');
const model = join(out, 'model.safetensors');
const checkpoint = join(folder, 'good.safetensors');
const path = (name: string): string => join(folder, name);

before(async () => {
  mkdirSync(out);
  const architecture = {
    layers: [
      { type: 'AdaptiveAvgPool2d', outputSize: 2 },
      { type: 'Flatten' },
      { type: 'Linear', outFeatures: 10 },
    ],
  };
  writeFileSync(path('tiny.json'), JSON.stringify(architecture));
  const trained = await convnet(
    'train',
    '--model',
    path('tiny.json'),
    '--limit-train',
    '64',
    '--limit-test',
    '32',
    '--epochs',
    '1',
    '--out',
    checkpoint,
  );
  assert.equal(trained.code, 0, trained.stderr);
  const { tensors, metadata } = loadSafetensors(readFileSync(checkpoint));
  writeFileSync(path('weights-only.safetensors'), saveSafetensors(tensors));
  writeFileSync(
    path('bad-classes.safetensors'),
    saveSafetensors(tensors, { ...metadata, classes: '["a", "b"]' }),
  );
  writeFileSync(
    path('bad-json.safetensors'),
    saveSafetensors(tensors, { ...metadata, preprocessing: '{mean' }),
  );
  writeFileSync(path('not-json.json'), '{ "layers": [ ');
  writeFileSync(
    path('bad-layer.json'),
    JSON.stringify({ layers: [{ type: 'Conv2d', outChannels: 4, kernelSize: 0 }] }),
  );
  writeFileSync(
    path('too-big.json'),
    JSON.stringify({ layers: [{ type: 'Conv2d', outChannels: 4, kernelSize: 40 }] }),
  );
  writeFileSync(
    path('wrong-outputs.json'),
    JSON.stringify({ layers: [{ type: 'Flatten' }, { type: 'Linear', outFeatures: 3 }] }),
  );
  writeFileSync(path('not-an-image.png'), 'hello');
  writeFileSync(
    path('truncated.png'),
    encode({ width: 4, height: 4, data: new Uint8Array(16), channels: 1, depth: 8 }).subarray(0, 40),
  );
  mkdirSync(path('empty'));
  const rgb = Uint8Array.from(randint(0, 256, [8 * 8 * 3], { seed: 0 }).data);
  for (const split of ['train', 'test']) {
    mkdirSync(path(`colour/${split}/a`), { recursive: true });
    writeFileSync(
      path(`colour/${split}/a/0.png`),
      encode({ width: 8, height: 8, data: rgb, channels: 3, depth: 8 }),
    );
  }
});

const cases: [what: string, argv: () => string[], message: RegExp][] = [
  [
    'an unknown model name',
    () => ['train', '--model', 'resnet', '--out', model],
    /--model: unknown model "resnet": expected bench-cnn, lenet5, seed-cnn/,
  ],
  [
    'a model file that is not JSON',
    () => ['train', '--model', path('not-json.json'), '--out', model],
    /--model: .*not-json\.json: .*not valid JSON/,
  ],
  [
    'a model file with a bad field',
    () => ['train', '--model', path('bad-layer.json'), '--out', model],
    /architecture\(layers\[0\]\.kernelSize\): expected an integer >= 1/,
  ],
  [
    'a model that does not fit the images',
    () => ['train', '--model', path('too-big.json'), '--limit-train', '8', '--out', model],
    /--model: .* does not fit images 1×28×28: architecture\(layers\[0\]\)/,
  ],
  [
    'a model with the wrong number of outputs',
    () => ['train', '--model', path('wrong-outputs.json'), '--limit-train', '8', '--out', model],
    /outputs shape \[3\] per image, but the data has 10 classes/,
  ],
  [
    'a missing data folder',
    () => ['train', '--data', path('nowhere'), '--out', model],
    /--data: ".*nowhere": no such folder/,
  ],
  [
    'a folder without a dataset',
    () => ['train', '--data', path('empty'), '--out', model],
    /--data: ".*empty" holds no dataset convnet can read/,
  ],
  [
    'a non-numeric epoch count',
    () => ['train', '--epochs', 'ten', '--out', model],
    /option '--epochs <n>' argument 'ten' is invalid\. expected a positive integer/,
  ],
  ['zero epochs', () => ['train', '--epochs', '0', '--out', model], /expected a positive integer/],
  [
    'a negative learning rate',
    () => ['train', '--lr', '-1', '--out', model],
    /'--lr <x>' argument '-1' is invalid\. expected a number > 0/,
  ],
  [
    'a fractional batch size',
    () => ['train', '--batch-size', '6.5', '--out', model],
    /--batch-size <n>' argument '6\.5' is invalid/,
  ],
  [
    'an unknown optimizer',
    () => ['train', '--optimizer', 'lamb', '--out', model],
    /argument 'lamb' is invalid\. Allowed choices are sgd, adam, adamw, rmsprop, adagrad/,
  ],
  [
    'an unknown schedule',
    () => ['train', '--schedule', 'linear', '--out', model],
    /Allowed choices are none, step, cosine, onecycle/,
  ],
  [
    'momentum for adam',
    () => ['train', '--optimizer', 'adam', '--momentum', '0.9', '--out', model],
    /--momentum: adam has no momentum/,
  ],
  [
    'an unknown backend',
    () => ['train', '--backend', 'cuda', '--out', model],
    /--backend: unknown backend "cuda" \(available: js/,
  ],
  [
    'a folder as the output file',
    () => ['train', '--out', out],
    /--out: .*out is a folder; give a file name/,
  ],
  [
    'an unknown option',
    () => ['train', '--epoch', '2', '--out', model],
    /unknown option '--epoch' \(Did you mean --epochs\?\)/,
  ],
  [
    'resuming a missing checkpoint',
    () => ['train', '--resume', path('missing.safetensors')],
    /--resume: .*missing\.safetensors\): cannot read: no such file/,
  ],
  [
    'resuming without a training state',
    () => ['train', '--resume', path('weights-only.safetensors')],
    /not a convnet-ts checkpoint/,
  ],
  [
    'evaluating a missing checkpoint',
    () => ['eval', path('missing.safetensors')],
    /checkpoint: .*cannot read: no such file/,
  ],
  [
    'evaluating a file that is not safetensors',
    () => ['eval', path('not-json.json')],
    /not a valid safetensors file/,
  ],
  [
    'a checkpoint without metadata',
    () => ['eval', path('weights-only.safetensors')],
    /not a convnet-ts checkpoint: its metadata has no "convnet_checkpoint" entry/,
  ],
  [
    'a checkpoint whose classes do not fit the model',
    () => ['eval', path('bad-classes.safetensors')],
    /metadata "classes": 2 class names, but the model's output/,
  ],
  [
    'a checkpoint with invalid JSON metadata',
    () => ['predict', path('bad-json.safetensors'), path('x.png')],
    /metadata "preprocessing": is not valid JSON/,
  ],
  [
    'evaluating on images of another shape',
    () => ['eval', checkpoint, '--data', path('colour')],
    /--data: its images are 3×8×8 but the model takes 1×28×28/,
  ],
  [
    'a missing image',
    () => ['predict', checkpoint, path('missing.png')],
    /readImage\(.*missing\.png\): no such file/,
  ],
  [
    'a file that is not an image',
    () => ['predict', checkpoint, path('not-an-image.png')],
    /not-an-image\.png\): at byte 0: not a PNG or JPEG file/,
  ],
  [
    'a truncated PNG',
    () => ['predict', checkpoint, path('truncated.png')],
    /decodeImage\(.*truncated\.png\)/,
  ],
  ['predict without images', () => ['predict', checkpoint], /missing required argument 'images'/],
  [
    'a top-k of zero',
    () => ['predict', checkpoint, path('x.png'), '--top-k', '0'],
    /'--top-k <k>' argument '0' is invalid/,
  ],
  ['summary without a model', () => ['summary'], /give either a checkpoint or --model NAME/],
  [
    'summary with both',
    () => ['summary', checkpoint, '--model', 'lenet5'],
    /give either a checkpoint or --model NAME/,
  ],
  ['summary of an unknown model', () => ['summary', '--model', 'vgg'], /unknown model "vgg"/],
  [
    'a bad input shape',
    () => ['summary', '--model', 'lenet5', '--input-shape', '28,28'],
    /expected C,H,W such as 1,28,28/,
  ],
  [
    'an input shape too small for the model',
    () => ['summary', '--model', 'lenet5', '--input-shape', '1,4,4'],
    /--model: lenet5 does not fit input 1×4×4/,
  ],
  [
    '--classes for an architecture file',
    () => ['summary', '--model', path('tiny.json'), '--classes', '3'],
    /--classes: only applies to a built-in model/,
  ],
  [
    'an unknown dataset to download',
    () => ['data', 'download', 'imagenet'],
    /'imagenet' is invalid for argument 'name'\. Allowed choices are mnist, fashion-mnist, cifar10/,
  ],
  ['an unknown command', () => ['fit'], /unknown command 'fit'/],
];

void describe('bad input', () => {
  for (const [what, argv, message] of cases) {
    void it(`${what}: one line on stderr, a non-zero exit, no output file`, async () => {
      const result = await convnet(...argv());
      assert.notEqual(result.code, 0, `exit code 0; stdout: ${result.stdout}`);
      assert.match(result.stderr, /^error: /);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.deepEqual(readdirSync(out), []);
    });
  }

  void it('--help works on every command and exits 0', async () => {
    for (const argv of [
      ['--help'],
      ['train', '--help'],
      ['eval', '--help'],
      ['predict', '--help'],
      ['summary', '--help'],
      ['data', 'download', '--help'],
    ]) {
      const result = await convnet(...argv);
      assert.equal(result.code, 0, argv.join(' '));
      assert.match(result.stdout, /^Usage: convnet/, argv.join(' '));
    }
  });
});

void describe('the convnet executable', () => {
  const main = join(root, 'src', 'cli', 'main.ts');
  const exec = (...argv: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['--import', 'tsx', main, ...argv], { cwd: root, encoding: 'utf8' });

  void it('starts with a node shebang', () => {
    assert.match(readFileSync(main, 'utf8'), /^#!\/usr\/bin\/env node\n/);
  });

  void it('prints help and exits 0', () => {
    const result = exec('--help');
    assert.equal(result.status, 0, String(result.stderr));
    assert.match(String(result.stdout), /Usage: convnet \[options\] \[command\]/);
    for (const command of ['train', 'eval', 'predict', 'summary', 'data'])
      assert.match(String(result.stdout), new RegExp(`\\n  ${command} `));
  });

  void it('exits 1 with one error line and no stack trace', () => {
    const result = exec('eval', join(folder, 'missing.safetensors'));
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(
      String(result.stderr),
      /^error: checkpoint: .*missing\.safetensors\): cannot read: no such file\n$/,
    );
  });
});
