/**
 * `convnet summary CHECKPOINT | --model NAME`: a model's layers with their output shapes and parameter
 * counts, and for a checkpoint also its classes, input shape and normalisation.
 */
import type { Command } from 'commander';
import { buildModel } from '../models/architecture.js';
import { isModelName } from '../models/named.js';
import { ConvnetError } from '../errors.js';
import type { CliIo } from './io.js';
import { CliError, println } from './io.js';
import { positiveInteger, sampleShape } from './options.js';
import type { ReadLimitOptions } from '../serialization/limits.js';
import { LIMIT_HELP, parseLimit, readCheckpoint, resolveModel } from './shared.js';

/** The options of `convnet summary`, as parsed. */
export interface SummaryOptions {
  model?: string;
  inputShape?: [number, number, number];
  classes?: number;
  limit?: ReadLimitOptions;
}

/** Adds `convnet summary` to `program`. */
export function registerSummary(program: Command, io: CliIo): void {
  program
    .command('summary')
    .description("a model's layers, output shapes and parameter counts, from a checkpoint or by name")
    .argument('[checkpoint]', 'checkpoint written by convnet train')
    .option(
      '--model <name|file>',
      'bench-cnn, lenet5, seed-cnn, or an architecture JSON file (instead of a checkpoint)',
    )
    .option('--input-shape <C,H,W>', 'input shape for --model (default: 1,28,28)', sampleShape)
    .option('--classes <n>', 'number of classes for --model (default: 10)', positiveInteger)
    .option('--limit <name=value>', LIMIT_HELP, parseLimit)
    .action((checkpoint: string | undefined, options: SummaryOptions) => {
      summaryCommand(checkpoint, options, io);
    });
}

/** Runs `convnet summary` for a checkpoint path or `options.model`, writing to `io`. */
export function summaryCommand(checkpointPath: string | undefined, options: SummaryOptions, io: CliIo): void {
  if ((checkpointPath === undefined) === (options.model === undefined)) {
    throw new CliError('', 'give either a checkpoint or --model NAME, not both or neither');
  }
  if (checkpointPath !== undefined) {
    if (options.inputShape !== undefined || options.classes !== undefined) {
      throw new CliError(
        options.inputShape !== undefined ? '--input-shape' : '--classes',
        'only applies to --model; a checkpoint has its own',
      );
    }
    const { model, architecture, classes, inputShape, preprocessing } = readCheckpoint(
      checkpointPath,
      'checkpoint',
      options.limit,
    );
    println(io.stdout, `${checkpointPath}: ${architecture.name ?? 'model'}`);
    println(io.stdout, `classes (${classes.length}): ${classes.join(', ')}`);
    println(
      io.stdout,
      `input: ${inputShape.join('×')}, normalised with mean ${JSON.stringify(preprocessing.mean)} and std ${JSON.stringify(preprocessing.std)}`,
    );
    println(io.stdout);
    println(io.stdout, String(model.summary([1, ...inputShape])));
    return;
  }
  const inputShape = options.inputShape ?? [1, 28, 28];
  const choice = resolveModel(options.model!, options.limit);
  if (options.classes !== undefined && !isModelName(options.model)) {
    throw new CliError(
      '--classes',
      'only applies to a built-in model; an architecture file sets its own outputs',
    );
  }
  const label = choice.label;
  let built;
  try {
    built = buildModel(choice.architecture(options.classes ?? 10), inputShape, { limits: options.limit });
  } catch (error) {
    if (error instanceof ConvnetError) {
      throw new CliError('--model', `${label} does not fit input ${inputShape.join('×')}: ${error.message}`);
    }
    throw error;
  }
  println(io.stdout, `${label} for input ${inputShape.join('×')}`);
  println(io.stdout);
  println(io.stdout, String(built.model.summary([1, ...inputShape])));
}
