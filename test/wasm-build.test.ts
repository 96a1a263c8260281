/**
 * The committed WebAssembly module is the build of the committed C source: `scripts/build-wasm.sh` rebuilds
 * it into a temporary file, which must equal `src/backends/wasm/kernels.generated.ts` byte for byte. Needs
 * the clang version the script expects, with wasm-ld; without them the rebuild is skipped, saying why.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'scripts', 'build-wasm.sh');
const generated = join(root, 'src', 'backends', 'wasm', 'kernels.generated.ts');

/** The clang version the build script pins. */
const expectedClang = /^expected_clang='([^']+)'$/m.exec(readFileSync(script, 'utf-8'))?.[1];

/** Why the rebuild cannot run here, or null when it can. */
function missingToolchain(): string | null {
  let version: string;
  try {
    version = execFileSync('clang-16', ['-dumpversion'], { encoding: 'utf-8' }).trim();
  } catch {
    return 'clang-16 is not installed (apt-get install -y clang-16 lld-16)';
  }
  if (version !== expectedClang) {
    return `clang ${version} is installed, but the committed module was built with clang ${expectedClang}`;
  }
  try {
    execFileSync('wasm-ld-16', ['--version'], { encoding: 'utf-8' });
  } catch {
    return 'wasm-ld-16 is not installed (apt-get install -y lld-16)';
  }
  return null;
}

void describe('the committed WebAssembly module', () => {
  void it('names the compiler the build script expects', () => {
    assert.ok(expectedClang !== undefined, 'scripts/build-wasm.sh sets expected_clang');
    assert.match(
      readFileSync(generated, 'utf-8'),
      new RegExp(`with clang ${expectedClang}\\. Do not edit\\.`),
    );
  });

  const missing = missingToolchain();
  void it(
    'is what scripts/build-wasm.sh builds from the C sources in src/backends/wasm',
    { skip: missing ?? false },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'convnet-wasm-build-'));
      try {
        const rebuilt = join(dir, 'kernels.generated.ts');
        execFileSync('bash', [script, rebuilt], { stdio: 'pipe' });
        assert.ok(
          readFileSync(rebuilt).equals(readFileSync(generated)),
          'src/backends/wasm/kernels.generated.ts is stale: run npm run build:wasm and commit the result',
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
