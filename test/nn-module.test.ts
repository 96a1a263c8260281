/**
 * The `nn.Module` machinery and `nn.Sequential`: registration and dotted names, sharing, modes, gradients,
 * state-dict round trips (missing, unexpected and mis-shaped keys), `toString` and `summary`, and the
 * typed errors of bad calls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tensor } from '../src/index.js';
import { ArgumentError, ShapeError, nn, noGrad, ones, randn, tensor, zeros } from '../src/index.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';

/** A user-defined module: a parameter, a persistent and a non-persistent buffer, two children. */
class TwoLayer extends nn.Module {
  readonly fc1 = this.registerModule('fc1', new nn.Linear(4, 3));
  readonly act = this.registerModule('act', new nn.ReLU());
  readonly fc2 = this.registerModule('fc2', new nn.Linear(3, 2, { bias: false }));
  readonly temperature = this.registerParameter('temperature', ones([1]));
  readonly calls = this.registerBuffer('calls', zeros([], { dtype: 'int32' }));
  readonly scratch = this.registerBuffer('scratch', zeros([3]), { persistent: false });

  forward(x: Tensor): Tensor {
    noGrad(() => this.calls.add_(1));
    return this.fc2.forward(this.act.forward(this.fc1.forward(x))).div(this.temperature);
  }
}

