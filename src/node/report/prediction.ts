/**
 * A classifier's prediction for one input as a figure: a bar per class of its probability, most likely
 * first, described in Vega-Lite, rendered to SVG by Vega without a canvas and rasterised to PNG by resvg.
 */
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { ArgumentError } from '../../errors.js';
import { checkScale } from './curves.js';
import { FONT_FAMILY, rasterizeSvg } from './rasterize.js';

/** Options of the prediction figures. */
export interface PredictionChartOptions {
  /** The figure's title (default `'Prediction'`). */
  title?: string;
  /** Pixels per SVG unit of the PNG (default 2), in `(0, 8]`. */
  scale?: number;
}

/**
 * The probabilities `probabilities` (one per class, each in [0, 1]) of `classes` as an SVG bar chart.
 *
 * @throws {ArgumentError} unless there is one probability in [0, 1] per class name
 * @example
 * writeFileSync('prediction.svg', await predictionSvg([0.9, 0.1], ['cat', 'dog']));
 */
export async function predictionSvg(
  probabilities: readonly number[],
  classes: readonly string[],
  options?: PredictionChartOptions,
): Promise<string> {
  checkProbabilities(probabilities, classes, 'predictionSvg');
  const view = new View(parse(compile(predictionSpec(probabilities, classes, options)).spec), {
    renderer: 'none',
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * The chart of {@link predictionSvg} as PNG bytes (white background, `scale` pixels per SVG unit).
 *
 * @throws {ArgumentError} as {@link predictionSvg}, or for a bad `scale`
 */
export async function predictionPng(
  probabilities: readonly number[],
  classes: readonly string[],
  options?: PredictionChartOptions,
): Promise<Uint8Array> {
  const scale = checkScale(options?.scale, 'predictionPng');
  return rasterizeSvg(await predictionSvg(probabilities, classes, options), scale);
}

function checkProbabilities(probabilities: readonly number[], classes: readonly string[], op: string): void {
  if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string')) {
    throw new ArgumentError(op, 'classes', 'expected a non-empty list of class names');
  }
  if (
    !Array.isArray(probabilities) ||
    probabilities.length !== classes.length ||
    !probabilities.every((p) => typeof p === 'number' && p >= 0 && p <= 1)
  ) {
    throw new ArgumentError(
      op,
      'probabilities',
      `expected ${classes.length} numbers in [0, 1], one per class`,
    );
  }
}

/** The Vega-Lite description of the chart. */
function predictionSpec(
  probabilities: readonly number[],
  classes: readonly string[],
  options: PredictionChartOptions | undefined,
): TopLevelSpec {
  // Most likely first; ties keep the class order.
  const values = classes
    .map((name, i) => ({ class: name, probability: probabilities[i]! }))
    .sort((a, b) => b.probability - a.probability);
  const best = values[0]!;
  return {
    title: {
      text: options?.title ?? 'Prediction',
      subtitle: `${best.class} (${(100 * best.probability).toFixed(2)}%)`,
      anchor: 'start',
      fontSize: 16,
      subtitleFontSize: 12,
    },
    config: { font: FONT_FAMILY, view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } },
    background: 'white',
    padding: 12,
    width: 320,
    height: { step: 22 },
    data: { values },
    encoding: {
      y: { field: 'class', type: 'nominal', sort: null, title: null },
      x: {
        field: 'probability',
        type: 'quantitative',
        scale: { domain: [0, 1] },
        axis: { format: '.0%' },
        title: 'probability',
      },
    },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' } },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: { text: { field: 'probability', type: 'quantitative', format: '.1%' } },
      },
    ],
  };
}
