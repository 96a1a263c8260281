/**
 * Which backend computes: `setBackend(name)` picks one of the registered backends for every op that
 * follows. The `js` reference backend and the `wasm` backend are registered from the start, and `wasm`, the
 * fastest, is active wherever the engine has WebAssembly SIMD (`js` elsewhere).
 *
 * A backend may implement only some of the interface: registering it fills every method it lacks with the
 * `js` backend's, here and nowhere else, and remembers which ones, so `backendFallbacks` can say what still
 * runs as plain JavaScript.
 */
import { BackendError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from '../backends/js/index.js';
import { wasmBackend, wasmSimdSupported } from '../backends/wasm/index.js';

/** A backend's compute methods: everything in {@link Backend} but its name. */
export type BackendMethod = Exclude<keyof Backend, 'name'>;

/** A backend that implements some methods; the `js` backend supplies the rest when it is registered. */
export type PartialBackend = Partial<Pick<Backend, BackendMethod>> & {
  /** The name `setBackend` will know it by; non-empty. */
  readonly name: string;
};

const METHODS = (Object.keys(jsBackend) as (keyof Backend)[]).filter(
  (key): key is BackendMethod => key !== 'name',
);

/** A registered backend: every method present, and the names of those taken from `js`. */
interface Registered {
  readonly backend: Backend;
  readonly fallbacks: readonly BackendMethod[];
}

/** `partial` with each missing method taken from the `js` backend. */
function complete(partial: PartialBackend): Registered {
  const fallbacks = METHODS.filter((method) => typeof partial[method] !== 'function');
  const own = partial as Record<string, unknown>;
  const reference = jsBackend as unknown as Record<string, unknown>;
  const backend: Record<string, unknown> = { name: partial.name };
  for (const method of METHODS) backend[method] = method in own ? own[method] : reference[method];
  return { backend: backend as unknown as Backend, fallbacks };
}

const backends = new Map<string, Registered>([jsBackend, wasmBackend].map((b) => [b.name, complete(b)]));
let active: Backend = wasmSimdSupported() ? backends.get(wasmBackend.name)!.backend : jsBackend;

/**
 * Makes a backend available to `setBackend` under its name. Methods it does not implement run on the `js`
 * backend (see {@link backendFallbacks}).
 */
export function registerBackend(backend: PartialBackend): void {
  if (
    typeof backend !== 'object' ||
    backend === null ||
    typeof backend.name !== 'string' ||
    backend.name === ''
  ) {
    throw new BackendError('registerBackend', 'backend', 'expected a Backend object with a non-empty name');
  }
  const unknown = Object.keys(backend).filter(
    (key) => key !== 'name' && !(METHODS as readonly string[]).includes(key),
  );
  if (unknown.length > 0) {
    throw new BackendError(
      'registerBackend',
      'backend',
      `'${backend.name}' has members that are not backend methods: ${unknown.join(', ')}`,
    );
  }
  backends.set(backend.name, complete(backend));
  if (active.name === backend.name) active = backends.get(backend.name)!.backend;
}

/** Routes every following op to the named backend. */
export function setBackend(name: string): void {
  const registered = backends.get(name);
  if (registered === undefined) {
    throw new BackendError(
      'setBackend',
      'name',
      `unknown backend '${name}'; registered: ${listBackends().join(', ')}`,
    );
  }
  active = registered.backend;
}

/** The name of the backend in use. */
export function getBackend(): string {
  return active.name;
}

/** Names of every registered backend. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

/**
 * The methods of the named backend that run on the `js` backend because it does not implement them
 * (empty for `js` itself).
 *
 * @example
 * backendFallbacks('wasm')   // e.g. ['cast', 'gather', …]: what is still plain JavaScript
 */
export function backendFallbacks(name: string): BackendMethod[] {
  const registered = backends.get(name);
  if (registered === undefined) {
    throw new BackendError(
      'backendFallbacks',
      'name',
      `unknown backend '${name}'; registered: ${listBackends().join(', ')}`,
    );
  }
  return name === jsBackend.name ? [] : [...registered.fallbacks];
}

/** The registered backend `name` with every method present, for code that calls a backend directly. */
export function registeredBackend(name: string): Backend | undefined {
  return backends.get(name)?.backend;
}

/** The backend in use, for ops. */
export function backend(): Backend {
  return active;
}
