/**
 * `train`: the training loop learns and reports every batch, the evaluation loop matches the model's own
 * outputs and leaves no gradients, both are deterministic under a seed; optimizers and schedules by name
 * with their defaults; the per-channel statistics; and bad arguments.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  DTypeError,
  F,
  ShapeError,
  argmax,
  cat,
  data,
  manualSeed,
  nn,
  ones,
  optim,
  randn,
  tensor,
  train,
} from '../src/index.js';
import type { Tensor } from '../src/index.js';

/** Two Gaussian blobs in 4-D, labelled 0 and 1: a problem a linear model learns in a few epochs. */
function blobs(n: number, seed: number): { x: Tensor; y: Tensor } {
  const half = n / 2;
  const x = cat([randn([half, 4], { seed }).add(1.5), randn([half, 4], { seed: seed + 1 }).sub(1.5)]);
  const y = tensor(
    Array.from({ length: n }, (_, i) => (i < half ? 0 : 1)),
    undefined,
    { dtype: 'int32' },
  );
  return { x, y };
}

function setup(seed: number): { model: nn.Sequential; loader: data.DataLoader; opt: optim.Optimizer } {
  manualSeed(seed);
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
  const { x, y } = blobs(200, 7);
  const loader = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 32, shuffle: true, seed });
  return { model, loader, opt: new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) };
}

void describe('trainEpoch', () => {
  void it('lowers the loss epoch after epoch and reports every batch', () => {
    const { model, loader, opt } = setup(0);
    const reports: train.BatchProgress[] = [];
    const first = train.trainEpoch(model, loader, opt, { onBatch: (p) => reports.push(p) });
    assert.equal(reports.length, 7);
    assert.deepEqual(
      reports.map((r) => r.samples),
      [32, 64, 96, 128, 160, 192, 200],
    );
    assert.ok(reports.every((r, i) => r.batch === i + 1 && r.batches === 7));
    assert.equal(reports.at(-1)!.loss, first.loss);
    assert.equal(reports.at(-1)!.accuracy, first.accuracy);
    assert.equal(first.samples, 200);
    assert.equal(first.stepLosses.length, 7);
    const weighted = first.stepLosses.reduce((s, l, i) => s + l * (i < 6 ? 32 : 8), 0) / 200;
    assert.ok(Math.abs(weighted - first.loss) < 1e-6, `${weighted} vs ${first.loss}`);
    let last = first;
    for (let epoch = 0; epoch < 4; epoch++) last = train.trainEpoch(model, loader, opt);
    assert.ok(last.loss < first.loss / 2, `loss ${first.loss} → ${last.loss}`);
    assert.ok(last.accuracy > 0.95, `accuracy ${last.accuracy}`);
    assert.equal(model.training, true);
  });

  void it('gives identical weights for identical seeds', () => {
    const runs = [0, 0, 1].map((seed) => {
      const { model, loader, opt } = setup(seed);
      train.trainEpoch(model, loader, opt);
      return Array.from(model.getParameter('2.weight').data);
    });
    assert.deepEqual(runs[0], runs[1]);
    assert.notDeepEqual(runs[0], runs[2]);
  });

  void it('steps a per-batch scheduler after every optimizer step', () => {
    const { model, loader, opt } = setup(0);
    const sched = new optim.lrScheduler.OneCycleLR(opt, 0.1, { totalSteps: 7 });
    train.trainEpoch(model, loader, opt, { batchScheduler: sched });
    assert.equal(sched.lastEpoch, 7);
  });

  void it('rejects what is not a model or a loader', () => {
    const { model, loader, opt } = setup(0);
    assert.throws(() => train.trainEpoch({} as unknown as nn.Module, loader, opt), ArgumentError);
    assert.throws(
      () => train.trainEpoch(model, { length: 3 } as unknown as train.BatchSource, opt),
      ArgumentError,
    );
    const empty = new data.DataLoader(
      new data.TensorDataset(randn([1, 4]), tensor([0], undefined, { dtype: 'int32' })),
      {
        batchSize: 2,
        dropLast: true,
      },
    );
    assert.throws(() => train.trainEpoch(model, empty, opt), /gave no samples/);
  });
});

void describe('evaluate', () => {
  void it("matches the model's own outputs, keeps no gradients and restores the mode", () => {
    const { model, loader, opt } = setup(0);
    train.trainEpoch(model, loader, opt);
    opt.zeroGrad();
    const { x, y } = blobs(100, 20);
    const test = new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 30 });
    let calls = 0;
    const result = train.evaluate(model, test, {
      onBatch: () => {
        calls += 1;
      },
    });
    assert.equal(calls, 4);
    const logits = model.forward(x);
    const predicted = argmax(logits, { dim: 1 });
    assert.deepEqual(Array.from(result.predictions.data), Array.from(predicted.data));
    assert.deepEqual(Array.from(result.targets.data), Array.from(y.data));
    const hits = Array.from(predicted.data).filter((p, i) => p === y.data[i]).length;
    assert.equal(result.accuracy, hits / 100);
    assert.ok(Math.abs(result.loss - F.crossEntropy(logits, y).item()) < 1e-5);
    assert.ok(model.parameters().every((p) => p.grad === null));
    assert.equal(model.training, true);
    model.eval();
    train.evaluate(model, test);
    assert.equal(model.training, false);
  });
});

