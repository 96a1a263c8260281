/**
 * The `wasm` backend: the `js` backend with kernels replaced, one at a time, by WebAssembly SIMD ones. So far
 * `gemm` (float32; other dtypes use the js gemm), which is most of a convolutional network's training step,
 * and `clamp` (float32). The module is compiled
 * on first use, not on import.
 *
 * @example
 * setBackend('wasm');
 * matmul(randn([512, 256]), randn([256, 128]));   // computed in WebAssembly
 */
import type { Backend } from '../../backend/backend.js';
import { jsBackend } from '../js/index.js';
import { clamp } from './elementwise.js';
import { gemm } from './gemm.js';

/** The js backend with WebAssembly SIMD float32 `gemm` and `clamp`. */
export const wasmBackend: Backend = { ...jsBackend, name: 'wasm', gemm, clamp };
