/**
 * Whole models against PyTorch (test/fixtures/nn.json, written by scripts/reference/nn_reference.py): the
 * same layer specs built on both sides, parameters filled by the same formula, then outputs, input and
 * parameter gradients, buffers after training-mode steps, state-dict / parameter / buffer names, reprs and
 * each layer's output shape in `summary`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import type { DType, Tensor } from '../src/index.js';
import { nn, noGrad, ones, tensor, zeros } from '../src/index.js';
import { describeEachBackend } from './helpers/backends.js';
import { assertAllClose, assertTensorClose, toleranceFor } from './helpers/close.js';

type FloatType = Extract<DType, 'float32' | 'float64'>;

interface TensorJson {
  shape: number[];
  values: number[];
}

/** A large tensor as the fixture summarises it: first values and four aggregates. */
interface SummaryJson {
  shape: number[];
  head: number[];
  sum: number;
  absSum: number;
  sumSquares: number;
  probe: number;
}

interface Spec {
  type: string;
  args?: unknown[];
  options?: Record<string, unknown>;
  children?: Spec[];
}

interface Step {
  mode: 'train' | 'eval';
  input: TensorJson;
  output: TensorJson;
  upstream: TensorJson;
  inputGrad: SummaryJson;
  paramGrads: Record<string, SummaryJson>;
}

interface ModelCase {
  name: string;
  spec: Spec;
  repr: string;
  stateDictKeys: string[];
  parameterNames: string[];
  bufferNames: string[];
  steps: Step[];
  buffers: Record<string, TensorJson>;
  outputShapes?: [string, number[]][];
}

interface Fixture {
  models: ModelCase[];
  reprs: { spec: Spec; repr: string }[];
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/nn.json', import.meta.url), 'utf8')) as Fixture;

/** The user-defined module of the reference script, registering its own parameter, buffers and children. */
class Custom extends nn.Module {
  readonly features: nn.Sequential;
  readonly scale: Tensor;
  readonly step: Tensor;
  readonly cache: Tensor;
  readonly head: nn.Linear;
  readonly alias: nn.Linear;

  constructor(dtype: FloatType) {
    super();
    this.features = this.registerModule(
      'features',
      new nn.Sequential(
        new nn.Conv2d(2, 4, 3, { padding: 1, dtype }),
        new nn.BatchNorm2d(4, { dtype }),
        new nn.ReLU(),
      ),
    );
    this.scale = this.registerParameter('scale', ones([4], { dtype }));
    this.step = this.registerBuffer('step', zeros([], { dtype: 'int32' }));
    this.cache = this.registerBuffer('cache', zeros([2], { dtype }), { persistent: false });
    this.head = this.registerModule('head', new nn.Linear(4, 3, { dtype }));
    this.alias = this.registerModule('alias', this.head);
  }

