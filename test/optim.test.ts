/**
 * Optimizers against PyTorch: every case of test/fixtures/optim.json (written by
 * scripts/reference/optim_reference.py) is replayed from the same initial parameters with the same
 * per-step gradients, in float64 (1e-10) and float32 (1e-4 relative). Also: state-dict round trips,
 * zeroGrad, and a bad-input table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ArgumentError, DTypeError, ShapeError, noGrad, optim, tensor, zeros } from '../src/index.js';
import type { DType, Tensor } from '../src/index.js';
import { describeEachBackend } from './helpers/backends.js';
import { assertAllClose, toleranceFor } from './helpers/close.js';

interface OptimizerCase {
  name: string;
  optimizer: keyof typeof factories;
  options: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  params: { shape: number[]; values: number[] }[];
  grads: (number[] | null)[][];
  expected: number[][][];
}

type AnyOptimizer = optim.Optimizer;
type Factory = (params: never, options: never) => AnyOptimizer;

const factories = {
  SGD: (p: optim.Params<optim.SGDOptions>, o: optim.SGDOptions) => new optim.SGD(p, o),
  Adam: (p: optim.Params<optim.AdamOptions>, o: optim.AdamOptions) => new optim.Adam(p, o),
  AdamW: (p: optim.Params<optim.AdamOptions>, o: optim.AdamOptions) => new optim.AdamW(p, o),
  RMSprop: (p: optim.Params<optim.RMSpropOptions>, o: optim.RMSpropOptions) => new optim.RMSprop(p, o),
  Adagrad: (p: optim.Params<optim.AdagradOptions>, o: optim.AdagradOptions) => new optim.Adagrad(p, o),
} satisfies Record<string, Factory>;

const fixture = JSON.parse(readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8')) as {
  optimizers: OptimizerCase[];
};

/** The case's parameters as fresh leaves of `dtype` (from `values` if given), and its optimizer over them. */
function build(c: OptimizerCase, dtype: DType, values?: number[][]): { params: Tensor[]; opt: AnyOptimizer } {
  const params = c.params.map((p, i) =>
    tensor(values?.[i] ?? p.values, p.shape, { dtype, requiresGrad: true }),
  );
  const spec =
    c.groups === null
      ? params
      : c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options }));
  const factory = factories[c.optimizer] as (p: unknown, o: unknown) => AnyOptimizer;
  return { params, opt: factory(spec, c.options) };
}

/** Sets the gradients of step `step` (null where the case gives none) and steps. */
function replayStep(c: OptimizerCase, params: Tensor[], opt: AnyOptimizer, step: number): void {
  params.forEach((p, i) => {
    const g = c.grads[step]![i];
    p.grad = g === null || g === undefined ? null : tensor(g, p.shape, { dtype: p.dtype });
  });
  opt.step();
}

function assertParams(c: OptimizerCase, params: Tensor[], step: number): void {
  params.forEach((p, i) => {
    const expected = c.expected[step]![i]!;
    assertAllClose(p.data, expected, toleranceFor(p.dtype, expected), `step ${step}, param ${i}`);
  });
}

void it('optim fixtures cover every optimizer', () => {
  assert.deepEqual(
    [...new Set(fixture.optimizers.map((c) => c.optimizer))].sort(),
    Object.keys(factories).sort(),
  );
});

describeEachBackend('optimizers match PyTorch', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const c of fixture.optimizers) {
      void it(`${c.optimizer}: ${c.name} (${dtype})`, () => {
        const { params, opt } = build(c, dtype);
        for (let step = 0; step < c.grads.length; step++) {
          replayStep(c, params, opt, step);
          assertParams(c, params, step);
        }
      });
    }
  }
});

