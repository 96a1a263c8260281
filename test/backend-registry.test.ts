/**
 * The backend registry: a partial backend gets every missing method from `js`, explicitly and in one
 * place, and `backendFallbacks` names them; registering checks what it is given.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  BackendError,
  backendFallbacks,
  getBackend,
  listBackends,
  registerBackend,
  setBackend,
  tensor,
} from '../src/index.js';
import { registeredBackend } from '../src/backend/registry.js';
import { jsBackend } from '../src/backends/js/index.js';
import { wasmBackend } from '../src/backends/wasm/index.js';

void describe('backend registry', () => {
  void it('lists js and wasm', () => {
    assert.deepEqual(listBackends().slice(0, 2), ['js', 'wasm']);
  });

  void it('fills a partial backend from js and says which methods it took', () => {
    const own = Object.keys(wasmBackend).filter((k) => k !== 'name');
    const fallbacks = backendFallbacks('wasm');
    assert.deepEqual(
      [...fallbacks, ...own].sort(),
      Object.keys(jsBackend)
        .filter((k) => k !== 'name')
        .sort(),
    );
    const wasm = registeredBackend('wasm') as unknown as Record<string, unknown>;
    const js = jsBackend as unknown as Record<string, unknown>;
    for (const method of fallbacks) assert.equal(wasm[method], js[method], method);
    assert.deepEqual(backendFallbacks('js'), []);
  });

  void it('registers a partial backend, which then computes', () => {
    let calls = 0;
    registerBackend({
      name: 'counting',
      unary: (op, x) => {
        calls++;
        return jsBackend.unary(op, x);
      },
    });
    const previous = getBackend();
    setBackend('counting');
    try {
      assert.deepEqual(tensor([-1, 2]).relu().toArray(), [0, 2]);
      assert.equal(calls, 1);
      assert.ok(backendFallbacks('counting').includes('gemm'));
    } finally {
      setBackend(previous);
    }
  });

  void it('refuses members that are not backend methods, and unknown names', () => {
    assert.throws(
      () => {
        registerBackend({ name: 'typo', gem: () => null } as never);
      },
      (e: unknown) => e instanceof BackendError && /gem/.test(e.message),
    );
    assert.throws(() => backendFallbacks('nope'), BackendError);
    assert.throws(() => {
      registerBackend({ name: '' });
    }, BackendError);
  });
});
