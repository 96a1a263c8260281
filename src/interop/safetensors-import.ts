/**
 * Weights from elsewhere into a convnet-ts checkpoint: a safetensors file written by PyTorch (or by the
 * project `convnet export --pytorch` makes) for the `torch.nn.Sequential` equivalent to an architecture,
 * with the same dotted keys (`0.weight`, `3.running_mean`, …) and layouts. What the file's metadata says
 * (a convnet-ts checkpoint's `architecture`, `classes`, `input_shape`, `preprocessing`) is used where the
 * caller gives nothing else.
 */
import type { Checkpoint, Preprocessing } from '../checkpoint/model.js';
import { ConvnetError } from '../errors.js';
import type { Architecture } from '../models/architecture.js';
import { buildModel } from '../models/architecture.js';
import { defaultGenerator } from '../random.js';
import { parseJson } from '../serialization/json.js';
import type { ReadLimits, ReadOptions } from '../serialization/limits.js';
import { resolveLimits } from '../serialization/limits.js';
import type { SafetensorsContents } from '../serialization/safetensors.js';
import { formatShape } from '../shape.js';
import { InteropError, bounded, quote } from './errors.js';

/**
 * What {@link checkpointFromWeights} is told, each overriding the file's own metadata, and the read
 * limits (`maxJsonDepth` for the metadata, the model-size limits for the architecture) to raise.
 */
export interface WeightsImportOptions extends ReadOptions {
  /** The architecture the weights are for (else the file's `architecture` metadata). */
  architecture?: Architecture;
  /** One sample's shape `[C, H, W]` (else the file's `input_shape`, else `[1, 28, 28]`). */
  inputShape?: readonly number[];
  /** Class names by label (else the file's `classes`, else `'0'`, `'1'`, … one per output). */
  classes?: readonly string[];
  /** The normalisation inputs get (else the file's `preprocessing`, else mean 0 and std 1). */
  preprocessing?: Preprocessing;
}

const OP = 'importWeights';

/** A metadata entry parsed as JSON (nested at most `limits.maxJsonDepth` deep), or `undefined` when absent. */
function metadataJson(
  metadata: Readonly<Record<string, string>>,
  key: string,
  name: string,
  limits: ReadLimits,
): unknown {
  const text = metadata[key];
  if (text === undefined) return undefined;
  return parseJson(text, limits, (detail) => {
    throw new InteropError(OP, name, bounded(`metadata ${quote(key)} ${detail}`));
  });
}

/**
 * The number of outputs of the weights' last layer: rows of the weight (or length of the bias) with the
 * highest layer index, for sizing a built-in architecture to the file.
 *
 * @example
 * outputsOf(loadSafetensors(bytes).tensors)   // 10 for a bench-cnn state dict
 */
export function outputsOf(
  tensors: Readonly<Record<string, { readonly shape: readonly number[] }>>,
): number | undefined {
  let best: { index: number; rows: number } | undefined;
  for (const [key, t] of Object.entries(tensors)) {
    const match = /^(\d+)\.(weight|bias)$/.exec(key);
    if (match === null || t.shape.length === 0) continue;
    const index = Number(match[1]);
    if (best === undefined || index > best.index) best = { index, rows: t.shape[0]! };
  }
  return best?.rows;
}

/**
 * A checkpoint (model with the file's weights, and its info) from a safetensors file's contents. The
 * architecture is built for the input shape and must have exactly the file's keys and shapes.
 *
 * @throws {InteropError} naming the file if no architecture is known, or the weights do not fit it
 *
 * @example
 * const ckpt = checkpointFromWeights(loadSafetensors(bytes), 'weights.safetensors', {
 *   architecture: models.namedArchitecture('lenet5', 10), inputShape: [1, 28, 28],
 * });
 */
export function checkpointFromWeights(
  contents: SafetensorsContents,
  name: string,
  options: WeightsImportOptions = {},
): Checkpoint {
  const { tensors, metadata } = contents;
  const limits = resolveLimits(options.limits, OP);
  const architecture =
    options.architecture ??
    (metadataJson(metadata, 'architecture', name, limits) as Architecture | undefined);
  if (architecture === undefined) {
    throw new InteropError(
      OP,
      name,
      'the file does not say its architecture (no "architecture" metadata): give the architecture it was written from',
    );
  }
  const inputShape = options.inputShape ??
    (metadataJson(metadata, 'input_shape', name, limits) as number[] | undefined) ?? [1, 28, 28];
  const state = defaultGenerator.getState();
  let built;
  try {
    built = buildModel(architecture, inputShape, { limits });
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    throw new InteropError(
      OP,
      name,
      bounded(`the architecture does not fit input ${formatShape(inputShape)}: ${error.message}`),
    );
  } finally {
    defaultGenerator.setState(state);
  }
  try {
    built.model.loadStateDict(tensors);
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    throw new InteropError(OP, name, bounded(`the weights do not fit the architecture: ${error.message}`));
  }
  const outputs = built.outputShape.reduce((a, b) => a * b, 1);
  const classes =
    options.classes ??
    (metadataJson(metadata, 'classes', name, limits) as string[] | undefined) ??
    Array.from({ length: outputs }, (_, i) => String(i));
  const channels = inputShape[0]!;
  const preprocessing = options.preprocessing ??
    (metadataJson(metadata, 'preprocessing', name, limits) as Preprocessing | undefined) ?? {
      mean: new Array<number>(channels).fill(0),
      std: new Array<number>(channels).fill(1),
    };
  return { model: built.model, architecture: built.architecture, classes, inputShape, preprocessing };
}
