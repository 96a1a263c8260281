/**
 * The `wasm` backend: kernels in WebAssembly SIMD for float32, registered as a partial backend whose
 * missing methods the registry takes from `js` (see `backendFallbacks('wasm')`). Float64 and int32 inputs
 * go to the `js` functions from inside each kernel's glue. The module is compiled on first use, not on
 * import.
 *
 * @example
 * setBackend('wasm');
 * matmul(randn([512, 256]), randn([256, 128]));   // computed in WebAssembly
 */
import type { PartialBackend } from '../../backend/registry.js';
import { conv2d, conv2dBackward, conv2dReluMaxPool2d, conv2dReluMaxPool2dBackward } from './conv.js';
import { binary, clamp, reluBackward, unary } from './elementwise.js';
import { gemm } from './gemm.js';
import { adamStep, sgdStep } from './optim.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { reduce } from './reduce.js';

/** `(module (func (result v128) (v128.const i32x4 0 0 0 0)))`: valid only where WebAssembly has SIMD. */
const SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b,
  0x03,
  0x02,
  0x01,
  0x00,
  0x0a,
  0x16,
  0x01,
  0x14,
  0x00,
  0xfd,
  0x0c,
  ...new Array<number>(16).fill(0),
  0x0b,
]);

/** True where this engine runs WebAssembly with 128-bit SIMD, which every kernel of the module uses. */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
}

/** The wasm backend's own methods. */
export const wasmBackend: PartialBackend = {
  name: 'wasm',
  gemm,
  conv2d,
  conv2dBackward,
  conv2dReluMaxPool2d,
  conv2dReluMaxPool2dBackward,
  unary,
  binary,
  clamp,
  reluBackward,
  reduce,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  sgdStep,
  adamStep,
};
