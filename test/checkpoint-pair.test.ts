/**
 * A checkpoint and its training state as one unit: the state records the checkpoint's SHA-256; a save
 * cut short between its two renames is finished on load; a checkpoint from another save is refused; the
 * temporary files of killed writers are found (those of running ones are not); and a file's kind is told
 * from its header alone.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpoint, manualSeed, nn, optim } from '../src/index.js';
import {
  convnetFileKind,
  loadCheckpointWithState,
  removeStaleTemporaries,
  saveCheckpointWithState,
  staleTemporaries,
  trainingStatePath,
} from '../src/node/index.js';

const folder = mkdtempSync(join(tmpdir(), 'convnet-checkpoint-pair-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

const INFO = {
  architecture: { layers: [{ type: 'Flatten' }, { type: 'Linear', outFeatures: 2 }] },
  classes: ['a', 'b'],
  inputShape: [1, 2, 2],
  preprocessing: { mean: [0], std: [1] },
} as const;

function pair(seed: number, epoch: number): { model: nn.Sequential; state: checkpoint.TrainingState } {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Flatten(), new nn.Linear(4, 2));
  const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
  return { model, state: { epoch, optimizer: opt.stateDict(), scheduler: null, rng: {}, info: {} } };
}

let folders = 0;
function fresh(): string {
  const dir = join(folder, String(folders++));
  mkdirSync(dir);
  return join(dir, 'model.safetensors');
}

void describe('saveCheckpointWithState and loadCheckpointWithState', () => {
  void it('round-trip a verified pair, the state recording the checkpoint hash', () => {
    const path = fresh();
    const { model, state } = pair(0, 3);
    saveCheckpointWithState(path, model, INFO, state);
    const loaded = loadCheckpointWithState(path);
    assert.equal(loaded.match, 'verified');
    assert.equal(loaded.state.epoch, 3);
    assert.match(loaded.state.checkpointSha256!, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      Array.from(loaded.checkpoint.model.parameters()[0]!.data),
      Array.from(model.parameters()[0]!.data),
    );
    assert.deepEqual(staleTemporaries(path), []);
  });

  void it('finish a save whose state was renamed but not its checkpoint', () => {
    const path = fresh();
    saveCheckpointWithState(path, pair(0, 1).model, INFO, pair(0, 1).state);
    const next = fresh();
    saveCheckpointWithState(next, pair(1, 2).model, INFO, pair(1, 2).state);
    copyFileSync(trainingStatePath(next), trainingStatePath(path));
    const temporary = path.replace(
      'model.safetensors',
      '.model.safetensors.999999999-01234567-89ab-4cde-8f01-23456789abcd.tmp',
    );
    copyFileSync(next, temporary);
    const loaded = loadCheckpointWithState(path);
    assert.equal(loaded.match, 'finished');
    assert.equal(loaded.state.epoch, 2);
    assert.ok(readFileSync(path).equals(readFileSync(next)));
    assert.deepEqual(staleTemporaries(path), []);
  });

  void it('finish a first save killed before its checkpoint existed', () => {
    const path = fresh();
    saveCheckpointWithState(path, pair(0, 1).model, INFO, pair(0, 1).state);
    renameSync(
      path,
      path.replace(
        'model.safetensors',
        '.model.safetensors.999999999-01234567-89ab-4cde-8f01-23456789abcd.tmp',
      ),
    );
    assert.equal(loadCheckpointWithState(path).match, 'finished');
  });

  void it('refuse a checkpoint from another save, naming both files and the epoch', () => {
    const path = fresh();
    saveCheckpointWithState(path, pair(0, 1).model, INFO, pair(0, 1).state);
    const other = fresh();
    saveCheckpointWithState(other, pair(1, 2).model, INFO, pair(1, 2).state);
    copyFileSync(other, path);
    // A torn temporary of the right name does not count: its hash is not the one the state records.
    writeFileSync(
      path.replace(
        'model.safetensors',
        '.model.safetensors.999999999-01234567-89ab-4cde-8f01-23456789abcd.tmp',
      ),
      'torn',
    );
    assert.throws(
      () => loadCheckpointWithState(path),
      (e: unknown) => {
        assert.ok(e instanceof checkpoint.CheckpointMismatchError);
        assert.match(
          e.message,
          /is not the checkpoint its training state .*model\.train-state\.safetensors was saved with \(after epoch 1, SHA-256 [0-9a-f]{12}…\): it has SHA-256/,
        );
        return true;
      },
    );
    assert.equal(removeStaleTemporaries(path).length, 1);
  });

  void it('reject a malformed checkpoint hash in a training state', () => {
    const { state } = pair(0, 1);
    assert.throws(
      () => checkpoint.saveTrainingState({ ...state, checkpointSha256: 'abc' }),
      /64 lowercase hexadecimal/,
    );
  });
});

void describe('temporary files and file kinds', () => {
  void it('stale temporaries are those of writers that are gone', () => {
    const path = fresh();
    const dir = join(path, '..');
    writeFileSync(
      join(dir, `.model.safetensors.${process.pid}-01234567-89ab-4cde-8f01-23456789abcd.tmp`),
      '',
    );
    writeFileSync(join(dir, '.model.safetensors.999999999-11234567-89ab-4cde-8f01-23456789abcd.tmp'), '');
    writeFileSync(join(dir, '.model.safetensors.notes.tmp'), '');
    assert.deepEqual(
      staleTemporaries(path).map((t) => t.pid),
      [999999999],
    );
  });

  void it('convnetFileKind reads only the header', () => {
    const path = fresh();
    saveCheckpointWithState(path, pair(0, 1).model, INFO, pair(0, 1).state);
    assert.equal(convnetFileKind(path), 'checkpoint');
    assert.equal(convnetFileKind(trainingStatePath(path)), 'training state');
    assert.equal(convnetFileKind(join(folder, 'nothing')), 'missing');
    assert.equal(convnetFileKind(folder), 'other');
    const text = join(folder, 'notes.txt');
    writeFileSync(text, 'a text file, not safetensors');
    assert.equal(convnetFileKind(text), 'other');
    const huge = join(folder, 'huge.safetensors');
    const header = new Uint8Array(8);
    new DataView(header.buffer).setBigUint64(0, 2n ** 40n, true);
    writeFileSync(huge, header);
    assert.equal(convnetFileKind(huge), 'other');
  });
});
