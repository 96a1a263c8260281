import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ArgumentError, vision } from '../src/index.js';
import type { KernelMatrix } from '../src/vision/kernels.js';
import * as kernelsModule from '../src/vision/kernels.js';
import { assertAllClose } from './helpers/close.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';

interface ReferenceKernel {
  spec: string;
  matrix: number[][];
  source: string;
}

/** Written by scripts/reference/vision_kernels.py from scipy.ndimage and OpenCV. */
const reference = (
  JSON.parse(readFileSync(new URL('./fixtures/vision-kernels.json', import.meta.url), 'utf8')) as {
    kernels: ReferenceKernel[];
  }
).kernels;

const SEPARABLE = new Set([
  'gaussian',
  'box',
  'mean',
  'sobel-x',
  'sobel-y',
  'prewitt-x',
  'prewitt-y',
  'scharr-x',
  'scharr-y',
]);

function shapeOf(matrix: KernelMatrix): [number, number] {
  return [matrix.length, matrix[0]!.length];
}

void describe('vision.kernel matches scipy.ndimage and OpenCV', () => {
  for (const { spec, matrix, source } of reference) {
    void it(`${spec} = ${source}`, () => {
      const k = vision.kernel(spec);
      assert.deepEqual(shapeOf(k.matrix), shapeOf(matrix));
      const scale = Math.max(...matrix.flat().map(Math.abs));
      assertAllClose(k.matrix.flat(), matrix.flat(), { rtol: 1e-12, atol: 1e-14 * scale }, spec);
    });
  }
  void it('every named kernel has a reference matrix', () => {
    const checked = new Set(reference.map((r) => r.spec.split(':')[0]));
    assert.deepEqual(
      vision.KERNEL_DEFINITIONS.map((d) => d.name).filter((name) => !checked.has(name)),
      [],
    );
  });
});

void describe('vision.kernel', () => {
  void it('names carry every parameter, and a name builds the same kernel again', () => {
    assert.equal(vision.kernel('gaussian').name, 'gaussian:5:1.1');
    assert.equal(vision.kernel('gaussian:7').name, 'gaussian:7:1.4');
    assert.equal(vision.kernel('unsharp').name, 'unsharp:5:1.1:1');
    assert.equal(vision.kernel('log').name, 'log:9:1.4');
    assert.equal(vision.kernel('box').name, 'box:3');
    assert.equal(vision.kernel('scale').name, 'scale:0.2');
    assert.equal(vision.kernel('sobel-x').name, 'sobel-x');
    for (const { name } of vision.KERNEL_DEFINITIONS) {
      const k = vision.kernel(name);
      assert.deepEqual(vision.kernel(k.name), k, name);
    }
  });

  void it('the table lists every parameter with its default, in spec order', () => {
    const byName = new Map(vision.KERNEL_DEFINITIONS.map((d) => [d.name, d]));
    assert.equal(byName.size, vision.KERNEL_DEFINITIONS.length, 'names are unique');
    const gaussian = byName.get('gaussian')!;
    assert.deepEqual(
      gaussian.parameters.map((p) => [p.name, p.default]),
      [
        ['SIZE', 5],
        ['SIGMA', 1.1],
      ],
    );
    assert.deepEqual(
      byName.get('unsharp')!.parameters.map((p) => p.default),
      [5, 1.1, 1],
    );
    assert.deepEqual(
      byName.get('log')!.parameters.map((p) => p.default),
      [9, 1.4],
    );
    for (const d of vision.KERNEL_DEFINITIONS) {
      assert.ok(d.description.length > 0, d.name);
      for (const p of d.parameters) assert.ok(p.description.length > 0, `${d.name} ${p.name}`);
    }
  });

  void it('separable kernels carry column ⊗ row = matrix; the others null', () => {
    const specs = [
      ...vision.KERNEL_DEFINITIONS.map((d) => d.name),
      'gaussian:7:2',
      'gaussian:3:0.5',
      'box:4',
      'mean:5',
    ];
    for (const spec of specs) {
      const k = vision.kernel(spec);
      const family = spec.split(':')[0]!;
      assert.equal(k.separable !== null, SEPARABLE.has(family), spec);
      if (k.separable === null) continue;
      const { column, row } = k.separable;
      assert.deepEqual(shapeOf(k.matrix), [column.length, row.length], spec);
      const product = column.map((c) => row.map((r) => c * r));
      assertAllClose(k.matrix.flat(), product.flat(), { rtol: 1e-15, atol: 0 }, spec);
    }
    assert.deepEqual(vision.kernel('sobel-x').separable, { column: [1, 2, 1], row: [-1, 0, 1] });
  });

  void it('normalised kernels sum to 1, the Laplacian of Gaussian to 0', () => {
    const total = (spec: string): number =>
      vision
        .kernel(spec)
        .matrix.flat()
        .reduce((a, b) => a + b, 0);
    for (const spec of ['gaussian', 'gaussian:9:3', 'gaussian-seed', 'box:4', 'mean:5']) {
      assert.ok(Math.abs(total(spec) - 1) < 1e-12, spec);
    }
    for (const spec of ['log', 'log:7:1', 'laplacian-4', 'laplacian-8', 'sobel-x']) {
      assert.ok(Math.abs(total(spec)) < 1e-12, spec);
    }
  });

  void it('takes user matrices, as arrays or text', () => {
    const fromArray = vision.kernel([
      [1, 0],
      [0, -1],
    ]);
    assert.deepEqual(fromArray, {
      name: 'matrix 2x2',
      matrix: [
        [1, 0],
        [0, -1],
      ],
      separable: null,
    });
    assert.deepEqual(vision.kernel('1,0;0,-1'), fromArray);
    assert.deepEqual(vision.kernel('[[1,0],[0,-1]]'), fromArray);
    assert.equal(vision.kernel([[1, 2, 0]]).name, 'matrix 1x3');
    assert.deepEqual(vision.kernel(' gaussian:3:0.5 ').name, 'gaussian:3:0.5');
  });
});

