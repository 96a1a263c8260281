/**
 * A convnet-ts checkpoint as an ONNX model (opset 13, IR version 7) for ONNX Runtime and other runtimes:
 * one input `input` of shape `[batch, C, H, W]` with a dynamic batch dimension, one output `logits`
 * (`probabilities` with `softmax`) of shape `[batch, classes]`, the weights as initializers named by the
 * checkpoint's keys (`0.weight`, …), and the checkpoint's classes, input shape and normalisation in the
 * model's metadata (`convnet.classes`, …). Each layer becomes ONNX operators:
 *
 * | layer                       | ONNX                                                                  |
 * | --------------------------- | --------------------------------------------------------------------- |
 * | Conv2d                      | Conv (strides, pads, dilations, group); `reflect`/`replicate` padding: Pad first |
 * | Linear                      | Gemm with transB = 1 (MatMul and Add on inputs of more than 2 dims)   |
 * | MaxPool2d, AvgPool2d        | MaxPool, AveragePool (count_include_pad, ceil_mode; divisorOverride: a Mul after) |
 * | AdaptiveAvgPool2d           | GlobalAveragePool to 1×1, else AveragePool when the sizes divide      |
 * | BatchNorm1d, BatchNorm2d    | BatchNormalization (running statistics)                               |
 * | GroupNorm                   | Reshape, InstanceNormalization, Reshape, Mul, Add                     |
 * | Dropout                     | Dropout (the identity at inference)                                   |
 * | Flatten                     | Flatten (axis 1), else Reshape                                        |
 * | ReLU, ELU, LeakyReLU, Sigmoid, Tanh | Relu, Elu, LeakyRelu, Sigmoid, Tanh                           |
 * | GELU, SiLU                  | Erf (or Tanh) with Mul and Add; Sigmoid and Mul                       |
 *
 * A layer ONNX cannot express (circular padding, batch norm without running statistics, an adaptive pool
 * whose sizes do not divide) raises an {@link UnsupportedLayerError} naming it.
 */
import { noGrad } from '../autograd/grad-mode.js';
import type { Checkpoint } from '../checkpoint/model.js';
import { zeros } from '../creation.js';
import type { LayerSpec } from '../models/architecture.js';
import type { Tensor } from '../tensor.js';
import { UnsupportedLayerError } from './errors.js';
import { ATTRIBUTE_TYPE, DATA_TYPE, ModelProto } from './onnx-schema.js';

/** Options of {@link exportOnnx}. */
export interface OnnxExportOptions {
  /** End the graph with `Softmax`, so it outputs probabilities (default false: logits). */
  softmax?: boolean;
}

/** What {@link exportOnnx} returns. */
export interface OnnxExport {
  /** The bytes of the `.onnx` file. */
  readonly bytes: Uint8Array;
  /** The ONNX operator set version the graph uses. */
  readonly opset: number;
  /** How many nodes the graph has. */
  readonly nodeCount: number;
  /** The graph input's name, `'input'`. */
  readonly inputName: string;
  /** The graph output's name: `'logits'`, or `'probabilities'` with `softmax`. */
  readonly outputName: string;
}

/** The operator set the exported graphs use. */
export const ONNX_OPSET = 13;

/** The IR version matching {@link ONNX_OPSET}. */
const IR_VERSION = 7;

const OP = 'exportOnnx';

interface Attribute {
  name: string;
  type: number;
  i?: number;
  f?: number;
  s?: Uint8Array;
  ints?: number[];
}

const ints = (name: string, values: readonly number[]): Attribute => ({
  name,
  type: ATTRIBUTE_TYPE.INTS,
  ints: [...values],
});
const int = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.INT, i: value });
const float = (name: string, value: number): Attribute => ({ name, type: ATTRIBUTE_TYPE.FLOAT, f: value });
const text = (name: string, value: string): Attribute => ({
  name,
  type: ATTRIBUTE_TYPE.STRING,
  s: new TextEncoder().encode(value),
});

interface Initializer {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

function floatBytes(values: ArrayLike<number>): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

function int64Bytes(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    view.setBigInt64(i * 8, BigInt(v), true);
  });
  return bytes;
}

/** Collects nodes and initializers, threading the current value from layer to layer. */
class GraphBuilder {
  readonly nodes: object[] = [];
  readonly initializers: Initializer[] = [];
  private counter = 0;

  constructor(
    /** The value the next node reads. */
    public current: string,
  ) {}

  floats(name: string, dims: readonly number[], values: ArrayLike<number>): string {
    this.initializers.push({
      name,
      dims: [...dims],
      data_type: DATA_TYPE.FLOAT,
      raw_data: floatBytes(values),
    });
    return name;
  }

