/**
 * `convnet train` and its files under faults, in-process: a checkpoint beside another save's training
 * state is refused (issue 12, item 2: the epoch-2 weights beside the epoch-1 state); a save killed between
 * its two renames is finished by the next `--resume`; temporary files of killed writes are removed; a run
 * stopped part-way through an epoch resumes to byte-identical weights; a loss that turns NaN (`--lr 1e6`,
 * issue 12 item 3) stops the run naming the epoch and batch without writing a NaN checkpoint, keeping the
 * last good one resumable; `--on-nan skip` skips and counts; `eval` and `predict` warn about non-finite
 * weights; `--out` over a foreign file needs `--force`, and an unwritable `--out` fails before training.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { loadSafetensors, noGrad } from '../src/index.js';
import {
  loadCheckpointFile,
  loadCheckpointWithState,
  saveCheckpointFile,
  saveCheckpointWithState,
  saveTrainingStateFile,
  trainingStatePath,
} from '../src/node/index.js';
import { run } from '../src/cli/program.js';
import type { CliResult } from './helpers/cli.js';
import { convnet } from './helpers/cli.js';

const folder = mkdtempSync(join(tmpdir(), 'convnet-cli-resume-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** A small architecture with dropout, so resuming must restore the global generator too. */
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
const RUN = ['--model', TINY, '--limit-train', '192', '--limit-test', '64', '--batch-size', '32'];

/** A pid no process has (above Linux's largest), as in the name of a temporary a killed writer left. */
const DEAD_PID = 999_999_999;

