/**
 * An ONNX model as a convnet-ts checkpoint, for the operators {@link exportOnnx} writes and PyTorch's
 * `torch.onnx.export` writes for the same layers: Conv (with a Pad before it for reflect or replicate
 * padding), Gemm, MatMul (and Add for its bias), MaxPool, AveragePool, GlobalAveragePool, BatchNormalization,
 * Dropout, Flatten (axis 1), Relu, Elu, LeakyRelu, Sigmoid, Tanh, Identity and Constant. A final Softmax is
 * left out (convnet-ts models output logits; `predict` applies softmax) and reported. The graph must be a
 * chain: each node reads the previous node's output and weights held in the file.
 *
 * The file may come from anyone: its size is checked before decoding, the schema has no recursive
 * message, every tensor's declared size is checked against the bytes that back it before anything is
 * allocated, and every error is an {@link InteropError} (an {@link UnsupportedOperatorError} naming the
 * operator and the node for an operator without a convnet-ts layer) with a bounded message.
 */
import type { Checkpoint } from '../checkpoint/model.js';
import { tensor, zeros } from '../creation.js';
import { ConvnetError } from '../errors.js';
import type { Architecture, LayerSpec } from '../models/architecture.js';
import { buildModel } from '../models/architecture.js';
import { defaultGenerator } from '../random.js';
import type { Tensor } from '../tensor.js';
import { InteropError, UnsupportedOperatorError, bounded, quote } from './errors.js';
import type { AttributeMessage, Int64, ModelMessage, NodeMessage, TensorMessage } from './onnx-schema.js';
import { DATA_TYPE, ModelProto } from './onnx-schema.js';

/** Limits on what an ONNX file may declare; each can be raised. */
export interface OnnxLimits {
  /** Largest file, in bytes (default 512 MiB). */
  maxBytes?: number;
  /** Most nodes in the graph (default 10,000). */
  maxNodes?: number;
  /** Most elements in one tensor (default 100,000,000). */
  maxTensorElements?: number;
}

/** What {@link importOnnx} returns: a checkpoint, and whether a final Softmax was left out. */
export interface OnnxImport extends Checkpoint {
  /** True when the graph ended with Softmax, which the checkpoint leaves out (it outputs logits). */
  readonly droppedSoftmax: boolean;
}

const OP = 'importOnnx';
const DEFAULT_LIMITS: Required<OnnxLimits> = {
  maxBytes: 512 * 2 ** 20,
  maxNodes: 10_000,
  maxTensorElements: 100_000_000,
};
const SUPPORTED =
  'Conv, Gemm, MatMul, Add (a MatMul bias), MaxPool, AveragePool, GlobalAveragePool, BatchNormalization, Dropout, Flatten, Relu, Elu, LeakyRelu, Sigmoid, Tanh, Pad (before Conv or AveragePool), Identity, Constant, a final Softmax';

/** The shortest decimal that is the same float32 (0.2, not 0.20000000298023224). */
function shortFloat(value: number): number {
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === Math.fround(value)) return candidate;
  }
  return value;
}

/** Reads one ONNX file's graph into layers and weights. */
class GraphReader {
  private readonly constants = new Map<string, { dims: number[]; values: Float64Array }>();
  private readonly initializers = new Map<string, TensorMessage>();
  readonly layers: LayerSpec[] = [];
  readonly state: Record<string, Tensor> = {};
  droppedSoftmax = false;
  private rank = 4;
  private pendingPad: { mode: string; pads: number[]; node: NodeMessage; name: string } | null = null;
  private matmulBiasFree: number | null = null;

  constructor(
    private readonly file: string,
    private readonly limits: Required<OnnxLimits>,
    initializers: readonly TensorMessage[],
  ) {
    for (const t of initializers) this.initializers.set(t.name, t);
  }

  fail(detail: string): never {
    throw new InteropError(OP, this.file, bounded(detail));
  }

  /** An int64 as a safe integer. */
  int(value: Int64 | null | undefined, what: string): number {
    if (value === null || value === undefined) return 0;
    const n = typeof value === 'number' ? value : value.toNumber();
    if (!Number.isSafeInteger(n))
      this.fail(`${what} is ${String(n)}, not an integer JavaScript holds exactly`);
    return n;
  }

