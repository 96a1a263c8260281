/**
 * Training state for resuming a run: everything besides the model's weights that decides what the next
 * epoch does — the epoch count, the optimizer's and scheduler's state dicts, the random generators' states —
 * plus whatever else the trainer wants back (its settings, the metrics so far). It is kept in its own
 * safetensors file beside the checkpoint, so the checkpoint holds exactly the model's keys.
 *
 * The optimizer's tensors (momentum buffers, running averages) are stored as tensors named
 * `optimizer.state.<param index>.<key>`; the rest is JSON in the metadata:
 *
 * | key                      | value                                                                      |
 * | ------------------------ | -------------------------------------------------------------------------- |
 * | `convnet_training_state` | the format version, `"1"`                                                  |
 * | `epoch`                  | epochs completed                                                           |
 * | `optimizer`              | the optimizer's state dict, each tensor replaced by `{"tensor": "<name>"}` |
 * | `scheduler`              | the scheduler's state dict, or `null`                                      |
 * | `rng`                    | the generators' states by name (`getState()`, with `null` for NaN)         |
 * | `info`                   | the trainer's own JSON                                                     |
 * | `checkpoint_sha256`      | optional: the SHA-256 (hex) of the checkpoint file this state goes with    |
 */
import { ConvnetError } from '../errors.js';
import type { JsonValue } from '../models/architecture.js';
import type { BaseHyper, OptimizerStateDict, ParamState } from '../optim/optimizer.js';
import type { LRSchedulerState } from '../optim/lr-scheduler.js';
import { parseJson } from '../serialization/json.js';
import type { ReadOptions } from '../serialization/limits.js';
import { resolveLimits } from '../serialization/limits.js';
import type { SafetensorsContents } from '../serialization/safetensors.js';
import { loadSafetensors, saveSafetensors } from '../serialization/safetensors.js';
import { Tensor } from '../tensor.js';
import { CheckpointError } from './errors.js';

/** A JSON object. */
export type JsonObject = { readonly [key: string]: JsonValue };

/** An optimizer's state dict, whatever the optimizer. */
export type AnyOptimizerStateDict = OptimizerStateDict<BaseHyper, ParamState>;

/**
 * A learning-rate scheduler's state dict, whatever the scheduler: the part every scheduler has, typed,
 * plus the scheduler's own settings (`stepSize`, `tMax`…).
 */
export type AnySchedulerStateDict = LRSchedulerState;

/** What a trainer needs to continue a run exactly where it stopped. */
export interface TrainingState {
  /** Epochs completed. */
  readonly epoch: number;
  /** `optimizer.stateDict()`. */
  readonly optimizer: AnyOptimizerStateDict;
  /** `scheduler.stateDict()`, or `null` without a scheduler. */
  readonly scheduler: AnySchedulerStateDict | null;
  /** `generator.getState()` of every random generator the run draws from, by name (e.g. `global`, `loader`). */
  readonly rng: Readonly<Record<string, readonly number[]>>;
  /** Anything else to restore, as JSON: the run's settings, its metrics so far. */
  readonly info: JsonObject;
  /**
   * The SHA-256 (64 lowercase hex digits) of the checkpoint file saved with this state, so a reader can
   * tell a state from the checkpoint of another epoch; absent when not recorded.
   */
  readonly checkpointSha256?: string;
}

/** The format version this module writes and reads. */
export const TRAINING_STATE_VERSION = '1';

const MARKER = 'convnet_training_state';
const TENSOR_PREFIX = 'optimizer.state.';
const CHECKPOINT_HASH = 'checkpoint_sha256';
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The bytes of a training-state file. Equal states give equal bytes (no times, no machine details).
 *
 * @example
 * const bytes = saveTrainingState({
 *   epoch: 3, optimizer: opt.stateDict(), scheduler: null,
 *   rng: { global: defaultGenerator.getState(), loader: loader.generator.getState() }, info: {},
 * });
 */
export function saveTrainingState(state: TrainingState): Uint8Array {
  const { tensors, metadata } = trainingStateContents(state);
  return saveSafetensors(tensors, metadata);
}

