/**
 * The training loop meets faults: a NaN or infinite loss or gradient stops it before the update (naming
 * the batch) or, with `onNonFinite: 'skip'`, leaves out that batch's update and counts it; an update that
 * makes a weight non-finite always stops it; and a pass stopped part-way continues from its totals to
 * exactly what an uninterrupted pass gives.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  Generator,
  cat,
  data,
  defaultGenerator,
  manualSeed,
  nn,
  optim,
  randn,
  tensor,
  train,
} from '../src/index.js';
import type { Tensor } from '../src/index.js';

/** Two Gaussian blobs in 4-D, labelled 0 and 1; `poison` rows get an infinite feature. */
function blobs(n: number, poison: readonly number[] = []): { x: Tensor; y: Tensor } {
  const half = n / 2;
  const x = cat([randn([half, 4], { seed: 7 }).add(1.5), randn([half, 4], { seed: 8 }).sub(1.5)]);
  for (const row of poison) x.data[row * 4] = Infinity;
  const y = tensor(
    Array.from({ length: n }, (_, i) => (i < half ? 0 : 1)),
    undefined,
    { dtype: 'int32' },
  );
  return { x, y };
}

interface Setup {
  model: nn.Sequential;
  loader: data.DataLoader;
  opt: optim.Optimizer;
  generator: Generator;
}

/** A small model with dropout (so the global generator matters), its loader in a fixed order or shuffled. */
function setup(options: { poison?: number[]; shuffle?: boolean; lr?: number } = {}): Setup {
  manualSeed(0);
  const model = new nn.Sequential(
    new nn.Linear(4, 8),
    new nn.ReLU(),
    new nn.Dropout({ p: 0.2 }),
    new nn.Linear(8, 2),
  );
  const { x, y } = blobs(200, options.poison);
  const generator = new Generator(1);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), {
    batchSize: 32,
    shuffle: options.shuffle ?? false,
    generator,
  });
  const opt = new optim.SGD(model.parameters(), { lr: options.lr ?? 0.1, momentum: 0.9 });
  return { model, loader, opt, generator };
}

const weights = (model: nn.Module): number[][] => model.parameters().map((p) => Array.from(p.data));

void describe('trainEpoch with non-finite values', () => {
  void it('stops before the update at a NaN loss, naming the batch, the weights as they were', () => {
    const { model, loader, opt } = setup({ poison: [70] });
    const before: number[][] = [];
    let error: unknown;
    try {
      train.trainEpoch(model, loader, opt, {
        onBatch: (p) => {
          if (p.batch === 2) before.push(...weights(model));
        },
      });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof train.NonFiniteError, String(error));
    assert.equal(error.message, 'trainEpoch: batch 3 of 7: the loss is NaN');
    assert.deepEqual([error.batch, error.batches, error.quantity, error.parameter], [3, 7, 'loss', null]);
    assert.deepEqual(weights(model), before);
  });

  void it('stops at a NaN gradient under a finite loss, naming the parameter', () => {
    const { loader } = setup();
    // sqrt(h²) at h = 0: a finite output whose derivative is ∞ · 0.
    class Root extends nn.Module {
      forward(x: Tensor): Tensor {
        return x.mul(x).sqrt();
      }
    }
    const model = new nn.Sequential(new nn.Linear(4, 8), new Root(), new nn.Linear(8, 2));
    model.getParameter('0.weight').data.fill(0);
    model.getParameter('0.bias').data.fill(0);
    const opt = new optim.SGD(model.parameters(), { lr: 0.1 });
    assert.throws(() => train.trainEpoch(model, loader, opt), {
      name: 'NonFiniteError',
      message: 'trainEpoch: batch 1 of 7: the gradient of 0.weight holds NaN',
    });
  });

  void it('stops when an update makes a weight non-finite, even when skipping', () => {
    for (const onNonFinite of ['stop', 'skip'] as const) {
      const { model, loader, opt } = setup({ lr: 1e45 });
      assert.throws(
        () => train.trainEpoch(model, loader, opt, { onNonFinite }),
        (e: unknown) =>
          e instanceof train.NonFiniteError &&
          e.quantity === 'weight' &&
          /the update left -?Infinity in \d\.(weight|bias)/.test(e.message),
      );
    }
  });

  void it("skips a batch's update and counts it with onNonFinite: 'skip'", () => {
    const { model, loader, opt } = setup({ poison: [70, 71] });
    const reports: train.TrainProgress[] = [];
    const result = train.trainEpoch(model, loader, opt, {
      onNonFinite: 'skip',
      onBatch: (p) => reports.push(p),
    });
    assert.equal(result.skipped, 1);
    assert.equal(result.samples, 200 - 32);
    assert.equal(result.stepLosses.length, 6);
    assert.ok(Number.isFinite(result.loss));
    assert.deepEqual(
      reports.map((r) => r.skipped),
      [0, 0, 1, 1, 1, 1, 1],
    );
    assert.ok(model.parameters().every((p) => p.data.every(Number.isFinite)));
  });

  void it('fails naming the last batch when every batch was skipped', () => {
    const { model, loader, opt } = setup({ poison: [0, 32, 64, 96, 128, 160, 192] });
    assert.throws(() => train.trainEpoch(model, loader, opt, { onNonFinite: 'skip' }), {
      name: 'NonFiniteError',
      message: 'trainEpoch: batch 7 of 7: the loss is NaN, and so was every batch before',
    });
  });

  void it('rejects an unknown action and totals that do not fit the loader', () => {
    const { model, loader, opt } = setup();
    assert.throws(
      () => train.trainEpoch(model, loader, opt, { onNonFinite: 'ignore' as 'stop' }),
      ArgumentError,
    );
    const totals = { batches: 8, samples: 0, lossSum: 0, hits: 0, skipped: 0, stepLosses: [] };
    assert.throws(() => train.trainEpoch(model, loader, opt, { resume: totals }), /the loader has only 7/);
    assert.throws(
      () => train.trainEpoch(model, loader, opt, { resume: { ...totals, batches: 2 } }),
      /resume.stepLosses/,
    );
  });
});

void describe('trainBatches stopped part-way', () => {
  void it('continues from its totals to exactly what one uninterrupted pass gives', () => {
    const straight = setup({ shuffle: true });
    const whole = train.trainEpoch(straight.model, straight.loader, straight.opt);

    const first = setup({ shuffle: true });
    const loaderState = first.generator.getState();
    let totals: train.EpochTotals | undefined;
    for (const progress of train.trainBatches(first.model, first.loader, first.opt)) {
      if (progress.batch === 3) {
        totals = progress.totals;
        break;
      }
    }
    // What a resumed process restores: the weights, the optimizer, both generators.
    const saved = {
      weights: weights(first.model),
      opt: first.opt.stateDict(),
      global: defaultGenerator.getState(),
      totals: JSON.parse(JSON.stringify(totals)) as train.EpochTotals,
    };
    const second = setup({ shuffle: true });
    second.model.parameters().forEach((p, i) => {
      p.data.set(saved.weights[i]!);
    });
    second.opt.loadStateDict(saved.opt);
    second.generator.setState(loaderState);
    defaultGenerator.setState(saved.global);
    const resumed = train.trainEpoch(second.model, second.loader, second.opt, { resume: saved.totals });
    assert.deepEqual(resumed, whole);
    assert.deepEqual(weights(second.model), weights(straight.model));
  });
});