void describe('optimizer state dict', () => {
  for (const c of fixture.optimizers) {
    void it(`${c.optimizer}: ${c.name}: save after 3 steps, load into a fresh optimizer, continue`, () => {
      const first = build(c, 'float64');
      for (let step = 0; step < 3; step++) replayStep(c, first.params, first.opt, step);
      const saved = first.opt.stateDict();
      const savedValues = first.params.map((p) => [...p.data]);
      replayStep(c, first.params, first.opt, 3);
      const resumed = build(c, 'float64', savedValues);
      resumed.opt.loadStateDict(saved);
      for (let step = 3; step < c.grads.length; step++) {
        replayStep(c, resumed.params, resumed.opt, step);
        assertParams(c, resumed.params, step);
      }
    });
  }

  void it("has PyTorch's structure, camelCase", () => {
    const [a, b] = [
      tensor([1, 2], undefined, { requiresGrad: true }),
      tensor([3], undefined, { requiresGrad: true }),
    ];
    const opt = new optim.Adam([{ params: [a] }, { params: [b], lr: 0.1 }], { amsgrad: true });
    a.grad = tensor([0.5, -0.5]);
    opt.step();
    const saved = opt.stateDict();
    assert.deepEqual(Object.keys(saved.state), ['0']);
    assert.deepEqual(Object.keys(saved.state[0]!).sort(), ['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']);
    assert.equal(saved.state[0]!.step, 1);
    assert.deepEqual(saved.paramGroups, [
      {
        lr: 1e-3,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: true,
        maximize: false,
        params: [0],
      },
      {
        lr: 0.1,
        betas: [0.9, 0.999],
        eps: 1e-8,
        weightDecay: 0,
        amsgrad: true,
        maximize: false,
        params: [1],
      },
    ]);
    const before = [...saved.state[0]!.expAvg.data];
    opt.step();
    assert.deepEqual([...saved.state[0]!.expAvg.data], before, 'the snapshot does not follow later steps');
  });

  void it('SGD keeps a null momentum buffer without momentum; Adagrad has state from the start', () => {
    const p = tensor([1, 2], undefined, { requiresGrad: true });
    const sgd = new optim.SGD([p], { lr: 0.1 });
    p.grad = tensor([1, 1]);
    sgd.step();
    assert.deepEqual(sgd.stateDict().state, { 0: { momentumBuffer: null } });
    const adagrad = new optim.Adagrad([p], { initialAccumulatorValue: 0.5 });
    const state = adagrad.stateDict().state[0]!;
    assert.equal(state.step, 0);
    assert.deepEqual([...state.sum.data], [0.5, 0.5]);
  });

  void it('converts loaded state to the parameter dtype', () => {
    const p64 = tensor([1, 2], undefined, { dtype: 'float64', requiresGrad: true });
    const p32 = tensor([1, 2], undefined, { requiresGrad: true });
    const source = new optim.RMSprop([p64], { momentum: 0.9, centered: true });
    p64.grad = tensor([0.1, 0.2], undefined, { dtype: 'float64' });
    source.step();
    const target = new optim.RMSprop([p32], { momentum: 0.9, centered: true });
    target.loadStateDict(source.stateDict());
    const loaded = target.stateDict().state[0]!;
    assert.equal(loaded.squareAvg.dtype, 'float32');
    assert.equal(loaded.momentumBuffer?.dtype, 'float32');
  });
});

