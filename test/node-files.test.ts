/**
 * `convnet-ts/node` files: saveFile/loadFile round trip, atomic replacement that leaves no temporary file
 * behind on any error, and errors that name the path.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as core from '../src/index.js';
import { ArgumentError, SerializationError, randn, tensor } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { loadFile, loadSafetensors, saveFile, saveSafetensors } from '../src/node/index.js';

const folder = mkdtempSync(join(tmpdir(), 'convnet-ts-files-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

/** A fresh empty folder inside the test folder. */
let folders = 0;
function emptyFolder(): string {
  const path = join(folder, String(folders++));
  mkdirSync(path);
  return path;
}

const weights = (): Record<string, Tensor> => ({
  'fc.weight': randn([3, 4], { seed: 1 }),
  'fc.bias': randn([3], { dtype: 'float64', seed: 2 }),
  steps: tensor([7], undefined, { dtype: 'int32' }),
});

function assertSameTensors(actual: Record<string, Tensor>, expected: Record<string, Tensor>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [name, t] of Object.entries(expected)) {
    assert.equal(actual[name]!.dtype, t.dtype, name);
    assert.deepEqual(actual[name]!.shape, t.shape, name);
    assert.deepEqual(Array.from(actual[name]!.data), Array.from(t.data), name);
  }
}

/** Asserts `call` throws a SerializationError whose message names `path` and matches `message`. */
function assertFailsNaming(call: () => unknown, path: string, message: RegExp): void {
  assert.throws(call, (e: Error) => {
    assert.ok(e instanceof SerializationError, `${e.name}: ${e.message}`);
    assert.ok(e.message.includes(JSON.stringify(path)), `${e.message} names ${path}`);
    assert.match(e.message, message);
    return true;
  });
}

void describe('saveFile and loadFile', () => {
  void it('round-trip tensors and metadata through a file holding exactly saveSafetensors bytes', () => {
    const path = join(emptyFolder(), 'model.safetensors');
    const tensors = weights();
    saveFile(tensors, path, { metadata: { epoch: '3' } });
    assert.deepEqual(new Uint8Array(readFileSync(path)), saveSafetensors(tensors, { epoch: '3' }));
    const loaded = loadFile(path);
    assert.deepEqual(loaded.metadata, { epoch: '3' });
    assertSameTensors(loaded.tensors, tensors);
    assert.ok(loaded.tensors.steps instanceof core.Tensor);
  });

  void it('replace an existing file and leave nothing else in the folder', () => {
    const dir = emptyFolder();
    const path = join(dir, 'model.safetensors');
    saveFile({ old: tensor([1]) }, path);
    const tensors = weights();
    saveFile(tensors, path);
    assertSameTensors(loadFile(path).tensors, tensors);
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  });

  void it('read a file PyTorch wrote', () => {
    const path = fileURLToPath(new URL('fixtures/safetensors-official.safetensors', import.meta.url));
    const { tensors, metadata } = loadFile(path);
    assert.equal(metadata.format, 'pt');
    assert.deepEqual(tensors['conv.weight']!.shape, [2, 1, 2, 2]);
  });

  void it('re-export the core serialisation', () => {
    assert.equal(saveSafetensors, core.saveSafetensors);
    assert.equal(loadSafetensors, core.loadSafetensors);
  });
});

void describe('saveFile failures', () => {
  void it('names the path when its folder does not exist, and creates nothing', () => {
    const dir = emptyFolder();
    const path = join(dir, 'missing', 'model.safetensors');
    assertFailsNaming(
      () => {
        saveFile(weights(), path);
      },
      path,
      /cannot write .*ENOENT/,
    );
    assert.deepEqual(readdirSync(dir), []);
  });

  void it('removes its temporary file when the final rename fails', () => {
    const dir = emptyFolder();
    const path = join(dir, 'model.safetensors');
    mkdirSync(join(path, 'occupied'), { recursive: true });
    assertFailsNaming(
      () => {
        saveFile(weights(), path);
      },
      path,
      /cannot write/,
    );
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
    assert.deepEqual(readdirSync(path), ['occupied']);
  });

  void it('leaves the existing file untouched when the tensors cannot be written', () => {
    const dir = emptyFolder();
    const path = join(dir, 'model.safetensors');
    const tensors = weights();
    saveFile(tensors, path);
    assert.throws(() => {
      saveFile({ bad: [1] as unknown as Tensor }, path);
    }, SerializationError);
    assert.throws(() => {
      saveFile(tensors, path, { metadata: { epoch: 3 as unknown as string } });
    }, SerializationError);
    assertSameTensors(loadFile(path).tensors, tensors);
    assert.deepEqual(readdirSync(dir), ['model.safetensors']);
  });

  void it('refuses a path that is not a non-empty string', () => {
    assert.throws(() => {
      saveFile(weights(), '');
    }, ArgumentError);
    assert.throws(() => {
      saveFile(weights(), 3 as unknown as string);
    }, ArgumentError);
  });
});

void describe('loadFile failures', () => {
  void it('names a missing path', () => {
    const path = join(emptyFolder(), 'nothing.safetensors');
    assertFailsNaming(() => loadFile(path), path, /cannot read .*ENOENT/);
  });

  void it('names the path and says what is wrong with a corrupt file', () => {
    const path = join(emptyFolder(), 'truncated.safetensors');
    const bytes = saveSafetensors(weights());
    writeFileSync(path, bytes.subarray(0, bytes.length - 1));
    assertFailsNaming(
      () => loadFile(path),
      path,
      /^loadFile\(path\): ".*" is not a valid safetensors file: loadSafetensors\(bytes\): .*data_offsets/,
    );
  });

  void it('names a folder given as the path', () => {
    const path = emptyFolder();
    assertFailsNaming(() => loadFile(path), path, /cannot read .*EISDIR/);
  });

  void it('refuses a path that is not a non-empty string', () => {
    assert.throws(() => loadFile(''), ArgumentError);
    assert.throws(() => loadFile(undefined as unknown as string), ArgumentError);
  });
});
