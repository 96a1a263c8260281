/**
 * `nn.init`: in-place initialisation of parameters, as `torch.nn.init` (a trailing underscore marks the
 * in-place functions). Values are drawn from the library's generator (`manualSeed` makes them
 * reproducible) or from `{ generator }`; the tensor is filled without recording gradients and returned.
 *
 * @example
 * nn.init.kaimingNormal_(conv.weight, { mode: 'fan_out', nonlinearity: 'relu' });
 * nn.init.zeros_(conv.bias!);
 */
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { formatShape, sizeOf } from '../shape.js';
import { backend } from '../backend/registry.js';
import { noGrad } from '../autograd/grad-mode.js';
import type { Generator } from '../random.js';
import { defaultGenerator } from '../random.js';
import { Tensor, checkTensor } from '../tensor.js';
import { finite, oneOf } from './checks.js';

/** The nonlinearities `calculateGain` knows, by PyTorch's names. */
export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'conv_transpose1d'
  | 'conv_transpose2d'
  | 'conv_transpose3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';

const NONLINEARITIES: readonly Nonlinearity[] = [
  'linear',
  'conv1d',
  'conv2d',
  'conv3d',
  'conv_transpose1d',
  'conv_transpose2d',
  'conv_transpose3d',
  'sigmoid',
  'tanh',
  'relu',
  'leaky_relu',
  'selu',
];

/** Which fan scales the Kaiming initialisers: `'fan_in'` keeps the forward variance, `'fan_out'` the backward. */
export type FanMode = 'fan_in' | 'fan_out';

/** Options every random initialiser takes. */
export interface GeneratorOptions {
  /** Draw from this generator instead of the global one. */
  generator?: Generator;
}

/** Options of `kaimingUniform_` and `kaimingNormal_`. */
export interface KaimingOptions extends GeneratorOptions {
  /** Negative slope of the leaky ReLU that follows (default 0; only used with `'leaky_relu'`). */
  a?: number;
  /** Default `'fan_in'`. */
  mode?: FanMode;
  /** Default `'leaky_relu'`. */
  nonlinearity?: Nonlinearity;
}

/** Options of `xavierUniform_` and `xavierNormal_`. */
export interface XavierOptions extends GeneratorOptions {
  /** Scaling factor (default 1). */
  gain?: number;
}

function checkTarget(tensor: Tensor, op: string): void {
  checkTensor(tensor, op, 'tensor');
  if (!isFloating(tensor.dtype)) {
    throw new DTypeError(op, 'tensor', `expected a floating tensor, got ${tensor.dtype}`);
  }
}

function generatorOf(options: GeneratorOptions | undefined): Generator {
  return options?.generator ?? defaultGenerator;
}

/** Fills `tensor` in place with one `draw()` per element (row-major), without recording gradients. */
function fillWith(tensor: Tensor, draw: () => number): Tensor {
  const values = backend().alloc(tensor.dtype, tensor.size);
  for (let i = 0; i < values.length; i++) values[i] = draw();
  noGrad(() => tensor.copy_(new Tensor(values, tensor.shape)));
  return tensor;
}

/**
 * The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`: 1 for linear and
 * convolution layers and sigmoid, 5/3 for tanh, √2 for ReLU, √(2 / (1 + slope²)) for leaky ReLU (`param`
 * is the slope, default 0.01), 3/4 for SELU.
 *
 * @example
 * nn.init.calculateGain('leaky_relu', { param: Math.sqrt(5) })  // √(1/3), what Linear's default init uses
 */
export function calculateGain(nonlinearity: Nonlinearity, options?: { param?: number }): number {
  const op = 'calculateGain';
  const name = oneOf(nonlinearity, NONLINEARITIES, op, 'nonlinearity');
  switch (name) {
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = finite(options?.param ?? 0.01, op, 'param');
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      return 1;
  }
}

/**
 * `[fanIn, fanOut]` of a weight, as `torch.nn.init._calculate_fan_in_and_fan_out`: for a weight of shape
 * `(out, in, *kernel)` they are `in · ∏kernel` and `out · ∏kernel`. Needs at least 2 dims.
 */
export function _calculateFanInAndFanOut(tensor: Tensor): [number, number] {
  const op = '_calculateFanInAndFanOut';
  checkTensor(tensor, op, 'tensor');
  if (tensor.ndim < 2) {
    throw new ShapeError(
      op,
      'tensor',
      `fan in and fan out cannot be computed for a tensor with fewer than 2 dims, got shape ${formatShape(tensor.shape)}`,
    );
  }
  const receptiveField = sizeOf(tensor.shape.slice(2));
  return [tensor.shape[1]! * receptiveField, tensor.shape[0]! * receptiveField];
}

/** Fills `tensor` with values drawn uniformly from `[a, b)` (defaults 0 and 1). */
export function uniform_(tensor: Tensor, options?: GeneratorOptions & { a?: number; b?: number }): Tensor {
  const op = 'uniform_';
  checkTarget(tensor, op);
  const a = finite(options?.a ?? 0, op, 'a');
  const b = finite(options?.b ?? 1, op, 'b');
  if (a > b) throw new ArgumentError(op, 'a', `expected a ≤ b, got a = ${a} > b = ${b}`);
  const g = generatorOf(options);
  return fillWith(tensor, () => a + (b - a) * g.uniform());
}

