/**
 * Turning stored 8-bit pixels into the float images models take, as torchvision's `ToTensor` does:
 * `float32` values `byte / 255` in [0, 1].
 */
import { backend } from '../backend/registry.js';
import type { Shape } from '../shape.js';
import { Tensor } from '../tensor.js';

/** An `int32` tensor of `shape` holding `bytes` (one value per byte). */
export function bytesToTensor(bytes: Uint8Array, shape: Shape): Tensor {
  const values = backend().alloc('int32', bytes.length);
  values.set(bytes);
  return new Tensor(values, shape);
}

/** `pixels / 255` as `float32`: integer pixel values in 0…255 mapped to [0, 1]. */
export function toUnitInterval(pixels: Tensor): Tensor {
  return pixels.to('float32').div(255);
}
