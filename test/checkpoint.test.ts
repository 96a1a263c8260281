/**
 * Checkpoints and training states: round trips in memory and on disk, byte-identical output for equal
 * inputs, a checkpoint that is exactly the model's state dict plus metadata, the global generator left
 * untouched, and every malformed file or argument rejected with a `CheckpointError` naming what is wrong.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkpoint,
  defaultGenerator,
  loadSafetensors,
  manualSeed,
  models,
  nn,
  optim,
  randn,
  saveSafetensors,
  zeros,
} from '../src/index.js';
import type { Tensor } from '../src/index.js';
import {
  loadCheckpointFile,
  loadTrainingStateFile,
  saveCheckpointFile,
  saveTrainingStateFile,
  trainingStatePath,
} from '../src/node/index.js';

const { CheckpointError, loadCheckpoint, saveCheckpoint, loadTrainingState, saveTrainingState } = checkpoint;

const folder = mkdtempSync(join(tmpdir(), 'convnet-ts-checkpoint-'));
after(() => {
  rmSync(folder, { recursive: true, force: true });
});

const SMALL: models.Architecture = {
  name: 'small',
  layers: [
    { type: 'Conv2d', outChannels: 3, kernelSize: 3 },
    { type: 'BatchNorm2d' },
    { type: 'ReLU' },
    { type: 'Flatten' },
    { type: 'Linear', outFeatures: 4 },
  ],
};
const CLASSES = ['a', 'b', 'c', 'd'];

/** A small trained-looking model with its checkpoint info. */
function smallModel(seed = 0): { model: nn.Sequential; info: checkpoint.CheckpointInfo } {
  manualSeed(seed);
  const { model, architecture } = models.buildModel(SMALL, [1, 6, 6]);
  model.forward(randn([5, 1, 6, 6], { seed })); // updates BatchNorm's running statistics
  return {
    model,
    info: {
      architecture,
      classes: CLASSES,
      inputShape: [1, 6, 6],
      preprocessing: { mean: [0.25], std: [0.5] },
    },
  };
}

function assertSameState(actual: Record<string, Tensor>, expected: Record<string, Tensor>): void {
  assert.deepEqual(Object.keys(actual), Object.keys(expected));
  for (const [key, t] of Object.entries(expected)) {
    assert.equal(actual[key]!.dtype, t.dtype, key);
    assert.deepEqual(Array.from(actual[key]!.data), Array.from(t.data), key);
  }
}

