/**
 * `convnet signal [-o signal.png]`: the seed's three 1-D demonstrations of convolution (two short arrays,
 * a piecewise-linear function smoothed by a Gaussian and sharpened by a Laplacian of Gaussian) drawn as one
 * figure, or — with `--signal` and `--kernel` — the convolution of the user's own arrays. The numbers of the
 * discrete convolution go to stdout.
 */
import type { Command } from 'commander';
import { ConvnetError, SerializationError } from '../errors.js';
import { describeFsError } from '../node/data/files.js';
import { plotFormat, writeSignalPlot } from '../node/vision/signal-plot.js';
import { convolutionDemo, signalDemos } from '../vision/signals.js';
import type { SignalDemo, SignalMode } from '../vision/signals.js';
import type { CliIo } from './io.js';
import { CliError, println } from './io.js';
import { DEFAULT_BACKEND, useBackend } from './shared.js';

/** The options of `convnet signal`, as parsed. */
export interface SignalOptions {
  out: string;
  signal?: string;
  kernel?: string;
  mode?: string;
  correlate?: boolean;
  backend?: string;
}

const MODES: readonly string[] = ['full', 'same', 'valid'];

/** Adds `convnet signal` to `program`. */
export function registerSignal(program: Command, io: CliIo): void {
  program
    .command('signal')
    .description(
      "plot 1-D convolutions: the seed's three demonstrations, or --signal convolved with --kernel",
    )
    .option('-o, --out <file>', 'figure to write, .png or .svg', 'signal.png')
    .option('--signal <values>', 'your own signal: numbers separated by commas, e.g. "1,2,3,4"')
    .option('--kernel <values>', 'your own kernel: numbers separated by commas, e.g. "0.25,0.5,0.25"')
    .option('--mode <mode>', "numpy's mode for --signal/--kernel: full, same or valid (default: full)")
    .option('--correlate', 'correlate (np.correlate, kernel not flipped) instead of convolving')
    .option('--backend <name>', `compute backend (default: ${DEFAULT_BACKEND})`)
    .action(async (options: SignalOptions) => {
      await signalCommand(options, io);
    });
}

/** Runs `convnet signal` with parsed `options`, writing to `io`. */
export async function signalCommand(options: SignalOptions, io: CliIo): Promise<void> {
  plotFormatOf(options.out);
  useBackend(options.backend ?? DEFAULT_BACKEND);
  const demos = chooseDemos(options);
  try {
    await writeSignalPlot(options.out, demos);
  } catch (error) {
    if (!(error instanceof SerializationError)) throw error;
    throw new CliError('--out', `cannot write ${options.out}: ${describeFsError(error.cause)}`);
  }
  for (const demo of demos.filter((d) => d.style === 'bar')) {
    const name = demo.operation === 'correlate' ? 'np.correlate' : 'np.convolve';
    println(
      io.stdout,
      `${name}(${formatValues(demo.input.values)}, ${formatValues(demo.kernel.values)}, '${demo.mode}')`,
    );
    println(io.stdout, `  = ${formatValues(demo.result.values)}`);
  }
  for (const demo of demos.filter((d) => d.style === 'line')) {
    println(
      io.stdout,
      `${demo.title}: ${demo.result.values.length} values${demo.note === null ? '' : ` (${demo.note})`}`,
    );
    if (demos.length === 1) println(io.stdout, `  = ${formatValues(demo.result.values)}`);
  }
  println(io.stdout, `wrote ${options.out}`);
}

/** Fails unless `--out` ends in .png or .svg. */
function plotFormatOf(out: string): void {
  try {
    plotFormat(out, 'convnet signal');
  } catch (error) {
    if (error instanceof ConvnetError) {
      throw new CliError('--out', `expected a .png or .svg file name, got ${JSON.stringify(out)}`);
    }
    throw error;
  }
}

/** The seed's demonstrations, or the one of the user's `--signal` and `--kernel`. */
function chooseDemos(options: SignalOptions): SignalDemo[] {
  const own = options.signal !== undefined || options.kernel !== undefined;
  if (!own) {
    if (options.mode !== undefined || options.correlate === true) {
      const option = options.mode !== undefined ? '--mode' : '--correlate';
      throw new CliError(option, 'applies to your own arrays: give --signal and --kernel too');
    }
    return signalDemos();
  }
  if (options.signal === undefined) throw new CliError('--signal', 'is required with --kernel');
  if (options.kernel === undefined) throw new CliError('--kernel', 'is required with --signal');
  const signal = parseValues(options.signal, '--signal');
  const kernel = parseValues(options.kernel, '--kernel');
  const mode = options.mode ?? 'full';
  if (!MODES.includes(mode)) {
    throw new CliError('--mode', `expected full, same or valid, got ${JSON.stringify(mode)}`);
  }
  return [
    convolutionDemo(signal, kernel, { mode: mode as SignalMode, correlate: options.correlate === true }),
  ];
}

/** The finite numbers of a list such as `"1, 2.5,-3"` (commas and/or spaces between them). */
function parseValues(text: string, option: string): number[] {
  const items = text.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 0) throw new CliError(option, 'expected numbers separated by commas, got nothing');
  return items.map((item, i) => {
    const value = Number(item);
    if (!Number.isFinite(value)) {
      throw new CliError(
        option,
        `expected numbers separated by commas, got ${JSON.stringify(item)} at position ${i + 1}`,
      );
    }
    return value;
  });
}

/** Numbers as `[a, b, …]`, each to 10 significant digits without float noise (0.3, not 0.30000000000000004). */
function formatValues(values: readonly number[]): string {
  return `[${values.map((v) => String(Number(v.toPrecision(10)))).join(', ')}]`;
}