  int64s(name: string, values: readonly number[]): string {
    this.initializers.push({
      name,
      dims: [values.length],
      data_type: DATA_TYPE.INT64,
      raw_data: int64Bytes(values),
    });
    return name;
  }

  tensor(name: string, t: Tensor): string {
    return this.floats(name, t.shape, t.data);
  }

  /** Adds `opType` reading `inputs` (the current value first unless `inputs` says otherwise). */
  node(
    layer: number,
    opType: string,
    extra: readonly string[],
    attribute: Attribute[] = [],
    input?: string,
  ): string {
    const output = `${layer}.${opType}_${this.counter++}`;
    this.nodes.push({
      name: output,
      op_type: opType,
      input: [input ?? this.current, ...extra],
      output: [output],
      attribute,
    });
    this.current = output;
    return output;
  }
}

type Fields = Readonly<Record<string, unknown>>;

/** A size field (`3` or `[3, 5]`) as `[h, w]`. */
function pair(value: unknown, fallback: number): [number, number] {
  if (value === undefined || value === null) return [fallback, fallback];
  if (Array.isArray(value)) return [value[0] as number, value[1] as number];
  return [value as number, value as number];
}

/** The state tensor `key`, which a checked checkpoint always has. */
function stateTensor(state: Readonly<Record<string, Tensor>>, key: string): Tensor {
  const t = state[key];
  if (t === undefined) throw new TypeError(`exportOnnx: the model has no "${key}"`);
  return t;
}

/**
 * Adds the nodes of layer `index` (its resolved `spec`, its input of shape `inShape` with batch 1 and its
 * output of shape `outShape`) to `g`.
 */
