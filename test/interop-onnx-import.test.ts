/**
 * `importOnnx`: export → import gives the same logits and the same architecture; a file exported by
 * PyTorch's `torch.onnx.export` (a committed fixture, made by scripts/interop/make_fixtures.py) imports
 * with PyTorch's logits; an operator without a layer is an UnsupportedOperatorError naming it and its
 * node; hostile files (truncated, garbage, sizes the file cannot back) are InteropErrors with short
 * messages, before anything large is allocated.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randn, tensor } from '../src/index.js';
import { InteropError, MAX_DETAIL, UnsupportedOperatorError } from '../src/interop/errors.js';
import { exportOnnx } from '../src/interop/onnx-export.js';
import { importOnnx } from '../src/interop/onnx-import.js';
import { ModelProto } from '../src/interop/onnx-schema.js';
import type { ModelMessage } from '../src/interop/onnx-schema.js';
import { assertAllClose, toleranceFor } from './helpers/close.js';
import { ARCHITECTURES, INPUT_SHAPE, logitsOf, smallCheckpoint } from './helpers/interop.js';

const FIXTURES = new URL('./fixtures/interop/', import.meta.url);

/** Asserts `fn` throws an InteropError (of `type`) whose message matches `pattern` and is bounded. */
function rejects(
  fn: () => unknown,
  pattern: RegExp,
  type: new (...args: never[]) => InteropError = InteropError,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.match(error.message, pattern);
    assert.ok(error.message.length < MAX_DETAIL + 200, `message of ${error.message.length} characters`);
    return true;
  });
}

