/**
 * Learning-rate schedulers against PyTorch: every scheduler case of test/fixtures/optim.json (written by
 * scripts/reference/optim_reference.py) replays its optimizer's gradients, stepping the optimizer and then
 * the scheduler, and compares every group's learning rate and momentum (β₁ for Adam) and the parameters
 * after each step, in float64 and float32. Also: state-dict round trips and a bad-input table.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ArgumentError, optim, tensor } from '../src/index.js';
import type { DType, Tensor } from '../src/index.js';
import { describeEachBackend } from './helpers/backends.js';
import { assertAllClose, toleranceFor } from './helpers/close.js';

type AnyOptimizer = optim.Optimizer;
type AnyScheduler = optim.lrScheduler.LRScheduler<Record<string, optim.lrScheduler.SettingValue>>;

interface SchedulerCase {
  scheduler: keyof typeof schedulers;
  name: string;
  args: unknown[];
  schedulerOptions: Record<string, unknown>;
  optimizer: keyof typeof optimizers;
  options: Record<string, unknown>;
  groups: { params: number[]; options: Record<string, unknown> }[] | null;
  params: { shape: number[]; values: number[] }[];
  grads: (number[] | null)[][];
  expected: number[][][];
  lrs: number[][];
  momenta: (number | null)[][];
}

const optimizers: Record<string, (params: unknown, options: unknown) => AnyOptimizer> = {
  SGD: (p, o) => new optim.SGD(p as optim.Params<optim.SGDOptions>, o as optim.SGDOptions),
  Adam: (p, o) => new optim.Adam(p as optim.Params<optim.AdamOptions>, o as optim.AdamOptions),
  RMSprop: (p, o) => new optim.RMSprop(p as optim.Params<optim.RMSpropOptions>, o as optim.RMSpropOptions),
  Adagrad: (p, o) => new optim.Adagrad(p as optim.Params<optim.AdagradOptions>, o as optim.AdagradOptions),
};

const schedulers = {
  StepLR: (opt: AnyOptimizer, [stepSize]: unknown[], o: unknown) =>
    new optim.lrScheduler.StepLR(opt, stepSize as number, o as optim.lrScheduler.StepLROptions),
  CosineAnnealingLR: (opt: AnyOptimizer, [tMax]: unknown[], o: unknown) =>
    new optim.lrScheduler.CosineAnnealingLR(
      opt,
      tMax as number,
      o as optim.lrScheduler.CosineAnnealingLROptions,
    ),
  OneCycleLR: (opt: AnyOptimizer, [maxLr]: unknown[], o: unknown) =>
    new optim.lrScheduler.OneCycleLR(
      opt,
      maxLr as number | number[],
      o as optim.lrScheduler.OneCycleLROptions,
    ),
};

const fixture = JSON.parse(readFileSync(new URL('./fixtures/optim.json', import.meta.url), 'utf8')) as {
  schedulers: SchedulerCase[];
};

interface Run {
  params: Tensor[];
  opt: AnyOptimizer;
  sched: AnyScheduler;
}

/** The case's optimizer over fresh leaves of `dtype` (from `values` if given) and its scheduler. */
function build(c: SchedulerCase, dtype: DType, values?: number[][]): Run {
  const params = c.params.map((p, i) =>
    tensor(values?.[i] ?? p.values, p.shape, { dtype, requiresGrad: true }),
  );
  const spec =
    c.groups === null
      ? params
      : c.groups.map((g) => ({ params: g.params.map((i) => params[i]!), ...g.options }));
  const opt = optimizers[c.optimizer]!(spec, c.options);
  const sched = schedulers[c.scheduler](opt, c.args, c.schedulerOptions) as unknown as AnyScheduler;
  return { params, opt, sched };
}

/** Sets the gradients of `step`, steps the optimizer, checks the parameters, then steps the scheduler. */
function replayStep(c: SchedulerCase, { params, opt, sched }: Run, step: number): void {
  params.forEach((p, i) => {
    const g = c.grads[step]![i];
    p.grad = g === null || g === undefined ? null : tensor(g, p.shape, { dtype: p.dtype });
  });
  opt.step();
  params.forEach((p, i) => {
    const expected = c.expected[step]![i]!;
    assertAllClose(p.data, expected, toleranceFor(p.dtype, expected), `step ${step}, param ${i}`);
  });
  sched.step();
}

