/**
 * The wasm backend's convolution kernels (conv.c) against naive float64 loops: forward with bias, input,
 * weight and bias gradients, on shapes with odd sizes, stride, dilation, groups, depthwise, asymmetric implicit
 * padding, batch 1, 1×1 and 5×3 kernels, small windows (the direct first-layer kernels) and large ones (the
 * GEMM engine); the fused ReLU equal to max(y, 0); and bit-identical results for 1, 2 and 3 threads.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { conv2dGeometry } from '../src/backend/geometry.js';
import type { Conv2dGeometry, Conv2dParams } from '../src/backend/geometry.js';
import { GEMM_SCRATCH_BYTES } from '../src/backends/wasm/gemm.js';
import { KernelInstance } from './helpers/wasm-threads.js';

/** Deterministic values in [-1, 1) from a linear congruential generator. */
function randomValues(length: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  return Float32Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** Calls `visit` with the flat indices into x, weight and y (and the output channel) of every tap inside the input. */
function forEachTap(
  g: Conv2dGeometry,
  visit: (xIndex: number, wIndex: number, yIndex: number, o: number) => void,
): void {
  const [H, W] = g.inputSize;
  const [kH, kW] = g.kernelSize;
  const [outH, outW] = g.outputSize;
  const cin = g.inChannels / g.groups;
  const cout = g.outChannels / g.groups;
  for (let n = 0; n < g.batch; n++) {
    for (let o = 0; o < g.outChannels; o++) {
      const group = Math.floor(o / cout);
      for (let i = 0; i < outH; i++) {
        for (let j = 0; j < outW; j++) {
          const yIndex = ((n * g.outChannels + o) * outH + i) * outW + j;
          for (let c = 0; c < cin; c++) {
            for (let p = 0; p < kH; p++) {
              const y = i * g.stride[0] - g.padding[0] + p * g.dilation[0];
              if (y < 0 || y >= H) continue;
              for (let q = 0; q < kW; q++) {
                const x = j * g.stride[1] - g.padding[1] + q * g.dilation[1];
                if (x < 0 || x >= W) continue;
                const xIndex = ((n * g.inChannels + group * cin + c) * H + y) * W + x;
                visit(xIndex, ((o * cin + c) * kH + p) * kW + q, yIndex, o);
              }
            }
          }
        }
      }
    }
  }
}

interface Case extends Conv2dParams {
  label: string;
}

function params(
  label: string,
  [batch, inChannels, H, W]: number[],
  [outChannels, kH, kW]: number[],
  extra: Partial<Conv2dParams> = {},
): Case {
  return {
    label,
    batch: batch!,
    inChannels: inChannels!,
    outChannels: outChannels!,
    groups: 1,
    inputSize: [H!, W!],
    kernelSize: [kH!, kW!],
    stride: [1, 1],
    padBefore: [0, 0],
    padAfter: [0, 0],
    dilation: [1, 1],
    ...extra,
  };
}

const cases: Case[] = [
  params('3×3 pad 1 (bench conv1)', [2, 1, 9, 11], [5, 3, 3], { padBefore: [1, 1], padAfter: [1, 1] }),
  params('odd sizes, 3 → 7 channels', [3, 3, 7, 13], [7, 3, 3], { padBefore: [1, 1], padAfter: [1, 1] }),
  params('stride 2', [2, 4, 11, 10], [6, 3, 3], { stride: [2, 2], padBefore: [1, 1], padAfter: [1, 1] }),
  params('small window, stride 2, 3 × 2 kernel', [2, 2, 11, 10], [6, 3, 2], {
    stride: [2, 2],
    padBefore: [1, 0],
    padAfter: [1, 1],
  }),
  params('small window, wide rows, 1 → 9 channels', [2, 1, 5, 37], [9, 3, 3], {
    padBefore: [1, 1],
    padAfter: [1, 1],
  }),
  params('dilation 2', [1, 3, 12, 9], [5, 3, 3], { dilation: [2, 2], padBefore: [2, 1], padAfter: [2, 1] }),
  params('groups 2', [2, 4, 8, 9], [6, 3, 3], { groups: 2, padBefore: [1, 1], padAfter: [1, 1] }),
  params('depthwise', [2, 5, 10, 23], [5, 3, 3], { groups: 5, padBefore: [1, 1], padAfter: [1, 1] }),
  params('depthwise × 2, stride 2, dilation 2', [1, 3, 13, 17], [6, 3, 3], {
    groups: 3,
    stride: [2, 2],
    dilation: [2, 2],
    padBefore: [2, 2],
    padAfter: [1, 3],
  }),
  params('asymmetric padding', [2, 3, 8, 7], [4, 3, 3], { padBefore: [1, 0], padAfter: [3, 4] }),
  params('batch 1, 1×1', [1, 9, 6, 7], [10, 1, 1]),
  params('1×1 stride 2', [2, 5, 7, 8], [3, 1, 1], { stride: [2, 2] }),
  params('5×3 kernel', [2, 3, 12, 10], [5, 5, 3], { padBefore: [2, 1], padAfter: [2, 1] }),
  params('many channels and positions (k and n blocks)', [2, 40, 18, 17], [70, 3, 3], {
    padBefore: [1, 1],
    padAfter: [1, 1],
  }),
];

/** The four results of one run of every kernel. */
interface Results {
  y: Float32Array;
  /** The forward pass with its ReLU fused. */
  yRelu: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
  db: Float32Array;
}

const instance = new KernelInstance();

function runKernels(
  g: Conv2dGeometry,
  x: Float32Array,
  w: Float32Array,
  b: Float32Array,
  dy: Float32Array,
  threads: number,
): Results {
  instance.reset();
  const xAt = instance.put(x);
  const wAt = instance.put(w);
  const bAt = instance.put(b);
  const dyAt = instance.put(dy);
  const yAt = instance.reserve(dy.length * 4);
  const dxAt = instance.reserve(x.length * 4);
  const dwAt = instance.reserve(w.length * 4);
  const dbAt = instance.reserve(b.length * 4);
  const columns = (w.length / (g.outChannels / g.groups)) * g.outputSize[0] * g.outputSize[1];
  const perThread = GEMM_SCRATCH_BYTES + Math.ceil(columns / 4) * 16;
  const scratch = instance.reserve(3 * perThread);
  const geometry = [
    g.batch,
    g.inChannels,
    g.outChannels,
    g.groups,
    ...g.inputSize,
    ...g.kernelSize,
    ...g.stride,
    ...g.padding,
    ...g.dilation,
    ...g.outputSize,
  ];
  const tail = [scratch, perThread, ...geometry];
  const yReluAt = instance.reserve(dy.length * 4);
  instance.run('conv2d_f32', [xAt, wAt, bAt, yAt, ...tail, 0], threads);
  instance.run('conv2d_f32', [xAt, wAt, bAt, yReluAt, ...tail, 1], threads);
  instance.run('conv2d_input_grad_f32', [dyAt, wAt, 0, dxAt, ...tail], threads);
  instance.run('conv2d_weight_grad_f32', [dyAt, xAt, 0, dwAt, ...tail], threads);
  instance.run('conv2d_bias_grad_f32', [dyAt, 0, 0, dbAt, ...tail], threads);
  return {
    y: instance.read(yAt, dy.length),
    yRelu: instance.read(yReluAt, dy.length),
    dx: instance.read(dxAt, x.length),
    dw: instance.read(dwAt, w.length),
    db: instance.read(dbAt, b.length),
  };
}

/** Every element within rtol·scale, scale being the largest magnitude of the reference (sums of mixed signs). */
function assertClose(actual: Float32Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length, what);
  const scale = Math.max(1, ...expected.map(Math.abs));
  for (let i = 0; i < expected.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!);
    assert.ok(error <= 1e-5 * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

void describe('wasm conv2d kernels (float32)', () => {
  for (const c of cases) {
    void it(c.label, () => {
      const g = conv2dGeometry(c);
      const inputLength = g.batch * g.inChannels * g.inputSize[0] * g.inputSize[1];
      const weightLength = g.outChannels * (g.inChannels / g.groups) * g.kernelSize[0] * g.kernelSize[1];
      const outputLength = g.batch * g.outChannels * g.outputSize[0] * g.outputSize[1];
      const x = randomValues(inputLength, 3);
      const w = randomValues(weightLength, 5);
      const b = randomValues(g.outChannels, 7);
      const dy = randomValues(outputLength, 11);
      const y = new Float64Array(outputLength);
      const dx = new Float64Array(inputLength);
      const dw = new Float64Array(weightLength);
      const db = new Float64Array(g.outChannels);
      forEachTap(g, (xi, wi, yi) => {
        y[yi] = y[yi]! + x[xi]! * w[wi]!;
        dx[xi] = dx[xi]! + w[wi]! * dy[yi]!;
        dw[wi] = dw[wi]! + x[xi]! * dy[yi]!;
      });
      const positions = g.outputSize[0] * g.outputSize[1];
      for (let i = 0; i < outputLength; i++) {
        const o = Math.floor(i / positions) % g.outChannels;
        y[i] = y[i]! + b[o]!;
        db[o] = db[o]! + dy[i]!;
      }
      const one = runKernels(g, x, w, b, dy, 1);
      assertClose(one.y, y, 'y');
      assertClose(one.dx, dx, 'dx');
      assertClose(one.dw, dw, 'dw');
      assertClose(one.db, db, 'db');
      assert.deepEqual(
        one.yRelu,
        one.y.map((v) => (v > 0 ? v : 0)),
        'the fused ReLU is max(y, 0)',
      );
      for (const threads of [2, 3]) {
        assert.deepEqual(runKernels(g, x, w, b, dy, threads), one, `${threads} threads`);
      }
    });
  }

  void it('adds no bias when its offset is 0', () => {
    const g = conv2dGeometry(params('', [1, 2, 5, 5], [3, 3, 3], { padBefore: [1, 1], padAfter: [1, 1] }));
    const x = randomValues(50, 1);
    const w = randomValues(54, 2);
    instance.reset();
    const xAt = instance.put(x);
    const wAt = instance.put(w);
    const yAt = instance.reserve(75 * 4);
    const scratch = instance.reserve(GEMM_SCRATCH_BYTES);
    const geometry = [1, 2, 3, 1, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1, ...g.outputSize];
    instance.run('conv2d_f32', [xAt, wAt, 0, yAt, scratch, GEMM_SCRATCH_BYTES, ...geometry, 0], 1);
    const expected = new Float64Array(75);
    forEachTap(g, (xi, wi, yi) => {
      expected[yi] = expected[yi]! + x[xi]! * w[wi]!;
    });
    assertClose(instance.read(yAt, 75), expected, 'y');
  });
});
