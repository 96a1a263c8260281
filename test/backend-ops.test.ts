/**
 * The op-level backend methods on every registered backend against definitions written here in float64:
 * convolution forward and backward (groups, depthwise, stride, dilation, implicit and asymmetric padding,
 * 1-D planes, row widths around SIMD blocks; with the ReLU, and the ReLU and a max pooling, fused: the same
 * bits as the separate ops), max pooling with indices and average pooling forward and
 * backward, `reluBackward`, `logSoftmax`, `clamp`, and the SGD and Adam steps; float32 and float64. The PyTorch
 * fixtures of the op tests check the same methods through `F`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AdamStepSpec, Backend, SgdStepSpec } from '../src/backend/backend.js';
import type { Conv2dGeometry, Pair, Pool2dGeometry } from '../src/backend/geometry.js';
import { conv2dGeometry, pool2dGeometry } from '../src/backend/geometry.js';
import { listBackends, registeredBackend } from '../src/backend/registry.js';
import { assertAllClose } from './helpers/close.js';

type FloatDType = 'float32' | 'float64';

/** Deterministic values in [-1, 1) from a linear congruential generator. */
function randomValues(length: number, seed: number): number[] {
  let state = seed >>> 0 || 1;
  return Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

function make(dtype: FloatDType, values: readonly number[]): Float32Array | Float64Array {
  return dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
}

function tolerance(dtype: FloatDType): { rtol: number; atol: number } {
  return dtype === 'float32' ? { rtol: 1e-4, atol: 1e-4 } : { rtol: 1e-12, atol: 1e-12 };
}

/** Every (output, input, weight) index triple of a convolution whose input tap lies inside the input. */
function forEachConvTap(
  g: Conv2dGeometry,
  visit: (out: number, input: number, weight: number) => void,
): void {
  const [inH, inW] = g.inputSize;
  const [kH, kW] = g.kernelSize;
  const [outH, outW] = g.outputSize;
  const cin = g.inChannels / g.groups;
  const cout = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++) {
    for (let o = 0; o < g.outChannels; o++) {
      const group = Math.floor(o / cout);
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          const out = ((n * g.outChannels + o) * outH + oy) * outW + ox;
          for (let c = 0; c < cin; c++) {
            for (let ky = 0; ky < kH; ky++) {
              const y = oy * g.stride[0] - g.padding[0] + ky * g.dilation[0];
              if (y < 0 || y >= inH) continue;
              for (let kx = 0; kx < kW; kx++) {
                const x = ox * g.stride[1] - g.padding[1] + kx * g.dilation[1];
                if (x < 0 || x >= inW) continue;
                const input = ((n * g.inChannels + group * cin + c) * inH + y) * inW + x;
                visit(out, input, ((o * cin + c) * kH + ky) * kW + kx);
              }
            }
          }
        }
      }
    }
  }
}

function conv(
  batch: number,
  inChannels: number,
  outChannels: number,
  groups: number,
  inputSize: Pair,
  kernelSize: Pair,
  options: { stride?: Pair; padBefore?: Pair; padAfter?: Pair; dilation?: Pair } = {},
): Conv2dGeometry {
  const padBefore = options.padBefore ?? [0, 0];
  return conv2dGeometry({
    batch,
    inChannels,
    outChannels,
    groups,
    inputSize,
    kernelSize,
    stride: options.stride ?? [1, 1],
    padBefore,
    padAfter: options.padAfter ?? padBefore,
    dilation: options.dilation ?? [1, 1],
  });
}

