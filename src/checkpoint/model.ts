/**
 * Model checkpoints: a safetensors file whose tensors are exactly the model's `stateDict()` (PyTorch-style
 * dotted names, so a `Sequential`'s keys are those of the equivalent `torch.nn.Sequential`) and whose
 * `__metadata__` says how to rebuild and feed the model:
 *
 * | key                  | value (a string, as safetensors metadata must be)                                 |
 * | -------------------- | --------------------------------------------------------------------------------- |
 * | `convnet_checkpoint` | the format version, `"1"`                                                         |
 * | `architecture`       | the architecture as JSON (docs/architecture-schema.md), every input size filled in |
 * | `classes`            | the class names by label, a JSON list of strings                                  |
 * | `input_shape`        | one sample's shape `[C, H, W]`, as JSON                                           |
 * | `preprocessing`      | `{"mean": [...], "std": [...]}`: the per-channel normalisation of the training data |
 *
 * Nothing in it depends on the time or the machine, so the same weights always give the same bytes.
 */
import { ConvnetError } from '../errors.js';
import type { Architecture } from '../models/architecture.js';
import { buildModel, parseArchitecture } from '../models/architecture.js';
import { estimateModel, modelLimitExceeded } from '../models/size.js';
import type { AnyModule } from '../nn/module.js';
import type { Sequential } from '../nn/sequential.js';
import { defaultGenerator } from '../random.js';
import type { SafetensorsContents } from '../serialization/safetensors.js';
import { loadSafetensors, saveSafetensors } from '../serialization/safetensors.js';
import { parseJson } from '../serialization/json.js';
import type { ReadLimits, ReadOptions } from '../serialization/limits.js';
import { DEFAULT_LIMITS, clip, resolveLimits } from '../serialization/limits.js';
import { formatShape, shapesEqual } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { CheckpointError, ModelSizeError } from './errors.js';

/** How inputs were prepared for the model in training: `(x − mean[c]) / std[c]` on pixels in [0, 1]. */
export interface Preprocessing {
  /** One mean per input channel. */
  readonly mean: readonly number[];
  /** One standard deviation per input channel, each > 0. */
  readonly std: readonly number[];
}

/** Everything a checkpoint stores besides the weights. */
export interface CheckpointInfo {
  /** The model's architecture; every input size filled in (as `buildModel` returns it) or inferable. */
  readonly architecture: Architecture;
  /** Class names by label; as many as the model has outputs. */
  readonly classes: readonly string[];
  /** One sample's shape `[C, H, W]`. */
  readonly inputShape: readonly number[];
  /** The normalisation the training inputs went through. */
  readonly preprocessing: Preprocessing;
}

/** A loaded checkpoint: the rebuilt model with its weights, and the rest of what was stored. */
export interface Checkpoint extends CheckpointInfo {
  /** The model, in training mode, with the stored weights. */
  readonly model: Sequential;
}

/** The format version this module writes and reads. */
export const CHECKPOINT_VERSION = '1';

const MARKER = 'convnet_checkpoint';

/**
 * How many more parameter values than the file holds an architecture may ask for and still be built (4 MiB
 * of float32, cheap), so the comparison after building can name the missing tensor.
 */
const UNBACKED_PARAMETERS = 2 ** 20;

/**
 * The bytes of a checkpoint of `model` (its `stateDict()`) with `info` as metadata. The model must be the
 * one `info.architecture` builds for `info.inputShape`: same keys, same shapes, one output per class.
 *
 * @throws {CheckpointError} if `info` is malformed or does not describe `model`
 *
 * @example
 * const { model, architecture } = models.buildModel(models.namedArchitecture('lenet5', 10), [1, 28, 28]);
 * const bytes = saveCheckpoint(model, {
 *   architecture, classes: data.FASHION_MNIST_CLASSES, inputShape: [1, 28, 28],
 *   preprocessing: { mean: [0.286], std: [0.353] },
 * });
 */
export function saveCheckpoint(model: AnyModule, info: CheckpointInfo): Uint8Array {
  const { tensors, metadata } = checkpointContents(model, info);
  return saveSafetensors(tensors, metadata);
}

/**
 * The tensors and metadata of a checkpoint, before they become bytes (what {@link saveCheckpoint} writes,
 * and what `convnet-ts/node` writes to a file).
 */
