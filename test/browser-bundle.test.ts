/**
 * The core runs in a browser: `src/index.ts` bundles for the browser with no externals and no polyfills,
 * the bundle imports nothing from Node, and it computes the right numbers — forward, backward and a
 * safetensors round trip — in a context whose globals are only standard JavaScript (plus the web platform's
 * text codecs). No file of the core (everything in src/ outside src/node/) imports a Node built-in.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { build, transform } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

/** Every TypeScript file under `dir`, recursively. */
function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The module specifiers of every static import/export-from, dynamic import and require in `code`. */
function moduleSpecifiers(code: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)(['"])([^'"\n]+)\1/g;
  return [...code.matchAll(pattern)].map((match) => match[2]!);
}

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
}

void describe('the core outside src/node imports no Node built-in', () => {
  void it('recognises the import forms it looks for', () => {
    const sample = `import { a } from 'node:fs';\nexport * from "path";\nimport 'os';\nawait import('x');\nrequire("crypto");`;
    assert.deepEqual(moduleSpecifiers(sample), ['node:fs', 'path', 'os', 'x', 'crypto']);
    assert.deepEqual(moduleSpecifiers(sample).map(isNodeBuiltin), [true, true, true, false, true]);
  });

  void it('holds for every file', () => {
    // src/node/ and the command line in src/cli/ are Node-only.
    const coreFiles = typescriptFiles(src).filter((path) => !/^(node|cli)\b/.test(relative(src, path)));
    assert.ok(coreFiles.length > 10, `found only ${coreFiles.length} core files`);
    const offenders = coreFiles.flatMap((path) =>
      moduleSpecifiers(readFileSync(path, 'utf-8'))
        .filter(isNodeBuiltin)
        .map((specifier) => `${relative(root, path)} imports ${specifier}`),
    );
    assert.deepEqual(offenders, []);
  });
});

void describe('browser bundle of src/index.ts', () => {
  let bundle = '';
  before(async () => {
    const result = await build({
      entryPoints: [join(src, 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    bundle = result.outputFiles[0]!.text;
  });

  void it('builds and imports or requires nothing', () => {
    assert.ok(bundle.length > 10_000, `bundle is only ${bundle.length} characters`);
    assert.deepEqual(moduleSpecifiers(bundle), []);
    assert.doesNotMatch(bundle, /\bnode:[a-z_]+/);
  });

  void it('computes forward, backward and a safetensors round trip with only standard JavaScript globals and text codecs', async () => {
    // The same bundle as a classic script, so it runs in a plain vm context (no module loader there).
    const { code } = await transform(bundle, { format: 'iife', globalName: 'convnet' });
    // A fresh context holds only ECMAScript's globals. The text codecs are the one piece of the web platform
    // the bundle needs (the PNG decoder makes them when it loads); every browser and worker has them.
    const context = vm.createContext({ TextEncoder, TextDecoder });
    const absent = ['process', 'require', 'module', 'Buffer', 'fs', 'setTimeout'];
    assert.deepEqual(
      JSON.parse(
        vm.runInContext(
          `JSON.stringify(${JSON.stringify(absent)}.filter((name) => typeof globalThis[name] !== 'undefined'))`,
          context,
        ) as string,
      ),
      [],
    );
    vm.runInContext(code, context);
    const json = vm.runInContext(
      `(() => {
        const { tensor, matmul, saveSafetensors, loadSafetensors } = convnet;
        const x = tensor([[1, 2, -1], [0.5, -0.5, 3]], undefined, { requiresGrad: true });
        const w = tensor([[0.2, -0.1], [0.4, 0.3], [-0.6, 0.5]], undefined, { requiresGrad: true });
        const probs = matmul(x, w).softmax(1);
        probs.mul(tensor([[1, 0], [0, 1]])).sum().backward();
        const bytes = saveSafetensors({ x, w, probs }, { where: 'vm' });
        const back = loadSafetensors(bytes);
        const values = (t) => Array.from(t.data);
        return JSON.stringify({
          probs: values(probs),
          xGrad: values(x.grad),
          wGrad: values(w.grad),
          back: { x: values(back.tensors.x), w: values(back.tensors.w), probs: values(back.tensors.probs) },
          metadata: back.metadata,
        });
      })()`,
      context,
    ) as string;
    const got = JSON.parse(json) as {
      probs: number[];
      xGrad: number[];
      wGrad: number[];
      back: Record<'x' | 'w' | 'probs', number[]>;
      metadata: Record<string, string>;
    };

    // The same computation in plain float64 arithmetic: p = softmax(x w), loss = Σ p ⊙ t,
    // ∂loss/∂logits = p ⊙ (t − Σ_k p t), ∂x = ∂logits wᵀ, ∂w = xᵀ ∂logits.
    const x = [
      [1, 2, -1],
      [0.5, -0.5, 3],
    ];
    const w = [
      [0.2, -0.1],
      [0.4, 0.3],
      [-0.6, 0.5],
    ];
    const t = [
      [1, 0],
      [0, 1],
    ];
    const logits = x.map((row) => [0, 1].map((j) => row.reduce((s, v, k) => s + v * w[k]![j]!, 0)));
    const p = logits.map((row) => {
      const e = row.map(Math.exp);
      const z = e[0]! + e[1]!;
      return e.map((v) => v / z);
    });
    const dLogits = p.map((row, i) => {
      const dot = row[0]! * t[i]![0]! + row[1]! * t[i]![1]!;
      return row.map((v, j) => v * (t[i]![j]! - dot));
    });
    const xGrad = dLogits.flatMap((row) => w.map((wk) => row[0]! * wk[0]! + row[1]! * wk[1]!));
    const wGrad = w.flatMap((_, k) =>
      [0, 1].map((j) => x[0]![k]! * dLogits[0]![j]! + x[1]![k]! * dLogits[1]![j]!),
    );

    const close = (actual: number[], expected: number[], what: string) => {
      assert.equal(actual.length, expected.length, what);
      actual.forEach((v, i) => {
        assert.ok(Math.abs(v - expected[i]!) < 1e-6, `${what}[${i}] = ${v}, expected ${expected[i]}`);
      });
    };
    close(got.probs, p.flat(), 'probs');
    close(got.xGrad, xGrad, 'x.grad');
    close(got.wGrad, wGrad, 'w.grad');
    assert.deepEqual(got.back, {
      x: x.flat().map(Math.fround),
      w: w.flat().map(Math.fround),
      probs: got.probs,
    });
    assert.deepEqual(got.metadata, { where: 'vm' });
  });
});
