/**
 * convnet-ts: convolutional neural networks in TypeScript with PyTorch semantics.
 *
 * This is the core entry point; it imports nothing from Node, so it runs in browsers and workers too.
 * Files and other Node-only helpers live in `convnet-ts/node`.
 */
export { Tensor } from './tensor.js';
export type { TensorLike, NestedArray } from './tensor.js';
export type { DType, TypedArray } from './dtype.js';
export type { Shape } from './shape.js';
export * from './errors.js';
export * from './creation.js';
export { Generator, manualSeed, defaultGenerator } from './random.js';
export { noGrad, enableGrad, isGradEnabled } from './autograd/grad-mode.js';
export type { GradFn, BackwardRule } from './autograd/graph.js';
export {
  setBackend,
  getBackend,
  listBackends,
  registerBackend,
  backendFallbacks,
} from './backend/registry.js';
export type { BackendMethod, PartialBackend } from './backend/registry.js';
export { setNumThreads, getNumThreads } from './backends/wasm/threads.js';
export type * from './backend/backend.js';
export type { AvgPoolDivisor, Conv2dGeometry, Pair, Pool2dGeometry } from './backend/geometry.js';
export { gradcheck } from './gradcheck.js';
export type { GradcheckOptions } from './gradcheck.js';
export {
  add,
  sub,
  mul,
  div,
  pow,
  neg,
  exp,
  log,
  log1p,
  expm1,
  sqrt,
  abs,
  sign,
  erf,
  clamp,
  maximum,
  minimum,
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  where,
  clone,
} from './ops/elementwise.js';
export type { AlphaOptions, ClampOptions } from './ops/elementwise.js';
export { sum, mean, max, min, argmax, argmin } from './ops/reduction.js';
export type { ReduceOptions, ArgReduceOptions } from './ops/reduction.js';
export {
  reshape,
  flatten,
  squeeze,
  unsqueeze,
  permute,
  transpose,
  expand,
  slice,
  narrow,
  cat,
  stack,
  gather,
} from './ops/shape.js';
export type { FlattenOptions, SliceOptions } from './ops/shape.js';
export { matmul } from './ops/linalg.js';
export * as F from './functional.js';
export { saveSafetensors, loadSafetensors } from './serialization/safetensors.js';
export { DEFAULT_LIMITS, resolveLimits } from './serialization/limits.js';
export type { ReadLimits, ReadLimitOptions, ReadOptions } from './serialization/limits.js';
export type { SafetensorsContents } from './serialization/safetensors.js';
export * as optim from './optim/index.js';
export * as data from './data/index.js';
export * as nn from './nn/index.js';
export * as metrics from './metrics/index.js';
export * as models from './models/index.js';
export * as checkpoint from './checkpoint/index.js';
export * as train from './train/index.js';
export * as vision from './vision/index.js';
export * as interop from './interop/index.js';
