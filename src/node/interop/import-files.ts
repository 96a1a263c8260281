/**
 * Models from other frameworks' files: an ONNX model (`interop.importOnnx`) or a safetensors file of
 * weights (`interop.checkpointFromWeights`), read from disk with the file's size checked before it is read.
 */
import { readFileSync, statSync } from 'node:fs';
import { ConvnetError } from '../../errors.js';
import { InteropError } from '../../interop/errors.js';
import type { OnnxImport, OnnxLimits } from '../../interop/onnx-import.js';
import { importOnnx } from '../../interop/onnx-import.js';
import type { WeightsImportOptions } from '../../interop/safetensors-import.js';
import { checkpointFromWeights } from '../../interop/safetensors-import.js';
import type { Checkpoint } from '../../checkpoint/model.js';
import { loadFile } from '../files.js';

const DEFAULT_MAX_BYTES = 512 * 2 ** 20;

/** The bytes at `path`, refusing a file over `maxBytes` before reading it. */
function readBounded(path: string, maxBytes: number, op: string): Uint8Array {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    throw new InteropError(
      op,
      path,
      `cannot read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (size > maxBytes) {
    throw new InteropError(
      op,
      path,
      `the file is ${size} bytes, more than the ${maxBytes}-byte limit (raise maxBytes to read it)`,
    );
  }
  return readFileSync(path);
}

/**
 * Reads the ONNX model at `path` as a checkpoint (see `interop.importOnnx`).
 *
 * @example
 * const { model, droppedSoftmax } = importOnnxFile('model.onnx');
 */
export function importOnnxFile(path: string, limits: OnnxLimits = {}): OnnxImport {
  return importOnnx(readBounded(path, limits.maxBytes ?? DEFAULT_MAX_BYTES, 'importOnnxFile'), path, limits);
}

/**
 * Reads the safetensors weights at `path` into a checkpoint of the architecture in `options` (or in the
 * file's metadata), see `interop.checkpointFromWeights`; `options.limits` raises the read limits of the
 * file and of its metadata.
 *
 * @example
 * const ckpt = importWeightsFile('weights.safetensors', { architecture, inputShape: [1, 28, 28] });
 */
export function importWeightsFile(path: string, options: WeightsImportOptions = {}): Checkpoint {
  let contents;
  try {
    contents = loadFile(path, { limits: options.limits });
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    throw new InteropError('importWeightsFile', path, error.message);
  }
  return checkpointFromWeights(contents, path, options);
}
