/**
 * `Optimizer`: the base class of every optimizer. It keeps the parameter groups (tensors plus the
 * hyperparameters that apply to them), the per-parameter state (momentum buffers, running averages…),
 * skips parameters whose `.grad` is `null`, and saves and restores both as PyTorch's `state_dict` does.
 * A subclass supplies the update rule of one parameter and the checks of its hyperparameters.
 */
import { noGrad } from '../autograd/grad-mode.js';
import { isFloating } from '../dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { formatShape, shapesEqual } from '../shape.js';
import { Tensor } from '../tensor.js';

/** The hyperparameters every optimizer has. */
export interface BaseHyper {
  /** Learning rate. Schedulers change it between steps. */
  lr: number;
}

/**
 * Entries that learning-rate schedulers add to a param group, as PyTorch's do (`initial_lr`, and for
 * `OneCycleLR` `max_lr`, `min_lr`, `max_momentum`, `base_momentum`). They are saved with the group.
 */
export interface ScheduleFields {
  /** The learning rate the group had when its first scheduler was created. */
  initialLr?: number;
  /** `OneCycleLR`: the peak learning rate. */
  maxLr?: number;
  /** `OneCycleLR`: the final learning rate. */
  minLr?: number;
  /** `OneCycleLR`: the momentum (or `betas[0]`) at the start and end of the cycle. */
  maxMomentum?: number;
  /** `OneCycleLR`: the momentum (or `betas[0]`) at the peak learning rate. */
  baseMomentum?: number;
}

const SCHEDULE_KEYS = ['initialLr', 'maxLr', 'minLr', 'maxMomentum', 'baseMomentum'] as const;

/**
 * A parameter group: the tensors it updates and the hyperparameters it updates them with. The
 * hyperparameters are plain writable fields (`optimizer.paramGroups[0].lr = 0.01`); they are checked again
 * at every `step()`.
 */
export type ParamGroup<H extends BaseHyper> = H &
  ScheduleFields & {
    /** The tensors of this group, in order. Use `addParamGroup` to add tensors. */
    readonly params: readonly Tensor[];
  };

/** A param group as the constructor or `addParamGroup` takes it: tensors plus any options to override. */
export type ParamGroupSpec<O> = O & {
  /** The tensors of the group. */
  params: Iterable<Tensor> | Tensor;
};

/** What an optimizer takes: tensors (one group with the optimizer's options), or param groups. */
export type Params<O> = Iterable<Tensor> | Iterable<ParamGroupSpec<O>>;

/** One value of a parameter's optimizer state: a buffer shaped like the parameter, a step count, or `null`. */
export type StateValue = Tensor | number | null;

/** The optimizer state of one parameter, e.g. `{ step, expAvg, expAvgSq }` for Adam. */
export type ParamState = Record<string, StateValue | undefined>;

/** A param group in a state dict: its hyperparameters, with the parameters replaced by their indices. */
export type PackedParamGroup<H extends BaseHyper> = H &
  ScheduleFields & {
    /** The indices of the group's parameters, numbered over all groups in order. */
    params: number[];
  };

/**
 * The saved state of an optimizer, PyTorch's `state_dict()` structure in camelCase. Parameters are
 * numbered in group order; `state` has an entry for each parameter that has state (usually: that has had a
 * gradient at some step).
 */
export interface OptimizerStateDict<H extends BaseHyper, S extends ParamState> {
  /** The state of each parameter that has any, by parameter index. */
  state: Record<number, S>;
  /** Every param group's hyperparameters, with its parameters as indices. */
  paramGroups: PackedParamGroup<H>[];
}

/** How a hyperparameter is typed: a number, a flag, or a pair of numbers (Adam's `betas`). */
export type HyperKind = 'number' | 'boolean' | 'pair';

/**
 * How a state entry is typed: a tensor shaped like its parameter, a step count, or a tensor that may be
 * `null` (SGD's momentum buffer before momentum is used). Optional entries are created lazily.
 */
export interface StateEntrySpec {
  /** A tensor shaped like the parameter, a step count, or such a tensor or `null`. */
  kind: 'tensor' | 'count' | 'tensorOrNull';
  /** Whether a saved state must hold the entry. */
  required: boolean;
}