/** Checks the learning rates and momenta after `epoch` scheduler steps (0: right after construction). */
function assertSchedule(c: SchedulerCase, { opt, sched }: Run, epoch: number): void {
  const tolerance = { rtol: 1e-12, atol: 0 };
  assert.equal(sched.lastEpoch, epoch);
  assertAllClose(sched.getLastLr(), c.lrs[epoch]!, tolerance, `lr after ${epoch} steps`);
  assertAllClose(
    opt.paramGroups.map((g) => g.lr),
    c.lrs[epoch]!,
    tolerance,
    `group lr after ${epoch} steps`,
  );
  const momenta = opt.paramGroups.map((group) => {
    const g = group as optim.ParamGroup<optim.BaseHyper> & { momentum?: number; betas?: readonly number[] };
    return g.betas?.[0] ?? g.momentum ?? null;
  });
  assert.deepEqual(
    momenta.map((m) => m === null),
    c.momenta[epoch]!.map((m) => m === null),
  );
  assertAllClose(
    momenta.map((m) => m ?? 0),
    c.momenta[epoch]!.map((m) => m ?? 0),
    tolerance,
    `momentum after ${epoch} steps`,
  );
}

void it('scheduler fixtures cover every scheduler', () => {
  assert.deepEqual(
    [...new Set(fixture.schedulers.map((c) => c.scheduler))].sort(),
    Object.keys(schedulers).sort(),
  );
});

describeEachBackend('schedulers match PyTorch', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const c of fixture.schedulers) {
      void it(`${c.scheduler}: ${c.name} (${dtype})`, () => {
        const run = build(c, dtype);
        assertSchedule(c, run, 0);
        for (let step = 0; step < c.grads.length; step++) {
          replayStep(c, run, step);
          assertSchedule(c, run, step + 1);
        }
        if (c.scheduler === 'OneCycleLR') {
          assert.throws(() => {
            run.sched.step();
          }, ArgumentError);
        }
      });
    }
  }
});

void describe('scheduler state dict', () => {
  for (const c of fixture.schedulers) {
    void it(`${c.scheduler}: ${c.name}: save halfway, load into a fresh optimizer and scheduler, continue`, () => {
      const half = Math.floor(c.grads.length / 2);
      const first = build(c, 'float64');
      for (let step = 0; step < half; step++) replayStep(c, first, step);
      const savedOptimizer = first.opt.stateDict();
      const savedScheduler = first.sched.stateDict();
      const resumed = build(
        c,
        'float64',
        first.params.map((p) => [...p.data]),
      );
      resumed.opt.loadStateDict(savedOptimizer);
      resumed.sched.loadStateDict(savedScheduler);
      assertSchedule(c, resumed, half);
      for (let step = half; step < c.grads.length; step++) {
        replayStep(c, resumed, step);
        assertSchedule(c, resumed, step + 1);
      }
    });
  }

  void it('holds the common state and the settings', () => {
    const opt = new optim.SGD([tensor([1], undefined, { requiresGrad: true })], { lr: 0.1 });
    const sched = new optim.lrScheduler.StepLR(opt, 2);
    sched.step();
    assert.deepEqual(sched.stateDict(), {
      stepSize: 2,
      gamma: 0.1,
      lastEpoch: 1,
      baseLrs: [0.1],
      lastLr: [0.1],
    });
    assert.equal(opt.paramGroups[0]!.initialLr, 0.1);
  });
});

