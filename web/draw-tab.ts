/**
 * The Draw-and-predict tab: a canvas to draw on (light on dark, as Fashion-MNIST's images are), a test
 * image or an uploaded photo, shrunk to the model's 28×28 input as the command line does, with the class
 * probabilities updated while drawing.
 */
import type { Tensor } from 'convnet-ts';
import { data, narrow, vision } from 'convnet-ts';
import { SUBSET, fetchBytes } from './assets.js';
import type { PlaygroundModel, Prediction } from './model.js';
import { canvasGray, drawImage } from './pixels.js';
import { byId } from './dom.js';

/** What the tab needs from the page. */
export interface DrawTabOptions {
  /** The model to predict with now. */
  readonly model: () => PlaygroundModel;
  /** Called with each new input and what the model made of it. */
  readonly onPrediction: (input: Tensor, prediction: Prediction) => void;
}

/** The tab's handle: redraw the prediction (after the model changed). */
export interface DrawTab {
  readonly refresh: () => void;
}

/** The pen's width in canvas pixels (a tenth of a 28-pixel image's side is 1 pixel). */
const BRUSH = 26;

/** Wires up the Draw-and-predict tab. */
export function setupDrawTab(options: DrawTabOptions): DrawTab {
  const canvas = byId('draw-canvas', HTMLCanvasElement);
  const seen = byId('draw-seen', HTMLCanvasElement);
  const top = byId('draw-top', HTMLElement);
  const bars = byId('draw-probabilities', HTMLElement);
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  const shrink = data.resize([28, 28]);
  let pending = false;
  let testImages: Tensor | null = null;
  let nextTest = 0;

  const clear = (): void => {
    context.fillStyle = 'black';
    context.fillRect(0, 0, canvas.width, canvas.height);
  };

  const update = (): void => {
    pending = false;
    const input = shrink(canvasGray(canvas));
    drawImage(seen, input);
    const model = options.model();
    const prediction = model.predict(input);
    const ranked = Array.from(prediction.probabilities, (p, i) => ({ p, name: model.classes[i]! })).sort(
      (a, b) => b.p - a.p,
    );
    top.textContent = `${ranked[0]!.name} (${(100 * ranked[0]!.p).toFixed(1)}%)`;
    bars.replaceChildren(
      ...ranked.map(({ p, name }) => {
        const item = document.createElement('li');
        const label = document.createElement('span');
        label.textContent = name;
        const track = document.createElement('div');
        const bar = document.createElement('span');
        bar.className = 'bar';
        bar.style.width = `${(100 * p).toFixed(1)}%`;
        track.append(bar);
        const value = document.createElement('span');
        value.className = 'value';
        value.textContent = `${(100 * p).toFixed(1)}%`;
        item.append(label, track, value);
        return item;
      }),
    );
    options.onPrediction(input, prediction);
  };
  const schedule = (): void => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(update);
  };

  /** Shows a 28×28-ish `(1, H, W)` image on the drawing canvas, enlarged. */
  const showImage = (image: Tensor): void => {
    const small = document.createElement('canvas');
    drawImage(small, image);
    context.imageSmoothingEnabled = true;
    context.drawImage(small, 0, 0, canvas.width, canvas.height);
    schedule();
  };

  let last: { x: number; y: number } | null = null;
  const point = (event: PointerEvent): { x: number; y: number } => {
    const box = canvas.getBoundingClientRect();
    return {
      x: ((event.clientX - box.left) * canvas.width) / box.width,
      y: ((event.clientY - box.top) * canvas.height) / box.height,
    };
  };
  canvas.addEventListener('pointerdown', (event) => {
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
    context.fillStyle = 'white';
    context.beginPath();
    context.arc(last.x, last.y, BRUSH / 2, 0, 2 * Math.PI);
    context.fill();
    schedule();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (last === null) return;
    const next = point(event);
    context.strokeStyle = 'white';
    context.lineWidth = BRUSH;
    context.lineCap = 'round';
    context.beginPath();
    context.moveTo(last.x, last.y);
    context.lineTo(next.x, next.y);
    context.stroke();
    last = next;
    schedule();
  });
  const lift = (): void => {
    last = null;
  };
  canvas.addEventListener('pointerup', lift);
  canvas.addEventListener('pointercancel', lift);

  byId('draw-clear', HTMLElement).addEventListener('click', () => {
    clear();
    schedule();
  });
  byId('draw-sample', HTMLElement).addEventListener('click', () => {
    void (async () => {
      testImages ??= data.parseIdxImages(await fetchBytes(SUBSET.testImages), 't10k-images-idx3-ubyte.gz');
      showImage(narrow(testImages, 0, nextTest, 1).reshape([1, 28, 28]));
      nextTest = (nextTest + 1) % testImages.shape[0]!;
    })();
  });
  byId('draw-upload', HTMLInputElement).addEventListener('change', (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    void file.arrayBuffer().then((buffer) => {
      const { image } = vision.decodeImage(new Uint8Array(buffer), file.name);
      const gray = image.shape[0] === 1 ? image : data.toGrayscale()(image);
      showImage(shrink(gray));
    });
  });

  clear();
  schedule();
  return { refresh: schedule };
}