void describe('zeroGrad', () => {
  void it('sets gradients to null by default, so the next step skips the parameter', () => {
    const p = tensor([1, 2], undefined, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tensor([1, 1]);
    opt.step();
    opt.zeroGrad();
    assert.equal(p.grad, null);
    const before = [...p.data];
    opt.step();
    assert.deepEqual([...p.data], before);
  });

  void it('fills gradients with zeros with setToNone: false (and momentum still moves the parameter)', () => {
    const p = tensor([1, 2], undefined, { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tensor([1, 1]);
    opt.step();
    const grad = p.grad;
    opt.zeroGrad({ setToNone: false });
    assert.equal(p.grad, grad);
    assert.deepEqual([...grad.data], [0, 0]);
    const before = [...p.data];
    opt.step();
    assert.notDeepEqual([...p.data], before);
  });

  void it('works on gradients left by backward', () => {
    const p = tensor([1, 2], undefined, { requiresGrad: true });
    const opt = new optim.Adam([p]);
    p.mul(p).sum().backward();
    opt.zeroGrad({ setToNone: false });
    assert.deepEqual([...p.grad!.data], [0, 0]);
  });
});

void describe('optimizer bad input', () => {
  const leaf = (): Tensor => tensor([1, 2, 3], undefined, { requiresGrad: true });
  const w = leaf();
  /** Steps an SGD optimizer over one fresh parameter after `setUp` has tampered with it. */
  const stepAfter =
    (setUp: (p: Tensor, opt: optim.SGD) => void): (() => void) =>
    () => {
      const p = leaf();
      const opt = new optim.SGD([p], { lr: 0.1 });
      setUp(p, opt);
      opt.step();
    };
  const saved = (): optim.OptimizerStateDict<optim.SGDHyper, optim.SGDState> => {
    const p = leaf();
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tensor([1, 1, 1]);
    opt.step();
    return opt.stateDict();
  };
  const cases: [string, () => unknown, new (...args: never[]) => Error][] = [
    ['negative lr', () => new optim.SGD([w], { lr: -0.1 }), ArgumentError],
    ['SGD without lr', () => new optim.SGD([w]), ArgumentError],
    ['SGD group without lr', () => new optim.SGD([{ params: [w] }]), ArgumentError],
    ['negative momentum', () => new optim.SGD([w], { lr: 0.1, momentum: -0.9 }), ArgumentError],
    ['negative weight decay', () => new optim.Adam([w], { weightDecay: -1 }), ArgumentError],
    ['negative eps', () => new optim.Adam([w], { eps: -1e-8 }), ArgumentError],
    ['NaN lr', () => new optim.Adam([w], { lr: NaN }), ArgumentError],
    ['beta1 = 1', () => new optim.Adam([w], { betas: [1, 0.999] }), ArgumentError],
    ['negative beta2', () => new optim.AdamW([w], { betas: [0.9, -0.1] }), ArgumentError],
    [
      'betas not a pair',
      () => new optim.Adam([w], { betas: [0.9] as unknown as [number, number] }),
      ArgumentError,
    ],
    ['nesterov without momentum', () => new optim.SGD([w], { lr: 0.1, nesterov: true }), ArgumentError],
    [
      'nesterov with dampening',
      () => new optim.SGD([w], { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }),
      ArgumentError,
    ],
    ['negative RMSprop alpha', () => new optim.RMSprop([w], { alpha: -0.5 }), ArgumentError],
    ['negative Adagrad lrDecay', () => new optim.Adagrad([w], { lrDecay: -1 }), ArgumentError],
    [
      'negative initial accumulator',
      () => new optim.Adagrad([w], { initialAccumulatorValue: -1 }),
      ArgumentError,
    ],
    ['string flag', () => new optim.Adam([w], { amsgrad: 'yes' as unknown as boolean }), ArgumentError],
    [
      'unknown option',
      () => new optim.SGD([w], { lr: 0.1, weight_decay: 0.1 } as optim.SGDOptions),
      ArgumentError,
    ],
    [
      'unknown option in a group',
      () => new optim.Adam([{ params: [w], learningRate: 0.1 } as optim.ParamGroupSpec<optim.AdamOptions>]),
      ArgumentError,
    ],
    ['empty parameter list', () => new optim.Adam([]), ArgumentError],
    ['empty group', () => new optim.Adam([{ params: [] }]), ArgumentError],
    ['a single tensor instead of a list', () => new optim.Adam(w as unknown as Tensor[]), ArgumentError],
    ['integer parameter', () => new optim.Adam([tensor([1, 2], undefined, { dtype: 'int32' })]), DTypeError],
    ['parameter without requiresGrad', () => new optim.Adam([tensor([1, 2])]), ArgumentError],
    ['non-leaf parameter', () => new optim.Adam([w.mul(2)]), ArgumentError],
    ['non-tensor parameter', () => new optim.Adam([[1, 2] as unknown as Tensor]), ArgumentError],
    ['tensor in two groups', () => new optim.Adam([{ params: [w] }, { params: [w] }]), ArgumentError],
    ['tensor twice in one group', () => new optim.Adam([w, w]), ArgumentError],
    [
      'tensors mixed with groups',
      () => new optim.Adam([w, { params: [leaf()] }] as unknown as Tensor[]),
      ArgumentError,
    ],
    [
      'addParamGroup with a tensor already optimized',
      () => {
        new optim.Adam([w]).addParamGroup({ params: w });
      },
      ArgumentError,
    ],
    [
      'gradient of the wrong shape',
      stepAfter((p) => {
        p.grad = zeros([2]);
      }),
      ShapeError,
    ],
    [
      'gradient of the wrong dtype',
      stepAfter((p) => {
        p.grad = zeros([3], { dtype: 'float64' });
      }),
      DTypeError,
    ],
    [
      'negative lr written into a group',
      stepAfter((p, opt) => {
        p.grad = zeros([3]);
        opt.paramGroups[0]!.lr = -1;
      }),
      ArgumentError,
    ],
    [
      'zeroGrad with an unknown option',
      () => {
        new optim.SGD([leaf()], { lr: 0.1 }).zeroGrad({ setToNull: true } as optim.ZeroGradOptions);
      },
      ArgumentError,
    ],
    [
      'loadStateDict with another number of groups',
      () => {
        new optim.SGD([{ params: [leaf()] }, { params: [leaf()] }], { lr: 0.1 }).loadStateDict(saved());
      },
      ArgumentError,
    ],
    [
      'loadStateDict with another group size',
      () => {
        new optim.SGD([leaf(), leaf()], { lr: 0.1 }).loadStateDict(saved());
      },
      ArgumentError,
    ],
    [
      'loadStateDict with a missing hyperparameter',
      () => {
        const s = saved();
        delete (s.paramGroups[0] as Partial<optim.SGDHyper>).momentum;
        new optim.SGD([leaf()], { lr: 0.1 }).loadStateDict(s);
      },
      ArgumentError,
    ],
    [
      "loadStateDict with another optimizer's state",
      () => {
        new optim.Adam([leaf()]).loadStateDict(saved() as never);
      },
      ArgumentError,
    ],
    [
      'loadStateDict with a state index out of range',
      () => {
        const s = saved();
        s.state = { 5: s.state[0]! };
        new optim.SGD([leaf()], { lr: 0.1 }).loadStateDict(s);
      },
      ArgumentError,
    ],
    [
      'loadStateDict with a buffer of the wrong shape',
      () => {
        const s = saved();
        s.state[0]!.momentumBuffer = zeros([4]);
        new optim.SGD([leaf()], { lr: 0.1 }).loadStateDict(s);
      },
      ShapeError,
    ],
    [
      'loadStateDict with an unknown key',
      () => {
        new optim.SGD([leaf()], { lr: 0.1 }).loadStateDict({ ...saved(), extra: 1 } as never);
      },
      ArgumentError,
    ],
  ];
  for (const [name, call, error] of cases) {
    void it(name, () => {
      assert.throws(() => noGrad(call), error);
    });
  }

  void it('a failed loadStateDict leaves the optimizer unchanged', () => {
    const p = leaf();
    const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9 });
    p.grad = tensor([1, 1, 1]);
    opt.step();
    const s = saved();
    s.state[0]!.momentumBuffer = zeros([4]);
    assert.throws(() => {
      opt.loadStateDict(s);
    }, ShapeError);
    assert.equal(opt.paramGroups[0]!.lr, 0.1);
    assert.deepEqual([...opt.stateDict().state[0]!.momentumBuffer!.data], [1, 1, 1]);
  });
});