/** The tensors and metadata {@link saveTrainingState} writes. */
export function trainingStateContents(state: TrainingState): SafetensorsContents {
  const op = 'saveTrainingState';
  if (state === null || typeof state !== 'object') {
    throw new CheckpointError(op, 'state', 'expected { epoch, optimizer, scheduler, rng, info }');
  }
  if (!Number.isInteger(state.epoch) || state.epoch < 0) {
    throw new CheckpointError(op, 'epoch', `expected an integer >= 0, got ${String(state.epoch)}`);
  }
  const tensors: Record<string, Tensor> = {};
  const optimizer = state.optimizer;
  if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
    throw new CheckpointError(op, 'optimizer', 'expected an optimizer state dict { state, paramGroups }');
  }
  const packedState: Record<string, Record<string, JsonValue>> = {};
  for (const [index, entries] of Object.entries(optimizer.state)) {
    packedState[index] = {};
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) continue;
      if (value instanceof Tensor) {
        const name = `${TENSOR_PREFIX}${index}.${key}`;
        tensors[name] = value;
        packedState[index][key] = { tensor: name };
      } else {
        packedState[index][key] = value;
      }
    }
  }
  for (const [name, generator] of Object.entries(state.rng)) {
    if (!Array.isArray(generator) || !generator.every((v) => typeof v === 'number')) {
      throw new CheckpointError(op, 'rng', `rng.${name} is not a generator state (a list of numbers)`);
    }
  }
  const rng = Object.fromEntries(
    Object.entries(state.rng).map(([name, values]) => [
      name,
      values.map((v) => (Number.isNaN(v) ? null : v)),
    ]),
  );
  const hash = state.checkpointSha256;
  if (hash !== undefined && (typeof hash !== 'string' || !SHA256.test(hash))) {
    throw new CheckpointError(op, 'checkpointSha256', 'expected 64 lowercase hexadecimal digits');
  }
  return {
    tensors,
    metadata: {
      [MARKER]: TRAINING_STATE_VERSION,
      epoch: String(state.epoch),
      optimizer: json({ state: packedState, paramGroups: optimizer.paramGroups }, op, 'optimizer'),
      scheduler: json(state.scheduler, op, 'scheduler'),
      rng: json(rng, op, 'rng'),
      info: json(state.info, op, 'info'),
      ...(hash === undefined ? {} : { [CHECKPOINT_HASH]: hash }),
    },
  };
}

/**
 * Reads a training-state file's bytes. The state dicts come back as saved; the optimizer and scheduler
 * check them when they load them. `name` labels errors. The safetensors limits and `maxJsonDepth` (for
 * the JSON metadata) apply; raise any with `options.limits`.
 *
 * @throws {CheckpointError} if the bytes are not a training-state file, exceed a limit, or an entry is
 * malformed
 */
export function loadTrainingState(
  bytes: Uint8Array,
  name = 'training state',
  options?: ReadOptions,
): TrainingState {
  let contents: SafetensorsContents;
  try {
    contents = loadSafetensors(bytes, options);
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    throw new CheckpointError('loadTrainingState', name, `not a safetensors file: ${error.message}`);
  }
  return trainingStateFromContents(contents, name, options);
}