void describe('nn.Module registration and names', () => {
  void it('register… returns what it registers, and forward uses it', () => {
    const m = new TwoLayer();
    assert.ok(m.fc1 instanceof nn.Linear);
    assert.equal(m.getParameter('temperature'), m.temperature);
    assert.equal(m.getBuffer('calls'), m.calls);
    assert.equal(m.getSubmodule('fc2'), m.fc2);
    assert.equal(m.getSubmodule(''), m);
    assert.equal(m.getParameter('fc1.weight'), m.fc1.weight);
    assert.equal(m.temperature.requiresGrad, true, 'a registered parameter requires grad');
    assert.deepEqual(m.forward(randn([5, 4])).shape, [5, 2]);
    assert.equal(m.calls.item(), 1);
  });

  void it('names parameters, buffers and modules with dots, own tensors before the children', () => {
    const m = new TwoLayer();
    assert.deepEqual(
      m.namedParameters().map(([n]) => n),
      ['temperature', 'fc1.weight', 'fc1.bias', 'fc2.weight'],
    );
    assert.deepEqual(
      m.namedBuffers().map(([n]) => n),
      ['calls', 'scratch'],
    );
    assert.deepEqual(
      m.namedModules().map(([n]) => n),
      ['', 'fc1', 'act', 'fc2'],
    );
    assert.deepEqual(
      m.namedChildren().map(([n]) => n),
      ['fc1', 'act', 'fc2'],
    );
    assert.deepEqual(m.children(), [m.fc1, m.act, m.fc2]);
    assert.deepEqual(m.modules(), [m, m.fc1, m.act, m.fc2]);
    assert.deepEqual(
      m.namedParameters({ prefix: 'net', recurse: false }).map(([n]) => n),
      ['net.temperature'],
    );
    assert.deepEqual(m.parameters({ recurse: false }), [m.temperature]);
    assert.deepEqual(m.buffers(), [m.calls, m.scratch]);
    assert.deepEqual(Object.keys(m.stateDict()), [
      'temperature',
      'calls',
      'fc1.weight',
      'fc1.bias',
      'fc2.weight',
    ]);
  });

  void it('a shared module or parameter is listed once but saved under every name', () => {
    const shared = new nn.Linear(2, 2);
    const model = new nn.Sequential(shared, new nn.ReLU(), shared);
    assert.deepEqual(
      model.namedParameters().map(([n]) => n),
      ['0.weight', '0.bias'],
    );
    assert.equal(model.modules().length, 3);
    assert.deepEqual(Object.keys(model.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
    assert.equal(model.length, 3, 'the Sequential still runs it twice');

    const encoder = new nn.Linear(3, 3, { bias: false });
    const decoder = new nn.Linear(3, 3, { bias: false });
    decoder.weight = encoder.weight;
    const tied = new nn.Sequential(encoder, decoder);
    assert.deepEqual(
      tied.namedParameters().map(([n]) => n),
      ['0.weight'],
    );
    assert.equal(decoder.weight, encoder.weight, 'the setter registers the tied weight');
  });

  void it('registering null leaves a slot that is not listed', () => {
    const linear = new nn.Linear(3, 2, { bias: false });
    assert.equal(linear.bias, null);
    assert.deepEqual(
      linear.namedParameters().map(([n]) => n),
      ['weight'],
    );
    linear.bias = zeros([2]);
    assert.deepEqual(Object.keys(linear.stateDict()), ['weight', 'bias']);
    assert.ok(String(linear).startsWith('Linear(in_features=3, out_features=2, bias=True)'));
  });

  void it('registerParameter can register a frozen parameter', () => {
    const m = new nn.Identity();
    const frozen = m.registerParameter('frozen', ones([2]), { requiresGrad: false });
    assert.equal(frozen.requiresGrad, false);
  });
});

void describe('nn.Module modes and gradients', () => {
  void it('train() and eval() switch every sub-module and return the module', () => {
    const inner = new nn.Sequential(new nn.Identity(), new nn.Linear(2, 2));
    const model = new nn.Sequential(inner, new nn.ReLU());
    assert.equal(model.eval(), model);
    assert.ok(model.modules().every((m) => !m.training));
    model.train();
    assert.ok(model.modules().every((m) => m.training));
    inner.train(false);
    assert.deepEqual(
      model.modules().map((m) => m.training),
      [true, false, false, false, true],
    );
  });

  void it('zeroGrad sets gradients to null, or to zeros with setToNone: false', () => {
    const m = new TwoLayer();
    m.forward(randn([3, 4]))
      .sum()
      .backward();
    assert.ok(m.parameters().every((p) => p.grad !== null));
    const grad = m.fc1.weight.grad!;
    m.zeroGrad({ setToNone: false });
    assert.equal(m.fc1.weight.grad, grad, 'zeroed in place');
    assert.ok(grad.data.every((v) => v === 0));
    m.zeroGrad();
    assert.ok(m.parameters().every((p) => p.grad === null));
  });

  void it('requiresGrad_(false) freezes every parameter', () => {
    const m = new TwoLayer().requiresGrad_(false);
    assert.ok(m.parameters().every((p) => !p.requiresGrad));
    assert.match(String(m), /Total parameters: 22 \(trainable: 0\)$/);
  });

  void it('apply visits children first, then the module', () => {
    const m = new TwoLayer();
    const seen: string[] = [];
    m.apply((module) => seen.push(module.constructor.name));
    assert.deepEqual(seen, ['Linear', 'ReLU', 'Linear', 'TwoLayer']);
  });
});

void describe('nn.Module stateDict / loadStateDict', () => {
  void it('stateDict values are detached and share the values', () => {
    const m = new TwoLayer();
    const state = m.stateDict();
    assert.equal(state['fc1.weight']!.requiresGrad, false);
    assert.equal(state['fc1.weight']!.data, m.fc1.weight.data);
  });

  void it('round trip: copies in place under noGrad, keeping the tensors optimizers hold', () => {
    const source = new TwoLayer();
    source.forward(randn([2, 4]));
    const target = new TwoLayer();
    const weight = target.fc1.weight;
    const result = target.loadStateDict(source.stateDict());
    assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
    assert.equal(target.fc1.weight, weight, 'same tensor object');
    assert.deepEqual([...weight.data], [...source.fc1.weight.data]);
    assert.equal(weight.requiresGrad, true);
    assert.equal(target.calls.item(), 1, 'buffers are loaded too');
    const x = randn([3, 4]);
    assert.deepEqual([...target.forward(x).data], [...source.forward(x).data]);
  });

  void it('accepts a Map and converts dtypes', () => {
    const m = new nn.Linear(2, 1);
    m.loadStateDict(
      new Map([
        ['weight', tensor([[1, 2]], undefined, { dtype: 'float64' })],
        ['bias', tensor([0.5], undefined, { dtype: 'float64' })],
      ]),
    );
    assert.equal(m.weight.dtype, 'float32');
    assert.deepEqual([...m.weight.data, ...m.bias!.data], [1, 2, 0.5]);
  });

  void it('strict: missing and unexpected keys throw a StateDictError listing them, copying nothing', () => {
    const m = new TwoLayer();
    const before = [...m.fc1.weight.data];
    const state = new TwoLayer().stateDict();
    delete state['fc2.weight'];
    state['fc3.weight'] = zeros([1]);
    assert.throws(
      () => m.loadStateDict(state),
      (e: unknown) => {
        assert.ok(e instanceof nn.StateDictError);
        assert.deepEqual(e.missingKeys, ['fc2.weight']);
        assert.deepEqual(e.unexpectedKeys, ['fc3.weight']);
        assert.match(e.message, /missing keys: "fc2.weight"; unexpected keys: "fc3.weight"/);
        return true;
      },
    );
    assert.deepEqual([...m.fc1.weight.data], before);
  });

  void it('non-strict: loads what matches and reports the rest', () => {
    const m = new TwoLayer();
    const source = new TwoLayer();
    const state = source.stateDict();
    delete state['fc2.weight'];
    state.extra = zeros([1]);
    const result = m.loadStateDict(state, { strict: false });
    assert.deepEqual(result, { missingKeys: ['fc2.weight'], unexpectedKeys: ['extra'] });
    assert.deepEqual([...m.fc1.weight.data], [...source.fc1.weight.data]);
  });

  void it('a shape mismatch always throws a ShapeError naming the key and both shapes', () => {
    const m = new TwoLayer();
    const state = m.stateDict();
    state['fc1.weight'] = zeros([3, 5]);
    for (const strict of [true, false]) {
      assert.throws(
        () => m.loadStateDict(state, { strict }),
        (e: unknown) => {
          assert.ok(e instanceof ShapeError);
          assert.equal(e.argument, 'fc1.weight');
          assert.match(e.message, /fc1\.weight.*\[3, 5\].*\[3, 4\]/);
          return true;
        },
      );
    }
  });

  void it('a Sequential saves under the keys of torch.nn.Sequential, including nested ones', () => {
    const model = new nn.Sequential(
      new nn.Sequential(new nn.Linear(2, 3)),
      new nn.ReLU(),
      new nn.Linear(3, 1),
    );
    assert.deepEqual(Object.keys(model.stateDict()), ['0.0.weight', '0.0.bias', '2.weight', '2.bias']);
  });
});

void describe('nn.Sequential', () => {
  const make = (): nn.Sequential =>
    new nn.Sequential(new nn.Linear(4, 3), new nn.ReLU(), new nn.Linear(3, 2));

  void it('is indexable, iterable, appendable and sliceable', () => {
    const model = make();
    assert.equal(model.length, 3);
    assert.ok(model.at(0) instanceof nn.Linear);
    assert.equal(model.at(-1), model.at(2));
    assert.deepEqual(
      [...model].map((m) => m.constructor.name),
      ['Linear', 'ReLU', 'Linear'],
    );
    model.append(new nn.Sigmoid());
    assert.equal(model.length, 4);
    assert.deepEqual(Object.keys(model.stateDict()), ['0.weight', '0.bias', '2.weight', '2.bias']);
    const tail = model.slice(2);
    assert.deepEqual(
      tail.namedChildren().map(([n]) => n),
      ['2', '3'],
    );
    assert.equal(tail.at(0), model.at(2), 'the slice shares the modules');
    assert.deepEqual(tail.forward(randn([1, 3])).shape, [1, 2]);
  });

  void it('forward chains the modules', () => {
    const model = make();
    const x = randn([5, 4]);
    const expected = model.at(2).forward(model.at(1).forward(model.at(0).forward(x)));
    assert.deepEqual([...model.forward(x).data], [...expected.data]);
  });

  void it('named children from a Map or an object', () => {
    const fromMap = new nn.Sequential(
      new Map<string, nn.Module>([
        ['conv', new nn.Conv2d(1, 2, 3)],
        ['act', new nn.ReLU()],
      ]),
    );
    assert.deepEqual(Object.keys(fromMap.stateDict()), ['conv.weight', 'conv.bias']);
    const fromObject = new nn.Sequential({ fc: new nn.Linear(2, 2), act: new nn.Tanh() });
    assert.deepEqual(
      fromObject.namedChildren().map(([n]) => n),
      ['fc', 'act'],
    );
    assert.equal(
      String(fromObject).split('\n')[1],
      '  (fc): Linear(in_features=2, out_features=2, bias=True)',
    );
  });
});

void describe('nn.Module toString and summary', () => {
  void it('toString is the PyTorch repr followed by the parameter count', () => {
    const model = new nn.Sequential(new nn.Conv2d(1, 32, 3, { padding: 1 }), new nn.ReLU());
    assert.equal(
      String(model),
      [
        'Sequential(',
        '  (0): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))',
        '  (1): ReLU()',
        ')',
        'Total parameters: 320 (trainable: 320)',
      ].join('\n'),
    );
    assert.equal(String(new nn.ReLU()), 'ReLU()\nTotal parameters: 0 (trainable: 0)');
  });

  void it('summary lists every module call with its output shape and parameters, and the totals', () => {
    const m = new TwoLayer();
    const summary = m.summary([5, 4]);
    assert.deepEqual(
      summary.rows.map((r) => [r.name, r.type, r.depth, r.outputShape, r.parameters]),
      [
        ['', 'TwoLayer', 0, [5, 2], 1],
        ['fc1', 'Linear', 1, [5, 3], 15],
        ['act', 'ReLU', 1, [5, 3], 0],
        ['fc2', 'Linear', 1, [5, 2], 6],
      ],
    );
    assert.equal(summary.totalParameters, 22);
    assert.equal(summary.trainableParameters, 22);
    const text = String(summary);
    assert.match(
      text,
      /^Layer \(type\) +Output shape +Param #\n=+\nTwoLayer +\[5, 2\] +1\n {2}fc1 \(Linear\) +\[5, 3\] +15\n/,
    );
    assert.match(text, /Total params: 22\nTrainable params: 22\nNon-trainable params: 0$/);
  });

  void it('summary leaves modes, buffers and forward methods as they were', () => {
    const m = new TwoLayer();
    const model = new nn.Sequential(m, new nn.Identity());
    model.summary([1, 4]);
    assert.ok(model.modules().every((module) => module.training));
    assert.ok(!Object.prototype.hasOwnProperty.call(m, 'forward'));
    assert.equal(m.calls.item(), 1, 'the module itself ran once');
    assert.throws(() => model.summary([1, 5]), ShapeError);
    assert.ok(
      model.modules().every((module) => module.training),
      'restored after an error too',
    );
    assert.ok(!Object.prototype.hasOwnProperty.call(m, 'forward'));
  });
});

const twoLayer = new TwoLayer();
const notATensor = [1, 2] as unknown as Tensor;

badInputSuite('nn.Module bad input', [
  [
    'registerParameter',
    'a name with a dot',
    () => twoLayer.registerParameter('a.b', ones([1])),
    ArgumentError,
  ],
  ['registerParameter', 'an empty name', () => twoLayer.registerParameter('', ones([1])), ArgumentError],
  [
    'registerParameter',
    'a name taken by a module',
    () => twoLayer.registerParameter('fc1', ones([1])),
    ArgumentError,
  ],
  ['registerParameter', 'not a tensor', () => twoLayer.registerParameter('p', notATensor), ArgumentError],
  [
    'registerParameter',
    'an integer tensor',
    () => twoLayer.registerParameter('p', zeros([2], { dtype: 'int32' })),
    ArgumentError,
  ],
  [
    'registerParameter',
    'the result of an op',
    () => twoLayer.registerParameter('p', ones([2], { requiresGrad: true }).mul(2)),
    ArgumentError,
  ],
  [
    'registerBuffer',
    'a name taken by a parameter',
    () => twoLayer.registerBuffer('temperature', zeros([1])),
    ArgumentError,
  ],
  ['registerBuffer', 'not a tensor', () => twoLayer.registerBuffer('b', notATensor), ArgumentError],
  [
    'registerBuffer',
    'a non-boolean persistent',
    () => twoLayer.registerBuffer('b', zeros([1]), { persistent: 'no' as unknown as boolean }),
    ArgumentError,
  ],
  [
    'registerModule',
    'a name taken by a buffer',
    () => twoLayer.registerModule('calls', new nn.ReLU()),
    ArgumentError,
  ],
  [
    'registerModule',
    'not a module',
    () => twoLayer.registerModule('m', notATensor as unknown as nn.Module),
    ArgumentError,
  ],
  ['registerModule', 'the module itself', () => twoLayer.fc1.registerModule('loop', twoLayer), ArgumentError],
  ['getSubmodule', 'a missing path', () => twoLayer.getSubmodule('fc1.inner'), ArgumentError],
  ['getParameter', 'a missing parameter', () => twoLayer.getParameter('fc2.bias'), ArgumentError],
  ['getBuffer', 'a parameter', () => twoLayer.getBuffer('temperature'), ArgumentError],
  ['train', 'a non-boolean mode', () => twoLayer.train('yes' as unknown as boolean), ArgumentError],
  [
    'loadStateDict',
    'not an object',
    () => twoLayer.loadStateDict(null as unknown as nn.StateDict),
    ArgumentError,
  ],
  [
    'loadStateDict',
    'a value that is not a tensor',
    () => twoLayer.loadStateDict({ ...twoLayer.stateDict(), 'fc1.bias': notATensor }),
    ArgumentError,
  ],
  [
    'loadStateDict',
    'a mis-shaped tensor',
    () => twoLayer.loadStateDict({ temperature: zeros([2]) }),
    ShapeError,
  ],
  [
    'loadStateDict',
    'missing keys',
    () => twoLayer.loadStateDict({ temperature: zeros([1]) }),
    nn.StateDictError,
  ],
  [
    'loadStateDict',
    'a non-boolean strict',
    () => twoLayer.loadStateDict(twoLayer.stateDict(), { strict: 1 as unknown as boolean }),
    ArgumentError,
  ],
  ['summary', 'a bad shape', () => twoLayer.summary([-1, 4]), ArgumentError],
  ['Sequential', 'a non-module', () => new nn.Sequential(notATensor as unknown as nn.Module), ArgumentError],
  ['Sequential.at', 'an index out of range', () => new nn.Sequential(new nn.ReLU()).at(1), ArgumentError],
] satisfies BadInputCase[]);