const CONV_CASES: [string, Conv2dGeometry][] = [
  ['bench conv1: 1→8, 3×3, pad 1, 28×28', conv(2, 1, 8, 1, [28, 28], [3, 3], { padBefore: [1, 1] })],
  ['bench conv2 shape: 8→16, 3×3, pad 1, 14×14', conv(2, 8, 16, 1, [14, 14], [3, 3], { padBefore: [1, 1] })],
  ['odd sizes: 3→5, 5×3 kernel, 13×11', conv(3, 3, 5, 1, [13, 11], [5, 3])],
  ['stride 2, pad 2', conv(1, 4, 6, 1, [9, 12], [3, 3], { stride: [2, 2], padBefore: [2, 2] })],
  [
    'stride [2, 3], dilation [2, 1]',
    conv(2, 3, 4, 1, [15, 17], [3, 3], { stride: [2, 3], dilation: [2, 1] }),
  ],
  ['groups 2', conv(2, 4, 6, 2, [7, 9], [3, 3], { padBefore: [1, 1] })],
  [
    'asymmetric padding (same, even kernel)',
    conv(1, 2, 3, 1, [6, 7], [4, 4], { padBefore: [1, 1], padAfter: [2, 2] }),
  ],
  ['a crop: windows stop before the last rows', conv(1, 2, 2, 1, [10, 10], [3, 3], { stride: [4, 4] })],
  ['1×1 kernel', conv(2, 6, 5, 1, [5, 6], [1, 1])],
  ['1-D plane', conv(2, 3, 4, 1, [1, 50], [1, 5], { padBefore: [0, 2] })],
  ['depthwise 3 channels, 3×3, 8×8', conv(1, 3, 3, 3, [8, 8], [3, 3])],
  ['depthwise, row of 17 outputs', conv(1, 1, 1, 1, [3, 21], [3, 5])],
  ['depthwise, row of 37 outputs, 7-wide kernel', conv(1, 3, 3, 3, [9, 43], [1, 7])],
  ['depthwise column kernel 5×1, padding', conv(1, 3, 3, 3, [12, 40], [5, 1], { padBefore: [2, 0] })],
  [
    'depthwise stride [2, 3] dilation [2, 3]',
    conv(2, 2, 2, 2, [12, 45], [3, 3], { stride: [2, 3], dilation: [2, 3] }),
  ],
  ['depthwise channel multiplier 2', conv(2, 3, 6, 3, [6, 20], [2, 3], { padBefore: [1, 1] })],
];

function naiveConv(
  g: Conv2dGeometry,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number> | null,
): number[] {
  const out = new Array<number>(g.batch * g.outChannels * g.outputSize[0] * g.outputSize[1]).fill(0);
  forEachConvTap(g, (o, i, k) => {
    out[o]! += x[i]! * w[k]!;
  });
  const positions = g.outputSize[0] * g.outputSize[1];
  if (b) for (let o = 0; o < out.length; o++) out[o]! += b[Math.floor(o / positions) % g.outChannels]!;
  return out;
}

function naiveConvBackward(
  g: Conv2dGeometry,
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  w: ArrayLike<number>,
): { input: number[]; weight: number[]; bias: number[] } {
  const input = new Array<number>(x.length).fill(0);
  const weight = new Array<number>(w.length).fill(0);
  const bias = new Array<number>(g.outChannels).fill(0);
  forEachConvTap(g, (o, i, k) => {
    input[i]! += dy[o]! * w[k]!;
    weight[k]! += dy[o]! * x[i]!;
  });
  const positions = g.outputSize[0] * g.outputSize[1];
  for (let o = 0; o < dy.length; o++) bias[Math.floor(o / positions) % g.outChannels]! += dy[o]!;
  return { input, weight, bias };
}

function pool(
  planes: number,
  inputSize: Pair,
  kernelSize: Pair,
  options: { stride?: Pair; padding?: Pair; dilation?: Pair; ceilMode?: boolean } = {},
): Pool2dGeometry {
  return pool2dGeometry({
    planes,
    inputSize,
    kernelSize,
    stride: options.stride ?? kernelSize,
    padding: options.padding ?? [0, 0],
    dilation: options.dilation ?? [1, 1],
    ceilMode: options.ceilMode ?? false,
  });
}