async function ok(...argv: string[]): Promise<string> {
  const result = await convnet(...argv);
  assert.equal(result.code, 0, `convnet ${argv.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const bytes = (path: string): Buffer => readFileSync(path);
const dir = (name: string): string => join(folder, name);
const model = (name: string): string => join(dir(name), 'model.safetensors');

/** Copies a checkpoint and its training state (or just one of them) from one run's folder to another's. */
function copyRun(from: string, to: string): void {
  mkdirSync(dir(to), { recursive: true });
  copyFileSync(model(from), model(to));
  copyFileSync(trainingStatePath(model(from)), trainingStatePath(model(to)));
}

void describe('convnet train --resume with files from different saves', () => {
  before(async () => {
    await ok('train', ...RUN, '--epochs', '1', '--out', model('one'));
    await ok('train', ...RUN, '--epochs', '2', '--out', model('two'));
    await ok('train', ...RUN, '--epochs', '3', '--out', model('three'));
  });

  void it('refuses epoch-2 weights beside an epoch-1 training state, saying what to do', async () => {
    copyRun('one', 'mixed');
    copyFileSync(model('two'), model('mixed'));
    const result = await convnet('train', '--resume', model('mixed'), '--epochs', '3');
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: --resume: .*model\.safetensors is not the checkpoint its training state .*model\.train-state\.safetensors was saved with \(after epoch 1, SHA-256 [0-9a-f]{12}…\): it has SHA-256 [0-9a-f]{12}…; the two come from different saves\. Resuming would train from the wrong point, so it is refused: start the run again without --resume/,
    );
    assert.equal(result.stderr.trimEnd().split('\n').length, 1);
    assert.doesNotMatch(result.stdout, /epoch 2\/3/);
    assert.ok(bytes(model('mixed')).equals(bytes(model('two'))), 'the files are left as they were');
  });

  void it('finishes a save killed between its two renames, then resumes to what an uninterrupted run gives', async () => {
    // The epoch-2 save of run "cut" renamed its training state into place and was killed before the
    // checkpoint: the epoch-1 checkpoint, the epoch-2 state, and the complete epoch-2 checkpoint in a
    // temporary file.
    copyRun('one', 'cut');
    copyFileSync(trainingStatePath(model('two')), trainingStatePath(model('cut')));
    const temporary = join(
      dir('cut'),
      `.model.safetensors.${DEAD_PID}-0b9e4e0c-1f4a-4c1e-9a51-2f6d8c1e7a3b.tmp`,
    );
    copyFileSync(model('two'), temporary);
    const output = await ok('train', '--resume', model('cut'), '--epochs', '3');
    assert.match(output, /^finished the save a killed run cut short: .*model\.safetensors now matches /);
    assert.match(output, /resuming after epoch 2: tiny/);
    assert.doesNotMatch(output, /epoch 2\/3 /);
    assert.ok(!existsSync(temporary));
    assert.ok(bytes(model('cut')).equals(bytes(model('three'))), 'checkpoints differ');
  });

  void it('removes the temporary files killed writes left, torn or not, on the next run', async () => {
    copyRun('one', 'litter');
    const names = [
      `.model.safetensors.${DEAD_PID}-11111111-2222-4333-8444-555555555555.tmp`,
      `.model.train-state.safetensors.${DEAD_PID}-66666666-7777-4888-9999-aaaaaaaaaaaa.tmp`,
      // An older writer named its temporaries without a pid.
      '.model.safetensors.bbbbbbbb-cccc-4ddd-8eee-ffffffffffff.tmp',
    ];
    for (const name of names) writeFileSync(join(dir('litter'), name), 'torn');
    const alive = `.model.safetensors.${process.pid}-12345678-1234-4234-8234-123456789abc.tmp`;
    writeFileSync(join(dir('litter'), alive), 'a write in progress');
    const output = await ok('train', '--resume', model('litter'), '--epochs', '2');
    assert.match(output, /^removed 3 temporary files a killed run left: /);
    assert.deepEqual(
      readdirSync(dir('litter')).filter((n) => n.endsWith('.tmp')),
      [alive],
    );
    assert.ok(bytes(model('litter')).equals(bytes(model('two'))));
  });

  void it('a training state that records no checkpoint (an older writer) resumes with a warning', async () => {
    const { checkpoint, state } = loadCheckpointWithState(model('one'));
    mkdirSync(dir('legacy'));
    saveCheckpointFile(model('legacy'), checkpoint.model, checkpoint);
    saveTrainingStateFile(trainingStatePath(model('legacy')), { ...state, checkpointSha256: undefined });
    const result = await convnet('train', '--resume', model('legacy'), '--epochs', '2');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^warning: .*does not record which checkpoint it belongs to/);
    assert.ok(bytes(model('legacy')).equals(bytes(model('two'))));
  });
});

void describe('convnet train with a loss that turns NaN', () => {
  void it('--lr 1e6 on the shipped subset stops naming the epoch and batch, writing nothing', async () => {
    const out = join(dir('diverge'), 'model.safetensors');
    const result = await convnet('train', '--lr', '1e6', '--limit-test', '64', '--out', out);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: epoch 1, batch \d+ of 157: the loss is NaN; training stopped and wrote no checkpoint \(lower --lr, or give --on-nan skip to skip such batches\)\n$/,
    );
    assert.doesNotMatch(result.stderr, /saveTrainingState|holds NaN/);
    assert.doesNotMatch(result.stdout, /train loss NaN/);
    assert.ok(!existsSync(dir('diverge')), 'the folder made for --out is removed again');
  });

  void it('keeps the last good checkpoint, resumable, when it diverges in a later epoch', async () => {
    const out = model('later');
    const options = ['--schedule', 'onecycle', '--lr', '20', '--epochs', '3'];
    const result = await convnet('train', ...RUN, ...options, '--out', out);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /epoch 1\/3 /);
    const [, batch] =
      /^error: epoch 2, batch (\d+) of 6: the loss is (?:NaN|-?Infinity); training stopped; (?:.*)model\.safetensors still holds the weights after epoch 1 \(to go on, skipping such batches: convnet train --resume \S+model\.safetensors --on-nan skip\)\n$/.exec(
        result.stderr,
      ) ?? [];
    assert.ok(batch !== undefined, result.stderr);
    const { checkpoint, state, match } = loadCheckpointWithState(out);
    assert.deepEqual([match, state.epoch], ['verified', 1]);
    assert.ok(checkpoint.model.parameters().every((p) => p.data.every(Number.isFinite)));
    const resumed = await convnet('train', '--resume', out, '--on-nan', 'skip');
    assert.match(resumed.stdout, /^resuming after epoch 1: tiny/);
    assert.match(resumed.stdout, /on NaN skip/);
    assert.doesNotMatch(resumed.stderr, /saveTrainingState|holds NaN/);
  });

  void it('--on-nan skip is recorded with the run, counted per epoch, and may change on resume', async () => {
    // Which batches are skipped and how they are counted is the training loop's (train-faults.test.ts).
    const out = model('skip');
    const result = await convnet('train', ...RUN, '--epochs', '1', '--on-nan', 'skip', '--out', out);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /, on NaN skip, /);
    const metrics = (): { epochs: { skippedBatches: number }[]; settings: { onNan: string } } =>
      JSON.parse(readFileSync(join(dir('skip'), 'metrics.json'), 'utf8')) as {
        epochs: { skippedBatches: number }[];
        settings: { onNan: string };
      };
    assert.equal(metrics().settings.onNan, 'skip');
    assert.deepEqual(
      metrics().epochs.map((e) => e.skippedBatches),
      [0],
    );
    const resumed = await ok('train', '--resume', out, '--epochs', '2', '--on-nan', 'stop');
    assert.doesNotMatch(resumed, /on NaN skip/);
    assert.equal(metrics().settings.onNan, 'stop');
  });
});

void describe('eval and predict with non-finite weights', () => {
  const nan = join(folder, 'nan.safetensors');
  before(async () => {
    await ok('train', ...RUN, '--epochs', '1', '--out', model('good'));
    const checkpoint = loadCheckpointFile(model('good'));
    noGrad(() => {
      for (const p of checkpoint.model.parameters()) p.data.fill(NaN);
    });
    saveCheckpointFile(nan, checkpoint.model, checkpoint);
  });

  void it('eval warns in one stderr line before printing its NaN results', async () => {
    const result = await convnet('eval', nan, '--limit-test', '64');
    assert.equal(result.code, 0);
    assert.equal(
      result.stderr,
      `warning: ${nan}: 6,810 of 6,810 weights are NaN or infinite; its outputs are meaningless (the run that wrote it diverged)\n`,
    );
    const healthy = await convnet('eval', model('good'), '--limit-test', '64');
    assert.equal(healthy.stderr, '');
  });

  void it('predict warns too', async () => {
    const image = join(folder, 'gray.png');
    writeFileSync(image, encode({ width: 28, height: 28, data: new Uint8Array(784), channels: 1, depth: 8 }));
    const result = await convnet('predict', nan, image);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /^warning: .*nan\.safetensors: 6,810 of 6,810 weights are NaN or infinite/);
  });

  void it('train --resume refuses such a checkpoint', async () => {
    const { checkpoint, state } = loadCheckpointWithState(model('good'));
    noGrad(() => {
      checkpoint.model.parameters()[0]!.data[3] = Infinity;
    });
    mkdirSync(dir('inf'));
    saveCheckpointWithState(model('inf'), checkpoint.model, checkpoint, state);
    const result = await convnet('train', '--resume', model('inf'), '--epochs', '2');
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: --resume: .*: 1 of 6,810 weights are NaN or infinite; it cannot be trained on\n$/,
    );
  });
});

void describe('convnet train --out', () => {
  void it('refuses to overwrite a file that is not a convnet-ts checkpoint unless --force', async () => {
    const precious = join(folder, 'thesis.safetensors');
    writeFileSync(precious, 'my thesis');
    const refused = await convnet('train', ...RUN, '--out', precious);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^error: --out: .*thesis\.safetensors exists and is not a convnet-ts checkpoint; give --force to overwrite it, or choose another --out\n$/,
    );
    assert.equal(readFileSync(precious, 'utf8'), 'my thesis');
    const state = join(folder, 'notes.train-state.safetensors');
    writeFileSync(state, 'notes');
    const besides = await convnet('train', ...RUN, '--out', join(folder, 'notes.safetensors'));
    assert.match(
      besides.stderr,
      /notes\.train-state\.safetensors exists and is not a convnet-ts training state/,
    );
    await ok('train', ...RUN, '--out', precious, '--force');
    assert.equal(loadCheckpointFile(precious).classes.length, 10);
    // A convnet-ts checkpoint is overwritten without asking, as a rerun does.
    await ok('train', ...RUN, '--seed', '1', '--out', precious);
  });

  void it('refuses an --out that cannot be written before training, naming the option and path', async () => {
    for (const out of ['/proc/convnet/model.safetensors', '/proc/version.d/model.safetensors']) {
      const result = await convnet('train', ...RUN, '--out', out);
      assert.equal(result.code, 1, out);
      assert.match(result.stderr, /^error: --out: cannot (create the folder|write in) \/proc\/\S+: /, out);
      assert.doesNotMatch(result.stdout, /epoch 1/);
    }
    if (process.getuid?.() === 0) return; // root writes into read-only folders
    const locked = dir('locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    const result = await convnet('train', ...RUN, '--out', join(locked, 'model.safetensors'));
    chmodSync(locked, 0o755);
    assert.match(result.stderr, /^error: --out: cannot write in .*locked: permission denied\n$/);
  });
});

void describe('convnet train stopped part-way through an epoch', () => {
  /**
   * `convnet ...argv` in-process, sending this process `signal` as soon as the run prints its settings
   * line: the signal arrives while the first batch trains, and the run sees it after that batch.
   */
  async function interrupted(signal: NodeJS.Signals, ...argv: string[]): Promise<CliResult> {
    let stdout = '';
    let stderr = '';
    let sent = false;
    const code = await run(argv, {
      stdout: {
        write: (text: string) => {
          stdout += text;
          if (!sent && /^(sgd|adam)/m.test(stdout)) {
            sent = true;
            process.kill(process.pid, signal);
          }
        },
      },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
    });
    return { code, stdout, stderr };
  }

  void it('saves after the batch in progress and resumes to byte-identical weights (Adam, onecycle, dropout)', async () => {
    const options = [...RUN, '--optimizer', 'adam', '--schedule', 'onecycle', '--epochs', '2'];
    await ok('train', ...options, '--out', model('whole'));
    const stopped = await interrupted('SIGINT', 'train', ...options, '--out', model('parts'));
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.equal(stopped.stderr, '');
    const out = model('parts');
    assert.ok(
      stopped.stdout.endsWith(
        `stopped by SIGINT in epoch 1/2 after batch 1 of 6: saved ${out} and ${trainingStatePath(out)}\nto resume: convnet train --resume ${out}\n`,
      ),
      stopped.stdout,
    );
    const { state, match } = loadCheckpointWithState(out);
    assert.deepEqual([match, state.epoch], ['verified', 0]);
    const resumed = await ok('train', '--resume', out);
    assert.match(resumed, /^resuming in epoch 1 after batch 1 of 6: tiny/);
    assert.ok(bytes(out).equals(bytes(model('whole'))), 'checkpoints differ');
    const a = loadSafetensors(bytes(trainingStatePath(model('whole'))));
    const b = loadSafetensors(bytes(trainingStatePath(out)));
    for (const key of ['epoch', 'optimizer', 'scheduler', 'rng', 'checkpoint_sha256']) {
      assert.equal(b.metadata[key], a.metadata[key], key);
    }
    const metrics = (name: string): { epochs: { trainLoss: number; testLoss: number }[] } =>
      JSON.parse(readFileSync(join(dir(name), 'metrics.json'), 'utf8')) as {
        epochs: { trainLoss: number; testLoss: number }[];
      };
    assert.deepEqual(
      metrics('parts').epochs.map((e) => [e.trainLoss, e.testLoss]),
      metrics('whole').epochs.map((e) => [e.trainLoss, e.testLoss]),
    );
  });

  void it('SIGTERM after an epoch saves that epoch and exits 143', async () => {
    const options = [...RUN, '--epochs', '3'];
    const out = model('term');
    const stopped = await interrupted('SIGTERM', 'train', ...options, '--limit-train', '32', '--out', out);
    assert.equal(stopped.code, 143, stopped.stderr);
    assert.match(stopped.stdout, /stopped by SIGTERM after epoch 1\/3: saved /);
    assert.equal(loadCheckpointWithState(out).state.epoch, 1);
  });
});
