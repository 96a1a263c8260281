/**
 * What the interop tests share: small checkpoints covering every layer type, their logits, running
 * ONNX models in onnxruntime-node, and whether PyTorch is installed.
 */
import { spawnSync } from 'node:child_process';
import * as ort from 'onnxruntime-node';
import { manualSeed, models, noGrad, randn, Tensor } from '../../src/index.js';
import type { checkpoint, nn } from '../../src/index.js';

/** The Python with PyTorch 1.13 (Debian's python3-torch). */
export const PYTHON = '/usr/bin/python3';

/** Why the PyTorch tests cannot run here, or `null` when `import torch` works. */
export function torchMissing(): string | null {
  const result = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return result.status === 0
    ? null
    : `needs PyTorch: ${PYTHON} -c 'import torch' failed (apt-get install python3-torch)`;
}

/** Architectures that together use every layer type and every ONNX mapping of the exporter. */
export const ARCHITECTURES: Readonly<Record<string, models.Architecture>> = {
  'conv-pool-linear': {
    name: 'conv-pool-linear',
    layers: [
      { type: 'Conv2d', outChannels: 4, kernelSize: 3, padding: 1 },
      { type: 'BatchNorm2d' },
      { type: 'ReLU' },
      { type: 'MaxPool2d', kernelSize: 2 },
      { type: 'Conv2d', outChannels: 4, kernelSize: 3, dilation: 2, padding: 2, groups: 2 },
      { type: 'ELU', alpha: 0.7 },
      { type: 'AvgPool2d', kernelSize: 3, stride: 2, padding: 1, countIncludePad: false },
      { type: 'Flatten' },
      { type: 'Linear', outFeatures: 8 },
      { type: 'LeakyReLU', negativeSlope: 0.2 },
      { type: 'Dropout', p: 0.3 },
      { type: 'Linear', outFeatures: 5 },
    ],
  },
  'padded-global': {
    name: 'padded-global',
    layers: [
      { type: 'Conv2d', outChannels: 6, kernelSize: [3, 2], stride: [1, 2], padding: 1, bias: false },
      { type: 'Sigmoid' },
      { type: 'AvgPool2d', kernelSize: 2, padding: 1, countIncludePad: true },
      { type: 'Conv2d', outChannels: 4, kernelSize: 3, padding: 'same' },
      { type: 'Tanh' },
      { type: 'AdaptiveAvgPool2d', outputSize: 1 },
      { type: 'Flatten' },
      { type: 'BatchNorm1d', eps: 0.001, momentum: 0.2 },
      { type: 'Linear', outFeatures: 3 },
    ],
  },
  'onnx-only': {
    name: 'onnx-only',
    layers: [
      { type: 'Conv2d', outChannels: 4, kernelSize: 3, padding: 1, paddingMode: 'reflect' },
      { type: 'GroupNorm', numGroups: 2 },
      { type: 'SiLU' },
      { type: 'Conv2d', outChannels: 4, kernelSize: 3, padding: 1, paddingMode: 'replicate' },
      { type: 'MaxPool2d', kernelSize: 3, stride: 2, padding: 1, dilation: 1, ceilMode: true },
      { type: 'AvgPool2d', kernelSize: 3, stride: 1, divisorOverride: 4 },
      { type: 'AdaptiveAvgPool2d', outputSize: 2 },
      { type: 'Flatten', startDim: 2 },
      { type: 'Linear', outFeatures: 6 },
      { type: 'GELU' },
      { type: 'Flatten' },
      { type: 'Linear', outFeatures: 7 },
      { type: 'GELU', approximate: 'tanh' },
      { type: 'Linear', outFeatures: 3 },
    ],
  },
};

/** The input shape the test architectures are built for. */
export const INPUT_SHAPE = [3, 11, 11] as const;

/**
 * A checkpoint of `architecture` with seeded weights and batch-norm statistics moved off their initial
 * values (a few training-mode passes on random data).
 */
export function smallCheckpoint(architecture: models.Architecture, seed = 0): checkpoint.Checkpoint {
  manualSeed(seed);
  const built = models.buildModel(architecture, [...INPUT_SHAPE]);
  noGrad(() => {
    for (let i = 0; i < 3; i++)
      built.model.forward(
        randn([4, ...INPUT_SHAPE], { seed: seed + 10 + i })
          .mul(2)
          .add(0.5),
      );
  });
  const outputs = built.outputShape[0]!;
  return {
    model: built.model,
    architecture: built.architecture,
    classes: Array.from({ length: outputs }, (_, i) => `class ${i}`),
    inputShape: [...INPUT_SHAPE],
    preprocessing: { mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.3] },
  };
}

/** The model's logits for `x`, in evaluation mode. */
export function logitsOf(model: nn.Sequential, x: Tensor): Float32Array {
  model.eval();
  const out = noGrad(() => model.forward(x));
  return Float32Array.from(out.data);
}

/** The output of the ONNX model `bytes` for `x` (its only input), run in onnxruntime-node. */
export async function runOnnx(
  bytes: Uint8Array,
  x: Tensor,
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const input = new ort.Tensor('float32', Float32Array.from(x.data), [...x.shape]);
    const results = await session.run({ [session.inputNames[0]!]: input });
    const output = results[session.outputNames[0]!]!;
    return { data: output.data as Float32Array, dims: output.dims };
  } finally {
    await session.release();
  }
}