void describe('model checkpoints', () => {
  void it('round-trip the weights, buffers and metadata, and rebuild a model that computes the same', () => {
    const { model, info } = smallModel();
    const loaded = loadCheckpoint(saveCheckpoint(model, info));
    assertSameState(loaded.model.stateDict(), model.stateDict());
    assert.deepEqual(loaded.architecture, info.architecture);
    assert.deepEqual(loaded.classes, CLASSES);
    assert.deepEqual(loaded.inputShape, [1, 6, 6]);
    assert.deepEqual(loaded.preprocessing, { mean: [0.25], std: [0.5] });
    const x = randn([2, 1, 6, 6], { seed: 9 });
    assert.deepEqual(
      Array.from(loaded.model.eval().forward(x).data),
      Array.from(model.eval().forward(x).data),
    );
  });

  void it("hold exactly the model's state-dict keys, readable as a plain safetensors file", () => {
    const { model, info } = smallModel();
    const { tensors, metadata } = loadSafetensors(saveCheckpoint(model, info));
    assert.deepEqual(Object.keys(tensors).sort(), Object.keys(model.stateDict()).sort());
    assert.deepEqual(Object.keys(metadata).sort(), [
      'architecture',
      'classes',
      'convnet_checkpoint',
      'input_shape',
      'preprocessing',
    ]);
    assert.equal(metadata.convnet_checkpoint, '1');
    assert.deepEqual(JSON.parse(metadata.input_shape!), [1, 6, 6]);
    assert.deepEqual(JSON.parse(metadata.architecture!), info.architecture);
  });

  void it('are byte-identical for equal models, and differ when a weight does', () => {
    const a = smallModel(1);
    const b = smallModel(1);
    assert.deepEqual(saveCheckpoint(a.model, a.info), saveCheckpoint(b.model, b.info));
    b.model.getParameter('4.bias').data[0]! += 1;
    assert.notDeepEqual(saveCheckpoint(a.model, a.info), saveCheckpoint(b.model, b.info));
  });

  void it('leave the global generator where it was when saving and loading', () => {
    const { model, info } = smallModel();
    manualSeed(42);
    const before = defaultGenerator.getState();
    loadCheckpoint(saveCheckpoint(model, info));
    assert.deepEqual(defaultGenerator.getState(), before);
  });

  void it('accept an architecture whose sizes are still to infer, and store them filled in', () => {
    const { model, info } = smallModel();
    const loaded = loadCheckpoint(saveCheckpoint(model, { ...info, architecture: SMALL }));
    assert.deepEqual(loaded.architecture.layers[4], {
      type: 'Linear',
      inFeatures: 3 * 4 * 4,
      outFeatures: 4,
    });
  });

  void it('refuse to save info that does not describe the model', () => {
    const { model, info } = smallModel();
    const other = models.buildModel(models.namedArchitecture('lenet5', 4), [1, 28, 28]).model;
    const cases: [string, () => unknown, RegExp][] = [
      ['another model', () => saveCheckpoint(other, info), /does not match its architecture/],
      [
        'too few class names',
        () => saveCheckpoint(model, { ...info, classes: ['a'] }),
        /"classes": 1 class names/,
      ],
      ['a 2-D input shape', () => saveCheckpoint(model, { ...info, inputShape: [6, 6] }), /"input_shape"/],
      [
        'a mean per channel missing',
        () => saveCheckpoint(model, { ...info, preprocessing: { mean: [], std: [1] } }),
        /"preprocessing": mean must hold 1 finite number/,
      ],
      [
        'a zero std',
        () => saveCheckpoint(model, { ...info, preprocessing: { mean: [0], std: [0] } }),
        /std must hold 1 finite number > 0/,
      ],
      [
        'a malformed architecture',
        () => saveCheckpoint(model, { ...info, architecture: { layers: [{ type: 'Nope' }] } as never }),
        /"architecture": architecture\(layers\[0\]\.type\)/,
      ],
      ['no model', () => saveCheckpoint(null as never, info), /expected an nn.Module/],
    ];
    for (const [what, call, message] of cases) {
      assert.throws(call, (e: unknown) => e instanceof CheckpointError && message.test(e.message), what);
    }
  });

  void describe('refuse to load', () => {
    const { model, info } = smallModel();
    const good = loadSafetensors(saveCheckpoint(model, info));
    const variant = (
      metadata: Record<string, string | undefined>,
      tensors: Record<string, Tensor> = good.tensors,
    ): Uint8Array => {
      const merged = Object.fromEntries(
        Object.entries({ ...good.metadata, ...metadata }).filter(
          (entry): entry is [string, string] => entry[1] !== undefined,
        ),
      );
      return saveSafetensors(tensors, merged);
    };
    const withoutBias = Object.fromEntries(Object.entries(good.tensors).filter(([key]) => key !== '4.bias'));
    const cases: [string, Uint8Array, RegExp][] = [
      ['bytes that are not safetensors', new Uint8Array([1, 2, 3]), /not a safetensors file/],
      [
        'a bare state dict',
        saveSafetensors(good.tensors),
        /not a convnet-ts checkpoint.*"convnet_checkpoint"/,
      ],
      ['a newer format version', variant({ convnet_checkpoint: '2' }), /version "2" is not supported/],
      ['no class names', variant({ classes: undefined }), /metadata "classes": is missing/],
      [
        'class names that are not JSON',
        variant({ classes: '[a, b' }),
        /metadata "classes": is not valid JSON/,
      ],
      [
        'class names that are not strings',
        variant({ classes: '[1, 2, 3, 4]' }),
        /"classes": expected a non-empty list/,
      ],
      [
        'the wrong number of classes',
        variant({ classes: '["a", "b"]' }),
        /"classes": 2 class names, but the model's output/,
      ],
      [
        'an input shape without channels',
        variant({ input_shape: '[6, 6]' }),
        /"input_shape": expected \[C, H, W\]/,
      ],
      [
        'an input shape the model does not fit',
        variant({ input_shape: '[1, 2, 2]' }),
        /"architecture": architecture\(layers\[0\]\): Conv2d does not fit/,
      ],
      [
        'an architecture with an unknown layer',
        variant({ architecture: '{"layers": [{"type": "Foo"}]}' }),
        /layers\[0\]\.type/,
      ],
      [
        'normalisation for 3 channels',
        variant({ preprocessing: '{"mean": [0, 0, 0], "std": [1, 1, 1]}' }),
        /mean must hold 1/,
      ],
      [
        'normalisation with an unknown field',
        variant({ preprocessing: '{"mean": [0], "std": [1], "max": 1}' }),
        /unknown field "max"/,
      ],
      ['a missing tensor', variant({}, withoutBias), /lacks "4.bias"/],
      ['an extra tensor', variant({}, { ...good.tensors, extra: zeros([1]) }), /has unexpected "extra"/],
      [
        'a tensor of the wrong shape',
        variant({}, { ...good.tensors, '4.bias': zeros([5]) }),
        /"4.bias" has shape \[5\], the architecture's is \[4\]/,
      ],
    ];
    for (const [what, bytes, message] of cases) {
      void it(what, () => {
        assert.throws(
          () => loadCheckpoint(bytes, 'model.safetensors'),
          (e: unknown) => {
            assert.ok(e instanceof CheckpointError, String(e));
            assert.match(e.message, /^loadCheckpoint\(model\.safetensors\): /);
            assert.match(e.message, message);
            return true;
          },
        );
      });
    }
  });
});

