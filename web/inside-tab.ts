/**
 * The Look-inside tab: the first convolution's filters, and the feature maps of every convolution and
 * pooling layer for the current input, as grids of small images.
 */
import type { Prediction, PlaygroundModel } from './model.js';
import { mapCanvas, scaled } from './pixels.js';

/** Layer types whose outputs are drawn. */
const MAPPED = new Set(['Conv2d', 'MaxPool2d', 'AvgPool2d', 'AdaptiveAvgPool2d']);

/** A titled grid of canvases. */
function layerBlock(title: string, canvases: HTMLCanvasElement[], kind: string): HTMLElement {
  const block = document.createElement('div');
  block.className = 'layer';
  block.dataset.kind = kind;
  const heading = document.createElement('h3');
  heading.textContent = title;
  const grid = document.createElement('div');
  grid.className = kind === 'filters' ? 'maps filters' : 'maps';
  grid.append(...canvases);
  block.append(heading, grid);
  return block;
}

/** Redraws the tab's grids for `prediction` of `model`. */
export function renderInside(model: PlaygroundModel, prediction: Prediction): void {
  const blocks: HTMLElement[] = [];
  const firstConv = model.layerTypes.indexOf('Conv2d');
  if (firstConv >= 0) {
    const weight = model.loaded.model.at(firstConv).getParameter('weight');
    const [o, i, kh, kw] = weight.shape as [number, number, number, number];
    const canvases = Array.from({ length: o }, (_, f) => {
      const mean = new Float32Array(kh * kw);
      for (let c = 0; c < i; c++) {
        for (let p = 0; p < kh * kw; p++) mean[p]! += weight.data[(f * i + c) * kh * kw + p]! / i;
      }
      return mapCanvas(scaled(mean), kh, kw, `filter ${f}`);
    });
    blocks.push(layerBlock(`Layer ${firstConv} (Conv2d): ${o} filters ${kh}×${kw}`, canvases, 'filters'));
  }
  for (const { index, type, output } of prediction.layers) {
    if (!MAPPED.has(type) || output.ndim !== 4) continue;
    const [, c, h, w] = output.shape as [number, number, number, number];
    const canvases = Array.from({ length: c }, (_, k) =>
      mapCanvas(output.data.subarray(k * h * w, (k + 1) * h * w), h, w, `channel ${k}`),
    );
    blocks.push(layerBlock(`Layer ${index} (${type}): ${c} feature maps ${h}×${w}`, canvases, 'maps'));
  }
  document.getElementById('inside-layers')!.replaceChildren(...blocks);
}
