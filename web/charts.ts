/**
 * The training tab's live charts: Vega-Lite specifications compiled once, then fed points as they come.
 */
import { View, parse } from 'vega';
import { compile } from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/** One plotted point: a position in epochs, the series it belongs to, and its value. */
export interface ChartPoint {
  readonly epoch: number;
  readonly series: string;
  readonly value: number;
}

/** A line chart in `element` whose points are added as training goes. */
export class LiveChart {
  private readonly view: View;

  constructor(element: HTMLElement, title: string, yTitle: string, percent: boolean) {
    const spec: TopLevelSpec = {
      title,
      padding: 8,
      // Relaid out on every update, so axis labels and the legend that come with the data fit.
      autosize: { type: 'pad', resize: true },
      width: 420,
      height: 220,
      data: { name: 'points' },
      mark: { type: 'line', interpolate: 'monotone', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { zero: true } },
        y: {
          field: 'value',
          type: 'quantitative',
          title: yTitle,
          ...(percent ? { axis: { format: '.0%' }, scale: { domain: [0, 1] } } : {}),
        },
        color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      },
    };
    this.view = new View(parse(compile(spec).spec), { renderer: 'svg', container: element, hover: false });
    void this.view.runAsync();
  }

  /** Adds `points` and redraws. */
  add(points: readonly ChartPoint[]): void {
    void this.view.insert('points', points).runAsync();
  }

  /** Removes every point. */
  clear(): void {
    void this.view.remove('points', () => true).runAsync();
  }
}
