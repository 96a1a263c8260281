import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ArgumentError, DTypeError, ShapeError, metrics, randint, randn, tensor } from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { describeEachBackend } from './helpers/backends.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';
import { assertAllClose } from './helpers/close.js';

/** One case of `test/fixtures/metrics.json`, written by `scripts/reference/metrics_reference.py`. */
interface MetricsCase {
  name: string;
  numClasses: number;
  predictions: number[];
  targets: number[];
  logits?: number[][];
  classNames?: string[];
  confusion: number[][];
  accuracy: number;
  perClass: metrics.ClassScores[];
  macroAvg: metrics.ClassScores;
  weightedAvg: metrics.ClassScores;
  /** sklearn's text report with 2 and 4 digits, where sklearn uses its standard layout. */
  text?: Record<'2' | '4', string>;
}

const fixture = JSON.parse(readFileSync(new URL('fixtures/metrics.json', import.meta.url), 'utf8')) as {
  cases: MetricsCase[];
};

const ints = (values: number[]): Tensor => tensor(values, undefined, { dtype: 'int32' });
const tight = { rtol: 1e-12, atol: 1e-15 };

function assertScoresClose(actual: metrics.ClassScores, expected: metrics.ClassScores, what: string): void {
  assertAllClose(
    [actual.precision, actual.recall, actual.f1],
    [expected.precision, expected.recall, expected.f1],
    tight,
    `${what} precision, recall, f1`,
  );
  assert.equal(actual.support, expected.support, `${what} support`);
}

describeEachBackend('metrics against sklearn', () => {
  for (const c of fixture.cases) {
    void it(c.name, () => {
      const predictions = ints(c.predictions);
      const targets = ints(c.targets);
      const confusion = metrics.confusionMatrix(predictions, targets, c.numClasses);
      assert.equal(confusion.dtype, 'int32');
      assert.deepEqual(confusion.toArray(), c.confusion);
      assert.equal(metrics.accuracy(predictions, targets), c.accuracy);
      if (c.logits !== undefined) {
        for (const dtype of ['float32', 'float64'] as const) {
          const logits = tensor(c.logits, undefined, { dtype });
          assert.deepEqual(metrics.confusionMatrix(logits, targets, c.numClasses).toArray(), c.confusion);
          assert.equal(metrics.accuracy(logits, targets), c.accuracy);
        }
      }
      const report = metrics.classificationReport(confusion);
      assert.equal(report.perClass.length, c.numClasses);
      report.perClass.forEach((s, k) => {
        assertScoresClose(s, c.perClass[k]!, `class ${k}`);
      });
      assertScoresClose(report.macroAvg, c.macroAvg, 'macro avg');
      assertScoresClose(report.weightedAvg, c.weightedAvg, 'weighted avg');
      assert.equal(report.accuracy, c.accuracy);
      if (c.text !== undefined) {
        assert.equal(metrics.formatClassificationReport(report, c.classNames), c.text['2']);
        assert.equal(metrics.formatClassificationReport(report, c.classNames, { digits: 4 }), c.text['4']);
      }
    });
  }
});

void it('metrics: a float confusion matrix gives the same report as its int32 counts', () => {
  const counts = [
    [5, 1, 0],
    [2, 7, 1],
    [0, 0, 0],
  ];
  assert.deepEqual(
    metrics.classificationReport(tensor(counts, undefined, { dtype: 'float64' })),
    metrics.classificationReport(ints(counts.flat()).reshape([3, 3])),
  );
});

