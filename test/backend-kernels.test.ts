/**
 * Backend kernels that ops reach only in special cases, on every backend against definitions written here:
 * the direct depthwise convolution (`depthwiseConv2d`, which `conv1d`/`conv2d` use when every group has one
 * input channel) against a naive loop — strides, dilations, channel multipliers, 1-D planes, kernels wider
 * than the row block, row widths around the wasm kernel's 16-value SIMD blocks — and `clamp` with NaN,
 * infinities, open bounds and lo > hi at lengths around the 4-lane SIMD width; float32 and float64. The
 * PyTorch fixtures of test/convolution.test.ts, test/vision-filter.test.ts and test/elementwise.test.ts check
 * the same kernels through `F.conv1d`/`F.conv2d` and `clamp`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DepthwiseSpec } from '../src/backend/backend.js';
import { jsBackend } from '../src/backends/js/index.js';
import { wasmBackend } from '../src/backends/wasm/index.js';
import { assertAllClose } from './helpers/close.js';

/** Deterministic values in [-1, 1) from a linear congruential generator. */
function randomValues(length: number, seed: number): number[] {
  let state = seed >>> 0 || 1;
  return Array.from({ length }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** The depthwise correlation straight from its definition, in float64. */
function naive(x: readonly number[], w: readonly number[], s: DepthwiseSpec): number[] {
  const [inH, inW] = s.inputShape;
  const [kH, kW] = s.kernelShape;
  const [outH, outW] = s.outputShape;
  const outChannels = s.channels * s.multiplier;
  const out: number[] = [];
  for (let n = 0; n < s.batch; n++) {
    for (let o = 0; o < outChannels; o++) {
      const c = Math.floor(o / s.multiplier);
      for (let oy = 0; oy < outH; oy++) {
        for (let ox = 0; ox < outW; ox++) {
          let sum = 0;
          for (let ky = 0; ky < kH; ky++) {
            for (let kx = 0; kx < kW; kx++) {
              const iy = oy * s.stride[0] + ky * s.dilation[0];
              const ix = ox * s.stride[1] + kx * s.dilation[1];
              sum += w[(o * kH + ky) * kW + kx]! * x[((n * s.channels + c) * inH + iy) * inW + ix]!;
            }
          }
          out.push(sum);
        }
      }
    }
  }
  return out;
}

/** A spec with its output size worked out from the input, kernel, stride and dilation. */
function spec(
  batch: number,
  channels: number,
  multiplier: number,
  inputShape: [number, number],
  kernelShape: [number, number],
  stride: [number, number] = [1, 1],
  dilation: [number, number] = [1, 1],
): DepthwiseSpec {
  const out = (i: 0 | 1): number =>
    Math.floor((inputShape[i] - dilation[i] * (kernelShape[i] - 1) - 1) / stride[i]) + 1;
  return {
    batch,
    channels,
    multiplier,
    inputShape,
    kernelShape,
    stride,
    dilation,
    outputShape: [out(0), out(1)],
  };
}

const CASES: [string, DepthwiseSpec][] = [
  ['3 channels, 3×3, 8×8', spec(1, 3, 1, [8, 8], [3, 3])],
  ['row of 15 outputs (under one SIMD block)', spec(1, 2, 1, [5, 19], [5, 5])],
  ['row of exactly 16 outputs', spec(2, 1, 1, [4, 18], [3, 3])],
  ['row of 17 outputs (one block and one left over)', spec(1, 1, 1, [3, 21], [3, 5])],
  ['row of 37 outputs, 7-wide kernel', spec(1, 3, 1, [9, 43], [1, 7])],
  ['column kernel 5×1 (a separable pass)', spec(1, 3, 1, [12, 40], [5, 1])],
  ['stride [2, 3]', spec(2, 2, 1, [11, 40], [3, 3], [2, 3])],
  ['dilation [2, 3]', spec(1, 2, 1, [12, 45], [3, 3], [1, 1], [2, 3])],
  ['channel multiplier 2', spec(2, 3, 2, [6, 20], [2, 3])],
  ['1-D plane', spec(2, 4, 1, [1, 50], [1, 5])],
  ['1×1 kernel', spec(1, 2, 3, [3, 33], [1, 1])],
];

for (const backend of [jsBackend, wasmBackend]) {
  void describe(`${backend.name} backend: depthwiseConv2d`, () => {
    for (const [name, s] of CASES) {
      for (const dtype of ['float32', 'float64'] as const) {
        void it(`${name} (${dtype})`, () => {
          const [inH, inW] = s.inputShape;
          const [kH, kW] = s.kernelShape;
          const x = randomValues(s.batch * s.channels * inH * inW, inH * 31 + inW);
          const w = randomValues(s.channels * s.multiplier * kH * kW, kH * 7 + kW);
          const make = (v: number[]) => (dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v));
          const got = backend.depthwiseConv2d(make(x), make(w), s);
          const expected = naive(Array.from(make(x)), Array.from(make(w)), s);
          const tolerance = dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-12, atol: 1e-12 };
          assertAllClose(Array.from(got), expected, tolerance);
        });
      }
    }
  });
}

/** Values around and beyond [0, 1], with NaN and infinities, at lengths around the 4-lane SIMD width. */
const CLAMP_INPUT = [-2, -1, 0, 0.25, 1, 1.5, Number.NaN, Infinity, -Infinity, 0.999, 3, -0.5, 0.5];

for (const backend of [jsBackend, wasmBackend]) {
  void describe(`${backend.name} backend: clamp`, () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const length of [0, 1, 3, 4, 5, 13]) {
        void it(`${length} values (${dtype})`, () => {
          const values = CLAMP_INPUT.slice(0, length);
          const make = (v: number[]) => (dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v));
          for (const [lo, hi] of [
            [0, 1],
            [-Infinity, 0.5],
            [0.25, Infinity],
            [1, 0],
          ] as const) {
            const got = Array.from(backend.clamp(make(values), lo, hi));
            const expected = values.map((v) => (Number.isNaN(v) ? v : Math.min(Math.max(v, lo), hi)));
            assert.deepEqual(got, Array.from(make(expected)), `clamp to [${lo}, ${hi}]`);
          }
        });
      }
    }
  });
}
