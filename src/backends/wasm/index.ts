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
import { clamp } from './elementwise.js';
import { gemm } from './gemm.js';

/** The wasm backend's own methods. */
export const wasmBackend: PartialBackend = { name: 'wasm', gemm, clamp };