export function checkpointContents(model: AnyModule, info: CheckpointInfo): SafetensorsContents {
  const op = 'saveCheckpoint';
  if (model === null || typeof model !== 'object' || typeof model.stateDict !== 'function') {
    throw new CheckpointError(op, 'model', 'expected an nn.Module');
  }
  if (info === null || typeof info !== 'object') {
    throw new CheckpointError(op, 'info', 'expected { architecture, classes, inputShape, preprocessing }');
  }
  const { info: checked, model: reference } = readInfo(
    {
      architecture: JSON.stringify(info.architecture),
      classes: JSON.stringify(info.classes),
      input_shape: JSON.stringify(info.inputShape),
      preprocessing: JSON.stringify(info.preprocessing),
    },
    op,
    'info',
  );
  const tensors = model.stateDict();
  checkSameTensors(tensors, reference.stateDict(), op, 'model', 'the model');
  return {
    tensors,
    metadata: {
      [MARKER]: CHECKPOINT_VERSION,
      architecture: JSON.stringify(checked.architecture),
      classes: JSON.stringify(checked.classes),
      input_shape: JSON.stringify(checked.inputShape),
      preprocessing: JSON.stringify(checked.preprocessing),
    },
  };
}

/**
 * Reads a checkpoint's bytes: rebuilds the model from the stored architecture (without touching the
 * global random generator) and loads the weights into it. `name` (a file name, say) labels errors.
 *
 * A checkpoint from anywhere is safe to open: before the model is built, its size is computed from the
 * architecture alone and compared with the read limits (`maxParameters`, `maxActivationElements`,
 * `maxMultiplyAdds`, and the safetensors and JSON limits; raise any with `options.limits`) and with the
 * values the file's tensors actually hold, so metadata that claims a huge model fails in microseconds.
 *
 * @throws {ModelSizeError} if the architecture passes a limit
 * @throws {CheckpointError} if the bytes are not a safetensors file, lack the metadata of a convnet-ts
 * checkpoint or hold it malformed, or if the tensors do not match the architecture
 *
 * @example
 * const { model, classes, preprocessing } = loadCheckpoint(bytes, 'model.safetensors');
 */
export function loadCheckpoint(bytes: Uint8Array, name = 'checkpoint', options?: ReadOptions): Checkpoint {
  let contents: SafetensorsContents;
  try {
    contents = loadSafetensors(bytes, options);
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    throw new CheckpointError('loadCheckpoint', name, `not a safetensors file: ${error.message}`);
  }
  return checkpointFromContents(contents, name, options);
}

/** A checkpoint from a safetensors file's tensors and metadata, checked as {@link loadCheckpoint} does. */
export function checkpointFromContents(
  contents: SafetensorsContents,
  name: string,
  options?: ReadOptions,
): Checkpoint {
  const op = 'loadCheckpoint';
  const limits = resolveLimits(options?.limits, op);
  const { tensors, metadata } = contents;
  if (metadata[MARKER] === undefined) {
    throw new CheckpointError(
      op,
      name,
      `not a convnet-ts checkpoint: its metadata has no "${MARKER}" entry (a bare safetensors file holds only weights, without the architecture to rebuild)`,
    );
  }
  if (metadata[MARKER] !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      op,
      name,
      `checkpoint format version ${JSON.stringify(metadata[MARKER])} is not supported (this version reads ${CHECKPOINT_VERSION})`,
    );
  }
  const { info, model } = readInfo(metadata, op, name, limits, tensors);
  checkSameTensors(tensors, model.stateDict(), op, name, 'the checkpoint');
  model.loadStateDict(tensors);
  return { ...info, model };
}

/**
 * The checked info from metadata strings, with a model built from it (its weights freshly initialised);
 * every failure names the metadata key. When `stored` (the file's tensors) is given, the model's size is
 * first computed from the architecture and checked against the limits and against the values `stored`
 * holds, before anything is built.
 */