void it('metrics: random predictions agree with direct counting, classes never predicted included', () => {
  for (const [seed, numClasses, count] of [
    [1, 10, 500],
    [2, 7, 40],
    [3, 3, 1],
  ] as const) {
    const targets = randint(0, numClasses, [count], { seed });
    // Predictions never use the last class, so its column is zero and its precision is 0.
    const predictions = randint(0, numClasses - 1, [count], { seed: seed + 100 });
    const confusion = metrics.confusionMatrix(predictions, targets, numClasses);
    const expected = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
    let correct = 0;
    for (let k = 0; k < count; k++) {
      const t = targets.data[k]!;
      const p = predictions.data[k]!;
      expected[t]![p]! += 1;
      if (t === p) correct += 1;
    }
    assert.deepEqual(confusion.toArray(), expected);
    assert.equal(metrics.accuracy(predictions, targets), correct / count);
    const report = metrics.classificationReport(confusion);
    assert.equal(report.accuracy, correct / count);
    assert.equal(report.macroAvg.support, count);
    assert.equal(
      report.perClass.reduce((n, s) => n + s.support, 0),
      count,
    );
    const last = report.perClass[numClasses - 1]!;
    assert.deepEqual([last.precision, last.recall, last.f1], [0, 0, 0]);
    report.perClass.forEach((s, k) => {
      const tp = expected[k]![k]!;
      const predictedAs = expected.reduce((n, row) => n + row[k]!, 0);
      assert.equal(
        s.support,
        expected[k]!.reduce((n, v) => n + v, 0),
      );
      assert.equal(s.precision, predictedAs === 0 ? 0 : tp / predictedAs);
      assert.equal(s.recall, s.support === 0 ? 0 : tp / s.support);
    });
  }
});

void it('metrics: logits pick the first of tied maxima, as argmax does', () => {
  const logits = tensor([
    [1, 3, 3],
    [0, 0, 0],
    [5, -1, 2],
  ]);
  const targets = ints([1, 0, 2]);
  assert.equal(metrics.accuracy(logits, targets), 2 / 3);
  assert.deepEqual(metrics.confusionMatrix(logits, targets, 3).toArray(), [
    [1, 0, 0],
    [0, 1, 0],
    [1, 0, 0],
  ]);
});

void it('metrics: no samples give a zero confusion matrix', () => {
  const empty = ints([]);
  assert.deepEqual(metrics.confusionMatrix(empty, empty, 2).toArray(), [
    [0, 0],
    [0, 0],
  ]);
});

