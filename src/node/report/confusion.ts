/**
 * The confusion matrix of a classifier as a figure: a heat map of counts (rows: true class, columns:
 * predicted class) with each count written in its cell, described in Vega-Lite, rendered to SVG by Vega
 * without a canvas and rasterised to PNG by resvg; and both written beside a checkpoint.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { ArgumentError, SerializationError } from '../../errors.js';
import { Tensor } from '../../tensor.js';
import { writeFileAtomic } from '../files.js';
import { checkReportTarget } from './target.js';
import { checkScale } from './curves.js';
import { FONT_FAMILY, rasterizeSvg } from './rasterize.js';

/** Options of the confusion-matrix figures. */
export interface ConfusionMatrixOptions {
  /** The figure's title (default `'Confusion matrix'`). */
  title?: string;
  /** Pixels per SVG unit of the PNG (default 2), in `(0, 8]`. */
  scale?: number;
}

/** The files {@link writeConfusionMatrix} wrote. */
export interface ConfusionMatrixFiles {
  /** Path of `<baseName>-confusion.svg`. */
  readonly svg: string;
  /** Path of `<baseName>-confusion.png`. */
  readonly png: string;
}

/** One cell of the figure. */
interface Cell {
  readonly truth: string;
  readonly predicted: string;
  readonly count: number;
  /** The count as a share of its row (the true class), for the colour. */
  readonly share: number;
}

/**
 * The confusion matrix `matrix` (`(K, K)` counts as `metrics.confusionMatrix` returns them, or nested
 * arrays) of `classes` (K names) as an SVG document.
 *
 * @throws {ArgumentError} unless `matrix` is K×K of non-negative integers and `classes` holds K names
 * @example
 * writeFileSync('confusion.svg', await confusionMatrixSvg(metrics.confusionMatrix(pred, y, 10), classes));
 */
export async function confusionMatrixSvg(
  matrix: Tensor | readonly (readonly number[])[],
  classes: readonly string[],
  options?: ConfusionMatrixOptions,
): Promise<string> {
  return renderSvg(checkMatrix(matrix, classes, 'confusionMatrixSvg'), classes, options);
}

/**
 * The figure of {@link confusionMatrixSvg} as PNG bytes (white background, `scale` pixels per SVG unit).
 *
 * @throws {ArgumentError} as {@link confusionMatrixSvg}, or for a bad `scale`
 */
export async function confusionMatrixPng(
  matrix: Tensor | readonly (readonly number[])[],
  classes: readonly string[],
  options?: ConfusionMatrixOptions,
): Promise<Uint8Array> {
  const op = 'confusionMatrixPng';
  const rows = checkMatrix(matrix, classes, op);
  const scale = checkScale(options?.scale, op);
  return rasterizeSvg(await renderSvg(rows, classes, options), scale);
}

/**
 * Draws the confusion matrix (see {@link confusionMatrixSvg}) and writes it to `<dir>/<baseName>-confusion.svg`
 * and `.png`, creating `dir` if needed; each file is written atomically, after both are drawn.
 *
 * @throws {ArgumentError} for a bad matrix, class list, scale, `dir` or `baseName`
 * @throws {SerializationError} if `dir` cannot be created or a file cannot be written
 * @example
 * await writeConfusionMatrix('runs/fashion', 'model', confusion, classes);
 * // runs/fashion/model-confusion.svg and runs/fashion/model-confusion.png
 */
export async function writeConfusionMatrix(
  dir: string,
  baseName: string,
  matrix: Tensor | readonly (readonly number[])[],
  classes: readonly string[],
  options?: ConfusionMatrixOptions,
): Promise<ConfusionMatrixFiles> {
  const op = 'writeConfusionMatrix';
  checkReportTarget(op, dir, baseName);
  const rows = checkMatrix(matrix, classes, op);
  const scale = checkScale(options?.scale, op);
  const svg = await renderSvg(rows, classes, options);
  const png = await rasterizeSvg(svg, scale);
  const files = { svg: join(dir, `${baseName}-confusion.svg`), png: join(dir, `${baseName}-confusion.png`) };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SerializationError(op, 'dir', `cannot create ${JSON.stringify(dir)}: ${message}`);
  }
  writeFileAtomic(files.svg, svg, op);
  writeFileAtomic(files.png, png, op);
  return files;
}

/** The matrix as rows of counts, checked against the class names. */
function checkMatrix(
  matrix: Tensor | readonly (readonly number[])[],
  classes: readonly string[],
  op: string,
): number[][] {
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string')) {
    throw new ArgumentError(op, 'classes', 'expected a non-empty list of class names');
  }
  const k = classes.length;
  let rows: unknown;
  if (matrix instanceof Tensor) {
    if (matrix.ndim !== 2) throw new ArgumentError(op, 'matrix', `expected 2 dims, got ${matrix.ndim}`);
    rows = matrix.toArray();
  } else {
    rows = matrix;
  }
  const valid =
    Array.isArray(rows) &&
    rows.length === k &&
    rows.every(
      (row: unknown) =>
        Array.isArray(row) &&
        row.length === k &&
        row.every((v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0),
    );
  if (!valid) {
    throw new ArgumentError(
      op,
      'matrix',
      `expected ${k}×${k} non-negative integer counts, one row per class`,
    );
  }
  return rows as number[][];
}

/** The SVG of a checked matrix. */
async function renderSvg(
  rows: readonly (readonly number[])[],
  classes: readonly string[],
  options: ConfusionMatrixOptions | undefined,
): Promise<string> {
  const view = new View(parse(compile(confusionSpec(rows, classes, options)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The Vega-Lite description of the figure. */
function confusionSpec(
  rows: readonly (readonly number[])[],
  classes: readonly string[],
  options: ConfusionMatrixOptions | undefined,
): TopLevelSpec {
  const cells: Cell[] = rows.flatMap((row, t) => {
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((count, p) => ({
      truth: classes[t]!,
      predicted: classes[p]!,
      count,
      share: total === 0 ? 0 : count / total,
    }));
  });
  const samples = cells.reduce((s, c) => s + c.count, 0);
  const correct = rows.reduce((s, row, i) => s + row[i]!, 0);
  const side = Math.max(240, 36 * classes.length);
  const x = { field: 'predicted', type: 'nominal', sort: [...classes], title: 'predicted class' } as const;
  const y = { field: 'truth', type: 'nominal', sort: [...classes], title: 'true class' } as const;
  return {
    title: {
      text: options?.title ?? 'Confusion matrix',
      subtitle: `${samples.toLocaleString('en')} samples · accuracy ${samples === 0 ? '0.00' : ((100 * correct) / samples).toFixed(2)}% · colour: share of the true class`,
      anchor: 'start',
      fontSize: 16,
      subtitleFontSize: 12,
    },
    config: { font: FONT_FAMILY, view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } },
    background: 'white',
    padding: 12,
    width: side,
    height: side,
    data: { values: cells },
    encoding: { x: { ...x, axis: { labelAngle: -40 } }, y },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            scale: { domain: [0, 1], range: ['#ffffff', '#08306b'], interpolate: 'rgb' },
            legend: { title: 'share', format: '.0%' },
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}
