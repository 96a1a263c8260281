import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  AutogradError,
  BackendError,
  DTypeError,
  GradcheckError,
  Tensor,
  enableGrad,
  getBackend,
  gradcheck,
  isGradEnabled,
  noGrad,
  randn,
  registerBackend,
  setBackend,
  backendFallbacks,
  tensor,
} from '../src/index.js';
import type { Backend } from '../src/index.js';
import { record } from '../src/autograd/graph.js';
import * as gradMode from '../src/autograd/grad-mode.js';
import * as gradcheckModule from '../src/gradcheck.js';
import * as registry from '../src/backend/registry.js';
import { badInputSuite } from './helpers/bad-input.js';
import type { BadInputCase } from './helpers/bad-input.js';

const values = (t: Tensor | null): number[] => (t === null ? [] : [...t.data]);

/** `x * y` with a deliberately wrong gradient for `y` (`x + 1` instead of `x`). */
function wrongMul(x: Tensor, y: Tensor): Tensor {
  const out = noGrad(() => x.mul(y));
  return record(out, 'wrongMul', [x, y], (g) => [g.mul(y), g.mul(x.add(1))]);
}

void describe('autograd engine', () => {
  void it('accumulates .grad across backward calls until it is zeroed', () => {
    const x = tensor([1, 2, 3], undefined, { requiresGrad: true });
    x.mul(x).sum().backward();
    assert.deepEqual(values(x.grad), [2, 4, 6]);
    x.mul(3).sum().backward();
    assert.deepEqual(values(x.grad), [5, 7, 9]);
    x.grad = null;
    x.sum().backward();
    assert.deepEqual(values(x.grad), [1, 1, 1]);
    noGrad(() => x.grad!.zero_());
    x.sum().backward();
    assert.deepEqual(values(x.grad), [1, 1, 1]);
  });
  void it('sums the gradients of a tensor used twice (a diamond)', () => {
    const x = tensor([1, 2], undefined, { dtype: 'float64', requiresGrad: true });
    const a = x.mul(2);
    const b = a.exp();
    const c = a.mul(a);
    b.add(c).sum().backward();
    const expected = [1, 2].map((v) => 2 * Math.exp(2 * v) + 8 * v);
    values(x.grad).forEach((g, i) => {
      assert.ok(Math.abs(g - expected[i]!) < 1e-12);
    });
  });
  void it('a grad passed to backward weights the outputs', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    x.mul(3).backward(tensor([10, -1]));
    assert.deepEqual(values(x.grad), [30, -3]);
    const y = tensor(2, undefined, { requiresGrad: true });
    y.mul(y).backward(tensor(0.5));
    assert.deepEqual(values(y.grad), [2]);
  });
  void it('records nothing under noGrad, and enableGrad turns recording back on', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    assert.equal(isGradEnabled(), true);
    const y = noGrad(() => {
      assert.equal(isGradEnabled(), false);
      const inner = enableGrad(() => x.mul(2));
      assert.equal(inner.requiresGrad, true);
      return x.mul(2);
    });
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.equal(isGradEnabled(), true);
    assert.throws(() =>
      noGrad(() => {
        throw new Error('inside');
      }),
    );
    assert.equal(isGradEnabled(), true, 'noGrad restores the mode after an exception');
  });
  void it('retainGrad keeps the gradient of a non-leaf; others get none', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const hidden = x.mul(2).retainGrad();
    const other = hidden.add(1);
    assert.equal(hidden.retainsGrad, true);
    other.mul(other).sum().backward();
    assert.deepEqual(values(hidden.grad), [6, 10]);
    assert.equal(other.grad, null);
    assert.deepEqual(values(x.grad), [12, 20]);
    assert.equal(x.retainGrad(), x);
  });
  void it('detach stops the gradient', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    x.mul(x.detach()).sum().backward();
    assert.deepEqual(values(x.grad), [1, 2]);
  });
  void it('only tensors that require grad receive one', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const c = tensor([3, 4]);
    x.mul(c).sum().backward();
    assert.equal(c.grad, null);
    assert.equal(x.mul(c).gradFn?.name, 'mul');
    assert.equal(c.mul(2).requiresGrad, false);
  });
  void it('walks a long chain without overflowing the stack', () => {
    const x = tensor([1], undefined, { requiresGrad: true });
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(1);
    y.sum().backward();
    assert.deepEqual(values(x.grad), [1]);
  });
  void it('rejects a backward rule that returns a wrong-shaped gradient', () => {
    const x = tensor([1, 2], undefined, { requiresGrad: true });
    const out = record(
      noGrad(() => x.mul(2)),
      'broken',
      [x],
      (g) => [g.sum()],
    );
    assert.throws(() => {
      out.sum().backward();
    }, AutogradError);
  });
  void it('in-place on a leaf that requires grad throws while recording and works under noGrad', () => {
    const w = tensor([1, 2], undefined, { requiresGrad: true });
    assert.throws(() => w.add_(1), AutogradError);
    assert.deepEqual(values(w), [1, 2]);
    noGrad(() => w.add_(1));
    assert.deepEqual(values(w), [2, 3]);
  });
  void it('int32 tensors cannot require grad', () => {
    assert.throws(() => tensor([1], undefined, { dtype: 'int32', requiresGrad: true }), DTypeError);
    assert.throws(() => tensor([1], undefined, { dtype: 'int32' }).requiresGrad_(), DTypeError);
  });
});