void describe('importOnnx', () => {
  for (const name of ['conv-pool-linear', 'padded-global']) {
    void it(`${name}: export then import gives the same architecture, classes and logits`, () => {
      const ckpt = smallCheckpoint(ARCHITECTURES[name]!);
      const imported = importOnnx(exportOnnx(ckpt).bytes, `${name}.onnx`);
      assert.deepEqual(
        imported.architecture.layers.map((l) => l.type),
        ckpt.architecture.layers.map((l) => l.type),
      );
      assert.deepEqual(imported.classes, ckpt.classes);
      assert.deepEqual(imported.preprocessing, ckpt.preprocessing);
      assert.deepEqual(imported.inputShape, [...INPUT_SHAPE]);
      assert.equal(imported.droppedSoftmax, false);
      const x = randn([3, ...INPUT_SHAPE], { seed: 7 });
      const expected = logitsOf(ckpt.model, x);
      assertAllClose(logitsOf(imported.model, x), expected, { rtol: 1e-5, atol: 1e-6 });
    });
  }

  void it('leaves out a final Softmax and says so', () => {
    const ckpt = smallCheckpoint(ARCHITECTURES['padded-global']!);
    const imported = importOnnx(exportOnnx(ckpt, { softmax: true }).bytes);
    assert.equal(imported.droppedSoftmax, true);
    const x = randn([2, ...INPUT_SHAPE], { seed: 8 });
    assertAllClose(logitsOf(imported.model, x), logitsOf(ckpt.model, x), { rtol: 1e-5, atol: 1e-6 });
  });

  void it('imports what torch.onnx.export wrote, with PyTorch logits', () => {
    const expected = JSON.parse(readFileSync(new URL('torch-export.json', FIXTURES), 'utf8')) as {
      input: number[];
      input_shape: number[];
      logits: number[];
      layers: string[];
    };
    const imported = importOnnx(readFileSync(new URL('torch-export.onnx', FIXTURES)), 'torch-export.onnx');
    assert.deepEqual(
      imported.architecture.layers.map((l) => l.type),
      expected.layers,
    );
    const x = tensor(Float32Array.from(expected.input), expected.input_shape);
    assertAllClose(logitsOf(imported.model, x), expected.logits, toleranceFor('float32', expected.logits));
  });

  void it('reads Gemm without transB, and MatMul followed by an Add bias, as Linear', () => {
    const ckpt = smallCheckpoint(ARCHITECTURES['padded-global']!);
    const x = randn([2, ...INPUT_SHAPE], { seed: 9 });
    const expected = logitsOf(ckpt.model, x);
    const transposedGemm = (matmul: boolean) => {
      const model = ModelProto.decode(exportOnnx(ckpt).bytes) as unknown as ModelMessage;
      const graph = model.graph!;
      const at = graph.node.findIndex((n) => n.op_type === 'Gemm');
      const gemm = graph.node[at]!;
      const weight = graph.initializer.find((t) => t.name === gemm.input[1])!;
      const [rows, columns] = weight.dims.map(Number) as [number, number];
      const values = new Float32Array(Uint8Array.from(weight.raw_data).buffer);
      const transposed = new Float32Array(rows * columns);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < columns; c++) transposed[c * rows + r] = values[r * columns + c]!;
      weight.dims = [columns, rows];
      weight.raw_data = new Uint8Array(transposed.buffer);
      if (!matmul) {
        gemm.attribute = gemm.attribute.filter((a) => a.name !== 'transB');
      } else {
        const product = `${gemm.output[0]}.product`;
        const nodes = [
          {
            name: 'matmul',
            op_type: 'MatMul',
            input: [gemm.input[0]!, gemm.input[1]!],
            output: [product],
            attribute: [],
          },
          {
            name: 'bias',
            op_type: 'Add',
            input: [product, gemm.input[2]!],
            output: [gemm.output[0]!],
            attribute: [],
          },
        ];
        graph.node.splice(at, 1, ...(nodes as unknown as typeof graph.node));
      }
      return ModelProto.encode(ModelProto.fromObject(model)).finish();
    };
    for (const matmul of [false, true]) {
      const imported = importOnnx(transposedGemm(matmul));
      assert.deepEqual(
        imported.architecture.layers.map((l) => l.type),
        ckpt.architecture.layers.map((l) => l.type),
      );
      assertAllClose(logitsOf(imported.model, x), expected, { rtol: 1e-5, atol: 1e-6 });
    }
  });

  void it('names an operator without a layer, and its node', () => {
    const bytes = exportOnnx(smallCheckpoint(ARCHITECTURES['onnx-only']!)).bytes;
    rejects(
      () => importOnnx(bytes),
      /importOnnx\(node "1\.Reshape_\d+"\): "Reshape" has no convnet-ts layer/,
      UnsupportedOperatorError,
    );
    try {
      importOnnx(bytes);
    } catch (error) {
      assert.ok(error instanceof UnsupportedOperatorError);
      assert.equal(error.opType, 'Reshape');
    }
  });

  void describe('hostile files', () => {
    const good = exportOnnx(smallCheckpoint(ARCHITECTURES['conv-pool-linear']!)).bytes;
    const decoded = () => ModelProto.decode(good) as unknown as ModelMessage;
    const encode = (m: ModelMessage) => ModelProto.encode(ModelProto.fromObject(m)).finish();

    void it('rejects garbage, truncation and files over the size limit', () => {
      rejects(() => importOnnx(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])), /not an ONNX model/);
      rejects(() => importOnnx(good.subarray(0, Math.floor(good.length / 2))), /not an ONNX model/);
      rejects(() => importOnnx(new Uint8Array(0)), /not an ONNX model: it has no graph/);
      rejects(() => importOnnx(good, 'big.onnx', { maxBytes: 100 }), /more than the 100-byte limit/);
    });

    void it('rejects deeply nested unknown groups without exhausting the stack', () => {
      // Field 15 as a start-group tag, 100,000 times: protobuf nesting beyond the schema.
      const nested = new Uint8Array(100_000).fill((15 << 3) | 3);
      rejects(() => importOnnx(nested), /not an ONNX model/);
    });

    void it('checks declared tensor sizes against the bytes that back them before allocating', () => {
      const model = decoded();
      model.graph!.initializer[0]!.dims = [100000, 100000, 100];
      rejects(() => importOnnx(encode(model)), /declares more than 100000000 elements/);
      const small = decoded();
      small.graph!.initializer[0]!.dims = [4, 3, 3, 9];
      rejects(
        () => importOnnx(encode(small)),
        /declares 324 elements \(4×3×3×9\) but raw_data holds 432 bytes/,
      );
      const negative = decoded();
      negative.graph!.initializer[0]!.dims = [-1, 3];
      rejects(() => importOnnx(encode(negative)), /negative dim/);
    });

    void it('bounds messages quoting long names from the file', () => {
      const model = decoded();
      model.graph!.node[0]!.op_type = 'X'.repeat(1_000_000);
      rejects(() => importOnnx(encode(model)), /"XXXX.*…" has no convnet-ts layer/, UnsupportedOperatorError);
    });

    void it('rejects external data, an old opset, a non-chain graph and a dynamic image size', () => {
      const external = decoded();
      external.graph!.initializer[0]!.external_data = [{ key: 'location', value: '/etc/passwd' }];
      rejects(() => importOnnx(encode(external)), /external file/);
      const old = decoded();
      old.opset_import[0]!.version = 9;
      rejects(() => importOnnx(encode(old)), /opset 9/);
      const branch = decoded();
      branch.graph!.node[2]!.input[0] = 'input';
      rejects(() => importOnnx(encode(branch)), /only a chain of layers/, UnsupportedOperatorError);
      const dynamic = decoded();
      dynamic.graph!.input[0]!.type!.tensor_type!.shape!.dim[2] = { dim_param: 'height' };
      rejects(() => importOnnx(encode(dynamic)), /C, H and W must be fixed/);
    });
  });
});
