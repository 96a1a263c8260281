/**
 * The engine behind `applyKernel` and `edgeMagnitude`: correlates an already padded `(1, C, H, W)` image
 * with kernels through `F.conv2d` (groups = C: each channel with its own copy of the kernel), one band of
 * output rows at a time. The forward pass of such a depthwise convolution is the backend's direct loop, but
 * its backward pass lays out windows (`sig2col`, one row of `kH·kW` values per output pixel and channel):
 * bands keep those within a fixed number of elements however large the image, and give progress. Bands
 * give exactly the result of one pass: each output row reads the same input rows either way.
 *
 * Internal (not re-exported by `vision`): the band budget is a parameter here so tests can force tiny bands.
 */
import * as F from '../functional.js';
import { tensor } from '../creation.js';
import { cat } from '../ops/shape.js';
import { isGradEnabled } from '../autograd/grad-mode.js';
import type { Tensor } from '../tensor.js';
import type { Kernel } from './kernels.js';

/** The most window elements one band may lay out (2²⁴, 64 MiB in float32). */
export const BAND_ELEMENTS = 2 ** 24;

/** A kernel turned into the depthwise weights `F.conv2d` takes: one pass, or two 1-D passes. */
type Passes = readonly Tensor[];

/** `values` (a `kH × kW` kernel, row-major) repeated for every channel: the `(C, 1, kH, kW)` weight. */
function depthwise(values: readonly number[], kH: number, kW: number, image: Tensor): Tensor {
  const channels = image.shape[1]!;
  const repeated = Array.from({ length: channels }, () => values).flat();
  return tensor(repeated, [channels, 1, kH, kW], { dtype: image.dtype });
}

/** Separable kernels become a `(kH, 1)` column pass then a `(1, kW)` row pass; others one 2-D pass. */
function passesOf(kernel: Kernel, image: Tensor): Passes {
  const kH = kernel.matrix.length;
  const kW = kernel.matrix[0]!.length;
  if (kernel.separable === null) return [depthwise(kernel.matrix.flat(), kH, kW, image)];
  const { column, row } = kernel.separable;
  return [depthwise(column, kH, 1, image), depthwise(row, 1, kW, image)];
}

/**
 * Elements one output row costs in its largest buffer: with `windows` (a backward pass will lay them out),
 * the largest `sig2col` buffer of any pass for one row; without, the largest pass output for one row.
 */
function elementsPerRow(passes: Passes, image: Tensor, windows: boolean): number {
  const channels = image.shape[1]!;
  let width = image.shape[3]!;
  let largest = 0;
  for (const weight of passes) {
    const [kH, kW] = [weight.shape[2]!, weight.shape[3]!];
    width = width - kW + 1;
    largest = Math.max(largest, channels * width * (windows ? kH * kW : 1));
  }
  return largest;
}

function correlate(band: Tensor, passes: Passes): Tensor {
  const groups = band.shape[1]!;
  return passes.reduce((x, weight) => F.conv2d(x, weight, null, { groups }), band);
}

/**
 * Correlates `padded` `(1, C, H, W)` with each kernel (all of one size) without further padding ('valid'),
 * returning one `(1, C, H − kH + 1, W − kW + 1)` tensor per kernel. When gradients will be wanted, bands of
 * output rows keep their windows within `budget` elements (at least one row per band); otherwise the image
 * goes through in one pass, or, when `onProgress` asks to hear about it, in bands whose outputs stay within
 * `budget` (each band costs a copy of its input rows and of its result). `onProgress(rowsDone, rowsTotal)`
 * is called after each band. Built from differentiable ops (narrow, conv2d, cat).
 */
export function correlateInBands(
  padded: Tensor,
  kernels: readonly Kernel[],
  budget: number,
  onProgress?: (rowsDone: number, rowsTotal: number) => void,
): Tensor[] {
  const kH = kernels[0]!.matrix.length;
  const rowsTotal = padded.shape[2]! - kH + 1;
  const passes = kernels.map((k) => passesOf(k, padded));
  const windows = padded.requiresGrad && isGradEnabled();
  const perRow = Math.max(...passes.map((p) => elementsPerRow(p, padded, windows)));
  const banded = windows || onProgress !== undefined;
  const rowsPerBand = banded ? Math.max(1, Math.floor(budget / perRow)) : rowsTotal;
  const bands: Tensor[][] = passes.map(() => []);
  for (let start = 0; start < rowsTotal; start += rowsPerBand) {
    const rows = Math.min(rowsPerBand, rowsTotal - start);
    const band = rows === rowsTotal ? padded : padded.narrow(2, start, rows + kH - 1);
    passes.forEach((p, i) => bands[i]!.push(correlate(band, p)));
    onProgress?.(start + rows, rowsTotal);
  }
  return bands.map((parts) => (parts.length === 1 ? parts[0]! : cat(parts, { dim: 2 })));
}
