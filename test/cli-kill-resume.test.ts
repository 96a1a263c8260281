/**
 * The real `convnet` process under signals. Ctrl-C (SIGINT) part-way through an epoch saves and prints the
 * command that resumes the run, exiting 130. SIGKILL at seeded random moments — right as a temporary file
 * of a checkpoint save appears or disappears, or after a random delay — never leaves a checkpoint that does
 * not load, and `--resume` after each kill ends with the weights of an uninterrupted run, byte for byte.
 * The kill moments are printed; `KILL_SEED=n` replays another sequence.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { FSWatcher } from 'node:fs';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSafetensors } from '../src/index.js';
import { loadCheckpointFile, loadTrainingStateFile, trainingStatePath } from '../src/node/index.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const main = join(root, 'src', 'cli', 'main.ts');
const folder = mkdtempSync(join(tmpdir(), 'convnet-kill-resume-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** A model with a 100k-parameter layer, so a save writes ~0.8 MB and takes long enough to be hit. */
const WIDE = join(folder, 'wide.json');
writeFileSync(
  WIDE,
  JSON.stringify({
    name: 'wide',
    layers: [
      { type: 'Flatten' },
      { type: 'Linear', outFeatures: 128 },
      { type: 'ReLU' },
      { type: 'Dropout', p: 0.2 },
      { type: 'Linear', outFeatures: 10 },
    ],
  }),
);
const EPOCHS = 12;
const RUN = [
  '--model',
  WIDE,
  '--limit-train',
  '384',
  '--limit-test',
  '64',
  '--batch-size',
  '32',
  '--seed',
  '4',
];

/** A small seeded generator (mulberry32) for the kill moments. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `convnet ...argv` as a child process; `onOutput` sees stdout as it grows and may kill the child. */
function spawnConvnet(
  argv: string[],
  onOutput: (stdout: string, kill: (s: NodeJS.Signals) => void) => void,
): {
  kill: (signal: NodeJS.Signals) => void;
  exit: Promise<Exit>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', main, ...argv], { cwd: root });
  let stdout = '';
  let stderr = '';
  const kill = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onOutput(stdout, kill);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { kill, exit };
}

const started = (stdout: string): boolean => /backend wasm/.test(stdout);

/**
 * `convnet ...argv` to its end in a child process. References are made this way too: the executable turns
 * on relaxed SIMD, whose fused multiply-adds round differently from the test process's plain SIMD.
 */
async function convnetProcess(...argv: string[]): Promise<Exit> {
  return spawnConvnet(argv, () => undefined).exit;
}

