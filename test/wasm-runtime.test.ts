/**
 * The wasm backend's runtime: one shared memory used by the calling thread and worker threads, each with
 * its own instance and stack; runs dispatched through the control block; relaxed SIMD where the engine has
 * it; the thread-count setting; a worker that dies never hangs a run. The kernels exercised are those of `runtime.c` (fill_f32, copy_f32,
 * stack_probe).
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { ArgumentError, BackendError } from '../src/errors.js';
import { ThreadedRuntime, f32bits } from '../src/backends/wasm/runtime.js';
import { getNumThreads, installThreadSpawner, setNumThreads } from '../src/backends/wasm/threads.js';
import { relaxedSimdAvailable } from '../src/backends/wasm/wasm-module.js';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from '../src/backends/wasm/kernels.generated.js';
import { installNodeThreads, startWorker } from '../src/node/wasm-threads.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Waits (without blocking the event loop) until `runtime` has `count` ready workers. */
async function workersReady(runtime: ThreadedRuntime, count: number): Promise<void> {
  const started = Date.now();
  while (runtime.readyWorkers() < count) {
    if (Date.now() - started > 20_000) throw new Error('workers did not start within 20 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Random float32 values, `n` of them, from a fixed seed. */
function randomF32(n: number): Float32Array {
  const out = new Float32Array(n);
  let state = 12345;
  for (let i = 0; i < n; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

/** `copy_f32` of `data` in `runtime`, as one run, parallel or not. */
function copied(runtime: ThreadedRuntime, data: Float32Array, parallel: boolean): Float32Array {
  const arena = runtime.arena();
  const src = arena.put(data);
  const dst = arena.reserve(data.byteLength);
  arena.run('copy_f32', [src, dst, data.length], { parallel });
  return arena.readF32(dst, data.length);
}

/** Runs `node` with `args` in the repository and returns its trimmed stdout. */
function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf-8' }).trim();
}

/** Node arguments that run the module `code` with the TypeScript sources importable. */
function moduleScript(code: string): string[] {
  return ['--import', 'tsx', '--input-type=module', '-e', code];
}

void describe('wasm runtime without a thread spawner', () => {
  void it('runs on the calling thread alone, parallel runs included', () => {
    const runtime = new ThreadedRuntime();
    assert.equal(runtime.threads, 1);
    const data = randomF32(20_000);
    assert.deepEqual(copied(runtime, data, true), data);
  });

  void it('stays on one thread in a process that installs none', () => {
    const code = `
      const { wasmRuntime } = await import('./src/backends/wasm/runtime.ts');
      const rt = wasmRuntime();
      const a = rt.arena();
      const at = a.zeros(4 << 20);
      console.log(rt.threads, a.readF32(at, 4).join(','));`;
    assert.equal(node(moduleScript(code)), '1 0,0,0,0');
  });
});

void describe('wasm runtime without SharedArrayBuffer (a page that is not cross-origin isolated)', () => {
  void it('loads the module with an unshared memory and runs on one thread', () => {
    const code = `
      delete globalThis.SharedArrayBuffer;
      const { installNodeThreads } = await import('./src/node/wasm-threads.ts');
      installNodeThreads();
      const { wasmRuntime, f32bits } = await import('./src/backends/wasm/runtime.ts');
      const rt = wasmRuntime();
      const a = rt.arena();
      const at = a.reserve(64 << 20);
      a.run('fill_f32', [at, 16 << 20, f32bits(0.5)]);
      console.log(rt.threads, rt.memory.buffer instanceof ArrayBuffer, a.readF32(at + (64 << 20) - 4, 1)[0]);`;
    assert.equal(node(moduleScript(code)), '1 true 0.5');
  });
});

void describe('setNumThreads', () => {
  void it('rejects a count that is not an integer from 1 to 256', () => {
    for (const bad of [0, -1, 1.5, 257, Number.NaN, Infinity]) {
      assert.throws(
        () => {
          setNumThreads(bad);
        },
        ArgumentError,
        String(bad),
      );
    }
  });

  void it('sets what getNumThreads reports', () => {
    setNumThreads(3);
    assert.equal(getNumThreads(), 3);
    setNumThreads(2);
    assert.equal(getNumThreads(), 2);
  });
});

void describe('relaxed SIMD', () => {
  void it('is detected as a boolean, and the module of that build validates', () => {
    const relaxed = relaxedSimdAvailable();
    assert.equal(typeof relaxed, 'boolean');
    const runtime = new ThreadedRuntime();
    assert.equal(runtime.relaxedSimd, relaxed);
    const chosen = relaxed ? KERNELS_RELAXED_WASM_BASE64 : KERNELS_WASM_BASE64;
    assert.ok(WebAssembly.validate(Buffer.from(chosen, 'base64')));
  });

  const probe = `
    const { wasmRuntime } = await import('./src/backends/wasm/runtime.ts');
    console.log(wasmRuntime().relaxedSimd);`;

  void it('is used under node --experimental-wasm-relaxed-simd', () => {
    assert.equal(node(['--experimental-wasm-relaxed-simd', ...moduleScript(probe)]), 'true');
  });

  void it('is used when the V8 flag is set at run time, as the command line does', () => {
    const code = `(await import('node:v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');${probe}`;
    assert.equal(node(moduleScript(code)), 'true');
  });
});

void describe('wasm runtime with worker threads', () => {
  /** One runtime with a worker for the tests that need it ready (each runtime starts its own workers). */
  let pooled: ThreadedRuntime;
  before(() => {
    installNodeThreads();
    setNumThreads(2);
    pooled = new ThreadedRuntime();
  });

  void it('runs on a pool whose workers are still starting', () => {
    const runtime = new ThreadedRuntime();
    assert.equal(runtime.threads, 2);
    const data = randomF32(50_000);
    assert.deepEqual(copied(runtime, data, true), data);
  });

  void it('gives the same bits on 1 and 2 threads', async () => {
    const runtime = pooled;
    await workersReady(runtime, 1);
    const data = randomF32(100_003);
    const serial = copied(runtime, data, false);
    const parallel = copied(runtime, data, true);
    assert.deepEqual(parallel, data);
    assert.deepEqual(new Int32Array(parallel.buffer), new Int32Array(serial.buffer));
    const arena = runtime.arena();
    const at = arena.zeros(8 << 20);
    assert.ok(arena.readF32(at, (8 << 20) / 4).every((v) => v === 0));
  });

  void it('gives each thread its own stack', async () => {
    const runtime = pooled;
    await workersReady(runtime, 1);
    const arena = runtime.arena();
    const out = arena.zeros(16);
    // A worker that has not woken by the time the caller is done has its share run by the caller; runs
    // that follow quickly find it awake.
    let [caller, worker] = [0, 0];
    for (let attempt = 0; attempt < 100 && Math.abs(worker - caller) < 262144; attempt++) {
      arena.run('stack_probe', [out]);
      [caller, worker] = Array.from(arena.readI32(out, 2)) as [number, number];
    }
    // The caller's stack ends at __heap_base, below the worker's; each is 256 KiB.
    assert.ok(caller > 0 && worker > 0, `probes ${caller}, ${worker}`);
    assert.ok(caller + 262144 <= worker, `probes ${caller}, ${worker}`);
    assert.ok(worker < runtime.scratchStart);
  });

  void it('lets a worker write past the old end after the memory grew', async () => {
    const runtime = pooled;
    await workersReady(runtime, 1);
    const arena = runtime.arena();
    const oldEnd = runtime.memory.buffer.byteLength;
    arena.reserve(oldEnd - runtime.scratchStart);
    const words = 1 << 20;
    const at = arena.reserve(words * 4);
    assert.ok(runtime.memory.buffer.byteLength > oldEnd);
    arena.run('fill_f32', [at, words, f32bits(1.5)]);
    assert.ok(arena.readF32(at, words).every((v) => v === 1.5));
  });

  void it('turns a worker trap and an unknown kernel into a BackendError, and keeps working', async () => {
    const runtime = pooled;
    await workersReady(runtime, 1);
    const arena = runtime.arena();
    arena.reserve(16);
    // Chunk 0 (tid 0) is the last 16 KiB of the memory; chunk 1 (tid 1) lies past its end.
    const end = runtime.memory.buffer.byteLength;
    assert.throws(
      () => {
        arena.run('fill_f32', [end - 16384, 8192, 0]);
      },
      (error: unknown) => error instanceof BackendError && /thread 1 of 2/.test(error.message),
    );
    assert.throws(() => {
      arena.run('no_such_kernel', []);
    }, BackendError);
    assert.throws(() => {
      arena.run('no_such_kernel', [], { parallel: false });
    }, BackendError);
    const data = randomF32(30_000);
    assert.deepEqual(copied(runtime, data, true), data);
  });
});

void describe('wasm runtime whose worker dies', () => {
  void it('never hangs: runs the dead worker never claimed finish here, then the pool goes on with fewer threads, said once', async () => {
    const workers: Worker[] = [];
    installThreadSpawner({
      cores: 2,
      spawn(init, onExit) {
        const worker = startWorker(init);
        workers.push(worker);
        worker.unref();
        worker.on('error', (error) => {
          onExit(error.message);
        });
        worker.on('exit', (code) => {
          onExit(`exited with code ${code}`);
        });
      },
    });
    setNumThreads(2);
    const runtime = new ThreadedRuntime();
    await workersReady(runtime, 1);
    const data = randomF32(200_000);
    assert.deepEqual(copied(runtime, data, true), data);
    const warnings: string[] = [];
    const warn = console.warn;
    console.warn = (message: unknown) => {
      warnings.push(String(message));
    };
    try {
      const exited = new Promise((resolve) => workers[0]!.once('exit', resolve));
      void workers[0]!.terminate();
      // The worker thread dies meanwhile, but this thread's event loop, blocked here as in a synchronous
      // training loop, does not see its exit event: the pool still counts the worker ready.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      assert.equal(runtime.readyWorkers(), 1);
      assert.deepEqual(copied(runtime, data, true), data);
      assert.deepEqual(copied(runtime, data, true), data);
      await exited;
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(runtime.readyWorkers(), 0);
      assert.deepEqual(copied(runtime, data, true), data);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0]!, /wasm worker thread stopped \(exited with code 1\)/);
    } finally {
      console.warn = warn;
    }
  });
});
