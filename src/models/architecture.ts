/**
 * Architectures as data: a JSON description of a stack of layers (the schema of `convnet train --model
 * FILE` and of a checkpoint's `architecture` metadata, documented in docs/architecture-schema.md), checked
 * field by field and built into an `nn.Sequential` sized from the input shape.
 *
 * ```json
 * { "name": "small-cnn",
 *   "layers": [
 *     { "type": "Conv2d", "outChannels": 8, "kernelSize": 3, "padding": 1 },
 *     { "type": "ReLU" },
 *     { "type": "MaxPool2d", "kernelSize": 2 },
 *     { "type": "Flatten" },
 *     { "type": "Linear", "outFeatures": 10 } ] }
 * ```
 *
 * A layer is its PyTorch class name and its constructor arguments in camelCase. The size a layer takes in
 * (`inChannels`, `inFeatures`, `numFeatures`, `numChannels`) may be left out: the builder reads it from the
 * shape that reaches the layer, found by running each layer once on zeros. The builder returns the
 * architecture with those sizes filled in, which is what a checkpoint stores.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { zeros } from '../creation.js';
import { ArgumentError, ConvnetError } from '../errors.js';
import type { AnyModule } from '../nn/module.js';
import { Module } from '../nn/module.js';
import { Sequential } from '../nn/sequential.js';
import { Conv2d } from '../nn/layers/conv.js';
import { Linear } from '../nn/layers/linear.js';
import { ELU, GELU, LeakyReLU, ReLU, Sigmoid, SiLU, Tanh } from '../nn/layers/activation.js';
import { AdaptiveAvgPool2d, AvgPool2d, MaxPool2d } from '../nn/layers/pooling.js';
import { BatchNorm1d, BatchNorm2d, GroupNorm } from '../nn/layers/normalization.js';
import { Dropout } from '../nn/layers/dropout.js';
import { Flatten } from '../nn/layers/flatten.js';
import type { Shape } from '../shape.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import type { ReadOptions } from '../serialization/limits.js';
import { clip, resolveLimits } from '../serialization/limits.js';
import { parseJson } from '../serialization/json.js';
import { estimateModel, modelLimitExceeded } from './size.js';

/** A JSON value, as the fields of a layer hold them. */
export type JsonValue =
  string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** One layer: its type (a PyTorch class name, e.g. `'Conv2d'`) and its constructor arguments in camelCase. */
export interface LayerSpec {
  /** The layer's PyTorch class name, one of {@link LAYER_TYPES}. */
  readonly type: LayerType;
  readonly [field: string]: JsonValue | undefined;
}

/** A model as data: an optional name and the layers applied in order (an `nn.Sequential`). */
export interface Architecture {
  /** A name for the model, e.g. `'small-cnn'`. */
  readonly name?: string;
  /** The layers, applied in order to the input. */
  readonly layers: readonly LayerSpec[];
}

/**
 * An architecture was malformed or does not fit its input. `layerIndex` and `field` say where (`null` and
 * `''` when the problem concerns the whole architecture), and the message names both, e.g.
 * `architecture(layers[3].kernelSize): expected a positive integer or [h, w], got 0`.
 */
export class ArchitectureError extends ConvnetError {
  /** Index of the offending layer, or `null`. */
  readonly layerIndex: number | null;
  /** The offending field of that layer (`'type'`, `'kernelSize'`…), or `''`. */
  readonly field: string;

  constructor(layerIndex: number | null, field: string, detail: string) {
    const where = layerIndex === null ? field : `layers[${layerIndex}]${field === '' ? '' : `.${field}`}`;
    super('architecture', where, detail);
    this.layerIndex = layerIndex;
    this.field = field;
  }
}

/** Checks one field's value: `null` if it is acceptable, else what was expected. */
type FieldCheck = (value: unknown) => string | null;

/** Where an inferable size comes from: the channel dim (1) or the last dim of the layer's input. */
type SizeSource = 'channels' | 'features';