/** Fills `tensor` with values drawn from the normal distribution N(mean, std²) (defaults 0 and 1). */
export function normal_(
  tensor: Tensor,
  options?: GeneratorOptions & { mean?: number; std?: number },
): Tensor {
  const op = 'normal_';
  checkTarget(tensor, op);
  const mean = finite(options?.mean ?? 0, op, 'mean');
  const std = finite(options?.std ?? 1, op, 'std', 0);
  const g = generatorOf(options);
  return fillWith(tensor, () => mean + std * g.normal());
}

/** Fills `tensor` with `value`. */
export function constant_(tensor: Tensor, value: number): Tensor {
  const op = 'constant_';
  checkTarget(tensor, op);
  if (typeof value !== 'number')
    throw new ArgumentError(op, 'value', `expected a number, got ${typeof value}`);
  noGrad(() => tensor.fill_(value));
  return tensor;
}

/** Fills `tensor` with ones. */
export function ones_(tensor: Tensor): Tensor {
  checkTarget(tensor, 'ones_');
  return constant_(tensor, 1);
}

/** Fills `tensor` with zeros. */
export function zeros_(tensor: Tensor): Tensor {
  checkTarget(tensor, 'zeros_');
  return constant_(tensor, 0);
}

/**
 * The standard deviation Xavier/Glorot initialisation aims at, `gain · √(2 / (fanIn + fanOut))`, or null
 * for an empty tensor (left as it is).
 */
function xavierStd(tensor: Tensor, op: string, options: XavierOptions | undefined): number | null {
  checkTarget(tensor, op);
  const gain = finite(options?.gain ?? 1, op, 'gain');
  if (tensor.size === 0) return null;
  const [fanIn, fanOut] = _calculateFanInAndFanOut(tensor);
  return gain * Math.sqrt(2 / (fanIn + fanOut));
}

/**
 * Xavier/Glorot uniform initialisation: U(−a, a) with `a = gain · √(6 / (fanIn + fanOut))`, as
 * `torch.nn.init.xavier_uniform_`.
 */
export function xavierUniform_(tensor: Tensor, options?: XavierOptions): Tensor {
  const std = xavierStd(tensor, 'xavierUniform_', options);
  if (std === null) return tensor;
  const bound = Math.sqrt(3) * std;
  return uniform_(tensor, { a: -bound, b: bound, generator: generatorOf(options) });
}

/** Xavier/Glorot normal initialisation: N(0, std²) with `std = gain · √(2 / (fanIn + fanOut))`. */
export function xavierNormal_(tensor: Tensor, options?: XavierOptions): Tensor {
  const std = xavierStd(tensor, 'xavierNormal_', options);
  if (std === null) return tensor;
  return normal_(tensor, { mean: 0, std, generator: generatorOf(options) });
}

/**
 * The standard deviation Kaiming/He initialisation aims at, `gain / √fan`, or null for an empty tensor
 * (which PyTorch leaves as it is).
 */
function kaimingStd(tensor: Tensor, op: string, options: KaimingOptions | undefined): number | null {
  checkTarget(tensor, op);
  const mode = oneOf(options?.mode ?? 'fan_in', ['fan_in', 'fan_out'] as const, op, 'mode');
  const a = finite(options?.a ?? 0, op, 'a');
  const gain = calculateGain(options?.nonlinearity ?? 'leaky_relu', { param: a });
  if (tensor.size === 0) return null;
  const [fanIn, fanOut] = _calculateFanInAndFanOut(tensor);
  return gain / Math.sqrt(mode === 'fan_in' ? fanIn : fanOut);
}

/**
 * Kaiming/He uniform initialisation, as `torch.nn.init.kaiming_uniform_`: U(−bound, bound) with
 * `bound = gain · √(3 / fan)`, the gain from `calculateGain(nonlinearity, { param: a })`. The default
 * init of `Linear` and convolutions uses `{ a: √5 }`, which gives `bound = 1 / √fanIn`.
 */
export function kaimingUniform_(tensor: Tensor, options?: KaimingOptions): Tensor {
  const std = kaimingStd(tensor, 'kaimingUniform_', options);
  if (std === null) return tensor;
  const bound = Math.sqrt(3) * std;
  return uniform_(tensor, { a: -bound, b: bound, generator: generatorOf(options) });
}

/** Kaiming/He normal initialisation, as `torch.nn.init.kaiming_normal_`: N(0, std²) with `std = gain / √fan`. */
export function kaimingNormal_(tensor: Tensor, options?: KaimingOptions): Tensor {
  const std = kaimingStd(tensor, 'kaimingNormal_', options);
  if (std === null) return tensor;
  return normal_(tensor, { mean: 0, std, generator: generatorOf(options) });
}
