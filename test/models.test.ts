/**
 * `models`: the built-in architectures (keys, parameter counts and shapes as the equivalent
 * `torch.nn.Sequential`), sizes inferred from the input shape, the resolved architecture a checkpoint
 * stores, the example architecture file, and malformed architectures rejected with errors naming the layer
 * and field.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ArgumentError, manualSeed, models, nn, randn } from '../src/index.js';

const { ArchitectureError, buildModel, namedArchitecture, parseArchitecture } = models;

const shapesOf = (model: nn.Module): Record<string, number[]> =>
  Object.fromEntries(Object.entries(model.stateDict()).map(([key, t]) => [key, [...t.shape]]));

void describe('built-in architectures', () => {
  void it("bench-cnn has exactly torch.nn.Sequential's keys and shapes (PyTorch's MNIST recipe CNN)", () => {
    const { model, outputShape } = buildModel(namedArchitecture('bench-cnn', 10), [1, 28, 28]);
    // torch.nn.Sequential(Conv2d(1, 32, 3, padding=1), ReLU(), MaxPool2d(2), Conv2d(32, 64, 3, padding=1),
    //   ReLU(), MaxPool2d(2), Flatten(), Linear(3136, 128), ReLU(), Linear(128, 10)).state_dict()
    assert.deepEqual(shapesOf(model), {
      '0.weight': [32, 1, 3, 3],
      '0.bias': [32],
      '3.weight': [64, 32, 3, 3],
      '3.bias': [64],
      '7.weight': [128, 3136],
      '7.bias': [128],
      '9.weight': [10, 128],
      '9.bias': [10],
    });
    assert.deepEqual(Object.keys(model.stateDict()), [
      '0.weight',
      '0.bias',
      '3.weight',
      '3.bias',
      '7.weight',
      '7.bias',
      '9.weight',
      '9.bias',
    ]);
    assert.deepEqual(outputShape, [10]);
    assert.equal(
      model.parameters().reduce((n, p) => n + p.size, 0),
      421_642,
    );
  });

  void it('lenet5 is conv 6@5×5 pad 2, pool, conv 16@5×5, pool, 400 → 120 → 84 → classes', () => {
    const { model } = buildModel(namedArchitecture('lenet5', 10), [1, 28, 28]);
    assert.deepEqual(shapesOf(model), {
      '0.weight': [6, 1, 5, 5],
      '0.bias': [6],
      '3.weight': [16, 6, 5, 5],
      '3.bias': [16],
      '7.weight': [120, 400],
      '7.bias': [120],
      '9.weight': [84, 120],
      '9.bias': [84],
      '11.weight': [10, 84],
      '11.bias': [10],
    });
    assert.equal(
      model.parameters().reduce((n, p) => n + p.size, 0),
      61_706,
    );
  });

  void it("seed-cnn is the second seed's two bias-free 3×3 kernels, 3×3 pooling with stride 1, 128 → 64 → classes", () => {
    const { model } = buildModel(namedArchitecture('seed-cnn', 10), [1, 28, 28]);
    assert.deepEqual(shapesOf(model), {
      '0.weight': [2, 1, 3, 3],
      '4.weight': [128, 2 * 24 * 24],
      '4.bias': [128],
      '6.weight': [64, 128],
      '6.bias': [64],
      '8.weight': [10, 64],
      '8.bias': [10],
    });
  });

  void it('are sized from the input shape and the number of classes', () => {
    const { model, architecture, outputShape } = buildModel(namedArchitecture('bench-cnn', 100), [3, 32, 32]);
    assert.deepEqual(model.getParameter('0.weight').shape, [32, 3, 3, 3]);
    assert.deepEqual(model.getParameter('7.weight').shape, [128, 64 * 8 * 8]);
    assert.deepEqual(outputShape, [100]);
    assert.deepEqual(architecture.layers[0], {
      type: 'Conv2d',
      inChannels: 3,
      outChannels: 32,
      kernelSize: 3,
      padding: 1,
    });
    assert.deepEqual(architecture.layers[7], { type: 'Linear', inFeatures: 4096, outFeatures: 128 });
    assert.deepEqual(model.forward(randn([2, 3, 32, 32], { seed: 0 })).shape, [2, 100]);
  });

  void it('reject unknown names and class counts', () => {
    assert.throws(() => namedArchitecture('resnet' as 'lenet5', 10), ArgumentError);
    assert.throws(() => namedArchitecture('lenet5', 0), ArgumentError);
    assert.deepEqual([...models.MODEL_NAMES], ['bench-cnn', 'lenet5', 'seed-cnn']);
    assert.equal(models.isModelName('lenet5'), true);
    assert.equal(models.isModelName('LeNet5'), false);
  });
});

void describe('buildModel', () => {
  void it('builds the example architecture file, BatchNorm and Dropout included, with PyTorch keys', () => {
    const path = fileURLToPath(new URL('../examples/architectures/small-cnn.json', import.meta.url));
    const json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    const { model, architecture, outputShape } = buildModel(json, [1, 28, 28]);
    assert.equal(architecture.name, 'small-cnn');
    assert.deepEqual(outputShape, [10]);
    assert.deepEqual(Object.keys(model.stateDict()).slice(0, 7), [
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
    ]);
    assert.ok(model.at(1) instanceof nn.BatchNorm2d);
    assert.ok(model.at(9) instanceof nn.Dropout);
    assert.equal(model.training, true);
    assert.ok(model.modules().every((m) => m.training));
  });

  void it('returns an architecture that rebuilds the same model, and keeps sizes that were given and fit', () => {
    manualSeed(3);
    const first = buildModel(
      {
        layers: [{ type: 'Conv2d', inChannels: 1, outChannels: 2, kernelSize: [3, 2] }, { type: 'Flatten' }],
      },
      [1, 5, 5],
    );
    manualSeed(3);
    const again = buildModel(first.architecture, [1, 5, 5]);
    assert.deepEqual(first.architecture, again.architecture);
    assert.deepEqual(
      Array.from(first.model.getParameter('0.weight').data),
      Array.from(again.model.getParameter('0.weight').data),
    );
    assert.deepEqual(first.outputShape, [2 * 3 * 4]);
  });

  void it('draws the initial weights from the global generator in layer order', () => {
    manualSeed(11);
    const a = buildModel(namedArchitecture('lenet5', 10), [1, 28, 28]).model;
    manualSeed(11);
    const b = buildModel(namedArchitecture('lenet5', 10), [1, 28, 28]).model;
    const c = buildModel(namedArchitecture('lenet5', 10), [1, 28, 28]).model;
    const weights = (m: nn.Module): number[] => Array.from(m.getParameter('9.weight').data);
    assert.deepEqual(weights(a), weights(b));
    assert.notDeepEqual(weights(a), weights(c));
  });

  void it('parseArchitecture copies what it accepts and keeps the name', () => {
    const input = { name: 'n', layers: [{ type: 'MaxPool2d', kernelSize: [2, 2], stride: null }] };
    const parsed = parseArchitecture(input);
    assert.deepEqual(parsed, input);
    input.layers[0]!.kernelSize[0] = 5;
    assert.deepEqual(parsed.layers[0]!.kernelSize, [2, 2]);
  });

  const conv = { type: 'Conv2d', outChannels: 4, kernelSize: 3 };
  const bad: [what: string, architecture: unknown, layerIndex: number | null, field: string][] = [
    ['not an object', [conv], null, ''],
    ['no layers', { layers: [] }, null, 'layers'],
    ['an unknown top-level field', { layers: [conv], version: 2 }, null, 'version'],
    ['a name that is not a string', { name: 3, layers: [conv] }, null, 'name'],
    ['a layer that is not an object', { layers: [conv, 'ReLU'] }, 1, ''],
    ['an unknown layer type', { layers: [conv, { type: 'Conv3d' }] }, 1, 'type'],
    ['a missing type', { layers: [{ outChannels: 3 }] }, 0, 'type'],
    ['an unknown field', { layers: [conv, { type: 'ReLU', inplace: true }] }, 1, 'inplace'],
    ['a missing required field', { layers: [{ type: 'Conv2d', kernelSize: 3 }] }, 0, 'outChannels'],
    ['a size of 0', { layers: [{ ...conv, stride: 0 }] }, 0, 'stride'],
    ['a fractional size', { layers: [{ ...conv, kernelSize: 2.5 }] }, 0, 'kernelSize'],
    ['a size list of three', { layers: [{ ...conv, kernelSize: [3, 3, 3] }] }, 0, 'kernelSize'],
    ['an unknown padding word', { layers: [{ ...conv, padding: 'full' }] }, 0, 'padding'],
    ['a string for a flag', { layers: [{ type: 'Linear', outFeatures: 3, bias: 'no' }] }, 0, 'bias'],
    ['a probability above 1', { layers: [{ type: 'Dropout', p: 1.5 }] }, 0, 'p'],
    ['a negative ELU alpha (checked by the layer)', { layers: [{ type: 'ELU', alpha: -1 }] }, 0, 'alpha'],
    ['groups that do not divide the channels', { layers: [{ ...conv, groups: 3 }] }, 0, 'groups'],
    [
      'an inChannels that does not match the input',
      { layers: [{ ...conv, inChannels: 3 }] },
      0,
      'inChannels',
    ],
    [
      'an inFeatures that does not match the input',
      { layers: [{ type: 'Flatten' }, { type: 'Linear', inFeatures: 10, outFeatures: 2 }] },
      1,
      'inFeatures',
    ],
    [
      'a kernel larger than what reaches it',
      { layers: [conv, { type: 'MaxPool2d', kernelSize: 4 }, { ...conv, kernelSize: 5 }] },
      2,
      '',
    ],
    [
      'GroupNorm groups that do not divide the channels',
      { layers: [conv, { type: 'GroupNorm', numGroups: 3 }] },
      1,
      'numGroups',
    ],
  ];
  for (const [what, architecture, layerIndex, field] of bad) {
    void it(`rejects ${what}, naming the layer and field`, () => {
      assert.throws(
        () => buildModel(architecture, [1, 8, 8]),
        (error: unknown) => {
          assert.ok(error instanceof ArchitectureError, String(error));
          assert.equal(error.layerIndex, layerIndex, error.message);
          assert.equal(error.field, field, error.message);
          assert.equal(error.op, 'architecture');
          const where =
            layerIndex === null ? field : `layers[${layerIndex}]${field === '' ? '' : `.${field}`}`;
          assert.ok(
            error.message.startsWith(`architecture${where === '' ? '' : `(${where})`}: `),
            error.message,
          );
          assert.doesNotMatch(error.message, /\n/);
          return true;
        },
      );
    });
  }

  void it('rejects an input shape that is not a list of positive sizes', () => {
    for (const shape of [[], [1, 0, 28], [1.5, 28, 28]]) {
      assert.throws(() => buildModel(namedArchitecture('lenet5', 10), shape), ArgumentError);
    }
  });
});
