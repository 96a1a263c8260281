/**
 * The `convnet` command line: `train`, `eval`, `predict`, `summary`, `data download`, `filter`, `signal` and `viz`, each with
 * `--help`. {@link run} parses arguments and runs a command in-process, returning the exit code; every
 * failure becomes one line on stderr (`error: …`) and a non-zero code, never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { CliIo } from './io.js';
import { CliExit } from './io.js';
import { registerData } from './data.js';
import { registerEval } from './eval.js';
import { registerExport } from './export.js';
import { registerImport } from './import.js';
import { registerFilter } from './filter.js';
import { registerPredict } from './predict.js';
import { registerSignal } from './signal.js';
import { registerSummary } from './summary.js';
import { registerTrain } from './train.js';
import { registerViz } from './viz.js';

/** The package's version, read from its package.json (two folders up from src/cli or dist/cli). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** The `convnet` program, writing to `io`; parse errors throw instead of exiting. */
export function createProgram(io: CliIo): Command {
  const program = new Command('convnet')
    .description('Train, evaluate and run convolutional networks (convnet-ts).')
    .version(packageVersion())
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Commander puts its "(Did you mean …?)" hint on a second line; errors stay on one.
      outputError: (text, write) => {
        write(`${text.trimEnd().replace(/\s*\n\s*/g, ' ')}\n`);
      },
    });
  registerTrain(program, io);
  registerEval(program, io);
  registerPredict(program, io);
  registerSummary(program, io);
  registerData(program, io);
  registerFilter(program, io);
  registerSignal(program, io);
  registerViz(program, io);
  registerExport(program, io);
  registerImport(program, io);
  return program;
}

/**
 * Runs the command line `argv` (the arguments after the program name) and returns the exit code: 0 on
 * success (and for `--help`/`--version`), non-zero after printing one `error: …` line to `io.stderr`.
 *
 * @example
 * process.exitCode = await run(['eval', 'model.safetensors', '--data', 'data/fashion-mnist'], processIo());
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CliExit) return error.code;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`error: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
}
