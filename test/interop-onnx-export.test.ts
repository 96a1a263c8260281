/**
 * `exportOnnx`: models covering every layer type run in onnxruntime-node with convnet-ts's logits (to
 * 1e-4), for any batch size; the file is opset 13 with a dynamic batch dimension; a layer ONNX cannot
 * express is a typed error naming it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { models, randn } from '../src/index.js';
import { exportOnnx } from '../src/interop/onnx-export.js';
import { UnsupportedLayerError } from '../src/interop/errors.js';
import { ModelProto } from '../src/interop/onnx-schema.js';
import type { ModelMessage } from '../src/interop/onnx-schema.js';
import { assertAllClose, toleranceFor } from './helpers/close.js';
import { ARCHITECTURES, INPUT_SHAPE, logitsOf, runOnnx, smallCheckpoint } from './helpers/interop.js';

void describe('exportOnnx', () => {
  for (const [name, architecture] of Object.entries(ARCHITECTURES)) {
    void it(`${name}: onnxruntime-node gives convnet-ts's logits for batches of 1 and 3`, async () => {
      const ckpt = smallCheckpoint(architecture);
      const { bytes } = exportOnnx(ckpt);
      for (const batch of [1, 3]) {
        const x = randn([batch, ...INPUT_SHAPE], { seed: 99 + batch });
        const expected = logitsOf(ckpt.model, x);
        const { data, dims } = await runOnnx(bytes, x);
        assert.deepEqual(dims, [batch, ckpt.classes.length]);
        assertAllClose(data, expected, toleranceFor('float32', expected), `${name} batch ${batch}`);
      }
    });
  }

  void it('writes opset 13, IR 7, a dynamic batch dimension, the checkpoint keys and metadata', () => {
    const ckpt = smallCheckpoint(ARCHITECTURES['conv-pool-linear']!);
    const model = ModelProto.decode(exportOnnx(ckpt).bytes) as unknown as ModelMessage;
    assert.equal(Number(model.ir_version), 7);
    assert.deepEqual(
      model.opset_import.map((o) => [o.domain, Number(o.version)]),
      [['', 13]],
    );
    const input = model.graph!.input[0]!;
    const dims = input.type!.tensor_type!.shape!.dim;
    assert.equal(dims[0]!.dim_param, 'batch');
    assert.deepEqual(
      dims.slice(1).map((d) => Number(d.dim_value)),
      [...INPUT_SHAPE],
    );
    const names = model.graph!.initializer.map((t) => t.name);
    for (const key of Object.keys(ckpt.model.stateDict()).filter((k) => !k.endsWith('num_batches_tracked'))) {
      assert.ok(names.includes(key), `initializer ${key}`);
    }
    const ops = new Set(model.graph!.node.map((n) => n.op_type));
    for (const op of [
      'Conv',
      'BatchNormalization',
      'Relu',
      'MaxPool',
      'Elu',
      'AveragePool',
      'Flatten',
      'Gemm',
      'LeakyRelu',
      'Dropout',
    ]) {
      assert.ok(ops.has(op), op);
    }
    const meta = Object.fromEntries(model.metadata_props.map((p) => [p.key, p.value]));
    assert.deepEqual(JSON.parse(meta['convnet.classes']!), ckpt.classes);
  });

  void it('ends with Softmax when asked: probabilities that sum to 1', async () => {
    const ckpt = smallCheckpoint(ARCHITECTURES['padded-global']!);
    const exported = exportOnnx(ckpt, { softmax: true });
    assert.equal(exported.outputName, 'probabilities');
    const x = randn([2, ...INPUT_SHAPE], { seed: 5 });
    const logits = logitsOf(ckpt.model, x);
    const { data } = await runOnnx(exported.bytes, x);
    for (let row = 0; row < 2; row++) {
      const z = Array.from(logits.subarray(row * 3, row * 3 + 3));
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      const expected = e.map((v) => v / e.reduce((a, b) => a + b, 0));
      assertAllClose(data.subarray(row * 3, row * 3 + 3), expected, { rtol: 1e-4, atol: 1e-6 });
    }
  });

  void it('rejects a layer ONNX cannot express with an UnsupportedLayerError naming it', () => {
    const architecture: models.Architecture = {
      layers: [
        { type: 'Conv2d', outChannels: 2, kernelSize: 3, padding: 1, paddingMode: 'circular' },
        { type: 'Flatten' },
        { type: 'Linear', outFeatures: 2 },
      ],
    };
    const ckpt = smallCheckpoint(architecture);
    assert.throws(
      () => exportOnnx(ckpt),
      (error: unknown) => {
        assert.ok(error instanceof UnsupportedLayerError);
        assert.equal(error.layerIndex, 0);
        assert.equal(error.layerType, 'Conv2d');
        assert.match(error.message, /^exportOnnx\(layers\[0\]\): Conv2d with paddingMode "circular"/);
        return true;
      },
    );
    const adaptive = smallCheckpoint({
      layers: [
        { type: 'AdaptiveAvgPool2d', outputSize: 3 },
        { type: 'Flatten' },
        { type: 'Linear', outFeatures: 2 },
      ],
    });
    assert.throws(
      () => exportOnnx({ ...adaptive, inputShape: [...INPUT_SHAPE] }),
      /AdaptiveAvgPool2d from 11×11 to 3×3/,
    );
  });
});