const POOL_CASES: [string, Pool2dGeometry][] = [
  ['2×2 stride 2 on 28×28', pool(6, [28, 28], [2, 2])],
  ['2×2 stride 2 on odd 7×9', pool(3, [7, 9], [2, 2])],
  ['3×3 stride 1 (overlapping)', pool(2, [8, 8], [3, 3], { stride: [1, 1] })],
  [
    '3×3 stride 2 pad 1 ceil mode',
    pool(2, [10, 11], [3, 3], { stride: [2, 2], padding: [1, 1], ceilMode: true }),
  ],
  ['dilation 2', pool(2, [12, 12], [3, 2], { stride: [1, 2], dilation: [2, 2] })],
  ['1-D row', pool(4, [1, 30], [1, 4], { stride: [1, 3], padding: [0, 2] })],
];

/** For every output of a pooling, the flat in-plane indices of its window's taps inside the input. */
function poolTaps(g: Pool2dGeometry): number[][] {
  const taps: number[][] = [];
  for (let oy = 0; oy < g.outputSize[0]; oy++) {
    for (let ox = 0; ox < g.outputSize[1]; ox++) {
      const window: number[] = [];
      for (let ky = 0; ky < g.kernelSize[0]; ky++) {
        const y = oy * g.stride[0] - g.padding[0] + ky * g.dilation[0];
        for (let kx = 0; kx < g.kernelSize[1]; kx++) {
          const x = ox * g.stride[1] - g.padding[1] + kx * g.dilation[1];
          if (y >= 0 && y < g.inputSize[0] && x >= 0 && x < g.inputSize[1])
            window.push(y * g.inputSize[1] + x);
        }
      }
      taps.push(window);
    }
  }
  return taps;
}

/** PyTorch's average-pooling divisor along one axis. */
function count(
  o: number,
  length: number,
  kernel: number,
  stride: number,
  padding: number,
  includePad: boolean,
): number {
  const start = o * stride - padding;
  const end = Math.min(start + kernel, length + padding);
  return includePad ? end - start : Math.min(end, length) - Math.max(start, 0);
}

function check(backendName: string): Backend {
  const backend = registeredBackend(backendName);
  assert.ok(backend, `backend ${backendName} is registered`);
  return backend;
}

