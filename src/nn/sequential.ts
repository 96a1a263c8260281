/**
 * `nn.Sequential`: modules applied one after the other, as `torch.nn.Sequential`.
 */
import { ArgumentError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { ReLU } from './layers/activation.js';
import { Conv2d } from './layers/conv.js';
import { MaxPool2d } from './layers/pooling.js';
import { Module } from './module.js';

/**
 * A chain of modules: `forward(x)` feeds `x` through each in turn. Children are named `'0'`, `'1'`, …
 * (so the state-dict keys are `0.weight`, `2.bias`… as in PyTorch), or by the keys of a Map (in its order,
 * as PyTorch's `OrderedDict`) or of an object (in JavaScript's property order: integer-like keys first).
 *
 * @example
 * const model = new nn.Sequential(
 *   new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU(), new nn.MaxPool2d(2),
 *   new nn.Flatten(), new nn.Linear(32 * 14 * 14, 10),
 * );
 * model.at(0);                       // the Conv2d
 * for (const layer of model) { … }
 * new nn.Sequential({ conv: new nn.Conv2d(1, 8, 3), act: new nn.ReLU() });   // keys conv.weight, …
 */
export class Sequential extends Module {
  constructor(...modules: Module[] | [ReadonlyMap<string, Module> | Readonly<Record<string, Module>>]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first !== undefined && !(first instanceof Module)) {
      if (first === null || typeof first !== 'object') {
        throw new ArgumentError('Sequential', 'modules', `expected modules, got ${String(first)}`);
      }
      const named =
        first instanceof Map
          ? [...(first as ReadonlyMap<string, Module>)]
          : Object.entries(first as Readonly<Record<string, Module>>);
      for (const [name, module] of named) this.add(name, module);
    } else {
      for (const module of modules as Module[]) this.append(module);
    }
  }

  private add(name: string, module: Module): void {
    if (!(module instanceof Module)) {
      throw new ArgumentError(
        'Sequential',
        'modules',
        `expected a Module, got ${module === null ? 'null' : typeof module}`,
      );
    }
    this.registerModule(name, module);
  }

  private layers(): Module[] {
    return this.ownModules().map(([name, module]) => {
      if (module === null) {
        throw new ArgumentError('Sequential', name, `module '${name}' is null`);
      }
      return module as unknown as Module;
    });
  }

  /** The number of modules. */
  get length(): number {
    return this.ownModules().length;
  }

  /** The module at `index` (negative counts from the end), as PyTorch's `model[index]`. */
  at(index: number): Module {
    const layers = this.layers();
    if (!Number.isInteger(index) || index < -layers.length || index >= layers.length) {
      throw new ArgumentError(
        'Sequential.at',
        'index',
        `index ${index} is out of range for ${layers.length} modules`,
      );
    }
    return layers[index < 0 ? index + layers.length : index]!;
  }

  /** Adds `module` at the end, named by its position; returns `this`. */
  append(module: Module): this {
    this.add(String(this.length), module);
    return this;
  }

  /**
   * A new `Sequential` of the modules from `start` up to (not including) `end` (negative counts from the
   * end), shared with this one and keeping their names, as PyTorch's `model[start:end]`.
   */
  slice(start?: number, end?: number): Sequential {
    const picked = new Sequential();
    for (const [name, module] of this.ownModules().slice(start, end)) {
      picked.add(name, module as unknown as Module);
    }
    return picked;
  }

  /** The modules in order. */
  [Symbol.iterator](): Iterator<Module> {
    return this.layers()[Symbol.iterator]();
  }

  /**
   * `x` through every module in turn. A `Conv2d` directly followed by a `ReLU` runs as one fused op
   * (`F.conv2dRelu`), and with a `MaxPool2d` after them too (`F.conv2dReluMaxPool2d`): the same values and
   * gradients, unless one of their `forward`s is overridden or wrapped.
   */
  forward(input: Tensor): Tensor {
    const layers = this.layers();
    let x = input;
    for (let i = 0; i < layers.length; i++) {
      const layer = layers[i]!;
      const next = layers[i + 1];
      const pool = layers[i + 2];
      if (
        layer instanceof Conv2d &&
        next instanceof ReLU &&
        layer.forward === Conv2d.prototype.forward &&
        next.forward === ReLU.prototype.forward
      ) {
        if (pool instanceof MaxPool2d && pool.forward === MaxPool2d.prototype.forward) {
          x = layer.forwardReluMaxPool(x, pool);
          i += 2;
        } else {
          x = layer.forwardRelu(x);
          i++;
        }
      } else {
        x = layer.forward(x);
      }
    }
    return x;
  }
}