interface LayerKind {
  /** Every field the layer accepts, in the order a resolved architecture lists them. */
  readonly fields: Readonly<Record<string, FieldCheck>>;
  /** Fields that must be given. */
  readonly required: readonly string[];
  /** The field that the builder fills in from the input shape, if any. */
  readonly inferred?: { readonly field: string; readonly from: SizeSource };
  /** The layer, from fields already checked (the inferred one filled in). */
  build(fields: Readonly<Record<string, unknown>>): AnyModule;
}

const integer =
  (min = -Infinity): FieldCheck =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min
      ? null
      : min === -Infinity
        ? 'an integer'
        : `an integer >= ${min}`;

/** An integer ≥ `min`, or a pair `[h, w]` of them. */
const size =
  (min: number): FieldCheck =>
  (v) =>
    (Number.isInteger(v) && (v as number) >= min) ||
    (Array.isArray(v) && v.length === 2 && v.every((s) => Number.isInteger(s) && (s as number) >= min))
      ? null
      : `an integer >= ${min} or a pair [h, w] of them`;

const number =
  (min = -Infinity, max = Infinity): FieldCheck =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max ? null : describeRange(min, max);

function describeRange(min: number, max: number): string {
  if (min === -Infinity) return 'a finite number';
  if (min === Number.MIN_VALUE) return 'a number > 0';
  return max === Infinity ? `a number >= ${min}` : `a number in [${min}, ${max}]`;
}

const boolean: FieldCheck = (v) => (typeof v === 'boolean' ? null : 'true or false');

const choice =
  (...choices: readonly string[]): FieldCheck =>
  (v) =>
    typeof v === 'string' && choices.includes(v) ? null : `one of ${choices.map((c) => `"${c}"`).join(', ')}`;

const orNull =
  (check: FieldCheck): FieldCheck =>
  (v) => {
    const expected = check(v);
    return v === null || expected === null ? null : `${expected}, or null`;
  };

const either =
  (a: FieldCheck, b: FieldCheck): FieldCheck =>
  (v) => {
    const [x, y] = [a(v), b(v)];
    return x === null || y === null ? null : `${x}, or ${y}`;
  };

const outputSize: FieldCheck = (v) =>
  (Number.isInteger(v) && (v as number) >= 0) ||
  (Array.isArray(v) &&
    v.length === 2 &&
    v.every((s) => s === null || (Number.isInteger(s) && (s as number) >= 0)))
    ? null
    : 'an integer >= 0, or a pair [h, w] of integers >= 0 or null';

const noFields: Pick<LayerKind, 'fields' | 'required'> = { fields: {}, required: [] };

