/**
 * Which build of the kernels this engine runs, and the memory it runs in.
 *
 * `scripts/build-wasm.sh` builds the kernels twice, with WebAssembly SIMD and with relaxed SIMD (fused
 * multiply-add); the relaxed build is used when the engine validates relaxed SIMD (Node 20 only with the V8
 * flag `--experimental-wasm-relaxed-simd`, which the `convnet` command line sets; Node 22 and current
 * browsers without one). Both import a shared memory, so several threads can run one module. Where a shared
 * memory cannot be made (no `SharedArrayBuffer`: a web page that is not cross-origin isolated), the module is
 * loaded with its memory import's `shared` flag cleared, one byte of the binary: its atomic instructions are
 * valid on an unshared memory too, and a single thread never waits on them.
 */
import { BackendError } from '../../errors.js';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels.generated.js';

/** Bytes per page of WebAssembly memory. */
export const PAGE_BYTES = 65536;

/** The kernels' module and the memory their instances share. */
export interface LoadedModule {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** True when the module is the relaxed-SIMD build. */
  readonly relaxedSimd: boolean;
  /** True when `memory` is shared, so that other threads can run instances of `module` in it. */
  readonly shared: boolean;
}

/**
 * A module of one function `(v128, v128, v128) -> v128` doing `f32x4.relaxed_madd` (opcode 0xfd 0x105):
 * valid exactly when the engine has relaxed SIMD.
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
  ...[0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b], // types: (v128 v128 v128) -> v128
  ...[0x03, 0x02, 0x01, 0x00], // functions: one of type 0
  ...[0x0a, 0x0d, 0x01, 0x0b, 0x00], // code: one body of 11 bytes, no locals
  ...[0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b], // local.get 0 1 2, relaxed_madd, end
]);

/** True when this engine validates relaxed SIMD, checked now (a V8 flag set at run time counts). */
export function relaxedSimdAvailable(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** Compiles the build this engine supports and creates its memory; see the module comment. */
export function loadModule(): LoadedModule {
  const relaxedSimd = relaxedSimdAvailable();
  const bytes = decodeBase64(relaxedSimd ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64);
  const limits = memoryImport(bytes);
  const shared = createSharedMemory(limits.minimum);
  if (shared !== null) {
    return { module: new WebAssembly.Module(bytes), memory: shared, relaxedSimd, shared: true };
  }
  bytes[limits.flagsAt] = limits.flags & ~SHARED_FLAG;
  const memory = new WebAssembly.Memory({ initial: limits.minimum, maximum: MAXIMUM_PAGES[0]! });
  return { module: new WebAssembly.Module(bytes), memory, relaxedSimd, shared: false };
}

/** Maxima (in pages) to try for a shared memory, which engines reserve up front: 4 GiB, 1 GiB, 256 MiB. */
const MAXIMUM_PAGES = [65536, 16384, 4096];

/** A shared memory of `minimum` pages, with the largest maximum the engine grants; null if none. */
function createSharedMemory(minimum: number): WebAssembly.Memory | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  for (const maximum of MAXIMUM_PAGES) {
    if (maximum < minimum) break;
    try {
      return new WebAssembly.Memory({ initial: minimum, maximum, shared: true });
    } catch {
      // The engine refused this maximum (address space) or shared memory altogether; try a smaller one.
    }
  }
  return null;
}

/** The limits flag that marks a memory shared. */
const SHARED_FLAG = 0x02;

/** Where the module's memory import keeps its limits flags, the flags, and its minimum in pages. */
interface MemoryImport {
  readonly flagsAt: number;
  readonly flags: number;
  readonly minimum: number;
}

/** Finds the memory import in the import section (id 2) of the module `bytes`. */
function memoryImport(bytes: Uint8Array): MemoryImport {
  let at = 8;
  const leb = (): number => {
    let value = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return value;
  };
  while (at < bytes.length) {
    const id = bytes[at++]!;
    const size = leb();
    if (id !== 2) {
      at += size;
      continue;
    }
    for (let count = leb(); count > 0; count--) {
      for (let name = 0; name < 2; name++) {
        const length = leb(); // module name, then field name
        at += length;
      }
      const kind = bytes[at++]!;
      if (kind === 2) {
        const flagsAt = at;
        const flags = bytes[at++]!;
        return { flagsAt, flags, minimum: leb() };
      }
      if (kind === 0) leb();
      else if (kind === 1) {
        at++;
        if (bytes[at++]! & 1) leb();
        leb();
      } else at += 2; // global: value type, mutability
    }
  }
  throw new BackendError('wasm', 'module', 'the kernels module imports no memory');
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes standard base64 (with `=` padding), without relying on `atob` or `Buffer`. */
function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const digits = text.replace(/=+$/, '');
  const bytes = new Uint8Array(Math.floor((digits.length * 3) / 4));
  let bits = 0;
  let bitCount = 0;
  let at = 0;
  for (const char of digits) {
    bits = (bits << 6) | BASE64.indexOf(char);
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      bytes[at++] = (bits >> bitCount) & 0xff;
    }
  }
  return bytes;
}