void describe('scheduler bad input', () => {
  const sgd = (): optim.SGD =>
    new optim.SGD([tensor([1, 2], undefined, { requiresGrad: true })], { lr: 0.1, momentum: 0.9 });
  const { StepLR, CosineAnnealingLR, OneCycleLR } = optim.lrScheduler;
  const cases: [string, () => unknown][] = [
    ['StepLR of a non-optimizer', () => new StepLR(null as unknown as AnyOptimizer, 2)],
    ['StepLR with stepSize 0', () => new StepLR(sgd(), 0)],
    ['StepLR with a fractional stepSize', () => new StepLR(sgd(), 1.5)],
    ['StepLR with a negative gamma', () => new StepLR(sgd(), 2, { gamma: -0.1 })],
    [
      'StepLR with an unknown option',
      () => new StepLR(sgd(), 2, { gama: 0.5 } as optim.lrScheduler.StepLROptions),
    ],
    ['CosineAnnealingLR with tMax 0', () => new CosineAnnealingLR(sgd(), 0)],
    ['CosineAnnealingLR with a NaN etaMin', () => new CosineAnnealingLR(sgd(), 5, { etaMin: NaN })],
    ['OneCycleLR without a length', () => new OneCycleLR(sgd(), 0.1)],
    ['OneCycleLR with epochs but no stepsPerEpoch', () => new OneCycleLR(sgd(), 0.1, { epochs: 3 })],
    ['OneCycleLR with a negative totalSteps', () => new OneCycleLR(sgd(), 0.1, { totalSteps: -5 })],
    ['OneCycleLR with pctStart above 1', () => new OneCycleLR(sgd(), 0.1, { totalSteps: 10, pctStart: 1.5 })],
    [
      'OneCycleLR with an unknown anneal strategy',
      () => new OneCycleLR(sgd(), 0.1, { totalSteps: 10, annealStrategy: 'exp' as 'cos' }),
    ],
    ['OneCycleLR with too few maxLr values', () => new OneCycleLR(sgd(), [0.1, 0.2], { totalSteps: 10 })],
    ['OneCycleLR with divFactor 0', () => new OneCycleLR(sgd(), 0.1, { totalSteps: 10, divFactor: 0 })],
    [
      'OneCycleLR cycling momentum of an optimizer without momentum',
      () =>
        new OneCycleLR(new optim.Adagrad([tensor([1], undefined, { requiresGrad: true })]), 0.1, {
          totalSteps: 5,
        }),
    ],
    [
      'OneCycleLR cycling beta1 up to 1',
      () =>
        new OneCycleLR(new optim.Adam([tensor([1], undefined, { requiresGrad: true })]), 0.1, {
          totalSteps: 5,
          maxMomentum: 1,
        }),
    ],
    [
      'OneCycleLR with a phase of no steps',
      () => new OneCycleLR(sgd(), 0.1, { totalSteps: 10, pctStart: 0.1 }),
    ],
    [
      'OneCycleLR stepping past totalSteps',
      () => {
        const sched = new OneCycleLR(sgd(), 0.1, { totalSteps: 3 });
        for (let i = 0; i < 4; i++) sched.step();
      },
    ],
    [
      'loadStateDict from another scheduler class',
      () => {
        new StepLR(sgd(), 2).loadStateDict(new CosineAnnealingLR(sgd(), 5).stateDict() as never);
      },
    ],
    [
      'loadStateDict with a bad setting',
      () => {
        const sched = new StepLR(sgd(), 2);
        sched.loadStateDict({ ...sched.stateDict(), stepSize: 0 });
      },
    ],
    [
      'loadStateDict with another number of groups',
      () => {
        const sched = new StepLR(sgd(), 2);
        sched.loadStateDict({ ...sched.stateDict(), baseLrs: [0.1, 0.1] });
      },
    ],
  ];
  for (const [name, call] of cases) {
    void it(name, () => {
      assert.throws(call, ArgumentError);
    });
  }

  void it('a OneCycleLR step past totalSteps changes nothing', () => {
    const opt = sgd();
    const sched = new OneCycleLR(opt, 0.1, { totalSteps: 2 });
    sched.step();
    sched.step();
    const lr = opt.paramGroups[0]!.lr;
    assert.throws(() => {
      sched.step();
    }, ArgumentError);
    assert.equal(sched.lastEpoch, 2);
    assert.equal(opt.paramGroups[0]!.lr, lr);
  });
});
