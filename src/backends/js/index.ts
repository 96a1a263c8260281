/**
 * The `js` reference backend: plain TypeScript over typed arrays, written to be read. Faster backends are
 * checked against it.
 */
import type { Backend } from '../../backend/backend.js';
import { typedArrayFor } from '../../dtype.js';
import { conv2d, conv2dBackward, conv2dReluMaxPool2d, conv2dReluMaxPool2dBackward } from './conv.js';
import { binary, cast, clamp, logSoftmax, reluBackward, unary, where } from './elementwise.js';
import { gemm } from './gemm.js';
import { adamStep, sgdStep } from './optim.js';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward } from './pool.js';
import { argReduce, reduce } from './reduce.js';
import {
  col2sig,
  gather,
  pad,
  padBackward,
  scatterAdd,
  sig2col,
  stridedAccumulate,
  stridedCopy,
} from './strided.js';

/** The reference backend. */
export const jsBackend: Backend = {
  name: 'js',
  alloc: typedArrayFor,
  full: (dtype, size, value) => typedArrayFor(dtype, size).fill(value),
  cast,
  unary,
  binary,
  clamp,
  where,
  reduce,
  argReduce,
  gemm,
  conv2d,
  conv2dBackward,
  conv2dReluMaxPool2d,
  conv2dReluMaxPool2dBackward,
  maxPool2d,
  maxPool2dBackward,
  avgPool2d,
  avgPool2dBackward,
  reluBackward,
  logSoftmax,
  sgdStep,
  adamStep,
  stridedCopy,
  stridedAccumulate,
  sig2col,
  col2sig,
  pad,
  padBackward,
  gather,
  scatterAdd,
};
