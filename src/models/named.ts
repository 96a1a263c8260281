/**
 * The architectures `convnet train --model NAME` knows, as {@link Architecture} data. Their input sizes are
 * left for {@link buildModel} to fill in, so each fits any input shape large enough for its windows
 * (28×28 Fashion-MNIST, 32×32 CIFAR-10…); the last layer has one logit per class.
 */
import { ArgumentError } from '../errors.js';
import type { Architecture, LayerSpec } from './architecture.js';

/** The names of the built-in architectures. */
export const MODEL_NAMES = ['bench-cnn', 'lenet5', 'seed-cnn'] as const;

/** A built-in architecture's name. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** True if `name` is one of {@link MODEL_NAMES}. */
export function isModelName(name: unknown): name is ModelName {
  return typeof name === 'string' && (MODEL_NAMES as readonly string[]).includes(name);
}

const relu: LayerSpec = { type: 'ReLU' };
const flatten: LayerSpec = { type: 'Flatten' };

/** The layers of each built-in architecture, given the number of classes. */
const LAYERS: Readonly<Record<ModelName, (classes: number) => LayerSpec[]>> = {
  // The benchmark CNN, PyTorch's MNIST example shape: on 28×28 input
  // Conv2d(1, 32, 3, padding=1) → ReLU → MaxPool2d(2) → Conv2d(32, 64, 3, padding=1) → ReLU → MaxPool2d(2)
  // → Flatten → Linear(3136, 128) → ReLU → Linear(128, 10).
  'bench-cnn': (classes) => [
    { type: 'Conv2d', outChannels: 32, kernelSize: 3, padding: 1 },
    relu,
    { type: 'MaxPool2d', kernelSize: 2 },
    { type: 'Conv2d', outChannels: 64, kernelSize: 3, padding: 1 },
    relu,
    { type: 'MaxPool2d', kernelSize: 2 },
    flatten,
    { type: 'Linear', outFeatures: 128 },
    relu,
    { type: 'Linear', outFeatures: classes },
  ],
  // LeNet-5 with ReLU and max pooling: on 28×28 input conv 6@5×5 pad 2 → 28×28, pool → 14×14,
  // conv 16@5×5 → 10×10, pool → 5×5, then 400 → 120 → 84 → classes.
  lenet5: (classes) => [
    { type: 'Conv2d', outChannels: 6, kernelSize: 5, padding: 2 },
    relu,
    { type: 'MaxPool2d', kernelSize: 2 },
    { type: 'Conv2d', outChannels: 16, kernelSize: 5 },
    relu,
    { type: 'MaxPool2d', kernelSize: 2 },
    flatten,
    { type: 'Linear', outFeatures: 120 },
    relu,
    { type: 'Linear', outFeatures: 84 },
    relu,
    { type: 'Linear', outFeatures: classes },
  ],
  // The "CNN from scratch" seed: two 3×3 kernels (no bias) → ReLU → 3×3 max pooling with stride 1 →
  // dense 128 → dense 64 → logits. On 28×28 input: 26×26, then 24×24, so 2·24·24 = 1152 features.
  'seed-cnn': (classes) => [
    { type: 'Conv2d', outChannels: 2, kernelSize: 3, bias: false },
    relu,
    { type: 'MaxPool2d', kernelSize: 3, stride: 1 },
    flatten,
    { type: 'Linear', outFeatures: 128 },
    relu,
    { type: 'Linear', outFeatures: 64 },
    relu,
    { type: 'Linear', outFeatures: classes },
  ],
};

/**
 * The built-in architecture `name` with `numClasses` outputs, to pass to {@link buildModel}:
 * - `bench-cnn`: conv 32@3×3 pad 1 → ReLU → max-pool 2 → conv 64@3×3 pad 1 → ReLU → max-pool 2 → dense 128
 *   → ReLU → logits (421,642 parameters on 28×28 gray input);
 * - `lenet5`: conv 6@5×5 pad 2 → ReLU → max-pool 2 → conv 16@5×5 → ReLU → max-pool 2 → 120 → 84 → logits;
 * - `seed-cnn`: two 3×3 kernels → ReLU → max-pool 3 stride 1 → dense 128 → dense 64 → logits.
 *
 * @example
 * const { model } = buildModel(namedArchitecture('bench-cnn', 10), [1, 28, 28]);
 * Object.keys(model.stateDict())   // ['0.weight', '0.bias', '3.weight', '3.bias', '7.weight', …]
 */
export function namedArchitecture(name: ModelName, numClasses: number): Architecture {
  const op = 'namedArchitecture';
  if (!isModelName(name)) {
    throw new ArgumentError(
      op,
      'name',
      `unknown model ${JSON.stringify(name)} (expected one of ${MODEL_NAMES.join(', ')})`,
    );
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new ArgumentError(op, 'numClasses', `expected a positive integer, got ${String(numClasses)}`);
  }
  return { name, layers: LAYERS[name](numClasses) };
}
