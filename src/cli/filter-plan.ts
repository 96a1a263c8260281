/**
 * What `convnet filter` computes for each input, checked before any file is read: the list of results
 * (one per kernel, or one chain; the edge magnitude; the pooled image), each with its file-name slug, its
 * label, and how it turns an image and its alpha into the result's.
 */
import { InvalidArgumentError } from 'commander';
import { ConvnetError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import type { Kernel } from '../vision/kernels.js';
import { kernel, parseKernelMatrix } from '../vision/kernels.js';
import type { OutputMode, PaddingMode } from '../vision/filter.js';
import { applyKernel, edgeMagnitude, poolImage } from '../vision/filter.js';
import { CliError } from './io.js';

/** The edge operators of `--edges`. */
export const EDGE_OPERATORS = ['sobel', 'prewitt', 'scharr'] as const;
/** The padding modes of `--padding-mode`. */
export const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'] as const;
/** The output modes of `--output`. */
export const OUTPUT_MODES = ['clip', 'abs', 'normalize'] as const;

/** An image and its alpha channel (or `null`), `(C, H, W)` and `(1, H, W)`. */
export interface Picture {
  readonly image: Tensor;
  readonly alpha: Tensor | null;
}

/** Reports rows done out of rows in total while a result is computed. */
export type RowProgress = (rowsDone: number, rowsTotal: number) => void;

/** One output of `convnet filter` per input. */
export interface FilterResult {
  /** What goes into file names: `sobel-x`, `gaussian-5-1.4`, `edges-sobel`, `pool-max-20`. */
  readonly slug: string;
  /** What the results line and the contact sheet call it: the kernel's canonical name, `edges sobel (l1)`… */
  readonly label: string;
  /** The result for `input`, alpha passed through (cropped for 'valid', pooled for pooling). */
  compute(input: Picture, onProgress: RowProgress): Picture;
}

/** A `--pool` value: `max:SIZE[:STRIDE]` or `avg:SIZE[:STRIDE]`. */
export interface PoolSpec {
  readonly mode: 'max' | 'avg';
  readonly size: number;
  readonly stride: number | undefined;
  /** As the user wrote it. */
  readonly text: string;
}

/** The options of `convnet filter` that decide what is computed, as parsed by commander. */
export interface FilterComputeOptions {
  kernel?: string[];
  chain?: boolean;
  convolve?: boolean;
  padding?: 'same' | 'valid';
  paddingMode?: PaddingMode;
  output?: Exclude<OutputMode, 'none'>;
  edges?: (typeof EDGE_OPERATORS)[number];
  norm?: 'l1' | 'l2';
  pool?: PoolSpec;
}

/** Collects the values of a repeatable option (`-k a -k b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses `--pool`: `max:20`, `avg:3:2`. */
export function poolSpec(text: string): PoolSpec {
  const match = /^(max|avg):(\d+)(?::(\d+))?$/.exec(text.trim());
  const size = Number(match?.[2]);
  const stride = match?.[3] === undefined ? undefined : Number(match[3]);
  if (match === null || size < 1 || (stride !== undefined && stride < 1)) {
    throw new InvalidArgumentError('expected max:SIZE[:STRIDE] or avg:SIZE[:STRIDE] with sizes >= 1');
  }
  return { mode: match[1] as 'max' | 'avg', size, stride, text: text.trim() };
}

/** Parses `--quality`: an integer from 1 to 100. */
export function jpegQuality(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 1 || value > 100) {
    throw new InvalidArgumentError('expected an integer from 1 to 100');
  }
  return value;
}

/**
 * The results `options` ask for, every kernel spec parsed and checked against the padding now, so that a
 * bad spec fails before any file is read.
 *
 * @throws {CliError} naming the option at fault
 */