/** A training state from a safetensors file's tensors and metadata, checked as {@link loadTrainingState}. */
export function trainingStateFromContents(
  contents: SafetensorsContents,
  name: string,
  options?: ReadOptions,
): TrainingState {
  const op = 'loadTrainingState';
  const limits = resolveLimits(options?.limits, op);
  const { tensors, metadata } = contents;
  const fail = (key: string, detail: string): never => {
    throw new CheckpointError(op, name, `metadata "${key}": ${detail}`);
  };
  if (metadata[MARKER] === undefined) {
    throw new CheckpointError(
      op,
      name,
      `not a convnet-ts training state: its metadata has no "${MARKER}" entry`,
    );
  }
  if (metadata[MARKER] !== TRAINING_STATE_VERSION) {
    fail(
      MARKER,
      `version ${metadata[MARKER]} is not supported (this version reads ${TRAINING_STATE_VERSION})`,
    );
  }
  const parse = (key: string): unknown => {
    const text = metadata[key];
    if (text === undefined) return fail(key, 'is missing');
    return parseJson(text, limits, (detail) => fail(key, detail));
  };
  const epoch = Number(metadata.epoch ?? fail('epoch', 'is missing'));
  if (!Number.isInteger(epoch) || epoch < 0 || metadata.epoch !== String(epoch)) {
    fail('epoch', `expected an integer >= 0, got ${JSON.stringify(metadata.epoch)}`);
  }
  const optimizer = parse('optimizer') as { state?: unknown; paramGroups?: unknown } | null;
  if (
    optimizer === null ||
    typeof optimizer !== 'object' ||
    !Array.isArray(optimizer.paramGroups) ||
    optimizer.state === null ||
    typeof optimizer.state !== 'object'
  ) {
    return fail('optimizer', 'expected {"state": {...}, "paramGroups": [...]}');
  }
  const used = new Set<string>();
  const state: Record<number, ParamState> = {};
  for (const [index, entries] of Object.entries(optimizer.state as Record<string, unknown>)) {
    if (entries === null || typeof entries !== 'object')
      fail('optimizer', `state[${index}] is not an object`);
    const out: ParamState = {};
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
      if (value !== null && typeof value === 'object') {
        const ref = (value as { tensor?: unknown }).tensor;
        const tensor = typeof ref === 'string' ? tensors[ref] : undefined;
        if (tensor === undefined) {
          fail(
            'optimizer',
            `state[${index}].${key} refers to a tensor the file does not hold (${JSON.stringify(value)})`,
          );
        }
        used.add(ref as string);
        out[key] = tensor;
      } else if (value === null || typeof value === 'number') {
        out[key] = value;
      } else {
        fail(
          'optimizer',
          `state[${index}].${key} is ${JSON.stringify(value)}, not a tensor, a number or null`,
        );
      }
    }
    state[Number(index)] = out;
  }
  const stray = Object.keys(tensors).filter((key) => !used.has(key));
  if (stray.length > 0) fail('optimizer', `the file holds tensors no state refers to: ${stray.join(', ')}`);
  const scheduler = parse('scheduler');
  if (scheduler !== null && (typeof scheduler !== 'object' || Array.isArray(scheduler))) {
    fail('scheduler', 'expected a state dict object or null');
  }
  const rng = parse('rng');
  if (rng === null || typeof rng !== 'object' || Array.isArray(rng)) return fail('rng', 'expected an object');
  const generators: Record<string, number[]> = {};
  for (const [key, values] of Object.entries(rng as Record<string, unknown>)) {
    if (!Array.isArray(values) || !values.every((v) => v === null || typeof v === 'number')) {
      fail('rng', `${key} is not a list of numbers`);
    }
    generators[key] = (values as (number | null)[]).map((v) => v ?? NaN);
  }
  const info = parse('info');
  if (info === null || typeof info !== 'object' || Array.isArray(info))
    return fail('info', 'expected an object');
  const hash = metadata[CHECKPOINT_HASH];
  if (hash !== undefined && !SHA256.test(hash))
    fail(CHECKPOINT_HASH, 'expected 64 lowercase hexadecimal digits');
  return {
    epoch,
    optimizer: { state, paramGroups: optimizer.paramGroups as AnyOptimizerStateDict['paramGroups'] },
    scheduler: scheduler as AnySchedulerStateDict | null,
    rng: generators,
    info: info as JsonObject,
    ...(hash === undefined ? {} : { checkpointSha256: hash }),
  };
}

/** `value` as JSON, refusing what JSON cannot hold exactly (NaN, infinities, undefined). */
function json(value: unknown, op: string, key: string): string {
  const text = JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new CheckpointError(op, key, `holds ${String(v)}, which JSON cannot store`);
    }
    return v;
  });
  if (text === undefined) throw new CheckpointError(op, key, 'is not JSON-serialisable');
  return text;
}