  /** A tensor's dims, checked: at most 8, each ≥ 0, at most `maxTensorElements` elements in all. */
  dims(t: TensorMessage, what: string): { dims: number[]; count: number } {
    if (t.dims.length > 8) this.fail(`${what} has ${t.dims.length} dims (at most 8 are read)`);
    const dims = t.dims.map((d) => this.int(d, `a dim of ${what}`));
    let count = 1;
    for (const d of dims) {
      if (d < 0) this.fail(`${what} has a negative dim ${d}`);
      count *= d;
      if (count > this.limits.maxTensorElements) {
        this.fail(
          `${what} declares more than ${this.limits.maxTensorElements} elements (raise maxTensorElements to read it)`,
        );
      }
    }
    return { dims, count };
  }

  /** A tensor's values as float64, after checking its declared size against the bytes that back it. */
  values(t: TensorMessage, what: string): { dims: number[]; values: Float64Array } {
    if (t.data_location === 1 || t.external_data.length > 0) {
      this.fail(
        `${what} keeps its data in an external file, which is not read (save the model with its weights inside)`,
      );
    }
    const { dims, count } = this.dims(t, what);
    const raw = t.raw_data;
    const fromRaw = raw.length > 0;
    const expect = (have: number, unit: number, field: string) => {
      if (have !== count * unit) {
        this.fail(
          `${what} declares ${count} elements (${dims.join('×') || 'scalar'}) but ${field} holds ${fromRaw ? `${have} bytes` : `${have} values`}`,
        );
      }
    };
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    switch (t.data_type) {
      case DATA_TYPE.FLOAT: {
        if (fromRaw) {
          expect(raw.length, 4, 'raw_data');
          return {
            dims,
            values: Float64Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true)),
          };
        }
        expect(t.float_data.length, 1, 'float_data');
        return { dims, values: Float64Array.from(t.float_data) };
      }
      case DATA_TYPE.DOUBLE: {
        if (fromRaw) {
          expect(raw.length, 8, 'raw_data');
          return {
            dims,
            values: Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true)),
          };
        }
        expect(t.double_data.length, 1, 'double_data');
        return { dims, values: Float64Array.from(t.double_data) };
      }
      case DATA_TYPE.INT64: {
        if (fromRaw) {
          expect(raw.length, 8, 'raw_data');
          return {
            dims,
            values: Float64Array.from({ length: count }, (_, i) => Number(view.getBigInt64(i * 8, true))),
          };
        }
        expect(t.int64_data.length, 1, 'int64_data');
        return { dims, values: Float64Array.from(t.int64_data, (v) => this.int(v, `a value of ${what}`)) };
      }
      default:
        return this.fail(`${what} has data type ${t.data_type}; float, double and int64 tensors are read`);
    }
  }

  /** The constant (initializer or Constant output) named `name`, input `index` of `node`. */
  param(node: NodeMessage, index: number, nodeName: string): { dims: number[]; values: Float64Array } | null {
    const name = node.input[index];
    if (name === undefined || name === '') return null;
    const known = this.constants.get(name);
    if (known !== undefined) return known;
    const t = this.initializers.get(name);
    if (t === undefined) {
      throw new UnsupportedOperatorError(
        OP,
        node.op_type,
        nodeName,
        `reads ${quote(name)}, which is neither a weight in the file nor the previous node's output: only a chain of layers is imported`,
      );
    }
    const read = this.values(t, `initializer ${quote(name)}`);
    this.constants.set(name, read);
    return read;
  }

  required(node: NodeMessage, index: number, nodeName: string): { dims: number[]; values: Float64Array } {
    const p = this.param(node, index, nodeName);
    if (p === null)
      throw new UnsupportedOperatorError(OP, node.op_type, nodeName, `lacks its input ${index}`);
    return p;
  }

  attribute(node: NodeMessage, name: string): AttributeMessage | undefined {
    return node.attribute.find((a) => a.name === name);
  }

  intAttr(node: NodeMessage, name: string, fallback: number): number {
    const a = this.attribute(node, name);
    return a === undefined ? fallback : this.int(a.i, `attribute ${name}`);
  }

  intsAttr(node: NodeMessage, name: string, fallback: number[]): number[] {
    const a = this.attribute(node, name);
    if (a === undefined) return fallback;
    if (a.ints.length > 16) this.fail(`attribute ${name} has ${a.ints.length} values`);
    return a.ints.map((v) => this.int(v, `attribute ${name}`));
  }

  floatAttr(node: NodeMessage, name: string, fallback: number): number {
    const a = this.attribute(node, name);
    return a === undefined ? fallback : shortFloat(a.f);
  }

  stringAttr(node: NodeMessage, name: string, fallback: string): string {
    const a = this.attribute(node, name);
    return a === undefined ? fallback : new TextDecoder().decode(a.s.subarray(0, 64));
  }

  tensorOf(values: Float64Array, dims: readonly number[]): Tensor {
    return tensor(Float32Array.from(values), [...dims]);
  }

  /** Adds a layer with its weights (keyed `index.name`). */
  push(spec: LayerSpec, weights: Record<string, Tensor> = {}): void {
    const index = this.layers.length;
    this.layers.push(spec);
    for (const [key, value] of Object.entries(weights)) this.state[`${index}.${key}`] = value;
  }

  /** Spatial pads `[top, left, bottom, right]` as a symmetric `[h, w]`, or an error naming the node. */
  symmetric(pads: number[], node: NodeMessage, nodeName: string): [number, number] {
    if (pads.length !== 4 || pads[0] !== pads[2] || pads[1] !== pads[3]) {
      throw new UnsupportedOperatorError(
        OP,
        node.op_type,
        nodeName,
        `has pads ${JSON.stringify(pads)}: only symmetric 2-D padding [t, l, t, l] maps to a layer`,
      );
    }
    return [pads[0]!, pads[1]!];
  }

  checkAutoPad(node: NodeMessage, nodeName: string): void {
    const autoPad = this.stringAttr(node, 'auto_pad', 'NOTSET');
    if (autoPad !== 'NOTSET' && autoPad !== 'VALID') {
      throw new UnsupportedOperatorError(
        OP,
        node.op_type,
        nodeName,
        `has auto_pad ${quote(autoPad)}: give explicit pads`,
      );
    }
  }

  /** Reads one node, which reads `current`; returns the value the next node must read. */
  read(node: NodeMessage, nodeName: string): void {
    const op = node.op_type;
    const unsupported = (detail: string): never => {
      throw new UnsupportedOperatorError(OP, op, nodeName, detail);
    };
    if (this.pendingPad !== null && op !== 'Conv' && op !== 'AveragePool') {
      throw new UnsupportedOperatorError(
        OP,
        'Pad',
        this.pendingPad.name,
        `is followed by ${quote(op)}: a Pad is imported only before Conv or AveragePool`,
      );
    }
    if (op !== 'Add') this.matmulBiasFree = null;
    switch (op) {
      case 'Identity':
        return;
      case 'Conv': {
        this.checkAutoPad(node, nodeName);
        const w = this.required(node, 1, nodeName);
        if (w.dims.length !== 4)
          unsupported(`has a ${w.dims.length}-D weight: only 2-D convolutions (4-D weights) map to Conv2d`);
        const [outChannels, , kh, kw] = w.dims as [number, number, number, number];
        const b = this.param(node, 2, nodeName);
        let padding = this.symmetric(this.intsAttr(node, 'pads', [0, 0, 0, 0]), node, nodeName);
        const spec: Record<string, unknown> = { type: 'Conv2d', outChannels, kernelSize: [kh, kw] };
        const pad = this.takePad();
        if (pad !== null) {
          if (pad.mode !== 'constant' && (padding[0] > 0 || padding[1] > 0))
            unsupported('pads both in its Pad and in itself');
          padding = [padding[0] + pad.pads[0]!, padding[1] + pad.pads[1]!];
          if (pad.mode !== 'constant') spec.paddingMode = pad.mode;
        }
        spec.stride = this.pairOf(this.intsAttr(node, 'strides', [1, 1]), 'strides', node, nodeName);
        spec.padding = padding;
        spec.dilation = this.pairOf(this.intsAttr(node, 'dilations', [1, 1]), 'dilations', node, nodeName);
        spec.groups = this.intAttr(node, 'group', 1);
        spec.bias = b !== null;
        const weights: Record<string, Tensor> = { weight: this.tensorOf(w.values, w.dims) };
        if (b !== null) weights.bias = this.tensorOf(b.values, [outChannels]);
        this.push(spec as LayerSpec, weights);
        return;
      }
      case 'Gemm': {
        if (this.floatAttr(node, 'alpha', 1) !== 1 || this.intAttr(node, 'transA', 0) !== 0) {
          unsupported('has alpha ≠ 1 or transA: only y = x·Wᵀ + b (a Linear layer) is imported');
        }
        const w = this.required(node, 1, nodeName);
        if (w.dims.length !== 2) unsupported('has a weight that is not 2-D');
        const transB = this.intAttr(node, 'transB', 0) === 1;
        const weight = transB ? this.tensorOf(w.values, w.dims) : this.tensorOf(w.values, w.dims).t();
        const outFeatures = weight.shape[0]!;
        const c = this.param(node, 2, nodeName);
        if (c !== null && (this.floatAttr(node, 'beta', 1) !== 1 || c.values.length !== outFeatures)) {
          unsupported(
            `has a bias of shape [${c.dims.join(', ')}] or beta ≠ 1: a Linear bias has ${outFeatures} values`,
          );
        }
        const weights: Record<string, Tensor> = { weight: weight.clone() };
        if (c !== null) weights.bias = this.tensorOf(c.values, [outFeatures]);
        this.push({ type: 'Linear', outFeatures, bias: c !== null }, weights);
        this.rank = 2;
        return;
      }
      case 'MatMul': {
        const w = this.required(node, 1, nodeName);
        if (w.dims.length !== 2) unsupported('multiplies by a tensor that is not a 2-D weight');
        const weight = this.tensorOf(w.values, w.dims).t().clone();
        this.push({ type: 'Linear', outFeatures: weight.shape[0]!, bias: false }, { weight });
        this.matmulBiasFree = this.layers.length - 1;
        return;
      }
      case 'Add': {
        const index = this.matmulBiasFree;
        const b = this.param(node, 1, nodeName);
        const layer = index === null ? undefined : this.layers[index];
        if (layer === undefined || b === null || b.values.length !== layer.outFeatures) {
          unsupported('is imported only as the bias of the MatMul just before it');
        }
        this.layers[index!] = { ...layer!, bias: true };
        this.state[`${index}.bias`] = this.tensorOf(b!.values, [b!.values.length]);
        this.matmulBiasFree = null;
        return;
      }
      case 'MaxPool':
      case 'AveragePool': {
        this.checkAutoPad(node, nodeName);
        if (node.output.length > 1 && node.output[1] !== '')
          unsupported('has an Indices output, which no layer gives');
        const kernel = this.intsAttr(node, 'kernel_shape', []);
        const kernelSize = this.pairOf(kernel, 'kernel_shape', node, nodeName);
        let padding = this.symmetric(this.intsAttr(node, 'pads', [0, 0, 0, 0]), node, nodeName);
        const spec: Record<string, unknown> = {
          type: op === 'MaxPool' ? 'MaxPool2d' : 'AvgPool2d',
          kernelSize,
          stride: this.pairOf(this.intsAttr(node, 'strides', [1, 1]), 'strides', node, nodeName),
        };
        let countIncludePad = this.intAttr(node, 'count_include_pad', 0) === 1;
        const pad = this.takePad();
        if (pad !== null) {
          if (pad.mode !== 'constant' || padding[0] > 0 || padding[1] > 0)
            unsupported('follows a Pad that is not zero padding');
          padding = [pad.pads[0]!, pad.pads[1]!];
          countIncludePad = true;
        }
        spec.padding = padding;
        if (op === 'MaxPool')
          spec.dilation = this.pairOf(this.intsAttr(node, 'dilations', [1, 1]), 'dilations', node, nodeName);
        spec.ceilMode = this.intAttr(node, 'ceil_mode', 0) === 1;
        if (op === 'AveragePool') spec.countIncludePad = countIncludePad;
        this.push(spec as LayerSpec);
        return;
      }
      case 'GlobalAveragePool':
        this.push({ type: 'AdaptiveAvgPool2d', outputSize: 1 });
        return;
      case 'Relu':
        this.push({ type: 'ReLU' });
        return;
      case 'Sigmoid':
        this.push({ type: 'Sigmoid' });
        return;
      case 'Tanh':
        this.push({ type: 'Tanh' });
        return;
      case 'Elu':
        this.push({ type: 'ELU', alpha: this.floatAttr(node, 'alpha', 1) });
        return;
      case 'LeakyRelu':
        this.push({ type: 'LeakyReLU', negativeSlope: this.floatAttr(node, 'alpha', 0.01) });
        return;
      case 'Flatten': {
        const axis = this.intAttr(node, 'axis', 1);
        if (axis !== 1) unsupported(`has axis ${axis}: only axis 1 (keep the batch dim) is a Flatten layer`);
        this.push({ type: 'Flatten' });
        this.rank = 2;
        return;
      }
      case 'BatchNormalization': {
        if (this.intAttr(node, 'training_mode', 0) !== 0 || node.output.filter((o) => o !== '').length > 1) {
          unsupported('is in training mode: only inference batch norm is imported');
        }
        const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => this.required(node, i, nodeName));
        const n = scale!.values.length;
        if (![bias, mean, variance].every((p) => p!.values.length === n))
          unsupported('has parameters of different lengths');
        const type = this.rank === 4 ? 'BatchNorm2d' : 'BatchNorm1d';
        if (this.rank !== 4 && this.rank !== 2 && this.rank !== 3)
          unsupported(`normalises a ${this.rank}-D value`);
        const momentum = shortFloat(1 - this.floatAttr(node, 'momentum', 0.9));
        this.push(
          { type, eps: this.floatAttr(node, 'epsilon', 1e-5), momentum },
          {
            weight: this.tensorOf(scale!.values, [n]),
            bias: this.tensorOf(bias!.values, [n]),
            running_mean: this.tensorOf(mean!.values, [n]),
            running_var: this.tensorOf(variance!.values, [n]),
            num_batches_tracked: zeros([], { dtype: 'int32' }),
          },
        );
        return;
      }
      case 'Dropout': {
        const ratio = this.param(node, 1, nodeName);
        const training = this.param(node, 2, nodeName);
        if (training !== null && training.values[0] !== 0) unsupported('is in training mode');
        const p =
          ratio === null
            ? this.floatAttr(node, 'ratio', 0.5)
            : shortFloat(Math.fround(ratio.values[0] ?? 0.5));
        if (!(p >= 0 && p <= 1)) unsupported(`has ratio ${p}`);
        this.push({ type: 'Dropout', p });
        return;
      }
      case 'Pad': {
        const mode = this.stringAttr(node, 'mode', 'constant');
        const given = this.param(node, 1, nodeName);
        const pads = given === null ? this.intsAttr(node, 'pads', []) : Array.from(given.values);
        const value = this.param(node, 2, nodeName);
        if (value !== null && value.values[0] !== 0) unsupported('pads with a value other than 0');
        if (pads.length !== 8 || pads[0] !== 0 || pads[1] !== 0 || pads[4] !== 0 || pads[5] !== 0) {
          unsupported(
            `has pads ${JSON.stringify(pads)}: only the 2 spatial dims of an N×C×H×W value are padded by a layer`,
          );
        }
        if (pads[2] !== pads[6] || pads[3] !== pads[7])
          unsupported(`pads asymmetrically (${JSON.stringify(pads)})`);
        const modes: Record<string, string> = { constant: 'constant', reflect: 'reflect', edge: 'replicate' };
        if (modes[mode] === undefined) unsupported(`has mode ${quote(mode)}`);
        this.pendingPad = { mode: modes[mode]!, pads: [pads[2]!, pads[3]!], node, name: nodeName };
        return;
      }
      default:
        unsupported(`has no convnet-ts layer (supported: ${SUPPORTED})`);
    }
  }

  takePad(): { mode: string; pads: number[] } | null {
    const pad = this.pendingPad;
    this.pendingPad = null;
    return pad;
  }

  finish(): void {
    if (this.pendingPad !== null) {
      throw new UnsupportedOperatorError(
        OP,
        'Pad',
        this.pendingPad.name,
        'ends the graph: a Pad is imported only before Conv or AveragePool',
      );
    }
  }

  /** A 2-D attribute (`strides`, …) as `[h, w]`. */
  pairOf(values: number[], name: string, node: NodeMessage, nodeName: string): [number, number] {
    if (values.length !== 2) {
      throw new UnsupportedOperatorError(
        OP,
        node.op_type,
        nodeName,
        `has ${name} ${JSON.stringify(values)}: only 2-D (image) operators map to layers`,
      );
    }
    return [values[0]!, values[1]!];
  }

  /** Registers a Constant node's value under its output name. */
  constant(node: NodeMessage, nodeName: string): void {
    const value = this.attribute(node, 'value');
    if (value?.t === undefined || value.t === null || node.output[0] === undefined) {
      throw new UnsupportedOperatorError(OP, 'Constant', nodeName, 'holds no tensor "value"');
    }
    this.constants.set(node.output[0], this.values(value.t, `Constant ${quote(nodeName)}`));
  }
}

