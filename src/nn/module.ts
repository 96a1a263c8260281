/**
 * `nn.Module`, the base class of every layer and model, as `torch.nn.Module`: it keeps parameters (tensors
 * the optimizer trains), buffers (state that is not trained, such as BatchNorm's running statistics) and
 * sub-modules apart, names them with dots (`features.0.weight`), switches training and evaluation mode
 * recursively, and saves and restores its state by name.
 *
 * JavaScript cannot intercept property assignment cheaply, so a module registers what it owns explicitly;
 * each `register…` call returns what it registers, so it reads like PyTorch's attribute assignment:
 *
 * @example
 * class Net extends nn.Module {
 *   conv = this.registerModule('conv', new nn.Conv2d(1, 8, 3));
 *   scale = this.registerParameter('scale', ones([1]));
 *   step = this.registerBuffer('step', zeros([], { dtype: 'int32' }));
 *   forward(x: Tensor): Tensor {
 *     return this.conv.forward(x).mul(this.scale);
 *   }
 * }
 */
import { isFloating } from '../dtype.js';
import { ArgumentError, ConvnetError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { formatShape, shapesEqual } from '../shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { Tensor } from '../tensor.js';
import { groupDigits } from './format.js';
import type { ModelSummary, SummaryOptions } from './summary.js';
import { summarize } from './summary.js';

/** Any module, whatever its `forward` takes and returns: the type of sub-modules in the tree. */
export type AnyModule = Module<never[], unknown>;

/**
 * Parameters and persistent buffers by dotted name, in registration order (PyTorch's `state_dict()`): a
 * plain object, so it goes straight into `saveSafetensors`.
 */
export type StateDict = Record<string, Tensor>;

/** What `loadStateDict` found: keys the module has but the state lacks, and the other way round. */
export interface LoadStateDictResult {
  /** Keys of the module's state that the given state lacks. */
  missingKeys: string[];
  /** Keys of the given state that the module does not have. */
  unexpectedKeys: string[];
}

/** Options of {@link Module.registerParameter}. */
export interface ParameterOptions {
  /** Whether the optimizer trains it: the parameter's `requiresGrad` (default true, as `nn.Parameter`). */
  requiresGrad?: boolean;
}

/** Options of {@link Module.registerBuffer}. */
export interface BufferOptions {
  /** Whether the buffer is part of `stateDict()` (default true). */
  persistent?: boolean;
}

/** Options of {@link Module.namedParameters}, {@link Module.namedBuffers} and their unnamed forms. */
export interface RecurseOptions {
  /** Prepended to every name, with a dot. */
  prefix?: string;
  /** Include the tensors of sub-modules (default true). */
  recurse?: boolean;
}

/**
 * `loadStateDict` in strict mode found keys the module lacks (`unexpectedKeys`) or keys the state lacks
 * (`missingKeys`). Nothing was copied.
 */
export class StateDictError extends ConvnetError {
  constructor(
    /** Keys of the module's state that the given state lacks. */
    readonly missingKeys: readonly string[],
    /** Keys of the given state that the module does not have. */
    readonly unexpectedKeys: readonly string[],
  ) {
    const parts: string[] = [];
    if (missingKeys.length > 0) parts.push(`missing keys: ${missingKeys.map((k) => `"${k}"`).join(', ')}`);
    if (unexpectedKeys.length > 0)
      parts.push(`unexpected keys: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}`);
    super('loadStateDict', 'state', `the state does not match the module (${parts.join('; ')})`);
  }
}

function join(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** Indents every line of a nested repr but the first, as PyTorch's `_addindent`. */
function indent(text: string, spaces: number): string {
  return text.replaceAll('\n', `\n${' '.repeat(spaces)}`);
}

/**
 * The base class of layers and models. A subclass implements `forward` and registers its parameters,
 * buffers and sub-modules in its constructor or field initialisers (see the module comment). `Args` and
 * `Out` type `forward`: a layer maps one tensor to one tensor, a loss takes `[input, target]`.
 */
// The type parameters only type `forward`; that is their job, so `nn.Module` alone types `forward(x)`.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export abstract class Module<Args extends unknown[] = [Tensor], Out = Tensor> {
  /** True in training mode (the default), false after `eval()`. Set it with `train()`/`eval()`. */
  training = true;
  private readonly parameterMap = new Map<string, Tensor | null>();
  private readonly bufferMap = new Map<string, Tensor | null>();
  private readonly nonPersistentBuffers = new Set<string>();
  private readonly moduleMap = new Map<string, AnyModule | null>();

  /** The computation of this module. Call it directly: `model.forward(x)`. */
  abstract forward(...args: Args): Out;

  /**
   * Registers `param` as a parameter called `name` (no dots) and returns it. It must be a floating leaf
   * tensor; its `requiresGrad` is turned on unless `{ requiresGrad: false }`. `null` registers an absent
   * parameter (as `bias=False` layers do). Registering a name again replaces the parameter, which is how
   * weights are tied: `decoder.registerParameter('weight', encoder.weight)`.
   */
  registerParameter<T extends Tensor | null>(name: string, param: T, options?: ParameterOptions): T {
    const op = 'registerParameter';
    this.checkName(op, name, 'parameter');
    if (param !== null) {
      if (!(param instanceof Tensor)) {
        throw new ArgumentError(op, 'param', `expected a Tensor or null, got ${typeof param}`);
      }
      if (!isFloating(param.dtype)) {
        throw new ArgumentError(
          op,
          'param',
          `parameter '${name}' must be a floating tensor, got ${param.dtype}`,
        );
      }
      if (!param.isLeaf) {
        throw new ArgumentError(
          op,
          'param',
          `parameter '${name}' must be a leaf tensor, not the result of an op; use detach()`,
        );
      }
      const requiresGrad = options?.requiresGrad ?? true;
      if (typeof requiresGrad !== 'boolean') {
        throw new ArgumentError(op, 'requiresGrad', `expected a boolean, got ${String(requiresGrad)}`);
      }
      param.requiresGrad_(requiresGrad);
    }
    this.parameterMap.set(name, param);
    return param;
  }

  /**
   * Registers `tensor` as a buffer called `name` and returns it: state saved with the module but not
   * trained (running statistics, counters). Non-persistent buffers (`{ persistent: false }`) are left out
   * of `stateDict()`. `null` registers an absent buffer.
   */
  registerBuffer<T extends Tensor | null>(name: string, tensor: T, options?: BufferOptions): T {
    const op = 'registerBuffer';
    this.checkName(op, name, 'buffer');
    if (tensor !== null && !(tensor instanceof Tensor)) {
      throw new ArgumentError(op, 'tensor', `expected a Tensor or null, got ${typeof tensor}`);
    }
    const persistent = options?.persistent ?? true;
    if (typeof persistent !== 'boolean') {
      throw new ArgumentError(op, 'persistent', `expected a boolean, got ${String(persistent)}`);
    }
    this.bufferMap.set(name, tensor);
    if (persistent) this.nonPersistentBuffers.delete(name);
    else this.nonPersistentBuffers.add(name);
    return tensor;
  }

  /** Registers `module` as a sub-module called `name` and returns it; its tensors are named `name.…`. */
  registerModule<M extends AnyModule | null>(name: string, module: M): M {
    const op = 'registerModule';
    this.checkName(op, name, 'module');
    if (module !== null) {
      if (!(module instanceof Module)) {
        throw new ArgumentError(op, 'module', `expected a Module or null, got ${typeof module}`);
      }
      if (module.modules().includes(this)) {
        throw new ArgumentError(op, 'module', `registering '${name}' would make the module contain itself`);
      }
    }
    this.moduleMap.set(name, module);
    return module;
  }

  private checkName(op: string, name: unknown, kind: 'parameter' | 'buffer' | 'module'): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new ArgumentError(
        op,
        'name',
        `expected a non-empty name without '.', got ${JSON.stringify(name)}`,
      );
    }
    const taken =
      kind !== 'parameter' && this.parameterMap.has(name)
        ? 'parameter'
        : kind !== 'buffer' && this.bufferMap.has(name)
          ? 'buffer'
          : kind !== 'module' && this.moduleMap.has(name)
            ? 'module'
            : null;
    if (taken !== null) {
      throw new ArgumentError(op, 'name', `'${name}' is already registered as a ${taken}`);
    }
  }

  /** The parameter this module registered as `name` (not a sub-module's), or null if absent. */
  protected ownParameter(name: string): Tensor | null {
    return this.parameterMap.get(name) ?? null;
  }

  /** The buffer this module registered as `name` (not a sub-module's), or null if absent. */
  protected ownBuffer(name: string): Tensor | null {
    return this.bufferMap.get(name) ?? null;
  }

  /** The sub-modules this module registered itself, as `[name, module]` in order, absent ones as null. */
  protected ownModules(): [string, AnyModule | null][] {
    return [...this.moduleMap];
  }

  /** The sub-module at a dotted path (`'features.0'`); `''` is this module. */
  getSubmodule(target: string): AnyModule {
    let module = this as AnyModule;
    if (target === '') return module;
    let path = '';
    for (const part of target.split('.')) {
      const child = module.moduleMap.get(part);
      if (child === undefined || child === null) {
        throw new ArgumentError(
          'getSubmodule',
          'target',
          `${path === '' ? 'the module' : `'${path}'`} has no sub-module '${part}'`,
        );
      }
      module = child;
      path = join(path, part);
    }
    return module;
  }

  /** The parameter at a dotted path (`'features.0.weight'`). */
  getParameter(target: string): Tensor {
    return this.lookup('getParameter', target, 'parameterMap', 'parameter');
  }

  /** The buffer at a dotted path (`'bn.running_mean'`). */
  getBuffer(target: string): Tensor {
    return this.lookup('getBuffer', target, 'bufferMap', 'buffer');
  }

  private lookup(op: string, target: string, map: 'parameterMap' | 'bufferMap', kind: string): Tensor {
    const dot = target.lastIndexOf('.');
    const owner = dot < 0 ? (this as AnyModule) : this.getSubmodule(target.slice(0, dot));
    const tensor = owner[map].get(target.slice(dot + 1));
    if (tensor === undefined || tensor === null) {
      throw new ArgumentError(op, 'target', `the module has no ${kind} '${target}'`);
    }
    return tensor;
  }

  /**
   * This module and every sub-module, each once, as `[dottedName, module]` in depth-first order (the
   * module itself is named `prefix`, `''` by default).
   */
  namedModules(options?: { prefix?: string }): [string, AnyModule][] {
    const out: [string, AnyModule][] = [];
    const seen = new Set<AnyModule>();
    const visit = (module: AnyModule, prefix: string): void => {
      if (seen.has(module)) return;
      seen.add(module);
      out.push([prefix, module]);
      for (const [name, child] of module.moduleMap) if (child !== null) visit(child, join(prefix, name));
    };
    visit(this, options?.prefix ?? '');
    return out;
  }

  /** This module and every sub-module, each once. */
  modules(): AnyModule[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** The direct sub-modules, each once, as `[name, module]`. */
  namedChildren(): [string, AnyModule][] {
    const seen = new Set<AnyModule>();
    const out: [string, AnyModule][] = [];
    for (const [name, child] of this.moduleMap) {
      if (child === null || seen.has(child)) continue;
      seen.add(child);
      out.push([name, child]);
    }
    return out;
  }

  /** The direct sub-modules, each once. */
  children(): AnyModule[] {
    return this.namedChildren().map(([, m]) => m);
  }

  private namedTensors(map: 'parameterMap' | 'bufferMap', options?: RecurseOptions): [string, Tensor][] {
    const prefix = options?.prefix ?? '';
    const owners: [string, AnyModule][] =
      (options?.recurse ?? true) ? this.namedModules({ prefix }) : [[prefix, this]];
    const seen = new Set<Tensor>();
    const out: [string, Tensor][] = [];
    for (const [path, module] of owners) {
      for (const [name, tensor] of module[map]) {
        if (tensor === null || seen.has(tensor)) continue;
        seen.add(tensor);
        out.push([join(path, name), tensor]);
      }
    }
    return out;
  }

  /**
   * The parameters as `[dottedName, tensor]`, e.g. `['features.0.weight', …]`: this module's first, then
   * each sub-module's. A parameter shared by several modules appears once, under its first name.
   */
  namedParameters(options?: RecurseOptions): [string, Tensor][] {
    return this.namedTensors('parameterMap', options);
  }

  /** The parameters, each once: what an optimizer trains (`new optim.SGD(model.parameters(), …)`). */
  parameters(options?: { recurse?: boolean }): Tensor[] {
    return this.namedParameters(options).map(([, t]) => t);
  }

  /** The buffers (persistent or not) as `[dottedName, tensor]`, each once. */
  namedBuffers(options?: RecurseOptions): [string, Tensor][] {
    return this.namedTensors('bufferMap', options);
  }

  /** The buffers, each once. */
  buffers(options?: { recurse?: boolean }): Tensor[] {
    return this.namedBuffers(options).map(([, t]) => t);
  }

  /**
   * Clears the gradients of every parameter: sets them to null (the default, as PyTorch 2), or with
   * `{ setToNone: false }` fills them with zeros in place.
   */
  zeroGrad(options?: { setToNone?: boolean }): void {
    const setToNone = options?.setToNone ?? true;
    for (const p of this.parameters()) {
      if (p.grad === null) continue;
      if (setToNone) p.grad = null;
      else {
        const grad = p.grad;
        noGrad(() => grad.zero_());
      }
    }
  }

  /** Turns gradient tracking of every parameter on or off (to freeze a part of a model); returns `this`. */
  requiresGrad_(requiresGrad = true): this {
    for (const p of this.parameters()) p.requiresGrad_(requiresGrad);
    return this;
  }

  /**
   * Sets training mode (`true`, the default) or evaluation mode on this module and, recursively, every
   * sub-module; it changes what Dropout and BatchNorm do. Returns `this`.
   */
  train(mode = true): this {
    if (typeof mode !== 'boolean') {
      throw new ArgumentError('train', 'mode', `expected a boolean, got ${String(mode)}`);
    }
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Evaluation mode, `train(false)`; returns `this`. */
  eval(): this {
    return this.train(false);
  }

  /** Calls `fn` on every sub-module (depth first) and then on this module, e.g. for custom init. */
  apply(fn: (module: AnyModule) => void): this {
    for (const child of this.children()) child.apply(fn);
    fn(this);
    return this;
  }

  /** Every key of `stateDict()` with the live tensor behind it. */
  private stateTensors(): Map<string, Tensor> {
    const state = new Map<string, Tensor>();
    const visit = (module: AnyModule, prefix: string): void => {
      for (const [name, p] of module.parameterMap) if (p !== null) state.set(prefix + name, p);
      for (const [name, b] of module.bufferMap) {
        if (b !== null && !module.nonPersistentBuffers.has(name)) state.set(prefix + name, b);
      }
      for (const [name, child] of module.moduleMap) if (child !== null) visit(child, `${prefix}${name}.`);
    };
    visit(this, '');
    return state;
  }

  /**
   * The parameters and persistent buffers by dotted name, detached (they share values with the module),
   * keyed exactly as PyTorch's `state_dict()`: a `Sequential`'s keys are `0.weight`, `0.bias`, … and
   * BatchNorm adds `running_mean`, `running_var`, `num_batches_tracked`. Tied weights appear under every
   * name they are registered as.
   */
  stateDict(): StateDict {
    return Object.fromEntries([...this.stateTensors()].map(([key, tensor]) => [key, tensor.detach()]));
  }

  /**
   * Copies `state` (a plain object of tensors, as `stateDict()` returns, or a Map) into this module's
   * parameters and buffers, in place and without recording gradients, so optimizers keep their references.
   * Values are converted to each tensor's dtype.
   *
   * Throws a `ShapeError` naming every key whose shape differs (both shapes), and in strict mode (the
   * default) a {@link StateDictError} listing missing and unexpected keys; in either case nothing is
   * copied. With `{ strict: false }` the matching keys are loaded and the others reported.
   */
  loadStateDict(
    state: ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>>,
    options?: { strict?: boolean },
  ): LoadStateDictResult {
    const op = 'loadStateDict';
    const strict = options?.strict ?? true;
    if (typeof strict !== 'boolean') {
      throw new ArgumentError(op, 'strict', `expected a boolean, got ${String(strict)}`);
    }
    if (state === null || typeof state !== 'object') {
      throw new ArgumentError(op, 'state', `expected a Map or an object of tensors, got ${String(state)}`);
    }
    const entries: ReadonlyMap<string, unknown> =
      state instanceof Map ? state : new Map(Object.entries(state));
    const targets = this.stateTensors();
    const missingKeys = [...targets.keys()].filter((key) => !entries.has(key));
    const unexpectedKeys = [...entries.keys()].filter((key) => !targets.has(key));
    const mismatches: string[] = [];
    let firstMismatch = '';
    for (const [key, target] of targets) {
      const value = entries.get(key);
      if (value === undefined) continue;
      if (!(value instanceof Tensor)) {
        throw new ArgumentError(op, key, `expected a Tensor, got ${value === null ? 'null' : typeof value}`);
      }
      if (!shapesEqual(value.shape, target.shape)) {
        if (mismatches.length === 0) firstMismatch = key;
        mismatches.push(
          `size mismatch for ${key}: copying a tensor of shape ${formatShape(value.shape)} from the state, the shape in the current model is ${formatShape(target.shape)}`,
        );
      }
    }
    if (mismatches.length > 0) throw new ShapeError(op, firstMismatch, mismatches.join('; '));
    if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
      throw new StateDictError(missingKeys, unexpectedKeys);
    }
    noGrad(() => {
      for (const [key, target] of targets) {
        const value = entries.get(key);
        if (value instanceof Tensor) target.copy_(value);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  /** The layer's settings for `toString()`, e.g. `in_features=3, out_features=4, bias=True`; override it. */
  extraRepr(): string {
    return '';
  }

  private repr(): string {
    const extra = this.extraRepr();
    const extraLines = extra === '' ? [] : extra.split('\n');
    const childLines = [...this.moduleMap].map(
      ([name, child]) => `(${name}): ${child === null ? 'None' : indent(child.repr(), 2)}`,
    );
    const lines = [...extraLines, ...childLines];
    let body = '';
    if (extraLines.length === 1 && childLines.length === 0) body = extraLines[0]!;
    else if (lines.length > 0) body = `\n  ${lines.join('\n  ')}\n`;
    return `${this.constructor.name}(${body})`;
  }

  /**
   * PyTorch's `repr` of the module tree, e.g.
   * `Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))`, followed by a line with the number
   * of parameters (total and trainable).
   */
  toString(): string {
    const params = this.parameters();
    const total = params.reduce((n, p) => n + p.size, 0);
    const trainable = params.reduce((n, p) => n + (p.requiresGrad ? p.size : 0), 0);
    return `${this.repr()}\nTotal parameters: ${groupDigits(total)} (trainable: ${groupDigits(trainable)})`;
  }

  /**
   * Runs the model once on zeros of `inputShape` (batch dim included), in evaluation mode and without
   * recording gradients, and reports every module's output shape and parameter count. Training mode and
   * every buffer are left as they were.
   *
   * @example
   * console.log(String(model.summary([1, 1, 28, 28])));
   */
  summary(inputShape: Shape, options?: SummaryOptions): ModelSummary {
    return summarize(this, inputShape, options);
  }
}
