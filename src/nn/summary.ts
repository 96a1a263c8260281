/**
 * `model.summary(inputShape)`: one forward pass on zeros that records, for every module called, its output
 * shape and parameter count — the table `convnet summary` prints.
 */
import { DTypeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { checkShape, formatShape } from '../shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { zeros } from '../creation.js';
import { Tensor } from '../tensor.js';
import type { FloatDType } from './checks.js';
import { groupDigits } from './format.js';
import type { AnyModule, Module } from './module.js';

/** Options of `summary`. */
export interface SummaryOptions {
  /** dtype of the zeros fed to the model (default: that of its first parameter, else `'float32'`). */
  dtype?: FloatDType;
}

/** One module call during the summary's forward pass. */
export interface SummaryRow {
  /** Dotted name in the model (`'features.0'`); `''` for the model itself. */
  readonly name: string;
  /** Class name, e.g. `'Conv2d'`. */
  readonly type: string;
  /** Nesting depth: 0 for the model, 1 for its children… */
  readonly depth: number;
  /** Shape of the output, or null if the module returned something other than a tensor. */
  readonly outputShape: Shape | null;
  /** Number of values in the parameters the module registered itself (not its sub-modules'). */
  readonly parameters: number;
}

/** The result of `summary`: a row per module call, in call order, and the parameter totals. */
export class ModelSummary {
  constructor(
    /** The shape of the zeros the model was run on. */
    readonly inputShape: Shape,
    /** One row per module call, in call order. */
    readonly rows: readonly SummaryRow[],
    /** Number of values in all parameters, each shared parameter once. */
    readonly totalParameters: number,
    /** The same, for parameters that require gradients. */
    readonly trainableParameters: number,
  ) {}

  /** A table with one line per module call, then the totals. */
  toString(): string {
    const header = ['Layer (type)', 'Output shape', 'Param #'];
    const cells = this.rows.map((r) => [
      `${'  '.repeat(r.depth)}${r.name === '' ? r.type : `${r.name} (${r.type})`}`,
      r.outputShape === null ? '-' : formatShape(r.outputShape),
      groupDigits(r.parameters),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
    const line = (c: string[]): string =>
      `${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padEnd(widths[1]!)}  ${c[2]!.padStart(widths[2]!)}`;
    const rule = '='.repeat(widths[0]! + widths[1]! + widths[2]! + 4);
    return [
      line(header),
      rule,
      ...cells.map(line),
      rule,
      `Input shape: ${formatShape(this.inputShape)}`,
      `Total params: ${groupDigits(this.totalParameters)}`,
      `Trainable params: ${groupDigits(this.trainableParameters)}`,
      `Non-trainable params: ${groupDigits(this.totalParameters - this.trainableParameters)}`,
    ].join('\n');
  }
}

interface MutableRow {
  name: string;
  type: string;
  depth: number;
  outputShape: Shape | null;
  parameters: number;
}

/**
 * Runs `model` on zeros of `inputShape` in evaluation mode without gradients, recording each module call
 * by wrapping every module's `forward` for the duration of the pass. Modes and `forward`s are restored.
 */
export function summarize(model: AnyModule, inputShape: Shape, options?: SummaryOptions): ModelSummary {
  const op = 'summary';
  checkShape(inputShape, op, 'inputShape');
  const params = model.parameters();
  const dtype = options?.dtype ?? params[0]?.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new DTypeError(op, 'dtype', `expected float32 or float64, got ${dtype}`);
  }
  const named = model.namedModules();
  const modes = named.map(([, m]) => m.training);
  const rows: MutableRow[] = [];
  const restore: (() => void)[] = [];
  for (const [name, module] of named) {
    const own = Object.getOwnPropertyDescriptor(module, 'forward');
    const original = module.forward.bind(module);
    const depth = name === '' ? 0 : name.split('.').length;
    const parameters = module.parameters({ recurse: false }).reduce((n, p) => n + p.size, 0);
    const recording = (...args: never[]): unknown => {
      const row: MutableRow = { name, type: module.constructor.name, depth, outputShape: null, parameters };
      rows.push(row);
      const out = original(...args);
      if (out instanceof Tensor) row.outputShape = [...out.shape];
      return out;
    };
    Object.defineProperty(module, 'forward', { value: recording, configurable: true, writable: true });
    restore.push(() => {
      if (own === undefined) Reflect.deleteProperty(module, 'forward');
      else Object.defineProperty(module, 'forward', own);
    });
  }
  try {
    model.eval();
    const input = zeros(inputShape, { dtype });
    noGrad(() => (model as unknown as Module<[Tensor], unknown>).forward(input));
  } finally {
    for (const undo of restore) undo();
    named.forEach(([, m], i) => {
      m.training = modes[i]!;
    });
  }
  const total = params.reduce((n, p) => n + p.size, 0);
  const trainable = params.reduce((n, p) => n + (p.requiresGrad ? p.size : 0), 0);
  return new ModelSummary([...inputShape], rows, total, trainable);
}
