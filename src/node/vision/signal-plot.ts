/**
 * The figure of the 1-D convolution demonstrations ({@link signalDemos}): one row per demonstration, titled
 * as the seed's figure, with its input, kernel and result side by side — described in Vega-Lite, rendered
 * to SVG by Vega without a canvas, and rasterised to PNG by resvg (WebAssembly).
 */
import { extname } from 'node:path';
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { ArgumentError } from '../../errors.js';
import type { SignalDemo, SignalPanel } from '../../vision/signals.js';
import { writeFileAtomic } from '../files.js';
import { checkScale } from '../report/curves.js';
import { FONT_FAMILY, rasterizeSvg } from '../report/rasterize.js';

/** Options of {@link signalPlotPng} and {@link writeSignalPlot}. */
export interface SignalPlotOptions {
  /** Pixels per SVG unit of a PNG (default 2), in `(0, 8]`. */
  scale?: number;
}

/** The seed's colours: the input red, then its kernel and result colours per kind of demonstration. */
const COLORS = {
  bar: ['#d62728', '#1f77b4', '#2ca02c'],
  line: ['#d62728', '#2ca02c', '#1f77b4'],
} as const;

const PANEL_WIDTH = 280;
const PANEL_HEIGHT = 150;

/** One row of the figure: a demonstration's three panels. */
type Row = Extract<TopLevelSpec, { vconcat: unknown }>['vconcat'][number];

/**
 * The demonstrations as an SVG document: one row per demonstration with its title (and its note, such as
 * the seed's missing `dx` scaling, as a subtitle), then its input, kernel and result panels — bars for
 * short arrays, lines for sampled functions.
 *
 * @example
 * writeFileSync('signal.svg', await signalPlotSvg(vision.signalDemos()));
 */
export async function signalPlotSvg(demos: readonly SignalDemo[]): Promise<string> {
  checkDemos(demos, 'signalPlotSvg');
  return renderSvg(demos);
}

/**
 * The figure of {@link signalPlotSvg} as PNG bytes (white background, `scale` pixels per SVG unit), with the
 * labels drawn in DejaVu Sans.
 *
 * @example
 * writeFileSync('signal.png', await signalPlotPng(vision.signalDemos()));
 */
export async function signalPlotPng(
  demos: readonly SignalDemo[],
  options?: SignalPlotOptions,
): Promise<Uint8Array> {
  const op = 'signalPlotPng';
  checkDemos(demos, op);
  const scale = checkScale(options?.scale, op);
  return rasterizeSvg(await renderSvg(demos), scale);
}

/**
 * Writes the figure to `path` as PNG (`.png`) or SVG (`.svg`), chosen by the extension (any other is an
 * `ArgumentError`), atomically: a reader sees the old file or the complete new one, never a partial file.
 *
 * @example
 * await writeSignalPlot('signal.png', vision.signalDemos());
 */
export async function writeSignalPlot(
  path: string,
  demos: readonly SignalDemo[],
  options?: SignalPlotOptions,
): Promise<void> {
  const op = 'writeSignalPlot';
  const format = plotFormat(path, op);
  checkDemos(demos, op);
  const scale = checkScale(options?.scale, op);
  const svg = await renderSvg(demos);
  writeFileAtomic(path, format === 'svg' ? svg : await rasterizeSvg(svg, scale), op);
}

/** `'png'` or `'svg'` from the extension of `path`, else an `ArgumentError` naming `op`. */
export function plotFormat(path: string, op = 'plotFormat'): 'png' | 'svg' {
  if (typeof path !== 'string' || path === '') {
    throw new ArgumentError(op, 'path', `expected a non-empty string, got ${JSON.stringify(path)}`);
  }
  const extension = extname(path).toLowerCase();
  if (extension === '.png') return 'png';
  if (extension === '.svg') return 'svg';
  throw new ArgumentError(
    op,
    'path',
    `${JSON.stringify(path)}: expected a .png or .svg file name, got ${extension === '' ? 'no extension' : `'${extension}'`}`,
  );
}

/** Fails unless `demos` is a non-empty array of demonstrations whose panels have as many x as values. */
function checkDemos(demos: unknown, op: string): asserts demos is readonly SignalDemo[] {
  if (!Array.isArray(demos) || demos.length === 0) {
    throw new ArgumentError(op, 'demos', 'expected a non-empty array of signal demonstrations');
  }
  (demos as unknown[]).forEach((demo, i) => {
    const d = demo as Partial<SignalDemo> | null;
    for (const panel of [d?.input, d?.kernel, d?.result]) {
      if (
        panel === undefined ||
        !Array.isArray(panel.x) ||
        !Array.isArray(panel.values) ||
        panel.x.length !== panel.values.length ||
        panel.values.length === 0
      ) {
        throw new ArgumentError(
          op,
          'demos',
          `demonstration ${i}: expected input, kernel and result panels with as many x as values`,
        );
      }
    }
  });
}

/** The SVG of checked demonstrations. */
async function renderSvg(demos: readonly SignalDemo[]): Promise<string> {
  const view = new View(parse(compile(plotSpec(demos)).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The Vega-Lite description of the figure. */
function plotSpec(demos: readonly SignalDemo[]): TopLevelSpec {
  return {
    config: {
      font: FONT_FAMILY,
      view: { stroke: '#ddd' },
      axis: { labelFontSize: 10, titleFontSize: 11 },
      title: { fontSize: 12 },
    },
    background: 'white',
    padding: 12,
    spacing: 28,
    vconcat: demos.map(demoRow),
  };
}

/** A demonstration's row: its title, then the input, kernel and result panels. */
function demoRow(demo: SignalDemo): Row {
  const colors = COLORS[demo.style];
  return {
    title: {
      text: demo.title,
      ...(demo.note === null ? {} : { subtitle: demo.note }),
      anchor: 'start',
      fontSize: 14,
      subtitleFontSize: 11,
    },
    hconcat: [demo.input, demo.kernel, demo.result].map((panel, i) =>
      panelSpec(panel, demo.style, colors[i]!),
    ),
  };
}

/** One panel: bars at integer positions or a line through the samples. */
function panelSpec(panel: SignalPanel, style: SignalDemo['style'], color: string): Row {
  const values = panel.values.map((value, i) => ({ x: panel.x[i]!, value }));
  const y = { field: 'value', type: 'quantitative', title: panel.yLabel } as const;
  if (style === 'bar') {
    return {
      title: panel.title,
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      data: { values },
      mark: { type: 'bar', color },
      encoding: {
        x: { field: 'x', type: 'ordinal', title: panel.xLabel, axis: { labelAngle: 0 } },
        y,
      },
    };
  }
  return {
    title: panel.title,
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    data: { values },
    mark: { type: 'line', color, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: panel.xLabel, scale: { nice: false, zero: false } },
      y,
    },
  };
}
