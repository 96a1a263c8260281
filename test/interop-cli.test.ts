/**
 * `convnet export --onnx` and `convnet import model.onnx` on the command line: the round trip keeps the
 * logits, ONNX's own checker accepts the file where the Python `onnx` package exists (skipped with a
 * message elsewhere), and an operator without a layer is one error line naming it and its node.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randn } from '../src/index.js';
import { exportOnnx } from '../src/interop/onnx-export.js';
import { loadCheckpointFile, saveCheckpointFile } from '../src/node/index.js';
import { writeFileAtomic } from '../src/node/files.js';
import { assertAllClose } from './helpers/close.js';
import { convnet } from './helpers/cli.js';
import { ARCHITECTURES, INPUT_SHAPE, PYTHON, logitsOf, runOnnx, smallCheckpoint } from './helpers/interop.js';

const folder = mkdtempSync(join(tmpdir(), 'convnet-ts-interop-cli-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

const onnxMissing = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' }).status !== 0;

void describe('convnet export --onnx / convnet import model.onnx', () => {
  const ckpt = smallCheckpoint(ARCHITECTURES['conv-pool-linear']!, 4);
  const path = join(folder, 'model.safetensors');
  saveCheckpointFile(path, ckpt.model, ckpt);
  const onnx = join(folder, 'model.onnx');

  void it('exports, runs in onnxruntime-node and imports back with the same logits', async () => {
    const exported = await convnet('export', path, '--onnx', onnx);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(
      exported.stdout,
      /^wrote .*model\.onnx \(ONNX opset 13, \d+ nodes\): input "input" \[batch, 3, 11, 11\], output "logits" \[batch, 5\]\n/,
    );
    const x = randn([2, ...INPUT_SHAPE], { seed: 31 });
    const expected = logitsOf(ckpt.model, x);
    assertAllClose((await runOnnx(readFileSync(onnx), x)).data, expected, { rtol: 1e-4, atol: 1e-5 });
    const back = join(folder, 'back.safetensors');
    const imported = await convnet('import', onnx, '--out', back);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(
      imported.stdout,
      /^imported .*model\.onnx: conv-pool-linear, 12 layers \(Conv2d, BatchNorm2d, ReLU,/,
    );
    assertAllClose(logitsOf(loadCheckpointFile(back).model, x), expected, { rtol: 1e-5, atol: 1e-6 });
  });

  void it('notes a final Softmax it leaves out', async () => {
    const softmax = join(folder, 'softmax.onnx');
    assert.equal((await convnet('export', path, '--onnx', softmax, '--softmax')).code, 0);
    const imported = await convnet(
      'import',
      softmax,
      '--out',
      join(folder, 'softmax.safetensors'),
      '--classes',
      'a,b,c,d,e',
    );
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /note: the graph ended with Softmax, which is left out/);
    assert.deepEqual(loadCheckpointFile(join(folder, 'softmax.safetensors')).classes, [
      'a',
      'b',
      'c',
      'd',
      'e',
    ]);
  });

  void it('names an operator without a layer and its node, on one line', async () => {
    const other = join(folder, 'group-norm.onnx');
    writeFileAtomic(other, exportOnnx(smallCheckpoint(ARCHITECTURES['onnx-only']!)).bytes);
    const result = await convnet('import', other, '--out', join(folder, 'never.safetensors'));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: importOnnx\(node "1\.Reshape_\d+"\): "Reshape" has no convnet-ts layer \(supported: Conv, /,
    );
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });

  void it('refuses an export without a target, and a layer ONNX cannot express', async () => {
    assert.match((await convnet('export', path)).stderr, /give --pytorch DIR, --onnx FILE, or both/);
    const circular = smallCheckpoint({
      layers: [
        { type: 'Conv2d', outChannels: 2, kernelSize: 3, padding: 1, paddingMode: 'circular' },
        { type: 'Flatten' },
        { type: 'Linear', outFeatures: 2 },
      ],
    });
    const circularPath = join(folder, 'circular.safetensors');
    saveCheckpointFile(circularPath, circular.model, { ...circular, classes: ['a', 'b'] });
    const result = await convnet('export', circularPath, '--onnx', join(folder, 'circular.onnx'));
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: --onnx: exportOnnx\(layers\[0\]\): Conv2d with paddingMode "circular"/,
    );
  });

  void it(
    'passes onnx.checker (full check) where the Python onnx package exists',
    { skip: onnxMissing && `needs the Python onnx package (${PYTHON} -c 'import onnx' failed)` },
    () => {
      const paths = Object.entries(ARCHITECTURES).map(([name, architecture]) => {
        const file = join(folder, `checked-${name}.onnx`);
        const softmax = name === 'padded-global';
        writeFileAtomic(file, exportOnnx(smallCheckpoint(architecture), { softmax }).bytes);
        return file;
      });
      const script = [
        'import onnx, sys',
        'for path in sys.argv[1:]:',
        '    onnx.checker.check_model(onnx.load(path), full_check=True)',
        'print("ok", len(sys.argv) - 1)',
      ].join('\n');
      const result = spawnSync(PYTHON, ['-c', script, onnx, ...paths], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout.trim(), `ok ${paths.length + 1}`);
    },
  );
});
