/**
 * Tensors drawn on canvases, and canvases read back as tensors.
 */
import { Tensor } from 'convnet-ts';

/** `values` min–max scaled to [0, 1] (all zeros when they are all equal). */
export function scaled(values: ArrayLike<number>): Float32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const span = hi - lo;
  return Float32Array.from(values, (v) => (span > 0 ? (v - lo) / span : 0));
}

/**
 * Draws `image` — `(C, H, W)` with C = 1 or 3, values in [0, 1] (clamped) — on `canvas` at one canvas
 * pixel per image pixel, resizing the canvas to fit.
 */
export function drawImage(canvas: HTMLCanvasElement, image: Tensor): void {
  const [c, h, w] = image.shape as [number, number, number];
  canvas.width = w;
  canvas.height = h;
  const context = canvas.getContext('2d')!;
  const pixels = context.createImageData(w, h);
  const values = image.data;
  const plane = h * w;
  for (let p = 0; p < plane; p++) {
    for (let k = 0; k < 3; k++) {
      const v = values[(c === 3 ? k : 0) * plane + p]!;
      pixels.data[4 * p + k] = Math.round(255 * Math.min(1, Math.max(0, v)));
    }
    pixels.data[4 * p + 3] = 255;
  }
  context.putImageData(pixels, 0, 0);
}

/** A canvas of `plane` (`h × w` values, min–max scaled) in gray, titled `title`. */
export function mapCanvas(plane: ArrayLike<number>, h: number, w: number, title: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.title = title;
  drawImage(canvas, new Tensor(scaled(plane), [1, h, w]));
  return canvas;
}

/** The gray levels of `canvas` as a `(1, H, W)` tensor in [0, 1] (the mean of red, green and blue). */
export function canvasGray(canvas: HTMLCanvasElement): Tensor {
  const { width, height } = canvas;
  const rgba = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
  const gray = new Float32Array(width * height);
  for (let p = 0; p < gray.length; p++) {
    gray[p] = (rgba[4 * p]! + rgba[4 * p + 1]! + rgba[4 * p + 2]!) / (3 * 255);
  }
  return new Tensor(gray, [1, height, width]);
}