/** What a subclass tells the base class about itself. */
export interface OptimizerSpec<H extends BaseHyper> {
  /** The class name, used in error messages (`'SGD'`). */
  name: string;
  /** Default hyperparameters; a missing one (SGD's `lr`) must be given by every group. */
  defaults: Partial<H>;
  /** The type of every hyperparameter. */
  kinds: { [K in keyof H]: HyperKind };
  /** The entries a parameter's state may hold. */
  state: Record<string, StateEntrySpec>;
}

/** Options of `zeroGrad`. */
export interface ZeroGradOptions {
  /**
   * Sets each `.grad` to `null` (default, as PyTorch 2 does; PyTorch 1.13's default was `false`) instead of
   * filling it with zeros. A `null` gradient makes `step()` skip the parameter; a zero one does not.
   */
  setToNone?: boolean;
}

/**
 * The base class of optimizers. `step()` updates every parameter that has a gradient; `zeroGrad()` clears
 * the gradients; `stateDict()` / `loadStateDict()` save and restore the state.
 *
 * Subclasses implement `checkGroup` (hyperparameter ranges), `initState` (a parameter's state before its
 * first update) and `update` (one parameter's update, run with gradient recording off).
 */
export abstract class Optimizer<H extends BaseHyper = BaseHyper, S extends ParamState = ParamState> {
  /** The parameter groups. Their hyperparameters are writable; schedulers change `lr` (and momentum). */
  readonly paramGroups: ParamGroup<H>[] = [];
  /** The hyperparameters a group gets when it does not set its own. */
  readonly defaults: Readonly<Partial<H>>;
  /** The state of every parameter that has one. */
  protected readonly state = new Map<Tensor, S>();
  private readonly spec: OptimizerSpec<H>;

  /**
   * @param params tensors, or param groups `{ params, ...options }`.
   * @param options hyperparameters for every group that does not set its own; unknown names are rejected.
   * @param spec what the subclass is: its name, defaults, hyperparameter types and state layout.
   */
  protected constructor(params: Params<Partial<H>>, options: Partial<H>, spec: OptimizerSpec<H>) {
    this.spec = spec;
    checkKnownKeys(spec.name, options, Object.keys(spec.kinds), 'options');
    this.defaults = Object.freeze({ ...spec.defaults, ...definedEntries(options) });
    if (
      params instanceof Tensor ||
      params === null ||
      typeof params !== 'object' ||
      !(Symbol.iterator in params)
    ) {
      throw new ArgumentError(
        spec.name,
        'params',
        `expected an iterable of tensors or param groups, got ${params instanceof Tensor ? 'a Tensor (wrap it in an array)' : describe(params)}`,
      );
    }
    const items: unknown[] = [...(params as Iterable<unknown>)];
    if (items.length === 0) throw new ArgumentError(spec.name, 'params', 'got an empty parameter list');
    if (items.every((item) => item instanceof Tensor)) {
      this.addParamGroup({ params: items } as unknown as ParamGroupSpec<Partial<H>>);
    } else {
      items.forEach((item, i) => {
        if (item instanceof Tensor || item === null || typeof item !== 'object') {
          throw new ArgumentError(
            spec.name,
            `params[${i}]`,
            `expected only tensors or only param groups, got ${describe(item)} among param groups`,
          );
        }
        this.addParamGroup(item as ParamGroupSpec<Partial<H>>);
      });
    }
  }

