/**
 * Depthwise convolution in the wasm backend: float32 runs in WebAssembly SIMD (`depthwise_f32` of
 * `depthwise.c`, accumulating in float32); float64 goes to the js backend's loop, which accumulates in float64.
 */
import type { DepthwiseSpec } from '../../backend/backend.js';
import type { TypedArray } from '../../dtype.js';
import { depthwiseConv2d as jsDepthwiseConv2d } from '../js/depthwise.js';
import { F32, align16, loadKernels, reserveScratch } from './kernels.js';

/**
 * The depthwise correlation of {@link DepthwiseSpec}. For float32 the input and kernels are copied into the
 * module's scratch memory (input, then kernels, then room for the output), computed there and copied out.
 */
export function depthwiseConv2d(x: TypedArray, weight: TypedArray, spec: DepthwiseSpec): TypedArray {
  if (!(x instanceof Float32Array) || !(weight instanceof Float32Array)) {
    return jsDepthwiseConv2d(x, weight, spec);
  }
  const { batch, channels, multiplier } = spec;
  const [inH, inW] = spec.inputShape;
  const [kH, kW] = spec.kernelShape;
  const [outH, outW] = spec.outputShape;
  const size = batch * channels * multiplier * outH * outW;
  if (size === 0) return new Float32Array(0);
  const kernels = loadKernels();
  const xAt = kernels.scratchStart;
  const wAt = align16(xAt + x.length * F32);
  const outAt = align16(wAt + weight.length * F32);
  // An image too large for wasm32 memory is still filtered, by the js backend.
  if (!reserveScratch(kernels, outAt + size * F32)) return jsDepthwiseConv2d(x, weight, spec);
  const heap = new Float32Array(kernels.memory.buffer);
  heap.set(x, xAt / F32);
  heap.set(weight, wAt / F32);
  kernels.depthwiseF32(
    xAt,
    wAt,
    outAt,
    batch,
    channels,
    multiplier,
    inH,
    inW,
    kH,
    kW,
    spec.stride[0],
    spec.stride[1],
    spec.dilation[0],
    spec.dilation[1],
    outH,
    outW,
  );
  return heap.slice(outAt / F32, outAt / F32 + size);
}
