/**
 * The package's `exports` map works: `convnet-ts` and `convnet-ts/node`, imported by name as a user would,
 * resolve to the built files in dist/ (rebuilt first with `npm run build` if they are missing or older than
 * src/), share one module graph, and ship their `.d.ts` files.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

interface PackageJson {
  name: string;
  main: string;
  types: string;
  exports: Record<string, { types: string; import: string }>;
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf-8')) as PackageJson;
const targets = Object.values(pkg.exports).flatMap((entry) => [entry.types, entry.import]);

/** The latest modification time of any file under `dir`. */
function newest(dir: string): number {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .reduce((latest, entry) => Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs), 0);
}

function distIsFresh(): boolean {
  if (!targets.every((target) => existsSync(join(root, target)))) return false;
  const built = Math.min(...targets.map((target) => statSync(join(root, target)).mtimeMs));
  return built >= newest(join(root, 'src'));
}

type Core = typeof import('../src/index.js');
type NodeEntry = typeof import('../src/node/index.js');

/** Imports a package specifier at run time, so type checking does not depend on dist/ existing. */
const importByName = (specifier: string): Promise<unknown> => import(specifier);

void describe('package exports', () => {
  let core: Core;
  let node: NodeEntry;
  before(async () => {
    if (!distIsFresh()) {
      try {
        execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'pipe', encoding: 'utf-8' });
      } catch (error) {
        const { stdout, stderr } = error as { stdout: string; stderr: string };
        assert.fail(`npm run build failed:\n${stdout}${stderr}`);
      }
    }
    core = (await importByName(pkg.name)) as Core;
    node = (await importByName(`${pkg.name}/node`)) as NodeEntry;
  });

  void it('has the built files the package.json names, declarations included', () => {
    assert.equal(pkg.name, 'convnet-ts');
    assert.deepEqual(Object.keys(pkg.exports).sort(), ['.', './node']);
    for (const file of [pkg.main, pkg.types, ...targets]) {
      assert.ok(existsSync(join(root, file)), `${file} exists`);
    }
    assert.ok(distIsFresh(), 'dist/ is at least as new as src/');
    assert.match(readFileSync(join(root, pkg.exports['.']!.types), 'utf-8'), /saveSafetensors/);
    const nodeTypes = readFileSync(join(root, pkg.exports['./node']!.types), 'utf-8');
    assert.match(nodeTypes, /saveFile/);
    assert.match(nodeTypes, /loadFile/);
    assert.ok(existsSync(join(root, 'dist/node/files.d.ts')));
  });

  void it('resolves convnet-ts and convnet-ts/node by name to dist/', () => {
    assert.equal(import.meta.resolve(pkg.name), pathToFileURL(join(root, pkg.exports['.']!.import)).href);
    assert.equal(
      import.meta.resolve(`${pkg.name}/node`),
      pathToFileURL(join(root, pkg.exports['./node']!.import)).href,
    );
    assert.throws(() => import.meta.resolve(`${pkg.name}/src/tensor.js`), {
      code: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  });

  void it('gives working modules that share one Tensor class', () => {
    const x = core.tensor([[1, 2]]);
    assert.deepEqual(x.matmul(core.tensor([[3], [4]])).toArray(), [[11]]);
    assert.equal(typeof node.saveFile, 'function');
    assert.equal(typeof node.loadFile, 'function');
    assert.equal(node.saveSafetensors, core.saveSafetensors);
    const { tensors } = node.loadSafetensors(core.saveSafetensors({ x }));
    assert.ok(tensors.x instanceof core.Tensor);
  });
});