  /**
   * Adds a group of tensors with its own options (the rest from `defaults`), as when unfreezing layers
   * during fine-tuning. Every tensor must be a floating leaf that requires grad, and in no other group.
   */
  addParamGroup(group: ParamGroupSpec<Partial<H>>): void {
    const op = `${this.spec.name}.addParamGroup`;
    if (group === null || typeof group !== 'object') {
      throw new ArgumentError(op, 'group', `expected { params, ...options }, got ${describe(group)}`);
    }
    const { params, ...options } = group;
    checkKnownKeys(op, options, Object.keys(this.spec.kinds), 'group');
    const tensors = params instanceof Tensor ? [params] : collectTensors(op, params);
    if (tensors.length === 0) throw new ArgumentError(op, 'params', 'got an empty parameter list');
    const taken = new Set(this.paramGroups.flatMap((g) => g.params));
    tensors.forEach((t, i) => {
      checkParam(op, t, i);
      if (taken.has(t)) {
        throw new ArgumentError(
          op,
          `params[${i}]`,
          'the tensor appears more than once (in this group or another one)',
        );
      }
      taken.add(t);
    });
    const hyper: Record<string, unknown> = { ...this.defaults, ...definedEntries(options) };
    for (const key of Object.keys(this.spec.kinds)) {
      if (hyper[key] === undefined) throw new ArgumentError(op, key, 'is required (no default)');
    }
    const resolved = { ...hyper, params: Object.freeze(tensors) } as ParamGroup<H>;
    this.validateGroup(op, resolved);
    this.paramGroups.push(resolved);
  }

  /**
   * Performs one optimization step: updates every parameter whose `.grad` is not `null`, with gradient
   * recording off. Parameters without a gradient are skipped entirely (no update, no change of state), as
   * in PyTorch.
   */
  step(): void {
    const op = `${this.spec.name}.step`;
    for (const group of this.paramGroups) {
      this.validateGroup(op, group);
      for (const param of group.params) if (param.grad !== null) checkGrad(op, param, param.grad);
    }
    noGrad(() => {
      for (const group of this.paramGroups) {
        for (const param of group.params) {
          const grad = param.grad;
          if (grad === null) continue;
          let state = this.state.get(param);
          if (state === undefined) {
            state = this.initState(param, group);
            this.state.set(param, state);
          }
          this.update(param, grad, state, group);
        }
      }
    });
  }

  /**
   * Clears the gradient of every parameter: sets it to `null` by default (PyTorch 2's `set_to_none=True`;
   * PyTorch 1.13 zeroed it instead), or fills it with zeros with `{ setToNone: false }`.
   */
  zeroGrad(options?: ZeroGradOptions): void {
    checkKnownKeys(`${this.spec.name}.zeroGrad`, options ?? {}, ['setToNone'], 'options');
    const setToNone = options?.setToNone ?? true;
    for (const group of this.paramGroups) {
      for (const param of group.params) {
        if (param.grad === null) continue;
        if (setToNone) param.grad = null;
        else noGrad(() => param.grad!.zero_());
      }
    }
  }

  /**
   * A snapshot of the optimizer: `{ state: { [paramIndex]: {...} }, paramGroups: [{ lr, ..., params:
   * [indices] }] }`, parameters numbered in group order. Tensors are copies, so later steps do not change
   * the snapshot.
   */
  stateDict(): OptimizerStateDict<H, S> {
    const index = new Map<Tensor, number>();
    const paramGroups = this.paramGroups.map((group) => {
      const { params, ...rest } = group;
      const packed: Record<string, unknown> = {
        ...rest,
        params: params.map((p) => {
          index.set(p, index.size);
          return index.size - 1;
        }),
      };
      if (Array.isArray(packed.betas)) packed.betas = [...(packed.betas as number[])];
      return packed as unknown as PackedParamGroup<H>;
    });
    const state: Record<number, S> = {};
    for (const [param, entries] of this.state) {
      state[index.get(param)!] = copyState(entries) as S;
    }
    return { state, paramGroups };
  }