function addLayer(
  g: GraphBuilder,
  spec: LayerSpec,
  index: number,
  inShape: readonly number[],
  outShape: readonly number[],
  state: Readonly<Record<string, Tensor>>,
): void {
  const f: Fields = spec;
  const fail = (detail: string): never => {
    throw new UnsupportedLayerError(OP, index, spec.type, detail);
  };
  const weight = (suffix: string) => g.tensor(`${index}.${suffix}`, stateTensor(state, `${index}.${suffix}`));
  switch (spec.type) {
    case 'Conv2d': {
      const k = pair(f.kernelSize, 1);
      const dilation = pair(f.dilation, 1);
      let pads: [number, number, number, number];
      if (f.padding === 'valid') pads = [0, 0, 0, 0];
      else if (f.padding === 'same') {
        const total = [dilation[0] * (k[0] - 1), dilation[1] * (k[1] - 1)];
        const begin = total.map((t) => Math.floor(t / 2));
        pads = [begin[0]!, begin[1]!, total[0]! - begin[0]!, total[1]! - begin[1]!];
      } else {
        const p = pair(f.padding, 0);
        pads = [p[0], p[1], p[0], p[1]];
      }
      const mode = (f.paddingMode as string | undefined) ?? 'zeros';
      if (mode !== 'zeros' && pads.some((p) => p > 0)) {
        if (mode === 'circular') fail('with paddingMode "circular" has no ONNX operator in opset 13');
        const padsName = g.int64s(`${index}.pads`, [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]]);
        g.node(index, 'Pad', [padsName], [text('mode', mode === 'reflect' ? 'reflect' : 'edge')]);
        pads = [0, 0, 0, 0];
      }
      const inputs = [weight('weight')];
      if (f.bias !== false) inputs.push(weight('bias'));
      g.node(index, 'Conv', inputs, [
        ints('kernel_shape', k),
        ints('strides', pair(f.stride, 1)),
        ints('pads', pads),
        ints('dilations', dilation),
        int('group', (f.groups as number | undefined) ?? 1),
      ]);
      return;
    }
    case 'Linear': {
      if (inShape.length === 2) {
        const inputs = [weight('weight')];
        if (f.bias !== false) inputs.push(weight('bias'));
        g.node(index, 'Gemm', inputs, [int('transB', 1)]);
        return;
      }
      const w = stateTensor(state, `${index}.weight`);
      const [rows, columns] = [w.shape[0]!, w.shape[1]!];
      const transposed = new Float32Array(rows * columns);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < columns; c++) transposed[c * rows + r] = w.data[r * columns + c]!;
      }
      g.node(index, 'MatMul', [g.floats(`${index}.weight_transposed`, [columns, rows], transposed)]);
      if (f.bias !== false) g.node(index, 'Add', [weight('bias')]);
      return;
    }
    case 'MaxPool2d':
    case 'AvgPool2d': {
      const k = pair(f.kernelSize, 1);
      const p = pair(f.padding, 0);
      const attributes = [
        ints('kernel_shape', k),
        ints('strides', f.stride === undefined || f.stride === null ? k : pair(f.stride, 1)),
        ints('pads', [p[0], p[1], p[0], p[1]]),
        int('ceil_mode', f.ceilMode === true ? 1 : 0),
      ];
      if (spec.type === 'MaxPool2d') {
        g.node(index, 'MaxPool', [], [...attributes, ints('dilations', pair(f.dilation, 1))]);
        return;
      }
      const divisor = f.divisorOverride as number | null | undefined;
      if (divisor === undefined || divisor === null) {
        g.node(
          index,
          'AveragePool',
          [],
          [...attributes, int('count_include_pad', f.countIncludePad === false ? 0 : 1)],
        );
        return;
      }
      if (f.ceilMode === true) fail('with both divisorOverride and ceilMode has no ONNX equivalent');
      g.node(index, 'AveragePool', [], [...attributes, int('count_include_pad', 1)]);
      g.node(index, 'Mul', [g.floats(`${index}.divisor_scale`, [], [(k[0] * k[1]) / divisor])]);
      return;
    }
    case 'AdaptiveAvgPool2d': {
      const [h, w] = [inShape[2]!, inShape[3]!];
      const [oh, ow] = [outShape[2]!, outShape[3]!];
      if (oh === 1 && ow === 1) {
        g.node(index, 'GlobalAveragePool', []);
        return;
      }
      if (oh === 0 || ow === 0 || h % oh !== 0 || w % ow !== 0) {
        fail(
          `from ${h}×${w} to ${oh}×${ow} is not a fixed-window pooling ONNX can express (the sizes must divide)`,
        );
      }
      const k = [h / oh, w / ow];
      g.node(index, 'AveragePool', [], [ints('kernel_shape', k), ints('strides', k)]);
      return;
    }
    case 'BatchNorm1d':
    case 'BatchNorm2d': {
      if (f.trackRunningStats === false) {
        fail(
          'with trackRunningStats false normalises with batch statistics at inference: ONNX BatchNormalization needs running statistics',
        );
      }
      const channels = f.numFeatures as number;
      const affine = f.affine !== false;
      const scale = affine
        ? weight('weight')
        : g.floats(`${index}.onnx_scale`, [channels], new Float32Array(channels).fill(1));
      const bias = affine
        ? weight('bias')
        : g.floats(`${index}.onnx_bias`, [channels], new Float32Array(channels));
      const attributes = [float('epsilon', (f.eps as number | undefined) ?? 1e-5)];
      const momentum = f.momentum as number | null | undefined;
      if (momentum !== null) attributes.push(float('momentum', 1 - (momentum ?? 0.1)));
      g.node(
        index,
        'BatchNormalization',
        [scale, bias, weight('running_mean'), weight('running_var')],
        attributes,
      );
      return;
    }
    case 'GroupNorm': {
      const groups = f.numGroups as number;
      const channels = f.numChannels as number;
      g.node(index, 'Reshape', [g.int64s(`${index}.group_shape`, [0, groups, -1])]);
      g.node(
        index,
        'InstanceNormalization',
        [
          g.floats(`${index}.group_scale`, [groups], new Float32Array(groups).fill(1)),
          g.floats(`${index}.group_bias`, [groups], new Float32Array(groups)),
        ],
        [float('epsilon', (f.eps as number | undefined) ?? 1e-5)],
      );
      g.node(index, 'Reshape', [g.int64s(`${index}.shape`, [0, ...inShape.slice(1)])]);
      if (f.affine !== false) {
        const trailing = new Array<number>(inShape.length - 2).fill(1);
        const w = stateTensor(state, `${index}.weight`);
        const b = stateTensor(state, `${index}.bias`);
        g.node(index, 'Mul', [g.floats(`${index}.weight_broadcast`, [channels, ...trailing], w.data)]);
        g.node(index, 'Add', [g.floats(`${index}.bias_broadcast`, [channels, ...trailing], b.data)]);
      }
      return;
    }
    case 'Dropout':
      g.node(index, 'Dropout', [g.floats(`${index}.ratio`, [], [(f.p as number | undefined) ?? 0.5])]);
      return;
    case 'Flatten': {
      const rank = inShape.length;
      const start = normaliseDim((f.startDim as number | undefined) ?? 1, rank);
      const end = normaliseDim((f.endDim as number | undefined) ?? -1, rank);
      if (start === 1 && end === rank - 1) g.node(index, 'Flatten', [], [int('axis', 1)]);
      else if (start >= end) g.node(index, 'Identity', []);
      else
        g.node(index, 'Reshape', [g.int64s(`${index}.shape`, [start === 0 ? -1 : 0, ...outShape.slice(1)])]);
      return;
    }
    case 'ReLU':
      g.node(index, 'Relu', []);
      return;
    case 'ELU':
      g.node(index, 'Elu', [], [float('alpha', (f.alpha as number | undefined) ?? 1)]);
      return;
    case 'LeakyReLU':
      g.node(index, 'LeakyRelu', [], [float('alpha', (f.negativeSlope as number | undefined) ?? 0.01)]);
      return;
    case 'Sigmoid':
      g.node(index, 'Sigmoid', []);
      return;
    case 'Tanh':
      g.node(index, 'Tanh', []);
      return;
    case 'SiLU': {
      const x = g.current;
      const s = g.node(index, 'Sigmoid', []);
      g.node(index, 'Mul', [s], [], x);
      return;
    }
    case 'GELU': {
      const x = g.current;
      const c = (name: string, value: number) => g.floats(`${index}.${name}`, [], [value]);
      if (f.approximate === 'tanh') {
        const cube = g.node(index, 'Pow', [c('three', 3)]);
        g.node(index, 'Mul', [c('coefficient', 0.044715)], [], cube);
        g.node(index, 'Add', [x]);
        g.node(index, 'Mul', [c('sqrt_2_over_pi', Math.sqrt(2 / Math.PI))]);
        g.node(index, 'Tanh', []);
      } else {
        g.node(index, 'Div', [c('sqrt_2', Math.SQRT2)]);
        g.node(index, 'Erf', []);
      }
      g.node(index, 'Add', [c('one', 1)]);
      g.node(index, 'Mul', [x]);
      g.node(index, 'Mul', [c('half', 0.5)]);
      return;
    }
  }
}

