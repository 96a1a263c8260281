/**
 * 2-D convolution in the wasm backend: float32 forward and backward passes run in WebAssembly SIMD (the
 * kernels of `conv.c`, products on the engine of `gemm_core.h`, accumulating in float32); float64, and
 * convolutions too large for the module's memory, go to the js backend.
 */
import type { ConvGradientNeeds, ConvGradients } from '../../backend/backend.js';
import type { Conv2dGeometry, Pool2dGeometry } from '../../backend/geometry.js';
import type { TypedArray } from '../../dtype.js';
import {
  conv2d as jsConv2d,
  conv2dBackward as jsConv2dBackward,
  conv2dReluMaxPool2d as jsConv2dReluMaxPool2d,
  conv2dReluMaxPool2dBackward as jsConv2dReluMaxPool2dBackward,
} from '../js/conv.js';
import { PARALLEL_MIN_ELEMENTS } from './fallback.js';
import { GEMM_SCRATCH_BYTES, PARALLEL_MIN_MADDS } from './gemm.js';
import { poolGeometryWords } from './pool.js';
import type { WasmArena, WasmRuntime } from './runtime.js';
import { WasmMemoryExhausted, wasmRuntime } from './runtime.js';

/** The argument words of `conv.c` after the four pointers and the scratch: the geometry. */
function geometryWords(g: Conv2dGeometry): number[] {
  return [
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
}

/** Multiply-adds of one pass of the convolution (forward, input or weight gradient). */
function madds(g: Conv2dGeometry): number {
  const [outH, outW] = g.outputSize;
  const [kH, kW] = g.kernelSize;
  return g.batch * g.outChannels * outH * outW * (g.inChannels / g.groups) * kH * kW;
}

/** Element counts of the input, weight and output. */
function sizes(g: Conv2dGeometry): { input: number; weight: number; output: number } {
  return {
    input: g.batch * g.inChannels * g.inputSize[0] * g.inputSize[1],
    weight: g.outChannels * (g.inChannels / g.groups) * g.kernelSize[0] * g.kernelSize[1],
    output: g.batch * g.outChannels * g.outputSize[0] * g.outputSize[1],
  };
}

/**
 * The convolution of {@link Conv2dGeometry} plus `bias` (one value per output channel, or none), giving
 * `(N, Cout, outH, outW)`, rectified when `relu`. For float32: x, weight and bias are copied into the
 * module's memory, convolved there (a depthwise convolution by a direct loop, a small window by SIMD loops
 * over each output row's taps, any other by products over the windows read in place), ReLU applied as the
 * output is stored, and the output is copied out.
 */
export function conv2d(
  x: TypedArray,
  weight: TypedArray,
  bias: TypedArray | null,
  g: Conv2dGeometry,
  relu = false,
): TypedArray {
  if (
    !(x instanceof Float32Array) ||
    !(weight instanceof Float32Array) ||
    !(bias === null || bias instanceof Float32Array)
  ) {
    return jsConv2d(x, weight, bias, g, relu);
  }
  const size = sizes(g);
  if (size.output === 0) return new Float32Array(0);
  try {
    const rt = wasmRuntime();
    const arena = rt.arena();
    const xAt = arena.put(x.subarray(0, size.input));
    const wAt = arena.put(weight.subarray(0, size.weight));
    const bAt = bias === null ? 0 : arena.put(bias.subarray(0, g.outChannels));
    const yAt = arena.reserve(size.output * 4);
    const scratchAt = arena.reserve(rt.threads * GEMM_SCRATCH_BYTES);
    const args = [xAt, wAt, bAt, yAt, scratchAt, GEMM_SCRATCH_BYTES, ...geometryWords(g), relu ? 1 : 0];
    arena.run('conv2d_f32', args, { parallel: madds(g) >= PARALLEL_MIN_MADDS });
    return arena.readF32(yAt, size.output);
  } catch (error) {
    if (error instanceof WasmMemoryExhausted) return jsConv2d(x, weight, bias, g, relu);
    throw error;
  }
}

/**
 * The gradients of {@link conv2d} given `grad` `(N, Cout, outH, outW)`, each only if `needs` asks for it.
 * For float32 the operands are copied in once (`grad` masked there by `reluOutput > 0` when a fused ReLU's
 * output is given) and the input, weight and bias gradients are computed by one kernel run each, in that
 * order, then copied out.
 */
export function conv2dBackward(
  grad: TypedArray,
  x: TypedArray,
  weight: TypedArray,
  g: Conv2dGeometry,
  needs: ConvGradientNeeds,
  reluOutput: TypedArray | null = null,
): ConvGradients {
  if (
    !(grad instanceof Float32Array) ||
    !(x instanceof Float32Array) ||
    !(weight instanceof Float32Array) ||
    !(reluOutput === null || reluOutput instanceof Float32Array)
  ) {
    return jsConv2dBackward(grad, x, weight, g, needs, reluOutput);
  }
  const size = sizes(g);
  if (size.output === 0 || size.input === 0) {
    const zeros = (length: number, wanted: boolean): Float32Array | null =>
      wanted ? new Float32Array(length) : null;
    return {
      input: zeros(size.input, needs.input),
      weight: zeros(size.weight, needs.weight),
      bias: zeros(g.outChannels, needs.bias),
    };
  }
  try {
    const rt = wasmRuntime();
    const arena = rt.arena();
    const gradAt = arena.put(grad.subarray(0, size.output));
    if (reluOutput !== null) {
      const yAt = arena.put(reluOutput.subarray(0, size.output));
      arena.run('relu_backward_f32', [gradAt, yAt, gradAt, size.output], {
        parallel: size.output >= PARALLEL_MIN_ELEMENTS,
      });
    }
    return gradientsFrom(rt, arena, gradAt, x, weight, g, needs);
  } catch (error) {
    if (error instanceof WasmMemoryExhausted) return jsConv2dBackward(grad, x, weight, g, needs, reluOutput);
    throw error;
  }
}

/**
 * The gradients asked for, from the output gradient already in the arena at `gradAt`: x and weight copied in
 * as the gradients need them, one kernel run per gradient, the results copied out.
 */
function gradientsFrom(
  rt: WasmRuntime,
  arena: WasmArena,
  gradAt: number,
  x: Float32Array,
  weight: Float32Array,
  g: Conv2dGeometry,
  needs: ConvGradientNeeds,
): ConvGradients {
  const size = sizes(g);
  const xAt = needs.weight ? arena.put(x.subarray(0, size.input)) : 0;
  const wAt = needs.input ? arena.put(weight.subarray(0, size.weight)) : 0;
  const dxAt = needs.input ? arena.reserve(size.input * 4) : 0;
  const dwAt = needs.weight ? arena.reserve(size.weight * 4) : 0;
  const dbAt = needs.bias ? arena.reserve(g.outChannels * 4) : 0;
  // The input gradient's threads also hold one image's columns: (Cin/groups · kH · kW) × outH · outW.
  const columns = (size.weight / (g.outChannels / g.groups)) * g.outputSize[0] * g.outputSize[1];
  const perThread = GEMM_SCRATCH_BYTES + (needs.input ? Math.ceil(columns / 4) * 16 : 0);
  const scratchAt = needs.input || needs.weight ? arena.reserve(rt.threads * perThread) : 0;
  const tail = [scratchAt, perThread, ...geometryWords(g)];
  const parallel = madds(g) >= PARALLEL_MIN_MADDS;
  if (needs.input) arena.run('conv2d_input_grad_f32', [gradAt, wAt, 0, dxAt, ...tail], { parallel });
  if (needs.weight) arena.run('conv2d_weight_grad_f32', [gradAt, xAt, 0, dwAt, ...tail], { parallel });
  if (needs.bias) {
    arena.run('conv2d_bias_grad_f32', [gradAt, 0, 0, dbAt, ...tail], {
      parallel: size.output >= PARALLEL_MIN_ELEMENTS,
    });
  }
  return {
    input: needs.input ? arena.readF32(dxAt, size.input) : null,
    weight: needs.weight ? arena.readF32(dwAt, size.weight) : null,
    bias: needs.bias ? arena.readF32(dbAt, g.outChannels) : null,
  };
}

/**
 * Conv + bias + ReLU + max pooling (`p` over the convolution's `N·Cout` output planes): for float32 the
 * convolution's output stays in the module's memory, where the pooling reads it, and only the pooled values
 * and their indices are copied out.
 */
export function conv2dReluMaxPool2d(
  x: TypedArray,
  weight: TypedArray,
  bias: TypedArray | null,
  g: Conv2dGeometry,
  p: Pool2dGeometry,
): { values: TypedArray; indices: Int32Array } {
  const pooled = p.planes * p.outputSize[0] * p.outputSize[1];
  if (
    !(x instanceof Float32Array) ||
    !(weight instanceof Float32Array) ||
    !(bias === null || bias instanceof Float32Array) ||
    pooled === 0
  ) {
    return jsConv2dReluMaxPool2d(x, weight, bias, g, p);
  }
  try {
    const rt = wasmRuntime();
    const arena = rt.arena();
    const size = sizes(g);
    const xAt = arena.put(x.subarray(0, size.input));
    const wAt = arena.put(weight.subarray(0, size.weight));
    const bAt = bias === null ? 0 : arena.put(bias.subarray(0, g.outChannels));
    const yAt = arena.reserve(size.output * 4);
    const scratchAt = arena.reserve(rt.threads * GEMM_SCRATCH_BYTES);
    const args = [xAt, wAt, bAt, yAt, scratchAt, GEMM_SCRATCH_BYTES, ...geometryWords(g), 1];
    arena.run('conv2d_f32', args, { parallel: madds(g) >= PARALLEL_MIN_MADDS });
    const valuesAt = arena.reserve(pooled * 4);
    const indicesAt = arena.reserve(pooled * 4);
    arena.run('max_pool2d_f32', [...poolGeometryWords(p), yAt, valuesAt, indicesAt], {
      parallel: size.output >= PARALLEL_MIN_ELEMENTS,
    });
    return { values: arena.readF32(valuesAt, pooled), indices: arena.readI32(indicesAt, pooled) };
  } catch (error) {
    if (error instanceof WasmMemoryExhausted) return jsConv2dReluMaxPool2d(x, weight, bias, g, p);
    throw error;
  }
}

/**
 * The gradients of {@link conv2dReluMaxPool2d} given `grad` of the pooled `values`: for float32, `grad` is
 * masked by `values > 0` and routed back through the pooling into the module's memory, where the
 * convolution's gradient kernels read it; only the gradients asked for are copied out.
 */
export function conv2dReluMaxPool2dBackward(
  grad: TypedArray,
  values: TypedArray,
  indices: Int32Array,
  x: TypedArray,
  weight: TypedArray,
  g: Conv2dGeometry,
  p: Pool2dGeometry,
  needs: ConvGradientNeeds,
): ConvGradients {
  const size = sizes(g);
  const pooled = p.planes * p.outputSize[0] * p.outputSize[1];
  if (
    !(grad instanceof Float32Array) ||
    !(values instanceof Float32Array) ||
    !(x instanceof Float32Array) ||
    !(weight instanceof Float32Array) ||
    pooled === 0 ||
    size.input === 0
  ) {
    return jsConv2dReluMaxPool2dBackward(grad, values, indices, x, weight, g, p, needs);
  }
  try {
    const rt = wasmRuntime();
    const arena = rt.arena();
    const pooledAt = arena.put(grad.subarray(0, pooled));
    const valuesAt = arena.put(values.subarray(0, pooled));
    const indicesAt = arena.put(indices.subarray(0, pooled));
    const parallel = size.output >= PARALLEL_MIN_ELEMENTS;
    arena.run('relu_backward_f32', [pooledAt, valuesAt, pooledAt, pooled], { parallel });
    const gradAt = arena.reserve(size.output * 4);
    arena.run('max_pool2d_backward_f32', [...poolGeometryWords(p), pooledAt, indicesAt, gradAt], {
      parallel,
    });
    return gradientsFrom(rt, arena, gradAt, x, weight, g, needs);
  } catch (error) {
    if (error instanceof WasmMemoryExhausted) {
      return jsConv2dReluMaxPool2dBackward(grad, values, indices, x, weight, g, p, needs);
    }
    throw error;
  }
}