  /**
   * Restores a state saved by `stateDict()` (from an optimizer of the same class over parameters of the
   * same shapes and grouping). The hyperparameters of every group and the state are replaced; the state's
   * tensors are copied and converted to their parameter's dtype.
   */
  loadStateDict(stateDict: OptimizerStateDict<H, S>): void {
    const op = `${this.spec.name}.loadStateDict`;
    if (stateDict === null || typeof stateDict !== 'object') {
      throw new ArgumentError(op, 'stateDict', `expected { state, paramGroups }, got ${describe(stateDict)}`);
    }
    checkKnownKeys(op, stateDict, ['state', 'paramGroups'], 'stateDict');
    const { state, paramGroups } = stateDict;
    if (!Array.isArray(paramGroups) || paramGroups.length !== this.paramGroups.length) {
      throw new ArgumentError(
        op,
        'paramGroups',
        `expected ${this.paramGroups.length} param groups, got ${Array.isArray(paramGroups) ? paramGroups.length : describe(paramGroups)}`,
      );
    }
    const params = this.paramGroups.flatMap((g) => g.params);
    const groups = paramGroups.map((saved, g) => this.readSavedGroup(op, saved, g));
    if (state === null || typeof state !== 'object' || Array.isArray(state)) {
      throw new ArgumentError(
        op,
        'state',
        `expected an object keyed by parameter index, got ${describe(state)}`,
      );
    }
    const loaded = new Map<Tensor, S>();
    for (const [key, entries] of Object.entries(state as Record<string, unknown>)) {
      const i = Number(key);
      if (!Number.isInteger(i) || i < 0 || i >= params.length) {
        throw new ArgumentError(op, `state[${key}]`, `expected a parameter index in [0, ${params.length})`);
      }
      const param = params[i]!;
      loaded.set(param, this.readSavedState(op, `state[${i}]`, entries, param));
    }
    this.paramGroups.forEach((group, g) => {
      const target = group as unknown as Record<string, unknown>;
      for (const key of SCHEDULE_KEYS) Reflect.deleteProperty(target, key);
      Object.assign(target, groups[g]);
    });
    this.state.clear();
    for (const [param, entries] of loaded) this.state.set(param, entries);
  }

  /** Throws an `ArgumentError` naming `op` and the hyperparameter if a group's values are out of range. */
  protected abstract checkGroup(op: string, group: Readonly<H>): void;

  /** The state of a parameter before its first update. */
  protected abstract initState(param: Tensor, group: Readonly<ParamGroup<H>>): S;

  /** Updates one parameter in place from its gradient (recording is off). */
  protected abstract update(param: Tensor, grad: Tensor, state: S, group: Readonly<ParamGroup<H>>): void;

  private validateGroup(op: string, hyper: object): void {
    const group = hyper as Readonly<Record<string, unknown>>;
    for (const [key, kind] of Object.entries<HyperKind>(this.spec.kinds)) {
      checkKind(op, key, group[key], kind);
    }
    for (const key of SCHEDULE_KEYS) {
      if (group[key] !== undefined) checkKind(op, key, group[key], 'number');
    }
    this.checkGroup(op, group as unknown as H);
  }

  /** A saved group's hyperparameters, checked against this optimizer's group `g`. */
  private readSavedGroup(op: string, saved: unknown, g: number): Record<string, unknown> {
    const where = `paramGroups[${g}]`;
    if (saved === null || typeof saved !== 'object') {
      throw new ArgumentError(op, where, `expected a param group, got ${describe(saved)}`);
    }
    const { params, ...hyper } = saved as Record<string, unknown>;
    checkKnownKeys(op, hyper, [...Object.keys(this.spec.kinds), ...SCHEDULE_KEYS], where);
    const expected = this.paramGroups[g]!.params.length;
    if (!Array.isArray(params) || params.length !== expected) {
      throw new ArgumentError(
        op,
        `${where}.params`,
        `expected ${expected} parameter indices, got ${Array.isArray(params) ? params.length : describe(params)}`,
      );
    }
    for (const key of Object.keys(this.spec.kinds)) {
      if (!(key in hyper)) throw new ArgumentError(op, `${where}.${key}`, 'is missing');
    }
    this.validateGroup(op, hyper);
    return Array.isArray(hyper.betas) ? { ...hyper, betas: [...(hyper.betas as number[])] } : hyper;
  }

  /** A saved parameter state, checked against the optimizer's state layout and copied. */
  private readSavedState(op: string, where: string, entries: unknown, param: Tensor): S {
    if (entries === null || typeof entries !== 'object') {
      throw new ArgumentError(op, where, `expected an object, got ${describe(entries)}`);
    }
    const record = entries as Record<string, unknown>;
    checkKnownKeys(op, record, Object.keys(this.spec.state), where);
    const out: ParamState = {};
    for (const [key, { kind, required }] of Object.entries(this.spec.state)) {
      const value = record[key];
      if (value === undefined) {
        if (required) throw new ArgumentError(op, `${where}.${key}`, 'is missing');
        continue;
      }
      if (kind === 'count') {
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
          throw new ArgumentError(op, `${where}.${key}`, `expected a step count, got ${describe(value)}`);
        }
        out[key] = value;
      } else if (value === null && kind === 'tensorOrNull') {
        out[key] = null;
      } else if (!(value instanceof Tensor) || !isFloating(value.dtype)) {
        throw new ArgumentError(op, `${where}.${key}`, `expected a floating tensor, got ${describe(value)}`);
      } else if (!shapesEqual(value.shape, param.shape)) {
        throw new ShapeError(
          op,
          `${where}.${key}`,
          `expected shape ${formatShape(param.shape)} (its parameter's), got ${formatShape(value.shape)}`,
        );
      } else {
        out[key] = noGrad(() => value.to(param.dtype).clone());
      }
    }
    return out as S;
  }
}