void describe('optimizers and schedules by name', () => {
  const params = (): Tensor[] => [randn([2, 2], { seed: 0 }).requiresGrad_()];

  void it('make every optimizer with its defaults', () => {
    const kinds = {
      sgd: optim.SGD,
      adam: optim.Adam,
      adamw: optim.AdamW,
      rmsprop: optim.RMSprop,
      adagrad: optim.Adagrad,
    };
    for (const name of train.OPTIMIZER_NAMES) {
      const opt = train.createOptimizer(name, params());
      assert.ok(opt instanceof kinds[name], name);
      assert.equal(opt.paramGroups[0]!.lr, train.DEFAULT_LR[name]);
    }
    const sgd = train.createOptimizer('sgd', params()).paramGroups[0] as unknown as optim.SGDHyper;
    assert.equal(sgd.momentum, 0.9);
    const adamw = train.createOptimizer('adamw', params()).paramGroups[0] as unknown as optim.AdamHyper;
    assert.equal(adamw.weightDecay, 0.01);
    const tuned = train.createOptimizer('rmsprop', params(), { lr: 0.5, momentum: 0.3, weightDecay: 0.1 });
    assert.deepEqual(
      [tuned.paramGroups[0]!.lr, (tuned.paramGroups[0] as unknown as optim.RMSpropHyper).momentum],
      [0.5, 0.3],
    );
  });

  void it('reject unknown names and a momentum the optimizer does not have', () => {
    assert.throws(() => train.createOptimizer('lamb' as 'sgd', params()), /unknown optimizer "lamb"/);
    assert.throws(() => train.createOptimizer('adam', params(), { momentum: 0.9 }), /adam has no momentum/);
    assert.throws(() => train.createOptimizer('sgd', params(), { lr: -1 }), ArgumentError);
  });

  void it('lay schedules out over the run', () => {
    const length = { epochs: 9, stepsPerEpoch: 5 };
    assert.deepEqual(train.createScheduler('none', train.createOptimizer('sgd', params()), length), {
      scheduler: null,
      stepEvery: 'epoch',
    });
    const step = train.createScheduler('step', train.createOptimizer('sgd', params()), length);
    assert.ok(step.scheduler instanceof optim.lrScheduler.StepLR);
    assert.equal(step.scheduler.stateDict().stepSize, 3);
    const cosine = train.createScheduler('cosine', train.createOptimizer('sgd', params()), length);
    assert.ok(cosine.scheduler instanceof optim.lrScheduler.CosineAnnealingLR);
    assert.equal(cosine.scheduler.stateDict().tMax, 9);
    assert.equal(cosine.stepEvery, 'epoch');
    const opt = train.createOptimizer('adam', params(), { lr: 0.01 });
    const onecycle = train.createScheduler('onecycle', opt, length);
    assert.equal(onecycle.stepEvery, 'batch');
    assert.ok(onecycle.scheduler instanceof optim.lrScheduler.OneCycleLR);
    assert.deepEqual(
      [
        onecycle.scheduler.stateDict().totalSteps,
        onecycle.scheduler.stateDict().cycleMomentum,
        opt.paramGroups[0]!.maxLr,
      ],
      [45, true, 0.01],
    );
    const adagrad = train.createScheduler('onecycle', train.createOptimizer('adagrad', params()), length);
    assert.equal((adagrad.scheduler as optim.lrScheduler.OneCycleLR).stateDict().cycleMomentum, false);
    assert.throws(() => train.createScheduler('linear' as 'none', opt, length), /unknown schedule/);
    assert.throws(() => train.createScheduler('cosine', opt, { epochs: 0, stepsPerEpoch: 1 }), /epochs/);
  });
});

void describe('channelStatistics', () => {
  void it('is the mean and population std of every channel over images and pixels', () => {
    const images = randn([6, 3, 4, 5], { seed: 3 })
      .mul(tensor([1, 2, 3], [3, 1, 1]))
      .add(tensor([0, 1, -1], [3, 1, 1]));
    const { mean, std } = train.channelStatistics(images);
    for (let c = 0; c < 3; c++) {
      const values = Array.from(images.narrow(1, c, 1).data);
      const m = values.reduce((a, b) => a + b, 0) / values.length;
      const s = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
      assert.ok(Math.abs(mean[c]! - m) < 1e-6, `mean ${c}`);
      assert.ok(Math.abs(std[c]! - s) < 1e-5, `std ${c}`);
    }
  });

  void it('works through many chunks and gives a constant channel std 1', () => {
    const { mean, std } = train.channelStatistics(ones([9000, 1, 2, 2]).mul(0.25));
    assert.deepEqual([mean, std], [[0.25], [1]]);
    const halves = cat([ones([5000, 1, 1, 1]), ones([5000, 1, 1, 1]).neg()]);
    assert.deepEqual(train.channelStatistics(halves), { mean: [0], std: [1] });
  });

  void it('rejects what is not a floating batch of images', () => {
    assert.throws(() => train.channelStatistics(randn([3, 4])), ShapeError);
    assert.throws(
      () => train.channelStatistics(tensor([[[[1]]]], undefined, { dtype: 'int32' })),
      DTypeError,
    );
  });
});
