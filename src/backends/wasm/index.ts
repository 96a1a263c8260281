/**
 * The `wasm` backend: the `js` backend with kernels replaced, one at a time, by WebAssembly SIMD ones. So far
 * `gemm` (float32; other dtypes use the js gemm), which is most of a convolutional network's training step.
 * The module is compiled on the first product, not on import.
 *
 * @example
 * setBackend('wasm');
 * matmul(randn([512, 256]), randn([256, 128]));   // computed in WebAssembly
 */
import type { Backend } from '../../backend/backend.js';
import { jsBackend } from '../js/index.js';
import { gemm } from './gemm.js';

/** The js backend with a WebAssembly SIMD float32 `gemm`. */
export const wasmBackend: Backend = { ...jsBackend, name: 'wasm', gemm };