void describe('convnet train under signals (child processes)', () => {
  void it('Ctrl-C part-way through an epoch saves, prints the resume command, and resuming finishes the run exactly', async () => {
    const options = [...RUN, '--limit-train', '2048', '--batch-size', '16', '--epochs', '2'];
    const whole = join(folder, 'whole', 'model.safetensors');
    const whileRunning = convnetProcess('train', ...options, '--out', whole);
    const out = join(folder, 'ctrl-c', 'model.safetensors');
    let sent = false;
    const { exit } = spawnConvnet(['train', ...options, '--out', out], (stdout, kill) => {
      // Once: a second Ctrl-C stops the process at once.
      if (!sent && started(stdout)) {
        sent = true;
        kill('SIGINT');
      }
    });
    const [stopped, straight] = await Promise.all([exit, whileRunning]);
    assert.equal(straight.code, 0, straight.stderr);
    assert.equal(stopped.code, 130, stopped.stderr);
    const lines = stopped.stdout.trimEnd().split('\n');
    assert.match(
      lines.at(-2)!,
      /^stopped by SIGINT in epoch 1\/2 after batch \d+ of 128: saved \S+ctrl-c\/model\.safetensors and \S+ctrl-c\/model\.train-state\.safetensors$/,
    );
    assert.equal(lines.at(-1), `to resume: convnet train --resume ${out}`);
    const command = lines.at(-1)!.slice('to resume: convnet '.length).split(' ');
    const resumed = await convnetProcess(...command);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /^resuming in epoch 1 after batch \d+ of 128: wide/);
    assert.ok(readFileSync(out).equals(readFileSync(whole)), 'checkpoints differ');
  });

  void it('SIGKILL at random moments, even mid-save: the checkpoint always loads, and --resume ends byte-identical', async (t) => {
    const seed = Number(process.env.KILL_SEED ?? 20261206);
    const next = random(seed);
    const reference = join(folder, 'reference', 'model.safetensors');
    const out = join(folder, 'killed', 'model.safetensors');
    const dir = join(folder, 'killed');
    mkdirSync(dir);
    const straight = convnetProcess('train', ...RUN, '--epochs', String(EPOCHS), '--out', reference);
    const log: string[] = [`KILL_SEED=${seed}`];
    const epochsSaved = (): number =>
      existsSync(trainingStatePath(out)) ? loadTrainingStateFile(trainingStatePath(out)).epoch : 0;
    for (let attempt = 1; attempt <= 8 && epochsSaved() < EPOCHS; attempt++) {
      const argv = existsSync(trainingStatePath(out))
        ? ['train', '--resume', out, '--epochs', String(EPOCHS)]
        : ['train', ...RUN, '--epochs', String(EPOCHS), '--out', out];
      const mode = next() < 0.6 ? 'save' : 'delay';
      // A save makes two temporaries and renames them: 4 events; the first, the write probe, makes 2.
      const events = 3 + Math.floor(next() * 28);
      const delay = Math.round(next() * 700);
      let watcher: FSWatcher | undefined;
      let seen = 0;
      let timer: NodeJS.Timeout | undefined;
      const child = spawnConvnet(argv, (stdout, kill) => {
        if (mode === 'delay' && timer === undefined && started(stdout)) {
          timer = setTimeout(() => {
            kill('SIGKILL');
          }, delay);
        }
      });
      if (mode === 'save') {
        watcher = watch(dir, (_, name) => {
          if (typeof name === 'string' && name.endsWith('.tmp') && ++seen === events) child.kill('SIGKILL');
        });
      }
      const result = await child.exit;
      watcher?.close();
      clearTimeout(timer);
      const left = readdirSync(dir).filter((n) => n.endsWith('.tmp')).length;
      const cleanup = result.stdout
        .split('\n')
        .filter((line) => /^(finished the save|removed \d+ temporary)/.test(line))
        .map((line) => `; this run first ${line.replace(/:.*/, '')}`)
        .join('');
      log.push(
        `kill ${attempt}: ${mode === 'save' ? `at temporary-file event ${events}` : `${delay} ms after training started`}: ${result.signal ?? `exit ${result.code}`}, ${epochsSaved()} epochs saved, ${left} temporary files left${cleanup}`,
      );
      if (result.signal === null) assert.equal(result.code, 0, result.stderr);
      if (existsSync(out)) assert.doesNotThrow(() => loadCheckpointFile(out), 'the checkpoint on disk loads');
    }
    t.diagnostic(log.join('\n'));
    if (epochsSaved() < EPOCHS) {
      const argv = existsSync(trainingStatePath(out))
        ? ['--resume', out, '--epochs', String(EPOCHS)]
        : [...RUN, '--epochs', String(EPOCHS), '--out', out];
      const finished = await convnetProcess('train', ...argv);
      assert.equal(finished.code, 0, finished.stderr);
    }
    assert.equal((await straight).code, 0);
    assert.ok(readFileSync(out).equals(readFileSync(reference)), 'checkpoints differ');
    const a = loadSafetensors(readFileSync(trainingStatePath(reference)));
    const b = loadSafetensors(readFileSync(trainingStatePath(out)));
    for (const key of ['epoch', 'optimizer', 'rng', 'checkpoint_sha256'])
      assert.equal(b.metadata[key], a.metadata[key], key);
  });
});