void describe('gradcheck', () => {
  const f64 = (shape: number[], seed: number): Tensor =>
    randn(shape, { dtype: 'float64', seed }).requiresGrad_();
  void it('accepts correct gradients, with several inputs and outputs', () => {
    assert.equal(
      gradcheck((a, b) => [a.mul(b), a.exp().sum()], [f64([2, 3], 1), f64([2, 3], 2)]),
      true,
    );
  });
  void it('skips inputs that do not require grad', () => {
    const fixed = randn([3], { dtype: 'float32', seed: 3 });
    assert.equal(
      gradcheck((a, b) => a.mul(b.to('float64')), [f64([3], 4), fixed]),
      true,
    );
  });
  void it('names the input and entry of a wrong backward rule', () => {
    const x = f64([2, 3], 5);
    const y = f64([2, 3], 6);
    assert.throws(
      () => gradcheck(wrongMul, [x, y]),
      (e: unknown) => {
        assert.ok(e instanceof GradcheckError);
        assert.equal(e.inputIndex, 1);
        assert.equal(e.argument, 'inputs[1]');
        assert.ok(e.elementIndex >= 0 && e.elementIndex < 6);
        assert.ok(Math.abs(e.analytical - e.numerical) > 0.1);
        assert.match(e.message, /gradient mismatch at element \[\d, \d\]/);
        return true;
      },
    );
    assert.equal(
      gradcheck((a) => wrongMul(a, y.detach()), [x]),
      true,
      'the rule is right for the first input',
    );
  });
  void it('catches a gradient that is wrong only in the chain rule, thanks to the random upstream gradient', () => {
    // Passes the upstream gradient's sum to every entry: right for sum() of the output, wrong otherwise.
    const sumOnly = (x: Tensor): Tensor =>
      record(
        noGrad(() => x.mul(2)),
        'sumOnly',
        [x],
        (g) => [g.sum().mul(2).expand(x.shape).div(x.size)],
      );
    assert.throws(() => gradcheck(sumOnly, [f64([4], 7)]), GradcheckError);
  });
  void it('treats an output cut off from the graph as having a zero gradient', () => {
    assert.throws(() => gradcheck((t) => t.detach().mul(2), [f64([3], 9)]), GradcheckError);
    assert.equal(
      gradcheck((t) => t.detach().mul(0), [f64([3], 9)]),
      true,
    );
  });
  void it('does not change its inputs', () => {
    const x = f64([3], 8);
    const before = values(x);
    gradcheck((t) => t.mul(t), [x]);
    assert.deepEqual(values(x), before);
    assert.equal(x.grad, null);
  });
});

void describe('backends', () => {
  void it('starts on wasm, the fastest backend, and setBackend switches between registered backends', () => {
    assert.equal(getBackend(), 'wasm');
    setBackend('js');
    assert.equal(getBackend(), 'js');
    setBackend('wasm');
    assert.equal(getBackend(), 'wasm');
  });
});

const leaf = randn([2], { dtype: 'float64', requiresGrad: true });
const notAFunction = 'f' as unknown as () => number;
const cases: BadInputCase[] = [
  ['noGrad', 'a non-function', () => noGrad(notAFunction), ArgumentError],
  ['enableGrad', 'a non-function', () => enableGrad(notAFunction), ArgumentError],
  [
    'gradcheck',
    'a non-function',
    () => gradcheck(notAFunction as unknown as () => Tensor, [leaf]),
    ArgumentError,
  ],
  [
    'gradcheck',
    'inputs that are not a list',
    () => gradcheck((t) => t, leaf as unknown as Tensor[]),
    ArgumentError,
  ],
  [
    'gradcheck',
    'a non-tensor input',
    () => gradcheck((t) => t, [leaf, 1 as unknown as Tensor]),
    ArgumentError,
  ],
  ['gradcheck', 'no input requiring grad', () => gradcheck((t) => t, [leaf.detach()]), ArgumentError],
  [
    'gradcheck',
    'a float32 input requiring grad',
    () => gradcheck((t) => t, [randn([2], { requiresGrad: true })]),
    DTypeError,
  ],
  ['gradcheck', 'a zero eps', () => gradcheck((t) => t, [leaf], { eps: 0 }), ArgumentError],
  ['gradcheck', 'a negative atol', () => gradcheck((t) => t, [leaf], { atol: -1 }), ArgumentError],
  ['gradcheck', 'a NaN rtol', () => gradcheck((t) => t, [leaf], { rtol: NaN }), ArgumentError],
  ['gradcheck', 'a fractional seed', () => gradcheck((t) => t, [leaf], { seed: 0.5 }), ArgumentError],
  [
    'gradcheck',
    'a function that returns no tensor',
    () => gradcheck(() => 3 as unknown as Tensor, [leaf]),
    ArgumentError,
  ],
  [
    'setBackend',
    'an unknown name',
    () => {
      setBackend('webgpu');
    },
    BackendError,
  ],
  ['backendFallbacks', 'an unknown name', () => backendFallbacks('webgpu'), BackendError],
  [
    'registerBackend',
    'a non-backend',
    () => {
      registerBackend(null as unknown as Backend);
    },
    BackendError,
  ],
  [
    'registerBackend',
    'a backend without a name',
    () => {
      registerBackend({} as Backend);
    },
    BackendError,
  ],
];
badInputSuite('autograd and backend bad input', cases, [gradMode, gradcheckModule, registry]);