function readInfo(
  metadata: Readonly<Record<string, string>>,
  op: string,
  name: string,
  limits: ReadLimits = DEFAULT_LIMITS,
  stored?: Readonly<Record<string, Tensor>>,
): { info: CheckpointInfo; model: Sequential } {
  const fail = (key: string, detail: string): never => {
    throw new CheckpointError(op, name, `metadata "${key}": ${detail}`);
  };
  const json = (key: string): unknown => {
    const text = metadata[key];
    if (text === undefined) return fail(key, 'is missing');
    return parseJson(text, limits, (detail) => fail(key, detail));
  };
  const inputShape = json('input_shape');
  if (
    !Array.isArray(inputShape) ||
    inputShape.length !== 3 ||
    !inputShape.every((d) => Number.isInteger(d) && d >= 1)
  ) {
    fail('input_shape', `expected [C, H, W] of positive integers, got ${clip(JSON.stringify(inputShape))}`);
  }
  const shape = inputShape as number[];
  const architecture = json('architecture');
  if (stored !== undefined) checkSize(architecture, shape, stored, limits, op, name);
  let built;
  try {
    built = quietly(() => buildModel(architecture, shape, { limits }));
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    return fail('architecture', error.message);
  }
  const classes = json('classes');
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string')) {
    fail('classes', `expected a non-empty list of class names, got ${clip(JSON.stringify(classes))}`);
  }
  const names = classes as string[];
  if (!shapesEqual(built.outputShape, [names.length])) {
    fail(
      'classes',
      `${names.length} class names, but the model's output for one sample has shape ${formatShape(built.outputShape)}`,
    );
  }
  const preprocessing = json('preprocessing');
  const channels = shape[0]!;
  const stats = preprocessing as Record<string, unknown> | null;
  if (stats === null || typeof stats !== 'object' || Array.isArray(stats)) {
    return fail(
      'preprocessing',
      `expected {"mean": [...], "std": [...]}, got ${clip(JSON.stringify(preprocessing))}`,
    );
  }
  for (const key of Object.keys(stats)) {
    if (key !== 'mean' && key !== 'std') {
      fail('preprocessing', `unknown field ${clip(JSON.stringify(key))} (expected mean, std)`);
    }
  }
  for (const key of ['mean', 'std'] as const) {
    const values = stats[key];
    if (
      !Array.isArray(values) ||
      values.length !== channels ||
      !values.every((v) => typeof v === 'number' && Number.isFinite(v) && (key === 'mean' || v > 0))
    ) {
      fail(
        'preprocessing',
        `${key} must hold ${channels} finite number${channels === 1 ? '' : 's'}${key === 'std' ? ' > 0' : ''} (one per input channel), got ${clip(JSON.stringify(values) ?? 'nothing')}`,
      );
    }
  }
  const info = {
    architecture: built.architecture,
    classes: names,
    inputShape: shape,
    preprocessing: { mean: stats.mean as number[], std: stats.std as number[] },
  };
  return { info, model: built.model };
}

/**
 * Refuses, before anything is built, an architecture whose model would pass a limit for `inputShape`, or
 * whose parameters and buffers far outnumber the values the file's tensors hold (a 300-byte file cannot
 * back a `Linear` of a million outputs). A small difference is left to the comparison after building,
 * which names the tensor that is missing or of the wrong shape; a malformed architecture is left to the
 * builder to describe.
 */
function checkSize(
  architecture: unknown,
  inputShape: readonly number[],
  stored: Readonly<Record<string, Tensor>>,
  limits: ReadLimits,
  op: string,
  name: string,
): void {
  let estimate;
  try {
    estimate = estimateModel(parseArchitecture(architecture), inputShape);
  } catch (error) {
    if (error instanceof ConvnetError) return;
    throw error;
  }
  const exceeded = modelLimitExceeded(estimate, inputShape, limits);
  if (exceeded !== undefined) {
    throw new ModelSizeError(op, name, exceeded.limit, `metadata "architecture": ${exceeded.detail}`);
  }
  const held = Object.values(stored).reduce((sum, t) => sum + t.size, 0);
  if (estimate.parameters > held + UNBACKED_PARAMETERS) {
    throw new CheckpointError(
      op,
      name,
      `the checkpoint does not match its architecture: the architecture has ${estimate.parameters} parameter and buffer values for input ${inputShape.join('×')}, the file's tensors hold ${held}`,
    );
  }
}

/** Throws unless `actual` has exactly the keys of `expected`, with the same shapes. */
function checkSameTensors(
  actual: Readonly<Record<string, Tensor>>,
  expected: Readonly<Record<string, Tensor>>,
  op: string,
  name: string,
  what: string,
): void {
  const missing = Object.keys(expected).filter((key) => !Object.hasOwn(actual, key));
  const unexpected = Object.keys(actual).filter((key) => !Object.hasOwn(expected, key));
  if (missing.length > 0 || unexpected.length > 0) {
    const parts = [
      missing.length > 0 ? `lacks ${missing.map((k) => `"${k}"`).join(', ')}` : '',
      unexpected.length > 0 ? `has unexpected ${unexpected.map((k) => `"${k}"`).join(', ')}` : '',
    ].filter((p) => p !== '');
    throw new CheckpointError(op, name, `${what} does not match its architecture: it ${parts.join(' and ')}`);
  }
  for (const [key, tensor] of Object.entries(expected)) {
    const got = actual[key]!;
    if (!shapesEqual(got.shape, tensor.shape)) {
      throw new CheckpointError(
        op,
        name,
        `${what} does not match its architecture: "${key}" has shape ${formatShape(got.shape)}, the architecture's is ${formatShape(tensor.shape)}`,
      );
    }
  }
}

/** Runs `fn` (which builds a model, drawing initial weights) and then restores the global generator. */
function quietly<T>(fn: () => T): T {
  const state = defaultGenerator.getState();
  try {
    return fn();
  } finally {
    defaultGenerator.setState(state);
  }
}
