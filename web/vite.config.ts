/**
 * The playground's build (`npm run web:build`, into web/dist/, servable by any static host from any path)
 * and its local server (`npm run web`, the built site with the cross-origin isolation headers that the
 * wasm backend's threads need). The page imports the library by its package name, resolved here to the
 * package's published "." entry point (dist/index.js, built by `npm run build`), as a user's bundler would.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The headers that make a page cross-origin isolated, so it may share memory with its workers. */
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

/** This folder. */
export const WEB_ROOT = fileURLToPath(new URL('.', import.meta.url));

const packageRoot = new URL('..', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as {
  name: string;
  exports: { '.': { import: string } };
};

export default defineConfig({
  root: WEB_ROOT,
  base: './',
  resolve: {
    alias: { [manifest.name]: fileURLToPath(new URL(manifest.exports['.'].import, packageRoot)) },
  },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4096 },
  worker: { format: 'es' },
  server: { headers: ISOLATION_HEADERS },
  preview: { headers: ISOLATION_HEADERS },
});
