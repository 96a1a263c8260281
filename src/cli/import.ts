/**
 * `convnet import FILE --out CHECKPOINT`: a model from elsewhere as a convnet-ts checkpoint. FILE is an
 * ONNX model (`.onnx`) or a safetensors file of weights for the `torch.nn.Sequential` equivalent to
 * `--model` (a built-in name or an architecture JSON file); a file written by `convnet export --pytorch`'s
 * `train_ddp.py` carries its architecture, classes and normalisation, so needs no `--model`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { Checkpoint } from '../checkpoint/model.js';
import { ConvnetError } from '../errors.js';
import { outputsOf } from '../interop/safetensors-import.js';
import { isModelName } from '../models/named.js';
import { saveCheckpointFile } from '../node/checkpoint-files.js';
import { isFile } from '../node/data/files.js';
import { loadFile } from '../node/files.js';
import { importOnnxFile, importWeightsFile } from '../node/interop/import-files.js';
import type { CliIo } from './io.js';
import { CliError, println } from './io.js';
import { sampleShape } from './options.js';
import type { ReadLimitOptions } from '../serialization/limits.js';
import { LIMIT_HELP, parseLimit, resolveModel } from './shared.js';

/** The options of `convnet import`, as parsed. */
export interface ImportOptions {
  out: string;
  model?: string;
  inputShape?: [number, number, number];
  classes?: string;
  mean?: number[];
  std?: number[];
  limit?: ReadLimitOptions;
}

/** A comma-separated list of finite numbers. */
function numberList(text: string): number[] {
  const values = text.split(',').map((p) => Number(p.trim()));
  if (values.length === 0 || !values.every((v) => Number.isFinite(v)) || text.trim() === '') {
    throw new InvalidArgumentError('expected numbers separated by commas, such as 0.5,0.5,0.5');
  }
  return values;
}

/** Adds `convnet import` to `program`. */
export function registerImport(program: Command, io: CliIo): void {
  program
    .command('import')
    .description('an ONNX model or PyTorch safetensors weights as a convnet-ts checkpoint')
    .argument('<file>', 'an .onnx model, or a .safetensors file of weights')
    .requiredOption('--out <file>', 'the checkpoint to write')
    .option('--model <name|file>', 'safetensors: bench-cnn, lenet5, seed-cnn, or an architecture JSON file')
    .option(
      '--input-shape <C,H,W>',
      "safetensors: input shape (default: the file's, else 1,28,28)",
      sampleShape,
    )
    .option('--classes <names|file>', 'class names, comma-separated or one per line in a file')
    .option('--mean <list>', 'per-channel mean the inputs are normalised with', numberList)
    .option('--std <list>', 'per-channel standard deviation the inputs are normalised with', numberList)
    .option('--limit <name=value>', `${LIMIT_HELP}; for ONNX, maxElements caps each tensor`, parseLimit)
    .action((file: string, options: ImportOptions) => {
      importCommand(file, options, io);
    });
}

/** The class names of `--classes`: a file of names, one per line, or a comma-separated list. */
function classNames(option: string): string[] {
  const names = isFile(option)
    ? readFileSync(option, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '')
    : option.split(',').map((c) => c.trim());
  if (names.length === 0 || names.some((n) => n === ''))
    throw new CliError('--classes', 'expected class names');
  return names;
}

/** Runs `convnet import` on `file` with parsed `options`, writing to `io`. */
export function importCommand(file: string, options: ImportOptions, io: CliIo): void {
  if ((options.mean === undefined) !== (options.std === undefined)) {
    throw new CliError(options.mean === undefined ? '--std' : '--mean', 'give both --mean and --std');
  }
  const classes = options.classes === undefined ? undefined : classNames(options.classes);
  const preprocessing = options.mean === undefined ? undefined : { mean: options.mean, std: options.std! };
  let checkpoint: Checkpoint;
  const notes: string[] = [];
  try {
    if (file.toLowerCase().endsWith('.onnx')) {
      if (options.model !== undefined || options.inputShape !== undefined) {
        throw new CliError(
          options.model !== undefined ? '--model' : '--input-shape',
          'only applies to safetensors weights; an ONNX file has its own',
        );
      }
      const maxElements = options.limit?.maxElements;
      const imported = importOnnxFile(
        file,
        maxElements === undefined ? {} : { maxTensorElements: maxElements },
      );
      if (imported.droppedSoftmax) {
        notes.push(
          'the graph ended with Softmax, which is left out: the checkpoint outputs logits (convnet predict applies softmax)',
        );
      }
      checkpoint = { ...imported, ...(classes && { classes }), ...(preprocessing && { preprocessing }) };
    } else {
      let architecture;
      if (options.model !== undefined) {
        const choice = resolveModel(options.model, options.limit);
        const outputs =
          classes?.length ??
          (isModelName(options.model)
            ? outputsOf(loadFile(file, { limits: options.limit }).tensors)
            : undefined);
        architecture = choice.architecture(outputs ?? 10);
      }
      checkpoint = importWeightsFile(file, {
        ...(architecture && { architecture }),
        ...(options.inputShape && { inputShape: options.inputShape }),
        ...(classes && { classes }),
        ...(preprocessing && { preprocessing }),
        limits: options.limit,
      });
    }
    saveCheckpointFile(options.out, checkpoint.model, checkpoint);
  } catch (error) {
    if (error instanceof ConvnetError) throw new CliError('', error.message);
    throw error;
  }
  const layers = checkpoint.architecture.layers.map((l) => l.type);
  println(
    io.stdout,
    `imported ${file}: ${checkpoint.architecture.name ?? 'model'}, ${layers.length} layers (${layers.join(', ')}), input ${checkpoint.inputShape.join('×')}, ${checkpoint.classes.length} classes`,
  );
  for (const note of notes) println(io.stdout, `note: ${note}`);
  println(io.stdout, `wrote ${options.out}`);
}