/** Throws unless `value` has hyperparameter kind `kind`. */
function checkKind(op: string, key: string, value: unknown, kind: HyperKind): void {
  const ok =
    kind === 'boolean'
      ? typeof value === 'boolean'
      : kind === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : Array.isArray(value) &&
          value.length === 2 &&
          value.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!ok) {
    const expected =
      kind === 'pair' ? 'a pair of finite numbers' : kind === 'number' ? 'a finite number' : 'a boolean';
    throw new ArgumentError(op, key, `expected ${expected}, got ${describe(value)}`);
  }
}

/** Throws an `ArgumentError` unless every listed hyperparameter of `group` is ≥ 0. */
export function checkNonNegative(
  op: string,
  group: Readonly<Record<string, unknown>>,
  keys: readonly string[],
): void {
  for (const key of keys) {
    const value = group[key] as number;
    if (!(value >= 0)) throw new ArgumentError(op, key, `must be >= 0, got ${value}`);
  }
}

/** Throws an `ArgumentError` naming the first key of `object` that is not in `known`. */
export function checkKnownKeys(op: string, object: object, known: readonly string[], argument: string): void {
  if (object === null || typeof object !== 'object') {
    throw new ArgumentError(op, argument, `expected an options object, got ${describe(object)}`);
  }
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw new ArgumentError(op, argument, `unknown option '${key}' (expected one of ${known.join(', ')})`);
    }
  }
}

/** A short description of a value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Tensor) return `a ${value.dtype} tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `'${value}'`;
  return typeof value;
}

function definedEntries(object: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

function collectTensors(op: string, params: unknown): Tensor[] {
  if (params === null || typeof params !== 'object' || !(Symbol.iterator in params)) {
    throw new ArgumentError(
      op,
      'params',
      `expected a tensor or an iterable of tensors, got ${describe(params)}`,
    );
  }
  return [...(params as Iterable<Tensor>)];
}

function checkParam(op: string, t: unknown, i: number): asserts t is Tensor {
  const argument = `params[${i}]`;
  if (!(t instanceof Tensor)) throw new ArgumentError(op, argument, `expected a Tensor, got ${describe(t)}`);
  if (!isFloating(t.dtype)) {
    throw new DTypeError(op, argument, `only floating tensors can be optimized, got ${t.dtype}`);
  }
  if (!t.isLeaf) throw new ArgumentError(op, argument, "can't optimize a non-leaf tensor");
  if (!t.requiresGrad) throw new ArgumentError(op, argument, 'the tensor does not require grad');
}

function checkGrad(op: string, param: Tensor, grad: unknown): void {
  if (!(grad instanceof Tensor))
    throw new ArgumentError(op, 'grad', `expected a Tensor, got ${describe(grad)}`);
  if (!shapesEqual(grad.shape, param.shape)) {
    throw new ShapeError(
      op,
      'grad',
      `gradient of shape ${formatShape(grad.shape)} does not match its parameter's ${formatShape(param.shape)}`,
    );
  }
  if (grad.dtype !== param.dtype) {
    throw new DTypeError(
      op,
      'grad',
      `gradient of dtype ${grad.dtype} does not match its parameter's ${param.dtype}`,
    );
  }
}

function copyState(entries: ParamState): ParamState {
  return Object.fromEntries(
    Object.entries(entries).map(([key, value]) => [
      key,
      value instanceof Tensor ? noGrad(() => value.clone()) : value,
    ]),
  );
}
