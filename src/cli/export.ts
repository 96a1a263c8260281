/**
 * `convnet export CHECKPOINT --pytorch DIR | --onnx FILE`: a checkpoint as a PyTorch project (the model
 * as `torch.nn.Sequential`, its weights, and a DistributedDataParallel training script for torchrun), or
 * as an ONNX model for ONNX Runtime and other runtimes.
 */
import type { Command } from 'commander';
import { ConvnetError } from '../errors.js';
import { exportOnnx } from '../interop/onnx-export.js';
import { writePytorchProject } from '../node/interop/pytorch-files.js';
import type { CliIo } from './io.js';
import { CliError, println } from './io.js';
import { readCheckpoint } from './shared.js';
import { writeFileAtomic } from '../node/files.js';

/** The options of `convnet export`, as parsed. */
export interface ExportOptions {
  pytorch?: string;
  onnx?: string;
  softmax?: boolean;
}

/** Adds `convnet export` to `program`. */
export function registerExport(program: Command, io: CliIo): void {
  program
    .command('export')
    .description('a checkpoint as a PyTorch project (for torchrun / a cluster) or as an ONNX model')
    .argument('<checkpoint>', 'checkpoint written by convnet train or convnet import')
    .option('--pytorch <dir>', 'write model.py, weights.safetensors, train_ddp.py and README.txt into DIR')
    .option('--onnx <file>', 'write an ONNX model (opset 13, dynamic batch size)')
    .option('--softmax', 'ONNX: end the graph with Softmax, so it outputs probabilities instead of logits')
    .action((checkpoint: string, options: ExportOptions) => {
      exportCommand(checkpoint, options, io);
    });
}

/** Runs `convnet export` on `checkpointPath` with parsed `options`, writing to `io`. */
export function exportCommand(checkpointPath: string, options: ExportOptions, io: CliIo): void {
  if (options.pytorch === undefined && options.onnx === undefined) {
    throw new CliError('', 'give --pytorch DIR, --onnx FILE, or both');
  }
  if (options.softmax === true && options.onnx === undefined) {
    throw new CliError('--softmax', 'only applies to --onnx');
  }
  const checkpoint = readCheckpoint(checkpointPath, 'checkpoint');
  if (options.pytorch !== undefined) {
    const written = wrap('--pytorch', () => writePytorchProject(checkpoint, options.pytorch!));
    println(io.stdout, `wrote ${written.join(', ')}`);
    println(
      io.stdout,
      `next: cd ${options.pytorch} && torchrun --standalone --nproc_per_node 2 train_ddp.py --data DIR --out trained.safetensors (see README.txt there)`,
    );
  }
  if (options.onnx !== undefined) {
    const onnx = wrap('--onnx', () => exportOnnx(checkpoint, { softmax: options.softmax === true }));
    wrap('--onnx', () => {
      writeFileAtomic(options.onnx!, onnx.bytes, 'export');
    });
    println(
      io.stdout,
      `wrote ${options.onnx} (ONNX opset ${onnx.opset}, ${onnx.nodeCount} nodes): input "${onnx.inputName}" [batch, ${checkpoint.inputShape.join(', ')}], output "${onnx.outputName}" [batch, ${checkpoint.classes.length}]`,
    );
    println(
      io.stdout,
      `inputs are images in [0, 1] normalised with mean ${JSON.stringify(checkpoint.preprocessing.mean)} and std ${JSON.stringify(checkpoint.preprocessing.std)} (also in the model's metadata)`,
    );
  }
}

/** `fn()`, with a library error turned into one naming `option`. */
function wrap<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ConvnetError) throw new CliError(option, error.message);
    throw error;
  }
}