/** Whether `value` is `{ mean, std }` with one finite number per channel in each (std > 0). */
function isPreprocessing(value: unknown, channels: number): value is Checkpoint['preprocessing'] {
  if (value === null || typeof value !== 'object') return false;
  const { mean, std } = value as Record<string, unknown>;
  const numbers = (list: unknown, positive: boolean) =>
    Array.isArray(list) &&
    list.length === channels &&
    list.every((v) => typeof v === 'number' && Number.isFinite(v) && (!positive || v > 0));
  return numbers(mean, false) && numbers(std, true);
}

/** The metadata entry `key` as parsed JSON, or `undefined` when absent or not JSON. */
function metadataValue(model: ModelMessage, key: string): unknown {
  const entry = model.metadata_props.find((p) => p.key === key);
  if (entry === undefined) return undefined;
  try {
    return JSON.parse(entry.value) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Reads an ONNX model into a checkpoint: its layers as an architecture, its weights, its input shape
 * from the graph input (`[N, C, H, W]` with C, H and W fixed), and the classes and normalisation that
 * `exportOnnx` stores in the metadata (else classes `'0'`, `'1'`, … and mean 0, std 1). `name` (a file
 * name) labels errors.
 *
 * @throws {UnsupportedOperatorError} naming the first node whose operator has no convnet-ts layer
 * @throws {InteropError} if the bytes are not an ONNX model, exceed a limit, or do not fit together
 *
 * @example
 * const { model, architecture } = importOnnx(readFileSync('model.onnx'), 'model.onnx');
 */
export function importOnnx(bytes: Uint8Array, name = 'model.onnx', limits: OnnxLimits = {}): OnnxImport {
  const checked = { ...DEFAULT_LIMITS, ...limits };
  const fail = (detail: string): never => {
    throw new InteropError(OP, name, bounded(detail));
  };
  if (!(bytes instanceof Uint8Array)) fail('expected the bytes of an .onnx file');
  if (bytes.length > checked.maxBytes) {
    fail(
      `the file is ${bytes.length} bytes, more than the ${checked.maxBytes}-byte limit (raise maxBytes to read it)`,
    );
  }
  let model: ModelMessage;
  try {
    model = ModelProto.decode(bytes) as unknown as ModelMessage;
  } catch (error) {
    return fail(
      `not an ONNX model (protobuf decoding failed: ${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const graph = model.graph;
  if (graph === null || graph === undefined) return fail('not an ONNX model: it has no graph');
  const reader = new GraphReader(name, checked, graph.initializer);
  const opset = model.opset_import.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const version = opset === undefined ? 0 : reader.int(opset.version, 'the opset version');
  if (version < 11) fail(`the model uses ONNX opset ${version}; opset 11 or later is read`);
  if (graph.node.length > checked.maxNodes) {
    fail(
      `the graph has ${graph.node.length} nodes, more than the ${checked.maxNodes}-node limit (raise maxNodes to read it)`,
    );
  }
  const initializerNames = new Set(graph.initializer.map((t) => t.name));
  const inputs = graph.input.filter((i) => !initializerNames.has(i.name));
  if (inputs.length !== 1)
    fail(`the graph has ${inputs.length} inputs besides its weights; one image input is read`);
  const input = inputs[0]!;
  const tensorType = input.type?.tensor_type;
  const dims = tensorType?.shape?.dim ?? [];
  if (tensorType?.elem_type !== DATA_TYPE.FLOAT || dims.length !== 4) {
    fail(`the input ${quote(input.name)} is not a float tensor [N, C, H, W]`);
  }
  const inputShape = dims.slice(1).map((d) => reader.int(d.dim_value, 'an input dim'));
  if (!inputShape.every((d) => d >= 1 && d <= 65_536)) {
    fail(
      `the input ${quote(input.name)} has shape [N, ${inputShape.join(', ')}]: C, H and W must be fixed sizes from 1 to 65536`,
    );
  }
  let current = input.name;
  graph.node.forEach((node, i) => {
    const nodeName = node.name === '' ? `#${i}` : node.name;
    if (node.domain !== '' && node.domain !== 'ai.onnx') {
      throw new UnsupportedOperatorError(
        OP,
        node.op_type,
        nodeName,
        `is from domain ${quote(node.domain)}; only standard ONNX operators are read`,
      );
    }
    if (node.op_type === 'Constant') {
      reader.constant(node, nodeName);
      return;
    }
    if (node.input[0] !== current) {
      throw new UnsupportedOperatorError(
        OP,
        node.op_type,
        nodeName,
        `reads ${quote(node.input[0] ?? '')}, not the previous node's output ${quote(current)}: only a chain of layers is imported`,
      );
    }
    if (node.op_type === 'Softmax') {
      if (i !== graph.node.length - 1) {
        throw new UnsupportedOperatorError(
          OP,
          'Softmax',
          nodeName,
          'is not the last node: a Softmax is imported only at the end, where it is left out',
        );
      }
      reader.droppedSoftmax = true;
      return;
    }
    reader.read(node, nodeName);
    if (node.output[0] === undefined || node.output[0] === '') {
      throw new UnsupportedOperatorError(OP, node.op_type, nodeName, 'has no output');
    }
    current = node.output[0];
  });
  reader.finish();
  const outputs = graph.output.map((o) => o.name);
  const last =
    graph.node.length > 0 && reader.droppedSoftmax ? graph.node[graph.node.length - 1]!.output[0] : current;
  if (outputs.length !== 1 || outputs[0] !== last) {
    fail(
      `the graph's outputs ${bounded(JSON.stringify(outputs))} are not the end of its chain of layers (${quote(current)})`,
    );
  }
  if (reader.layers.length === 0) fail('the graph has no layers');
  const stored = metadataValue(model, 'convnet.architecture') as Architecture | undefined;
  const architectureName =
    typeof stored?.name === 'string' ? stored.name : graph.name === '' ? undefined : graph.name;
  const architecture: Architecture =
    architectureName === undefined
      ? { layers: reader.layers }
      : { name: architectureName, layers: reader.layers };
  const state = defaultGenerator.getState();
  let built;
  try {
    built = buildModel(architecture, inputShape);
    built.model.loadStateDict(reader.state);
  } catch (error) {
    if (!(error instanceof ConvnetError)) throw error;
    return fail(`the graph's layers do not fit together: ${error.message}`);
  } finally {
    defaultGenerator.setState(state);
  }
  const outputsPerSample = built.outputShape.reduce((a, b) => a * b, 1);
  const classes = metadataValue(model, 'convnet.classes');
  const preprocessing = metadataValue(model, 'convnet.preprocessing');
  return {
    model: built.model,
    architecture: built.architecture,
    inputShape,
    classes:
      Array.isArray(classes) &&
      classes.length === outputsPerSample &&
      classes.every((c) => typeof c === 'string')
        ? classes
        : Array.from({ length: outputsPerSample }, (_, i) => String(i)),
    preprocessing: isPreprocessing(preprocessing, inputShape[0]!)
      ? { mean: preprocessing.mean, std: preprocessing.std }
      : { mean: new Array<number>(inputShape[0]!).fill(0), std: new Array<number>(inputShape[0]!).fill(1) },
    droppedSoftmax: reader.droppedSoftmax,
  };
}