/** An optimizer with state after two steps on a tiny model. */
function steppedOptimizer(kind: 'sgd' | 'adam'): { opt: optim.Optimizer; params: Tensor[] } {
  const params = [randn([3, 2], { seed: 1 }).requiresGrad_(), randn([2], { seed: 2 }).requiresGrad_()];
  const opt =
    kind === 'sgd' ? new optim.SGD(params, { lr: 0.1, momentum: 0.9 }) : new optim.Adam(params, { lr: 0.01 });
  for (let i = 0; i < 2; i++) {
    opt.zeroGrad();
    params[0]!.mul(params[0]!).sum().add(params[1]!.sum()).backward();
    opt.step();
  }
  return { opt, params };
}

void describe('training states', () => {
  void it('round-trip optimizer tensors and counts, scheduler, generator states (NaN included) and info', () => {
    for (const kind of ['sgd', 'adam'] as const) {
      const { opt } = steppedOptimizer(kind);
      const scheduler = new optim.lrScheduler.StepLR(opt, 2, { gamma: 0.5 });
      scheduler.step();
      const generator = defaultGenerator;
      generator.manualSeed(5);
      generator.normal(); // leaves a spare normal in the state
      const state: checkpoint.TrainingState = {
        epoch: 3,
        optimizer: opt.stateDict(),
        scheduler: scheduler.stateDict(),
        rng: { global: generator.getState(), loader: [1, 2, 3, 4, NaN] },
        info: { settings: { lr: 0.1, name: 'x', flags: [true, null] } },
      };
      const loaded = loadTrainingState(saveTrainingState(state));
      assert.equal(loaded.epoch, 3);
      assert.deepEqual(loaded.scheduler, scheduler.stateDict());
      assert.deepEqual(loaded.rng.global, generator.getState());
      assert.ok(Number.isNaN(loaded.rng.loader![4]));
      assert.deepEqual(loaded.info, state.info);
      assert.deepEqual(loaded.optimizer.paramGroups, opt.stateDict().paramGroups);
      const fresh = steppedOptimizer(kind);
      fresh.opt.loadStateDict(loaded.optimizer);
      const original = opt.stateDict().state;
      for (const [index, entries] of Object.entries(fresh.opt.stateDict().state)) {
        for (const [key, value] of Object.entries(entries)) {
          const expected = original[Number(index)]![key];
          if (value instanceof Object && 'data' in value) {
            assert.deepEqual(Array.from(value.data), Array.from((expected as Tensor).data), `${kind} ${key}`);
          } else {
            assert.equal(value, expected, `${kind} ${key}`);
          }
        }
      }
    }
  });

  void it('are byte-identical for equal states, and store optimizer tensors under optimizer.state.<i>.<key>', () => {
    const make = (): Uint8Array =>
      saveTrainingState({
        epoch: 1,
        optimizer: steppedOptimizer('sgd').opt.stateDict(),
        scheduler: null,
        rng: { global: [1, 2, 3, 4, NaN] },
        info: {},
      });
    assert.deepEqual(make(), make());
    assert.deepEqual(Object.keys(loadSafetensors(make()).tensors).sort(), [
      'optimizer.state.0.momentumBuffer',
      'optimizer.state.1.momentumBuffer',
    ]);
  });

  void it('refuse what JSON cannot hold, and malformed states', () => {
    const optimizer = steppedOptimizer('sgd').opt.stateDict();
    const base = { epoch: 1, optimizer, scheduler: null, rng: {}, info: {} };
    assert.throws(() => saveTrainingState({ ...base, info: { loss: NaN } }), /holds NaN/);
    assert.throws(() => saveTrainingState({ ...base, epoch: -1 }), CheckpointError);
    assert.throws(() => saveTrainingState({ ...base, optimizer: null as never }), CheckpointError);
    assert.throws(
      () => saveTrainingState({ ...base, rng: { g: 'x' as never } }),
      /rng.g is not a generator state/,
    );
    const good = loadSafetensors(saveTrainingState(base));
    const variant = (metadata: Record<string, string>, tensors = good.tensors): Uint8Array =>
      saveSafetensors(tensors, { ...good.metadata, ...metadata });
    const cases: [string, Uint8Array, RegExp][] = [
      ['a checkpoint', saveSafetensors(good.tensors), /not a convnet-ts training state/],
      ['an epoch that is not an integer', variant({ epoch: '1.5' }), /"epoch": expected an integer/],
      ['an optimizer that is not JSON', variant({ optimizer: '{' }), /"optimizer": is not valid JSON/],
      ['an optimizer without groups', variant({ optimizer: '{"state": {}}' }), /"optimizer": expected/],
      [
        'a reference to a missing tensor',
        variant({ optimizer: '{"state": {"0": {"momentumBuffer": {"tensor": "nope"}}}, "paramGroups": []}' }),
        /refers to a tensor the file does not hold/,
      ],
      [
        'a tensor nothing refers to',
        variant({ optimizer: '{"state": {}, "paramGroups": []}' }),
        /tensors no state refers to/,
      ],
      ['a scheduler that is a list', variant({ scheduler: '[]' }), /"scheduler": expected/],
      [
        'generator states that are not numbers',
        variant({ rng: '{"global": ["a"]}' }),
        /"rng": global is not a list/,
      ],
      ['info that is not an object', variant({ info: '3' }), /"info": expected an object/],
      ['a newer version', variant({ convnet_training_state: '9' }), /version 9 is not supported/],
    ];
    for (const [what, bytes, message] of cases) {
      assert.throws(
        () => loadTrainingState(bytes, 'x.train-state.safetensors'),
        (e: unknown) =>
          e instanceof CheckpointError && message.test(e.message) && e.message.includes('x.train-state'),
        what,
      );
    }
    assert.throws(() => loadTrainingState(new Uint8Array(4)), /not a safetensors file/);
  });

  void it('refuse metadata JSON nested past maxJsonDepth before parsing it, unless the limit is raised', () => {
    const optimizer = steppedOptimizer('sgd').opt.stateDict();
    const good = loadSafetensors(
      saveTrainingState({ epoch: 1, optimizer, scheduler: null, rng: {}, info: {} }),
    );
    const deep = `{"a": ${'['.repeat(100)}${']'.repeat(100)}}`;
    const bytes = saveSafetensors(good.tensors, { ...good.metadata, info: deep });
    assert.throws(
      () => loadTrainingState(bytes, 'deep.train-state.safetensors'),
      (e: unknown) =>
        e instanceof CheckpointError &&
        /metadata "info": is JSON nested 65 levels deep .*maxJsonDepth = 64/.test(e.message),
    );
    const read = loadTrainingState(bytes, 'deep.train-state.safetensors', { limits: { maxJsonDepth: 200 } });
    assert.equal(read.epoch, 1);
  });
});