  forward(x: Tensor): Tensor {
    noGrad(() => this.step.add_(1));
    const h = this.features.forward(x).mul(this.scale.reshape([1, -1, 1, 1]));
    return this.head.forward(h.mean({ dim: [2, 3] }));
  }
}

const layers = nn as unknown as Record<string, new (...args: unknown[]) => nn.Module>;

/** Builds a spec as the reference script does, with parameters of `dtype`. */
function build(spec: Spec, dtype: FloatType): nn.Module {
  if (spec.type === 'Sequential')
    return new nn.Sequential(...(spec.children ?? []).map((c) => build(c, dtype)));
  if (spec.type === 'Custom') return new Custom(dtype);
  const Layer = layers[spec.type];
  assert.ok(Layer, `nn.${spec.type} exists`);
  return new Layer(...(spec.args ?? []), { ...spec.options, dtype });
}

/** The reference script's `fill_parameters`: sin(0.37 i + 1.1 k + 0.2), scaled by 1/√fanIn or 0.5. */
function fillParameters(model: nn.Module): void {
  model.namedParameters().forEach(([, p], k) => {
    const scale = p.ndim >= 2 ? 1 / Math.sqrt(p.size / p.shape[0]!) : 0.5;
    const values = Array.from({ length: p.size }, (_, i) => scale * Math.sin(0.37 * i + 1.1 * k + 0.2));
    noGrad(() => p.copy_(tensor(values, p.shape, { dtype: 'float64' })));
  });
}

/**
 * Checks a tensor against a fixture summary: its first values, sum, sum of squares and cosine projection.
 * The sums are held to the relative tolerance times the sum of absolute values (at least 1, as
 * `toleranceFor` floors its scale: a gradient that is zero in exact arithmetic is rounding noise).
 */
function assertSummaryClose(actual: Tensor, expected: SummaryJson, what: string): void {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  const values = Float64Array.from(actual.data);
  assertAllClose(
    values.subarray(0, expected.head.length),
    expected.head,
    toleranceFor(actual.dtype, expected.head),
    `${what}: first values`,
  );
  let sum = 0;
  let squares = 0;
  let probe = 0;
  values.forEach((v, i) => {
    sum += v;
    squares += v * v;
    probe += v * Math.cos(0.3 * i);
  });
  const rtol = actual.dtype === 'float64' ? 1e-10 : 2e-5;
  const atol = rtol * Math.max(expected.absSum, 1);
  assertAllClose([sum, probe], [expected.sum, expected.probe], { rtol, atol }, `${what}: sum and projection`);
  assertAllClose([squares], [expected.sumSquares], { rtol: 2 * rtol, atol: rtol }, `${what}: sum of squares`);
}

/** `toString()` without its last line (the parameter count PyTorch's repr lacks). */
function reprOf(module: nn.Module): string {
  const text = module.toString();
  return text.slice(0, text.lastIndexOf('\n'));
}

for (const c of fixture.models) {
  void it(`${c.name}: names and repr as PyTorch`, () => {
    const model = build(c.spec, 'float32');
    assert.deepEqual(Object.keys(model.stateDict()), c.stateDictKeys, 'stateDict keys');
    assert.deepEqual(
      model.namedParameters().map(([n]) => n),
      c.parameterNames,
      'namedParameters',
    );
    assert.deepEqual(
      model.namedBuffers().map(([n]) => n),
      c.bufferNames,
      'namedBuffers',
    );
    assert.equal(reprOf(model), c.repr);
  });
  if (c.outputShapes !== undefined) {
    const expected = new Map(c.outputShapes);
    void it(`${c.name}: summary shapes as PyTorch's forward hooks`, () => {
      const model = build(c.spec, 'float64');
      const inputShape = c.steps[0]!.input.shape;
      const summary = model.summary(inputShape);
      assert.deepEqual(
        new Map(summary.rows.map((r) => [r.name, r.outputShape === null ? null : [...r.outputShape]])),
        expected,
      );
      const own = (name: string): number =>
        model
          .getSubmodule(name)
          .parameters({ recurse: false })
          .reduce((n, p) => n + p.size, 0);
      for (const row of summary.rows)
        assert.equal(row.parameters, own(row.name), `parameters of '${row.name}'`);
      assert.equal(
        summary.totalParameters,
        model.parameters().reduce((n, p) => n + p.size, 0),
      );
    });
  }
}

describeEachBackend('nn models match PyTorch', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const c of fixture.models) {
      void it(`${c.name} (${dtype})`, () => {
        const model = build(c.spec, dtype);
        fillParameters(model);
        c.steps.forEach((step, s) => {
          const what = `step ${s} (${step.mode})`;
          model.train(step.mode === 'train');
          model.zeroGrad();
          const x = tensor(step.input.values, step.input.shape, { dtype, requiresGrad: true });
          const out = model.forward(x);
          assertTensorClose(out, step.output, undefined, `${what}: output`);
          out.backward(tensor(step.upstream.values, step.upstream.shape, { dtype }));
          assertSummaryClose(x.grad!, step.inputGrad, `${what}: input gradient`);
          for (const [name, p] of model.namedParameters()) {
            assertSummaryClose(p.grad!, step.paramGrads[name]!, `${what}: gradient of ${name}`);
          }
        });
        for (const [name, b] of model.namedBuffers()) {
          const expected = c.buffers[name]!;
          assertTensorClose(
            b.to('float64'),
            expected,
            toleranceFor(dtype, expected.values),
            `buffer ${name}`,
          );
        }
      });
    }
  }
});

for (const { spec, repr } of fixture.reprs) {
  void it(`repr: ${repr.split('\n')[0]!}`, () => {
    assert.equal(reprOf(build(spec, 'float32')), repr);
  });
}
