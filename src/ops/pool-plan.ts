/**
 * The window arguments of the pooling ops, validated as PyTorch does, and the plan (geometry and shapes) the
 * backend pools with: shared by `pooling.ts` and the fused convolution + ReLU + max pooling of
 * `convolution.ts`, and kept out of the functional API.
 */
import { ArgumentError, ShapeError } from '../errors.js';
import type { Shape } from '../shape.js';
import { formatShape, sizeOf } from '../shape.js';
import type { Pair } from '../backend/geometry.js';
import { pool2dGeometry } from '../backend/geometry.js';
import type { AvgPoolOptions, MaxPoolOptions, PoolPlan } from './pooling.js';
import { normalizeTuple } from './window.js';

/** The validated window arguments of one pooling call, one entry per spatial axis. */
export interface PoolArgs {
  readonly kernel: number[];
  readonly stride: number[];
  readonly padding: number[];
  readonly dilation: number[];
  readonly ceilMode: boolean;
}

/** Throws an {@link ArgumentError} unless `value` is a boolean. */
export function checkBoolean(value: unknown, op: string, argument: string): asserts value is boolean {
  if (typeof value !== 'boolean')
    throw new ArgumentError(op, argument, `expected a boolean, got ${String(value)}`);
}

/** Validates kernel, stride, padding, dilation and ceilMode as PyTorch does, one entry per axis. */
export function poolArgs(
  op: string,
  d: number,
  kernelSize: number | readonly number[],
  options: MaxPoolOptions | AvgPoolOptions | undefined,
  dilationOption: number | readonly number[] | undefined,
): PoolArgs {
  const kernel = normalizeTuple(kernelSize, d, op, 'kernelSize');
  const stride = normalizeTuple(options?.stride ?? kernel, d, op, 'stride');
  const padding = normalizeTuple(options?.padding ?? 0, d, op, 'padding', 0);
  const dilation = normalizeTuple(dilationOption ?? 1, d, op, 'dilation');
  const ceilMode = options?.ceilMode ?? false;
  checkBoolean(ceilMode, op, 'ceilMode');
  padding.forEach((p, i) => {
    if (p > Math.floor(kernel[i]! / 2)) {
      throw new ArgumentError(
        op,
        'padding',
        `pad should be at most half of kernel size, got padding ${JSON.stringify(padding)} and kernelSize ${JSON.stringify(kernel)}`,
      );
    }
  });
  return { kernel, stride, padding, dilation, ceilMode };
}

/** `[H, W]` of 2-D sizes; 1-D sizes `[L]` as the row `[1, L]`; `fill` is the height's entry for 1-D. */
function plane(sizes: readonly number[], fill = 1): Pair {
  return sizes.length === 2 ? [sizes[0]!, sizes[1]!] : [fill, sizes[0]!];
}

/** The plan of pooling `inputShape` with `args`, its output sizes checked to be positive. */
export function poolPlan(op: string, inputShape: Shape, args: PoolArgs): PoolPlan {
  const { kernel, stride, padding, dilation, ceilMode } = args;
  const lead = inputShape.length - kernel.length;
  const spatial = inputShape.slice(lead);
  const geometry = pool2dGeometry({
    planes: sizeOf(inputShape.slice(0, lead)),
    inputSize: plane(spatial),
    kernelSize: plane(kernel),
    stride: plane(stride),
    padding: plane(padding, 0),
    dilation: plane(dilation),
    ceilMode,
  });
  const out = kernel.length === 2 ? geometry.outputSize : [geometry.outputSize[1]];
  if (out.some((o) => o < 1)) {
    throw new ShapeError(
      op,
      'input',
      `given input of shape ${formatShape(inputShape)}, kernelSize ${formatShape(kernel)}, stride ${formatShape(stride)}, padding ${formatShape(padding)} and dilation ${formatShape(dilation)}, the calculated output size is ${formatShape(out)}. Output size is too small`,
    );
  }
  return { geometry, inputShape, outShape: [...inputShape.slice(0, lead), ...out] };
}