export function planResults(options: FilterComputeOptions): FilterResult[] {
  const kernels = (options.kernel ?? []).map(parseKernelSpec);
  const padding = options.padding ?? 'same';
  if (padding === 'same') {
    for (const { spec, kernel: k } of kernels) {
      const [kH, kW] = [k.matrix.length, k.matrix[0]!.length];
      if (kH % 2 === 0 || kW % 2 === 0) {
        throw new CliError(
          '--kernel',
          `"${spec}" is ${kH}×${kW}: 'same' padding needs odd sizes (use --padding valid)`,
        );
      }
    }
  }
  if (options.norm !== undefined && options.edges === undefined) {
    throw new CliError('--norm', 'chooses the norm of --edges, which is not given');
  }
  if (options.chain === true && kernels.length === 0) {
    throw new CliError('--chain', 'needs at least one --kernel');
  }
  if (kernels.length === 0 && options.edges === undefined && options.pool === undefined) {
    throw new CliError('--kernel', 'give at least one kernel (-k sobel-x), --edges or --pool (see --list)');
  }
  const filterOptions = {
    padding,
    paddingMode: options.paddingMode ?? 'zeros',
    convolve: options.convolve ?? false,
  };
  const output = options.output ?? 'clip';
  const results: FilterResult[] = [];
  const single = (k: Kernel, mode: OutputMode) => (input: Picture, onProgress: RowProgress) =>
    withAlpha(input, applyKernel(input.image, k, { ...filterOptions, output: mode, onProgress }));
  if (options.chain === true) {
    results.push({
      slug: kernels.map(({ kernel: k }) => slugOf(k.name)).join('+'),
      label: kernels.map(({ kernel: k }) => k.name).join(' → '),
      compute: (input, onProgress) =>
        kernels.reduce(
          (picture, { kernel: k }, i) =>
            single(k, i === kernels.length - 1 ? output : 'none')(picture, (done, total) => {
              onProgress(i * total + done, kernels.length * total);
            }),
          input,
        ),
    });
  } else {
    for (const { kernel: k } of kernels) {
      results.push({ slug: slugOf(k.name), label: k.name, compute: single(k, output) });
    }
  }
  const { edges, pool } = options;
  if (edges !== undefined) {
    const norm = options.norm ?? 'l1';
    results.push({
      slug: `edges-${edges}${norm === 'l1' ? '' : `-${norm}`}`,
      label: `edges ${edges} (${norm})`,
      compute: (input, onProgress) =>
        withAlpha(
          input,
          edgeMagnitude(input.image, {
            operator: edges,
            norm,
            padding: filterOptions.padding,
            paddingMode: filterOptions.paddingMode,
            onProgress,
          }),
        ),
    });
  }
  if (pool !== undefined) {
    const poolOptions = { mode: pool.mode, kernelSize: pool.size, stride: pool.stride };
    results.push({
      slug: slugOf(`pool-${pool.text}`),
      label: `pool ${pool.text}`,
      compute: (input) => ({
        image: poolImage(input.image, poolOptions),
        alpha: input.alpha === null ? null : poolImage(input.alpha, poolOptions),
      }),
    });
  }
  return dedupeSlugs(results);
}

/** A kernel spec of `-k`: a name with parameters (`gaussian:5:1.4`) or a matrix (`[[1,0],[0,-1]]`, `1,0;0,-1`). */
function parseKernelSpec(spec: string): { spec: string; kernel: Kernel } {
  try {
    const isMatrix = /^\s*\[|[,;]/.test(spec);
    return { spec, kernel: kernel(isMatrix ? parseKernelMatrix(spec) : spec.trim()) };
  } catch (error) {
    if (error instanceof ConvnetError) throw new CliError('--kernel', `"${spec}": ${error.message}`);
    throw error;
  }
}

/** `output` with `input`'s alpha, cut to `output`'s size around the centre when 'valid' padding shrank it. */
function withAlpha(input: Picture, output: Tensor): Picture {
  const { alpha } = input;
  if (alpha === null) return { image: output, alpha: null };
  const [h, w] = output.shape.slice(-2) as [number, number];
  const [aH, aW] = alpha.shape.slice(-2) as [number, number];
  if (h === aH && w === aW) return { image: output, alpha };
  const top = Math.floor((aH - h) / 2);
  const left = Math.floor((aW - w) / 2);
  return { image: output, alpha: alpha.narrow(-2, top, h).narrow(-1, left, w) };
}

/** A name as it goes into a file name: `gaussian:5:1.4` → `gaussian-5-1.4`, `matrix 3x3` → `matrix-3x3`. */
export function slugOf(name: string): string {
  return name
    .trim()
    .replace(/[^A-Za-z0-9._+-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The results with a numeric suffix on repeated slugs: `sobel-x`, `sobel-x-2`. */
function dedupeSlugs(results: FilterResult[]): FilterResult[] {
  const seen = new Set<string>();
  return results.map((result) => {
    let slug = result.slug;
    for (let n = 2; seen.has(slug); n++) slug = `${result.slug}-${n}`;
    seen.add(slug);
    return slug === result.slug ? result : { ...result, slug };
  });
}
