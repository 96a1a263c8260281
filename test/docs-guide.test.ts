/**
 * The guide cannot drift from the code: every page of docs/guide/ is run (its ```ts blocks in order, as one
 * program importing `convnet-ts` and `convnet-ts/node` by name, mapped to src/), each block's printed output
 * must be the ```text block the page shows under it, the pictures a page writes must be the ones committed
 * beside it, the programs must type-check, and the index must link every chapter.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeImage } from '../src/vision/index.js';
import { guideBlocks, guideProgram, splitOutput } from './helpers/guide-pages.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const guide = join(root, 'docs', 'guide');
const pages = readdirSync(guide)
  .filter((name) => /^\d\d-.+\.md$/.test(name))
  .sort();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env, maxBuffer: 1 << 26, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
        stdout,
        stderr,
      });
    });
  });
}

/**
 * A scratch folder where the pages run as a user's project would: `convnet-ts` resolves to the source, the
 * shipped data is at `data/`, and the pictures a page writes land in a fresh `docs/guide/images/`.
 */
function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'convnet-guide-'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const tsconfig = {
    extends: join(root, 'tsconfig.json'),
    compilerOptions: {
      baseUrl: root,
      paths: { 'convnet-ts': ['src/index.ts'], 'convnet-ts/node': ['src/node/index.ts'] },
      typeRoots: [join(root, 'node_modules', '@types')],
    },
    include: ['*.ts'],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  symlinkSync(join(root, 'data'), join(dir, 'data'));
  mkdirSync(join(dir, 'docs', 'guide', 'images'), { recursive: true });
  return dir;
}

void describe('the guide (docs/guide)', () => {
  let dir: string;
  /** The type check of every page's program, started first so that it runs beside the pages. */
  let typecheck: Promise<Run>;
  /** Each page's run, started up front two at a time: most of a page's time is starting tsx. */
  const runs = new Map<string, Promise<Run>>();
  before(() => {
    dir = sandbox();
    for (const page of pages) {
      const blocks = guideBlocks(readFileSync(join(guide, page), 'utf-8'));
      writeFileSync(join(dir, page.replace(/\.md$/, '.ts')), guideProgram(blocks));
    }
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    typecheck = run(process.execPath, [tsc, '-p', 'tsconfig.json', '--noEmit'], dir, process.env);
    const loader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const env = { ...process.env, TSX_TSCONFIG_PATH: join(dir, 'tsconfig.json') };
    const lanes: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
    pages.forEach((page, i) => {
      const started = lanes[i % 2]!.then(() =>
        run(process.execPath, ['--import', loader, page.replace(/\.md$/, '.ts')], dir, env),
      );
      runs.set(page, started);
      lanes[i % 2] = started;
    });
  });

  after(async () => {
    await Promise.allSettled([typecheck, ...runs.values()]);
    rmSync(dir, { recursive: true, force: true });
  });

  void it('has chapters, each linked from the index, and every relative link of every page resolves', () => {
    assert.ok(pages.length > 0, 'no chapters in docs/guide');
    const index = readFileSync(join(guide, 'README.md'), 'utf-8');
    for (const page of pages) assert.ok(index.includes(`(${page})`), `README.md does not link ${page}`);
    for (const page of ['README.md', ...pages]) {
      const text = readFileSync(join(guide, page), 'utf-8');
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (!/^[a-z]+:/.test(target!)) assert.ok(existsSync(join(guide, target!)), `${page} links ${target}`);
      }
    }
  });

  for (const page of pages) {
    void it(`${page}: every block runs and prints what the page shows`, async () => {
      const blocks = guideBlocks(readFileSync(join(guide, page), 'utf-8'));
      const result = await runs.get(page)!;
      assert.equal(result.code, 0, `${page} failed:\n${result.stderr}`);
      const outputs = splitOutput(result.stdout, blocks.length);
      blocks.forEach((block, i) => {
        if (block.checked) {
          assert.equal(outputs[i], block.shown.replace(/\s+$/, ''), `${page}, block at line ${block.line}`);
        }
      });
    });
  }

  void it('the pictures the pages write are the ones committed in docs/guide/images', () => {
    for (const name of readdirSync(join(dir, 'docs', 'guide', 'images'))) {
      const committed = join(guide, 'images', name);
      assert.ok(existsSync(committed), `a page writes docs/guide/images/${name}, which is not committed`);
      const shown = decodeImage(readFileSync(committed)).image;
      const written = decodeImage(readFileSync(join(dir, 'docs', 'guide', 'images', name))).image;
      assert.deepEqual(written.shape, shown.shape, `docs/guide/images/${name}: size`);
      // One level of 255 allows for a last-bit difference of float32 arithmetic between machines.
      const worst = written.sub(shown).abs().max().item();
      assert.ok(
        worst <= 1 / 255 + 1e-6,
        `docs/guide/images/${name} differs by ${worst} from what the page writes`,
      );
    }
  });

  void it('the programs type-check against the library', async () => {
    const result = await typecheck;
    assert.equal(result.code, 0, `tsc:\n${result.stdout}${result.stderr}`);
  });
});