void describe('vision.parseKernelMatrix', () => {
  void it('reads JSON and the row;row form', () => {
    assert.deepEqual(vision.parseKernelMatrix('[[1, 0], [0, -1]]'), [
      [1, 0],
      [0, -1],
    ]);
    assert.deepEqual(vision.parseKernelMatrix('1, 2, 1; 0 0 0; -1,-2,-1.5e0'), [
      [1, 2, 1],
      [0, 0, 0],
      [-1, -2, -1.5],
    ]);
    assert.deepEqual(vision.parseKernelMatrix('0.25'), [[0.25]]);
  });
});

const cases: BadInputCase[] = [
  ['kernel', 'an unknown name', () => vision.kernel('sobel'), ArgumentError],
  ['kernel', 'too many parameters', () => vision.kernel('gaussian:5:1:2'), ArgumentError],
  ['kernel', 'a parameter for a fixed kernel', () => vision.kernel('sobel-x:3'), ArgumentError],
  ['kernel', 'a non-numeric parameter', () => vision.kernel('gaussian:five'), ArgumentError],
  ['kernel', 'an empty parameter', () => vision.kernel('box:'), ArgumentError],
  ['kernel', 'an even Gaussian size', () => vision.kernel('gaussian:4'), ArgumentError],
  ['kernel', 'a zero size', () => vision.kernel('box:0'), ArgumentError],
  ['kernel', 'a negative size', () => vision.kernel('log:-3'), ArgumentError],
  ['kernel', 'a fractional size', () => vision.kernel('box:2.5'), ArgumentError],
  ['kernel', 'a huge size', () => vision.kernel('gaussian:55555'), ArgumentError],
  ['kernel', 'a zero sigma', () => vision.kernel('gaussian:5:0'), ArgumentError],
  ['kernel', 'a negative sigma', () => vision.kernel('log:9:-1'), ArgumentError],
  ['kernel', 'a non-finite parameter', () => vision.kernel('scale:1e999'), ArgumentError],
  ['kernel', 'Infinity as a parameter', () => vision.kernel('unsharp:5:1:Infinity'), ArgumentError],
  ['kernel', 'an empty matrix', () => vision.kernel([]), ArgumentError],
  ['kernel', 'an empty row', () => vision.kernel([[]]), ArgumentError],
  ['kernel', 'a ragged matrix', () => vision.kernel([[1, 2], [3]]), ArgumentError],
  ['kernel', 'a NaN entry', () => vision.kernel([[1, NaN]]), ArgumentError],
  ['kernel', 'a string entry', () => vision.kernel([['1']] as unknown as KernelMatrix), ArgumentError],
  ['kernel', 'ragged matrix text', () => vision.kernel('1,2;3'), ArgumentError],
  ['kernel', 'not a string or matrix', () => vision.kernel(3 as unknown as string), ArgumentError],
  ['parseKernelMatrix', 'broken JSON', () => vision.parseKernelMatrix('[[1,0],[0,-1]'), ArgumentError],
  ['parseKernelMatrix', 'JSON that is not a matrix', () => vision.parseKernelMatrix('[1, 2]'), ArgumentError],
  ['parseKernelMatrix', 'a ragged matrix', () => vision.parseKernelMatrix('1,2;3,4,5'), ArgumentError],
  ['parseKernelMatrix', 'a word', () => vision.parseKernelMatrix('1,x;0,1'), ArgumentError],
  ['parseKernelMatrix', 'an empty row', () => vision.parseKernelMatrix('1,2;;3,4'), ArgumentError],
  ['parseKernelMatrix', 'empty text', () => vision.parseKernelMatrix(''), ArgumentError],
  [
    'parseKernelMatrix',
    'not a string',
    () => vision.parseKernelMatrix(null as unknown as string),
    ArgumentError,
  ],
];
badInputSuite('vision kernels bad input', cases, [kernelsModule]);

void it('error messages name the problem', () => {
  assert.throws(() => vision.kernel('sobel'), /unknown kernel 'sobel'; expected one of identity, sobel-x/);
  assert.throws(() => vision.kernel('gaussian:4'), /SIZE must be odd/);
  assert.throws(() => vision.kernel('gaussian:5:0'), /SIGMA must be positive, got 0/);
  assert.throws(() => vision.kernel('gaussian:5:1:2'), /at most 2 parameter\(s\) \(SIZE:SIGMA\), got 3/);
  assert.throws(() => vision.kernel([[1, 2], [3]]), /row 2 has 1 entries but row 1 has 2/);
  assert.throws(() => vision.parseKernelMatrix('1,x;0,1'), /row 1, entry 2 'x' is not a number/);
});