void describe('checkpoint files', () => {
  void it('save atomically and load, naming the path in every error', () => {
    const { model, info } = smallModel();
    const path = join(folder, 'model.safetensors');
    saveCheckpointFile(path, model, info);
    assert.deepEqual(readFileSync(path), Buffer.from(saveCheckpoint(model, info)));
    assertSameState(loadCheckpointFile(path).model.stateDict(), model.stateDict());
    const statePath = trainingStatePath(path);
    assert.equal(statePath, join(folder, 'model.train-state.safetensors'));
    saveTrainingStateFile(statePath, {
      epoch: 2,
      optimizer: steppedOptimizer('adam').opt.stateDict(),
      scheduler: null,
      rng: {},
      info: { a: 1 },
    });
    assert.equal(loadTrainingStateFile(statePath).epoch, 2);
    assert.deepEqual(
      readdirSync(folder).filter((name) => name.endsWith('.tmp')),
      [],
    );

    assert.throws(
      () => loadCheckpointFile(join(folder, 'missing.safetensors')),
      /missing\.safetensors\): cannot read: no such file/,
    );
    assert.throws(() => loadCheckpointFile(folder), /cannot read: is a folder/);
    const junk = join(folder, 'junk.safetensors');
    writeFileSync(junk, 'hello');
    assert.throws(() => loadCheckpointFile(junk), /junk\.safetensors\): not a valid safetensors file/);
    assert.throws(() => loadTrainingStateFile(path), /not a convnet-ts training state/);
    assert.throws(() => {
      saveCheckpointFile(join(folder, 'no', 'such', 'dir.safetensors'), model, info);
    }, /cannot write/);
    assert.equal(trainingStatePath('run/model.bin'), join('run', 'model.bin.train-state.safetensors'));
  });

  void it('keep an int32 buffer (BatchNorm counts) as it is', () => {
    const { model, info } = smallModel();
    const loaded = loadCheckpoint(saveCheckpoint(model, info)).model;
    assert.equal(loaded.getBuffer('1.num_batches_tracked').dtype, 'int32');
    assert.deepEqual(Array.from(loaded.getBuffer('1.num_batches_tracked').data), [1]);
  });
});