/** Options object of the given fields, leaving out those not set. */
function pick(fields: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, never> {
  return Object.fromEntries(
    names.filter((n) => fields[n] !== undefined).map((n) => [n, fields[n]]),
  ) as Record<string, never>;
}

/** A window size as the layers take it: one number for both dims, or `[h, w]`. */
type Size = number | readonly number[];

const n = (fields: Readonly<Record<string, unknown>>, name: string): number => fields[name] as number;

const BATCH_NORM_FIELDS = {
  numFeatures: integer(1),
  eps: number(Number.MIN_VALUE),
  momentum: orNull(number(0, 1)),
  affine: boolean,
  trackRunningStats: boolean,
};

/** The layers an architecture may use, by PyTorch class name. */
const LAYER_KINDS = {
  Conv2d: {
    fields: {
      inChannels: integer(1),
      outChannels: integer(1),
      kernelSize: size(1),
      stride: size(1),
      padding: either(size(0), choice('same', 'valid')),
      dilation: size(1),
      groups: integer(1),
      bias: boolean,
      paddingMode: choice('zeros', 'reflect', 'replicate', 'circular'),
    },
    required: ['outChannels', 'kernelSize'],
    inferred: { field: 'inChannels', from: 'channels' },
    build: (f) =>
      new Conv2d(
        n(f, 'inChannels'),
        n(f, 'outChannels'),
        f.kernelSize as Size,
        pick(f, ['stride', 'padding', 'dilation', 'groups', 'bias', 'paddingMode']),
      ),
  },
  Linear: {
    fields: { inFeatures: integer(1), outFeatures: integer(1), bias: boolean },
    required: ['outFeatures'],
    inferred: { field: 'inFeatures', from: 'features' },
    build: (f) => new Linear(n(f, 'inFeatures'), n(f, 'outFeatures'), pick(f, ['bias'])),
  },
  MaxPool2d: {
    fields: {
      kernelSize: size(1),
      stride: orNull(size(1)),
      padding: size(0),
      dilation: size(1),
      ceilMode: boolean,
    },
    required: ['kernelSize'],
    build: (f) => new MaxPool2d(f.kernelSize as Size, pick(f, ['stride', 'padding', 'dilation', 'ceilMode'])),
  },
  AvgPool2d: {
    fields: {
      kernelSize: size(1),
      stride: orNull(size(1)),
      padding: size(0),
      ceilMode: boolean,
      countIncludePad: boolean,
      divisorOverride: orNull(integer(1)),
    },
    required: ['kernelSize'],
    build: (f) =>
      new AvgPool2d(
        f.kernelSize as Size,
        pick(f, ['stride', 'padding', 'ceilMode', 'countIncludePad', 'divisorOverride']),
      ),
  },
  AdaptiveAvgPool2d: {
    fields: { outputSize },
    required: ['outputSize'],
    build: (f) => new AdaptiveAvgPool2d(f.outputSize as number | readonly (number | null)[]),
  },
  BatchNorm1d: {
    fields: BATCH_NORM_FIELDS,
    required: [],
    inferred: { field: 'numFeatures', from: 'channels' },
    build: (f) =>
      new BatchNorm1d(n(f, 'numFeatures'), pick(f, ['eps', 'momentum', 'affine', 'trackRunningStats'])),
  },
  BatchNorm2d: {
    fields: BATCH_NORM_FIELDS,
    required: [],
    inferred: { field: 'numFeatures', from: 'channels' },
    build: (f) =>
      new BatchNorm2d(n(f, 'numFeatures'), pick(f, ['eps', 'momentum', 'affine', 'trackRunningStats'])),
  },
  GroupNorm: {
    fields: {
      numGroups: integer(1),
      numChannels: integer(1),
      eps: number(Number.MIN_VALUE),
      affine: boolean,
    },
    required: ['numGroups'],
    inferred: { field: 'numChannels', from: 'channels' },
    build: (f) => new GroupNorm(n(f, 'numGroups'), n(f, 'numChannels'), pick(f, ['eps', 'affine'])),
  },
  Dropout: { fields: { p: number(0, 1) }, required: [], build: (f) => new Dropout(pick(f, ['p'])) },
  Flatten: {
    fields: { startDim: integer(), endDim: integer() },
    required: [],
    build: (f) => new Flatten(pick(f, ['startDim', 'endDim'])),
  },
  ReLU: { ...noFields, build: () => new ReLU() },
  ELU: { fields: { alpha: number() }, required: [], build: (f) => new ELU(pick(f, ['alpha'])) },
  LeakyReLU: {
    fields: { negativeSlope: number() },
    required: [],
    build: (f) => new LeakyReLU(pick(f, ['negativeSlope'])),
  },
  GELU: {
    fields: { approximate: choice('none', 'tanh') },
    required: [],
    build: (f) => new GELU(pick(f, ['approximate'])),
  },
  SiLU: { ...noFields, build: () => new SiLU() },
  Sigmoid: { ...noFields, build: () => new Sigmoid() },
  Tanh: { ...noFields, build: () => new Tanh() },
} as const satisfies Record<string, LayerKind>;

/**
 * The layer types an architecture may use.
 *
 * @useDeclaredType
 */
export type LayerType = keyof typeof LAYER_KINDS;

/** Every layer type an architecture may use, as a list. */
export const LAYER_TYPES: readonly LayerType[] = Object.freeze(Object.keys(LAYER_KINDS) as LayerType[]);

const TOP_LEVEL_KEYS: readonly string[] = ['name', 'layers'];

/**
 * Checks that `value` (e.g. parsed JSON) is a well-formed architecture: an object with a non-empty `layers`
 * list (and optionally a string `name`), each layer of a known `type` with only that type's fields, its
 * required fields present and every value of the right kind and range. It does not check that the layers
 * fit together; {@link buildModel} does.
 *
 * @throws {ArchitectureError} naming the first offending layer and field
 *
 * @example
 * parseArchitecture(JSON.parse(readFileSync('small-cnn.json', 'utf8')));
 */
export function parseArchitecture(value: unknown): Architecture {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ArchitectureError(null, '', `expected an object { "layers": [...] }, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!TOP_LEVEL_KEYS.includes(key)) {
      throw new ArchitectureError(null, key, `unknown field (expected ${TOP_LEVEL_KEYS.join(', ')})`);
    }
  }
  if (record.name !== undefined && typeof record.name !== 'string') {
    throw new ArchitectureError(null, 'name', `expected a string, got ${describe(record.name)}`);
  }
  const layers = record.layers;
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new ArchitectureError(
      null,
      'layers',
      `expected a non-empty list of layers, got ${describe(layers)}`,
    );
  }
  const checked = layers.map((layer, i) => parseLayer(layer, i));
  return record.name === undefined ? { layers: checked } : { name: record.name, layers: checked };
}

function parseLayer(layer: unknown, index: number): LayerSpec {
  if (layer === null || typeof layer !== 'object' || Array.isArray(layer)) {
    throw new ArchitectureError(index, '', `expected an object { "type": ..., ... }, got ${describe(layer)}`);
  }
  const record = layer as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(LAYER_KINDS, type)) {
    throw new ArchitectureError(
      index,
      'type',
      `unknown layer type ${describe(type)} (expected one of ${LAYER_TYPES.join(', ')})`,
    );
  }
  const kind: LayerKind = LAYER_KINDS[type as LayerType];
  const fieldNames = Object.keys(kind.fields);
  for (const key of Object.keys(record)) {
    if (key !== 'type' && !fieldNames.includes(key)) {
      const known = fieldNames.length === 0 ? 'it takes no fields' : `expected ${fieldNames.join(', ')}`;
      throw new ArchitectureError(index, key, `unknown field of ${type} (${known})`);
    }
  }
  for (const field of kind.required) {
    if (record[field] === undefined) throw new ArchitectureError(index, field, `${type} requires this field`);
  }
  const spec: Record<string, unknown> = { type };
  for (const [field, check] of Object.entries(kind.fields)) {
    const v = record[field];
    if (v === undefined) continue;
    const expected = check(v);
    if (expected !== null) {
      throw new ArchitectureError(index, field, `expected ${expected}, got ${describe(v)}`);
    }
    spec[field] = Array.isArray(v) ? [...(v as unknown[])] : v;
  }
  return spec as LayerSpec;
}

/**
 * Reads an architecture from JSON text (a `--model FILE`): the text's nesting is checked against
 * `options.limits.maxJsonDepth` before it is parsed, then the value is checked as
 * {@link parseArchitecture} does.
 *
 * @throws {ArchitectureError} if the text is not JSON, is nested too deep, or is not an architecture
 *
 * @example
 * const architecture = readArchitectureJson(readFileSync('small-cnn.json', 'utf8'));
 */
export function readArchitectureJson(text: string, options?: ReadOptions): Architecture {
  const limits = resolveLimits(options?.limits, 'readArchitectureJson');
  if (typeof text !== 'string') {
    throw new ArchitectureError(null, '', `expected JSON text, got ${typeof text}`);
  }
  return parseArchitecture(
    parseJson(text, limits, (detail) => {
      throw new ArchitectureError(null, '', `the text ${detail}`);
    }),
  );
}

/** What {@link buildModel} returns. */
export interface BuiltModel {
  /** The layers as an `nn.Sequential` (children `0`, `1`, …, so its keys are `torch.nn.Sequential`'s). */
  readonly model: Sequential;
  /** The architecture with every inferred size filled in: what a checkpoint stores to rebuild the model. */
  readonly architecture: Architecture;
  /** The shape of one sample's output, e.g. `[10]` for ten logits. */
  readonly outputShape: Shape;
}

/**
 * Builds an architecture (checked with {@link parseArchitecture} first) into an `nn.Sequential` for
 * samples of shape `inputShape` (`[C, H, W]`, no batch dim). Each layer is made, then run once on zeros
 * (in evaluation mode, without gradients) to learn the shape the next layer gets; sizes left out are
 * filled in from it, sizes given must match it. The parameters are initialised as PyTorch's layers do,
 * drawing from the global generator in layer order.
 *
 * Before anything is allocated, the model's parameters, the values its largest layer produces (or needs
 * as workspace) and its multiply-adds for one sample are computed from the architecture alone and
 * compared with `options.limits` (`maxParameters`, `maxActivationElements`, `maxMultiplyAdds`; see
 * `DEFAULT_LIMITS`), so an architecture from a stranger cannot make the builder allocate gigabytes.
 *
 * @throws {ArchitectureError} naming the layer and field that is malformed or does not fit its input, or
 *   the limit the model would pass
 *
 * @example
 * const { model, outputShape } = buildModel(namedArchitecture('lenet5', 10), [1, 28, 28]);
 * outputShape   // [10]
 */
export function buildModel(architecture: unknown, inputShape: Shape, options?: ReadOptions): BuiltModel {
  const limits = resolveLimits(options?.limits, 'buildModel');
  const parsed = parseArchitecture(architecture);
  if (
    !Array.isArray(inputShape) ||
    inputShape.length === 0 ||
    !inputShape.every((d) => Number.isInteger(d) && d >= 1)
  ) {
    throw new ArgumentError(
      'buildModel',
      'inputShape',
      `expected a list of positive sizes such as [C, H, W], got ${JSON.stringify(inputShape)}`,
    );
  }
  const exceeded = modelLimitExceeded(estimateModel(parsed, inputShape), inputShape, limits);
  if (exceeded !== undefined) throw new ArchitectureError(null, '', exceeded.detail);
  const model = new Sequential();
  const resolved: LayerSpec[] = [];
  let x: Tensor = zeros([1, ...(inputShape as readonly number[])]);
  parsed.layers.forEach((spec, index) => {
    const kind: LayerKind = LAYER_KINDS[spec.type];
    const fields: Record<string, unknown> = { ...spec };
    if (kind.inferred !== undefined) {
      const { field, from } = kind.inferred;
      const actual = from === 'channels' ? x.shape[1] : x.shape[x.ndim - 1];
      const what = from === 'channels' ? 'channels' : 'features';
      if (actual === undefined) {
        throw new ArchitectureError(
          index,
          '',
          `${spec.type} needs at least 2 dims of input, got shape ${formatShape(x.shape)}`,
        );
      }
      if (fields[field] !== undefined && fields[field] !== actual) {
        throw new ArchitectureError(
          index,
          field,
          `is ${describe(fields[field])} but the layer's input has ${actual} ${what} (shape ${formatShape(x.shape)})`,
        );
      }
      fields[field] = actual;
    }
    const layer = construct(kind, fields, index);
    x = probe(layer, x, index, spec.type);
    resolved.push(
      Object.fromEntries(
        ['type', ...Object.keys(kind.fields)]
          .filter((k) => fields[k] !== undefined)
          .map((k) => [k, fields[k]]),
      ) as LayerSpec,
    );
    model.append(layer as unknown as Module);
  });
  const built = parsed.name === undefined ? { layers: resolved } : { name: parsed.name, layers: resolved };
  return { model, architecture: built, outputShape: x.shape.slice(1) };
}

/** The layer, with a constructor's own error turned into one that names the layer and field. */
function construct(kind: LayerKind, fields: Record<string, unknown>, index: number): AnyModule {
  try {
    return kind.build(fields);
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    const field = Object.hasOwn(kind.fields, error.argument) ? error.argument : '';
    throw new ArchitectureError(index, field, detailOf(error));
  }
}

/** The layer's output on `x`, computed without gradients in evaluation mode. */
function probe(layer: AnyModule, x: Tensor, index: number, type: string): Tensor {
  const module = layer as unknown as Module;
  try {
    return noGrad(() => module.eval().forward(x));
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    throw new ArchitectureError(
      index,
      '',
      `${type} does not fit its input of shape ${formatShape(x.shape)}: ${detailOf(error)}`,
    );
  } finally {
    module.train();
  }
}

/** A library error's message without its `op(argument): ` prefix. */
function detailOf(error: ConvnetError): string {
  const prefix = `${error.op}${error.argument === '' ? '' : `(${error.argument})`}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

function describe(value: unknown): string {
  return clip(JSON.stringify(value) ?? 'nothing');
}
