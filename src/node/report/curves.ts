/**
 * Learning curves: a two-panel figure (loss; accuracy) of a training history, described in Vega-Lite,
 * rendered to SVG by Vega without a canvas, and rasterised to PNG by resvg (WebAssembly).
 */
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { ArgumentError } from '../../errors.js';
import type { EpochRecord, LearningCurvesOptions } from './history.js';
import { checkHistory } from './history.js';
import { FONT_FAMILY, rasterizeSvg } from './rasterize.js';

/** Options of {@link learningCurvesPng}. */
export interface LearningCurvesPngOptions extends LearningCurvesOptions {
  /** Pixels per SVG unit (default 2, for sharp text on high-density screens), in `(0, 8]`. */
  scale?: number;
}

/** The legend's names of the curves. */
const SERIES = { train: 'train', test: 'test', steps: 'train (per step)' } as const;

const COLORS = { train: '#4c78a8', test: '#f58518', steps: '#9ecae9' } as const;

/** One layer of a panel: a line of some of the points. */
type Layer = Extract<
  Extract<TopLevelSpec, { hconcat: unknown }>['hconcat'][number],
  { layer: unknown }
>['layer'][number];

/** One plotted point: an x position in epochs, a series and a panel. */
interface Point {
  readonly epoch: number;
  readonly series: string;
  readonly panel: 'loss' | 'accuracy';
  readonly value: number;
}

/**
 * The learning curves of a training history as an SVG document: the title, then two panels side by side —
 * loss (train and test, and the per-step training loss when given) and accuracy (train and test) — against
 * the epoch, with one legend for both.
 *
 * @example
 * writeFileSync('curves.svg', await learningCurvesSvg(history, { title: 'Fashion-MNIST, bench CNN' }));
 */
export async function learningCurvesSvg(
  history: readonly EpochRecord[],
  options?: LearningCurvesOptions,
): Promise<string> {
  checkHistory(history, options, 'learningCurvesSvg');
  return renderSvg(history, options);
}

/**
 * The learning curves of {@link learningCurvesSvg} as PNG bytes (white background, `scale` pixels per SVG
 * unit), with the labels drawn in DejaVu Sans.
 *
 * @example
 * writeFileSync('curves.png', await learningCurvesPng(history));
 */
export async function learningCurvesPng(
  history: readonly EpochRecord[],
  options?: LearningCurvesPngOptions,
): Promise<Uint8Array> {
  const op = 'learningCurvesPng';
  checkHistory(history, options, op);
  const scale = checkScale(options?.scale, op);
  return rasterizeSvg(await renderSvg(history, options), scale);
}

/** Checks the `scale` option of {@link learningCurvesPng} and returns it, or the default 2. */
export function checkScale(scale: unknown, op: string): number {
  if (scale === undefined) return 2;
  if (typeof scale !== 'number' || !(scale > 0 && scale <= 8)) {
    throw new ArgumentError(
      op,
      'scale',
      `expected a number in (0, 8], got ${typeof scale === 'number' ? scale : typeof scale}`,
    );
  }
  return scale;
}

/** The SVG of an already checked history. */
export async function renderSvg(
  history: readonly EpochRecord[],
  options: LearningCurvesOptions | undefined,
): Promise<string> {
  const view = new View(parse(compile(curvesSpec(history, options)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The Vega-Lite description of the figure. */
function curvesSpec(
  history: readonly EpochRecord[],
  options: LearningCurvesOptions | undefined,
): TopLevelSpec {
  const steps = stepPoints(history, options?.stepLosses);
  const points: Point[] = [...steps];
  for (const r of history) {
    points.push(
      { epoch: r.epoch, series: SERIES.train, panel: 'loss', value: r.trainLoss },
      { epoch: r.epoch, series: SERIES.test, panel: 'loss', value: r.testLoss },
      { epoch: r.epoch, series: SERIES.train, panel: 'accuracy', value: r.trainAccuracy },
      { epoch: r.epoch, series: SERIES.test, panel: 'accuracy', value: r.testAccuracy },
    );
  }
  const first =
    steps.length > 0 ? Math.floor(Math.min(steps[0]!.epoch, history[0]!.epoch)) : history[0]!.epoch;
  const last = history.at(-1)!.epoch;
  // A single x value would give an empty axis: centre it in a span of two epochs.
  const domain = first === last ? [first - 1, last + 1] : [first, last];
  // Accuracy from a round 10% at least 2% below the lowest point, so no point sits on the axis, up to 100%.
  const lowest = Math.min(...history.map((r) => Math.min(r.trainAccuracy, r.testAccuracy)));
  const accuracyFloor = Math.max(0, Math.floor((lowest - 0.02) * 10) / 10);
  const series = steps.length > 0 ? [SERIES.train, SERIES.test, SERIES.steps] : [SERIES.train, SERIES.test];
  const colors = steps.length > 0 ? [COLORS.train, COLORS.test, COLORS.steps] : [COLORS.train, COLORS.test];
  const x = {
    field: 'epoch',
    type: 'quantitative',
    title: 'epoch',
    scale: { domain, nice: false },
    axis: { tickMinStep: 1, format: 'd' },
  } as const;
  const color = {
    field: 'series',
    type: 'nominal',
    title: null,
    scale: { domain: series, range: colors },
    legend: { orient: 'top', direction: 'horizontal' },
  } as const;
  const epochLine = (panel: Point['panel']): Layer => ({
    transform: [
      {
        filter: {
          and: [{ field: 'panel', equal: panel }, { not: { field: 'series', equal: SERIES.steps } }],
        },
      },
    ],
    mark: { type: 'line', point: { size: 40 }, strokeWidth: 2 },
    encoding: {
      x,
      y: {
        field: 'value',
        type: 'quantitative',
        title: panel,
        ...(panel === 'accuracy' ? { scale: { domain: [accuracyFloor, 1] }, axis: { format: '.0%' } } : {}),
      },
      color,
    },
  });
  const stepLine: Layer = {
    transform: [{ filter: { field: 'series', equal: SERIES.steps } }],
    mark: { type: 'line', strokeWidth: 1, opacity: 0.8 },
    encoding: { x, y: { field: 'value', type: 'quantitative', title: 'loss' }, color },
  };
  const final = history.at(-1)!;
  return {
    title: {
      text: options?.title ?? 'Learning curves',
      subtitle: `${history.length} epoch${history.length === 1 ? '' : 's'} · final test accuracy ${(100 * final.testAccuracy).toFixed(2)}% · final test loss ${final.testLoss.toPrecision(4)}`,
      anchor: 'start',
      fontSize: 16,
      subtitleFontSize: 12,
    },
    config: { font: FONT_FAMILY, view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 12 } },
    background: 'white',
    padding: 12,
    data: { values: points },
    hconcat: [
      {
        title: 'Loss',
        width: 340,
        height: 240,
        layer: steps.length > 0 ? [stepLine, epochLine('loss')] : [epochLine('loss')],
      },
      { title: 'Accuracy', width: 340, height: 240, layer: [epochLine('accuracy')] },
    ],
  };
}

/** The per-step losses as points: step `k` of `n` in epoch `e` sits at `e - 1 + (k + 1) / n`. */
function stepPoints(
  history: readonly EpochRecord[],
  stepLosses: LearningCurvesOptions['stepLosses'],
): Point[] {
  if (stepLosses === undefined) return [];
  return history.flatMap((r, i) => {
    const losses = stepLosses[i]!;
    return losses.map((value, k) => ({
      epoch: r.epoch - 1 + (k + 1) / losses.length,
      series: SERIES.steps,
      panel: 'loss' as const,
      value,
    }));
  });
}
