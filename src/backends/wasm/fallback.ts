/**
 * What a wasm glue function does when the module's memory cannot hold a call: the js backend's function
 * computes it instead.
 */
import { WasmMemoryExhausted } from './runtime.js';

/** Work below this many elements runs on the calling thread alone: sharing it costs more than it saves. */
export const PARALLEL_MIN_ELEMENTS = 65536;

/** `wasm()`, or `js()` when `wasm()` finds the memory exhausted; other errors pass through. */
export function orJs<T>(wasm: () => T, js: () => T): T {
  try {
    return wasm();
  } catch (error) {
    if (error instanceof WasmMemoryExhausted) return js();
    throw error;
  }
}