function normaliseDim(dim: number, rank: number): number {
  return dim < 0 ? dim + rank : dim;
}

function valueInfo(name: string, perSample: readonly number[]): object {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: DATA_TYPE.FLOAT,
        shape: { dim: [{ dim_param: 'batch' }, ...perSample.map((d) => ({ dim_value: d }))] },
      },
    },
  };
}

/**
 * The ONNX model of a checkpoint (its model, architecture and input shape; classes and normalisation go
 * into the metadata). The model is run once on zeros, in evaluation mode, to learn each layer's shapes.
 *
 * @throws {UnsupportedLayerError} naming the first layer ONNX cannot express
 *
 * @example
 * const { bytes } = exportOnnx(loadCheckpoint(readFileSync('model.safetensors')));
 * const session = await ort.InferenceSession.create(bytes);
 */
export function exportOnnx(
  checkpoint: Pick<Checkpoint, 'model' | 'architecture' | 'inputShape' | 'classes' | 'preprocessing'>,
  options: OnnxExportOptions = {},
): OnnxExport {
  const { model, architecture, inputShape } = checkpoint;
  const state = model.stateDict();
  const shapes: (readonly number[])[] = [];
  const wasTraining = model.training;
  model.eval();
  try {
    noGrad(() => {
      let x = zeros([1, ...inputShape]);
      shapes.push(x.shape);
      for (let i = 0; i < model.length; i++) {
        x = model.at(i).forward(x);
        shapes.push(x.shape);
      }
    });
  } finally {
    if (wasTraining) model.train();
  }
  const g = new GraphBuilder('input');
  architecture.layers.forEach((spec, i) => {
    addLayer(g, spec, i, shapes[i]!, shapes[i + 1]!, state);
  });
  const outputName = options.softmax === true ? 'probabilities' : 'logits';
  if (options.softmax === true) g.node(architecture.layers.length, 'Softmax', [], [int('axis', -1)]);
  const last = g.nodes[g.nodes.length - 1] as { output: string[] };
  last.output = [outputName];
  const metadata = {
    'convnet.architecture': JSON.stringify(architecture),
    'convnet.classes': JSON.stringify(checkpoint.classes),
    'convnet.input_shape': JSON.stringify(inputShape),
    'convnet.preprocessing': JSON.stringify(checkpoint.preprocessing),
  };
  const message = ModelProto.fromObject({
    ir_version: IR_VERSION,
    producer_name: 'convnet-ts',
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: architecture.name ?? 'model',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo('input', inputShape)],
      output: [valueInfo(outputName, shapes[shapes.length - 1]!.slice(1))],
    },
    metadata_props: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  const bytes = ModelProto.encode(message).finish();
  return { bytes, opset: ONNX_OPSET, nodeCount: g.nodes.length, inputName: 'input', outputName };
}
