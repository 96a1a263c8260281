/**
 * Which backend computes: `setBackend(name)` picks one of the registered backends for every op that
 * follows. The `js` reference backend is registered and active from the start.
 */
import { BackendError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from '../backends/js/index.js';
import { wasmBackend } from '../backends/wasm/index.js';

const backends = new Map<string, Backend>([
  [jsBackend.name, jsBackend],
  [wasmBackend.name, wasmBackend],
]);
let active: Backend = jsBackend;

/** Makes a backend available to `setBackend` under its name. */
export function registerBackend(backend: Backend): void {
  if (
    typeof backend !== 'object' ||
    backend === null ||
    typeof backend.name !== 'string' ||
    backend.name === ''
  ) {
    throw new BackendError('registerBackend', 'backend', 'expected a Backend object with a non-empty name');
  }
  backends.set(backend.name, backend);
}

/** Routes every following op to the named backend. */
export function setBackend(name: string): void {
  const backend = backends.get(name);
  if (backend === undefined) {
    throw new BackendError(
      'setBackend',
      'name',
      `unknown backend '${name}'; registered: ${listBackends().join(', ')}`,
    );
  }
  active = backend;
}

/** The name of the backend in use. */
export function getBackend(): string {
  return active.name;
}

/** Names of every registered backend. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/** The backend in use, for ops. */
export function backend(): Backend {
  return active;
}