void it('formatConfusionMatrix: rows are true classes with their names, columns predicted indices', () => {
  const confusion = metrics.confusionMatrix(
    ints([0, 0, 1, 1, 1, 2, 0, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
    ints([0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]),
    3,
  );
  assert.equal(
    metrics.formatConfusionMatrix(confusion, ['cat', 'dog', 'T-shirt/top']),
    [
      'true \\ predicted   0   1   2',
      '0 cat              1   0   0',
      '1 dog              1   3   0',
      '2 T-shirt/top      1   0  13',
    ].join('\n'),
  );
  assert.equal(
    metrics.formatConfusionMatrix(confusion),
    [
      'true \\ predicted   0   1   2',
      '0                  1   0   0',
      '1                  1   3   0',
      '2                  1   0  13',
    ].join('\n'),
  );
});

void it('formatClassificationReport: digits 0 rounds exact ties to even, as sklearn prints', () => {
  // Class 1's recall is 0.5 and the accuracy 0.625; sklearn prints them as 0 and 1.
  const report = metrics.classificationReport(ints([3, 1, 2, 2]).reshape([2, 2]));
  assert.equal(
    metrics.formatClassificationReport(report, undefined, { digits: 0 }),
    [
      '              precision    recall  f1-score   support',
      '',
      '           0          1         1         1         4',
      '           1          1         0         1         4',
      '',
      '    accuracy                              1         8',
      '   macro avg          1         1         1         8',
      'weighted avg          1         1         1         8',
    ].join('\n'),
  );
});

const logits = randn([4, 3]);
const targets = ints([0, 1, 2, 1]);
const confusion = metrics.confusionMatrix(targets, targets, 3);
const report = metrics.classificationReport(confusion);

const cases: BadInputCase[] = [
  [
    'accuracy',
    'input not a tensor',
    () => metrics.accuracy([0, 1] as unknown as Tensor, targets),
    ArgumentError,
  ],
  ['accuracy', '1-D float input', () => metrics.accuracy(randn([4]), targets), ShapeError],
  [
    'accuracy',
    '2-D int32 input',
    () => metrics.accuracy(ints([0, 1, 2, 1]).reshape([2, 2]), targets),
    ShapeError,
  ],
  ['accuracy', 'float targets', () => metrics.accuracy(logits, randn([4])), DTypeError],
  ['accuracy', 'targets of another length', () => metrics.accuracy(logits, ints([0, 1])), ShapeError],
  ['accuracy', '2-D targets', () => metrics.accuracy(logits, ints([0, 1, 2, 1]).reshape([4, 1])), ShapeError],
  ['accuracy', 'no samples', () => metrics.accuracy(ints([]), ints([])), ArgumentError],
  ['confusionMatrix', 'numClasses 0', () => metrics.confusionMatrix(targets, targets, 0), ArgumentError],
  [
    'confusionMatrix',
    'fractional numClasses',
    () => metrics.confusionMatrix(targets, targets, 2.5),
    ArgumentError,
  ],
  [
    'confusionMatrix',
    'prediction ≥ numClasses',
    () => metrics.confusionMatrix(ints([0, 1, 3, 1]), targets, 3),
    ArgumentError,
  ],
  [
    'confusionMatrix',
    'negative prediction',
    () => metrics.confusionMatrix(ints([0, -1, 2, 1]), targets, 3),
    ArgumentError,
  ],
  [
    'confusionMatrix',
    'target ≥ numClasses',
    () => metrics.confusionMatrix(targets, ints([0, 1, 2, 3]), 3),
    ArgumentError,
  ],
  [
    'confusionMatrix',
    'logits with another class count',
    () => metrics.confusionMatrix(logits, targets, 4),
    ShapeError,
  ],
  [
    'confusionMatrix',
    'targets of another length',
    () => metrics.confusionMatrix(targets, ints([0]), 3),
    ShapeError,
  ],
  ['confusionMatrix', 'float targets', () => metrics.confusionMatrix(targets, randn([4]), 3), DTypeError],
  [
    'classificationReport',
    'not a tensor',
    () => metrics.classificationReport([[1]] as unknown as Tensor),
    ArgumentError,
  ],
  [
    'classificationReport',
    'non-square',
    () => metrics.classificationReport(ints([1, 2]).reshape([1, 2])),
    ShapeError,
  ],
  ['classificationReport', '1-D', () => metrics.classificationReport(ints([1, 2])), ShapeError],
  ['classificationReport', 'empty', () => metrics.classificationReport(ints([]).reshape([0, 0])), ShapeError],
  [
    'classificationReport',
    'negative count',
    () => metrics.classificationReport(ints([1, -1, 0, 2]).reshape([2, 2])),
    ArgumentError,
  ],
  [
    'classificationReport',
    'fractional count',
    () =>
      metrics.classificationReport(
        tensor([
          [1, 0.5],
          [0, 2],
        ]),
      ),
    ArgumentError,
  ],
  [
    'classificationReport',
    'NaN count',
    () =>
      metrics.classificationReport(
        tensor([
          [1, NaN],
          [0, 2],
        ]),
      ),
    ArgumentError,
  ],
  [
    'classificationReport',
    'no samples',
    () => metrics.classificationReport(ints([0, 0, 0, 0]).reshape([2, 2])),
    ArgumentError,
  ],
  [
    'formatConfusionMatrix',
    'non-square',
    () => metrics.formatConfusionMatrix(ints([1, 2]).reshape([1, 2])),
    ShapeError,
  ],
  [
    'formatConfusionMatrix',
    'too few class names',
    () => metrics.formatConfusionMatrix(confusion, ['a', 'b']),
    ArgumentError,
  ],
  [
    'formatConfusionMatrix',
    'class names not strings',
    () => metrics.formatConfusionMatrix(confusion, [1, 2, 3] as unknown as string[]),
    ArgumentError,
  ],
  [
    'formatClassificationReport',
    'not a report',
    () => metrics.formatClassificationReport(confusion as unknown as metrics.ClassificationReport),
    ArgumentError,
  ],
  [
    'formatClassificationReport',
    'too many class names',
    () => metrics.formatClassificationReport(report, ['a', 'b', 'c', 'd']),
    ArgumentError,
  ],
  [
    'formatClassificationReport',
    'negative digits',
    () => metrics.formatClassificationReport(report, undefined, { digits: -1 }),
    ArgumentError,
  ],
  [
    'formatClassificationReport',
    'fractional digits',
    () => metrics.formatClassificationReport(report, undefined, { digits: 1.5 }),
    ArgumentError,
  ],
];

badInputSuite('metrics bad input', cases);

void it('metrics bad input covers every function of metrics', () => {
  const covered = new Set(cases.map(([fn]) => fn));
  const functions = Object.entries(metrics)
    .filter(([, value]) => typeof value === 'function')
    .map(([name]) => name);
  assert.deepEqual(
    functions.filter((name) => !covered.has(name)),
    [],
  );
});
