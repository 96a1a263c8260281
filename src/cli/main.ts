#!/usr/bin/env node
/**
 * The `convnet` executable (package.json `bin`): runs the command line on the process's arguments.
 */
import { processIo } from './io.js';
import { run } from './program.js';

// A reader that stops early (`convnet eval … | head`) closes the pipe; that ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await run(process.argv.slice(2), processIo());
