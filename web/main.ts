/**
 * The playground page: tabs, the note shown when the page is not cross-origin isolated (so the wasm
 * backend runs on one thread), and the model shared by the Draw and Look-inside tabs — the pretrained
 * checkpoint shipped with the library until a model has been trained here.
 */
import { data, setBackend } from 'convnet-ts';
import { PRETRAINED, fetchBytes } from './assets.js';
import { setupConvolutionTab } from './convolution-tab.js';
import { setupDrawTab } from './draw-tab.js';
import { renderInside } from './inside-tab.js';
import { setupKernelsTab } from './kernels-tab.js';
import { PlaygroundModel } from './model.js';
import { setupTrainTab } from './train-tab.js';
import { byId } from './dom.js';

/** What the shipped checkpoint is, as data/pretrained/README.md states it. */
const PRETRAINED_LABEL =
  'shipped model: the small CNN trained by convnet train on the full Fashion-MNIST (60,000 images, 3 epochs), 90.58% test accuracy';

function showTabs(): void {
  const buttons = Array.from(document.querySelectorAll<HTMLButtonElement>('#tabs button'));
  const select = (name: string): void => {
    for (const button of buttons) button.classList.toggle('active', button.dataset.tab === name);
    for (const section of Array.from(document.querySelectorAll<HTMLElement>('section.tab'))) {
      section.hidden = section.id !== `tab-${name}`;
    }
    history.replaceState(null, '', `#${name}`);
  };
  for (const button of buttons) {
    button.addEventListener('click', () => {
      select(button.dataset.tab!);
    });
  }
  const initial = location.hash.slice(1);
  if (buttons.some((b) => b.dataset.tab === initial)) select(initial);
}

function showIsolation(): void {
  const note = byId('isolation-note', HTMLElement);
  if (globalThis.crossOriginIsolated) {
    document.body.dataset.isolated = 'true';
    return;
  }
  document.body.dataset.isolated = 'false';
  note.textContent =
    'This page is not cross-origin isolated (its server sent no Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers), so WebAssembly threads are off: training runs on one thread. (npm run web serves the page with them.)';
  note.hidden = false;
}

async function start(): Promise<void> {
  showTabs();
  showIsolation();
  setBackend('wasm');
  const pretrained = new PlaygroundModel(await fetchBytes(PRETRAINED), PRETRAINED_LABEL);
  let trained: PlaygroundModel | null = null;
  const modelSelect = byId('draw-model', HTMLSelectElement);
  const modelNote = byId('draw-model-note', HTMLElement);
  const current = (): PlaygroundModel =>
    modelSelect.value === 'trained' && trained !== null ? trained : pretrained;
  byId('draw-knows', HTMLElement).textContent =
    `The shipped model knows ten kinds of clothing: ${data.FASHION_MNIST_CLASSES.join(', ')}. Draw one of them light on dark, filling the square, or take a test image.`;
  const showModel = (): void => {
    modelNote.textContent = current().label;
  };
  const draw = setupDrawTab({
    model: current,
    onPrediction: (_input, prediction) => {
      renderInside(current(), prediction);
    },
  });
  modelSelect.addEventListener('change', () => {
    showModel();
    draw.refresh();
  });
  setupTrainTab({
    onModel: (bytes, label) => {
      trained = new PlaygroundModel(bytes, label);
      const option = modelSelect.querySelector<HTMLOptionElement>('option[value="trained"]')!;
      option.disabled = false;
      option.textContent = `the model trained on this page (${label.split(': ')[1] ?? ''})`;
      showModel();
      draw.refresh();
    },
  });
  setupConvolutionTab();
  setupKernelsTab();
  showModel();
  document.body.dataset.ready = 'true';
}

start().catch((error: unknown) => {
  const box = document.createElement('p');
  box.className = 'error';
  box.setAttribute('role', 'alert');
  box.textContent = `The playground failed to start: ${error instanceof Error ? error.message : String(error)}`;
  document.querySelector('header')!.append(box);
});
