/**
 * The `js` reference backend: plain TypeScript over typed arrays, written to be read. Faster backends are
 * checked against it.
 */
import type { Backend } from '../../backend/backend.js';
import { typedArrayFor } from '../../dtype.js';
import { depthwiseConv2d } from './depthwise.js';
import { binary, cast, clamp, unary, where } from './elementwise.js';
import { gemm } from './gemm.js';
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
  depthwiseConv2d,
  stridedCopy,
  stridedAccumulate,
  sig2col,
  col2sig,
  pad,
  padBackward,
  gather,
  scatterAdd,
};