for (const name of listBackends()) {
  void describe(`${name} backend: conv2d and conv2dBackward`, () => {
    for (const [title, g] of CONV_CASES) {
      for (const dtype of ['float32', 'float64'] as const) {
        void it(`${title} (${dtype})`, () => {
          const backend = check(name);
          const cin = g.inChannels / g.groups;
          const x = make(dtype, randomValues(g.batch * g.inChannels * g.inputSize[0] * g.inputSize[1], 3));
          const w = make(dtype, randomValues(g.outChannels * cin * g.kernelSize[0] * g.kernelSize[1], 5));
          const b = make(dtype, randomValues(g.outChannels, 7));
          const size = g.batch * g.outChannels * g.outputSize[0] * g.outputSize[1];
          const dy = make(dtype, randomValues(size, 11));
          assertAllClose(Array.from(backend.conv2d(x, w, b, g)), naiveConv(g, x, w, b), tolerance(dtype));
          assertAllClose(
            Array.from(backend.conv2d(x, w, null, g)),
            naiveConv(g, x, w, null),
            tolerance(dtype),
          );
          const expected = naiveConvBackward(g, dy, x, w);
          const got = backend.conv2dBackward(dy, x, w, g, { input: true, weight: true, bias: true });
          assertAllClose(Array.from(got.input!), expected.input, tolerance(dtype));
          assertAllClose(Array.from(got.weight!), expected.weight, tolerance(dtype));
          assertAllClose(Array.from(got.bias!), expected.bias, tolerance(dtype));
          const inputOnly = backend.conv2dBackward(dy, null, w, g, {
            input: true,
            weight: false,
            bias: false,
          });
          assert.equal(inputOnly.weight, null);
          assert.equal(inputOnly.bias, null);
          assertAllClose(Array.from(inputOnly.input!), expected.input, tolerance(dtype));
          // conv + bias + ReLU fused: max(y, 0), and the gradients through that ReLU.
          const y = backend.conv2d(x, w, b, g);
          const rectified = backend.conv2d(x, w, b, g, true);
          assert.deepEqual(Array.from(rectified), Array.from(backend.unary('relu', y)));
          const fused = backend.conv2dBackward(
            dy,
            x,
            w,
            g,
            { input: true, weight: true, bias: true },
            rectified,
          );
          const masked = backend.reluBackward(dy, rectified);
          const unfused = backend.conv2dBackward(masked, x, w, g, { input: true, weight: true, bias: true });
          assert.deepEqual(fused, unfused);
          // conv + bias + ReLU + max pooling fused: the bits of the separate ops, 2×2 windows and
          // overlapping 3×3 ones (stride 1, padding 1, ceil mode).
          const planes = g.batch * g.outChannels;
          const pools = [
            pool(planes, g.outputSize, [1, 1]),
            pool(planes, g.outputSize, [3, 3], { stride: [1, 1], padding: [1, 1], ceilMode: true }),
          ];
          if (g.outputSize[0] >= 2 && g.outputSize[1] >= 2) pools.push(pool(planes, g.outputSize, [2, 2]));
          for (const p of pools) {
            const pooled = backend.conv2dReluMaxPool2d(x, w, b, g, p);
            const separate = backend.maxPool2d(rectified, p);
            assert.deepEqual(pooled, separate);
            const dPooled = make(dtype, randomValues(pooled.values.length, 19));
            const needs = { input: true, weight: true, bias: true };
            assert.deepEqual(
              backend.conv2dReluMaxPool2dBackward(dPooled, pooled.values, pooled.indices, x, w, g, p, needs),
              backend.conv2dBackward(
                backend.maxPool2dBackward(dPooled, pooled.indices, p),
                x,
                w,
                g,
                needs,
                rectified,
              ),
            );
          }
        });
      }
    }
  });

  void describe(`${name} backend: pooling`, () => {
    for (const [title, g] of POOL_CASES) {
      for (const dtype of ['float32', 'float64'] as const) {
        void it(`${title} (${dtype})`, () => {
          const backend = check(name);
          const planeSize = g.inputSize[0] * g.inputSize[1];
          const values = randomValues(g.planes * planeSize, 13);
          values[5] = Number.NaN;
          values[planeSize + 1] = values[planeSize]!;
          const x = make(dtype, values);
          const taps = poolTaps(g);
          const outSize = taps.length;
          const dy = make(dtype, randomValues(g.planes * outSize, 17));
          const { values: maxima, indices } = backend.maxPool2d(x, g);
          const expectedIndices: number[] = [];
          const expectedMax: number[] = [];
          const expectedMaxGrad = new Array<number>(x.length).fill(0);
          for (let p = 0; p < g.planes; p++) {
            taps.forEach((window, o) => {
              let best = window[0]!;
              for (const t of window) {
                const v = x[p * planeSize + t]!;
                const current = x[p * planeSize + best]!;
                if (!Number.isNaN(current) && (v > current || Number.isNaN(v))) best = t;
              }
              expectedIndices.push(best);
              expectedMax.push(x[p * planeSize + best]!);
              expectedMaxGrad[p * planeSize + best]! += dy[p * outSize + o]!;
            });
          }
          assert.deepEqual(Array.from(indices), expectedIndices);
          assert.deepEqual(Array.from(maxima), Array.from(make(dtype, expectedMax)));
          assertAllClose(
            Array.from(backend.maxPool2dBackward(dy, indices, g)),
            expectedMaxGrad,
            tolerance(dtype),
          );

          const finite = make(dtype, randomValues(g.planes * planeSize, 19));
          for (const divisor of [
            { countIncludePad: true, divisorOverride: null },
            { countIncludePad: false, divisorOverride: null },
            { countIncludePad: true, divisorOverride: 3 },
          ]) {
            const expectedAvg: number[] = [];
            const expectedAvgGrad = new Array<number>(x.length).fill(0);
            for (let p = 0; p < g.planes; p++) {
              taps.forEach((window, o) => {
                const oy = Math.floor(o / g.outputSize[1]);
                const ox = o % g.outputSize[1];
                const d =
                  divisor.divisorOverride ??
                  count(
                    oy,
                    g.inputSize[0],
                    g.kernelSize[0],
                    g.stride[0],
                    g.padding[0],
                    divisor.countIncludePad,
                  ) *
                    count(
                      ox,
                      g.inputSize[1],
                      g.kernelSize[1],
                      g.stride[1],
                      g.padding[1],
                      divisor.countIncludePad,
                    );
                expectedAvg.push(window.reduce((s, t) => s + finite[p * planeSize + t]!, 0) / d);
                for (const t of window) expectedAvgGrad[p * planeSize + t]! += dy[p * outSize + o]! / d;
              });
            }
            assertAllClose(Array.from(backend.avgPool2d(finite, g, divisor)), expectedAvg, tolerance(dtype));
            assertAllClose(
              Array.from(backend.avgPool2dBackward(dy, g, divisor)),
              expectedAvgGrad,
              tolerance(dtype),
            );
          }
        });
      }
    }
  });

  void describe(`${name} backend: element-wise and losses`, () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const length of [0, 1, 3, 4, 5, 13, 1000, 70001]) {
        void it(`reluBackward and clamp, ${length} values (${dtype})`, () => {
          const backend = check(name);
          const specials = [-2, -1, 0, 0.25, 1, 1.5, Number.NaN, Infinity, -Infinity, 0.999, 3, -0.5, 0.5];
          const values = Array.from({ length }, (_, i) => specials[i % specials.length]! * (1 + i / length));
          const grad = randomValues(length, 23);
          const got = backend.reluBackward(make(dtype, grad), make(dtype, values));
          assert.deepEqual(
            Array.from(got),
            Array.from(
              make(
                dtype,
                grad.map((g, i) => (values[i]! > 0 ? g : 0)),
              ),
            ),
          );
          for (const [lo, hi] of [
            [0, 1],
            [-Infinity, 0.5],
            [0.25, Infinity],
            [1, 0],
          ] as const) {
            const clamped = Array.from(backend.clamp(make(dtype, values), lo, hi));
            const expected = values.map((v) => (Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi)));
            assert.deepEqual(clamped, Array.from(make(dtype, expected)), `clamp to [${lo}, ${hi}]`);
          }
        });
      }
      for (const [outer, classes, inner] of [
        [64, 10, 1],
        [3, 7, 5],
        [1, 1, 1],
        [2, 1000, 1],
      ] as const) {
        void it(`logSoftmax over (${outer}, ${classes}, ${inner}) (${dtype})`, () => {
          const backend = check(name);
          const x = randomValues(outer * classes * inner, 29).map((v) => v * 30);
          const expected = new Array<number>(x.length);
          for (let o = 0; o < outer; o++) {
            for (let i = 0; i < inner; i++) {
              const at = (c: number): number => (o * classes + c) * inner + i;
              let max = -Infinity;
              for (let c = 0; c < classes; c++) max = Math.max(max, x[at(c)]!);
              let sum = 0;
              for (let c = 0; c < classes; c++) sum += Math.exp(x[at(c)]! - max);
              for (let c = 0; c < classes; c++) expected[at(c)] = x[at(c)]! - max - Math.log(sum);
            }
          }
          const input = make(dtype, x);
          assertAllClose(
            Array.from(backend.logSoftmax(input, outer, classes, inner)),
            expected,
            tolerance(dtype),
          );
        });
      }
    }
  });

  void describe(`${name} backend: optimizer steps`, () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const r = dtype === 'float32' ? Math.fround : (v: number): number => v;
      const sgdSpecs: SgdStepSpec[] = [
        { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
        { lr: 0.1, momentum: 0.8, dampening: 0.1, weightDecay: 1e-2, nesterov: false, maximize: true },
        { lr: 0.01, momentum: 0.9, dampening: 0, weightDecay: 1e-3, nesterov: true, maximize: false },
        { lr: 0.3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
      ];
      sgdSpecs.forEach((spec, k) => {
        void it(`sgdStep ${k} on 70001 values, two steps (${dtype})`, () => {
          const backend = check(name);
          const n = 70001;
          const param = make(dtype, randomValues(n, 31));
          const buffer = spec.momentum === 0 ? null : make(dtype, new Array<number>(n).fill(0));
          const expectedParam = Array.from(param);
          const expectedBuffer = new Array<number>(n).fill(0);
          for (let step = 0; step < 2; step++) {
            const grad = make(dtype, randomValues(n, 37 + step));
            for (let i = 0; i < n; i++) {
              let d = spec.maximize ? -grad[i]! : grad[i]!;
              if (spec.weightDecay !== 0) d = r(d + r(expectedParam[i]! * r(spec.weightDecay)));
              if (buffer) {
                const b =
                  step === 0 ? d : r(r(expectedBuffer[i]! * r(spec.momentum)) + r(d * r(1 - spec.dampening)));
                expectedBuffer[i] = b;
                d = spec.nesterov ? r(d + r(b * r(spec.momentum))) : b;
              }
              expectedParam[i] = r(expectedParam[i]! + r(d * r(-spec.lr)));
            }
            backend.sgdStep(param, grad, buffer, step === 0, spec);
          }
          assertAllClose(Array.from(param), expectedParam, { rtol: 1e-6, atol: 1e-7 });
          if (buffer) assertAllClose(Array.from(buffer), expectedBuffer, { rtol: 1e-6, atol: 1e-7 });
        });
      });
      const adamSpecs: Omit<AdamStepSpec, 'step'>[] = [
        {
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0,
          decoupled: false,
          amsgrad: false,
          maximize: false,
        },
        {
          lr: 1e-2,
          beta1: 0.8,
          beta2: 0.99,
          eps: 1e-6,
          weightDecay: 1e-2,
          decoupled: false,
          amsgrad: true,
          maximize: true,
        },
        {
          lr: 3e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 5e-2,
          decoupled: true,
          amsgrad: false,
          maximize: false,
        },
      ];
      adamSpecs.forEach((spec, k) => {
        void it(`adamStep ${k} on 70001 values, three steps (${dtype})`, () => {
          const backend = check(name);
          const n = 70001;
          const param = make(dtype, randomValues(n, 41));
          const m = make(dtype, new Array<number>(n).fill(0));
          const v = make(dtype, new Array<number>(n).fill(0));
          const vmax = spec.amsgrad ? make(dtype, new Array<number>(n).fill(0)) : null;
          const expected = {
            param: Array.from(param),
            m: new Array<number>(n).fill(0),
            v: new Array<number>(n).fill(0),
            vmax: new Array<number>(n).fill(0),
          };
          for (let step = 1; step <= 3; step++) {
            const grad = make(dtype, randomValues(n, 43 + step));
            const stepSize = r(-(spec.lr / (1 - spec.beta1 ** step)));
            const bc2 = r(Math.sqrt(1 - spec.beta2 ** step));
            for (let i = 0; i < n; i++) {
              let theta = expected.param[i]!;
              if (spec.decoupled) theta = r(theta * r(1 - spec.lr * spec.weightDecay));
              let g = spec.maximize ? -grad[i]! : grad[i]!;
              if (!spec.decoupled && spec.weightDecay !== 0) g = r(g + r(theta * r(spec.weightDecay)));
              expected.m[i] = r(r(expected.m[i]! * r(spec.beta1)) + r(g * r(1 - spec.beta1)));
              expected.v[i] = r(r(expected.v[i]! * r(spec.beta2)) + r(r(g * g) * r(1 - spec.beta2)));
              let second = expected.v[i]!;
              if (spec.amsgrad) second = expected.vmax[i] = Math.max(expected.vmax[i]!, second);
              const denom = r(r(r(Math.sqrt(second)) / bc2) + r(spec.eps));
              expected.param[i] = r(theta + r(r(expected.m[i]! / denom) * stepSize));
            }
            backend.adamStep(param, grad, m, v, vmax, { ...spec, step });
          }
          assertAllClose(Array.from(param), expected.param, { rtol: 1e-6, atol: 1e-7 });
          assertAllClose(Array.from(m), expected.m, { rtol: 1e-6, atol: 1e-7 });
          assertAllClose(Array.from(v), expected.v, { rtol: 1e-6, atol: 1e-9 });
        });
      });
    }
  });
}
