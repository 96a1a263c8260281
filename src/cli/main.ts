#!/usr/bin/env node
/**
 * The `convnet` executable (package.json `bin`): runs the command line on the process's arguments, with the
 * wasm backend's kernels on every core (Node worker threads) and, on Node 20, relaxed SIMD turned on.
 */
import { setFlagsFromString } from 'node:v8';
import { installNodeThreads } from '../node/wasm-threads.js';
import { processIo } from './io.js';
import { run } from './program.js';

// Node 20's V8 validates relaxed SIMD (fused multiply-add) only behind this flag (Node 22 ships it). Set
// here, before any module is compiled, it takes effect: the wasm backend then loads its relaxed build.
setFlagsFromString('--experimental-wasm-relaxed-simd');
installNodeThreads();

// A reader that stops early (`convnet eval … | head`) closes the pipe; that ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await run(process.argv.slice(2), processIo());
