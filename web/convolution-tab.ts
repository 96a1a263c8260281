/**
 * The How-convolution-works tab: a kernel window sliding over a small padded input, with the kernel size,
 * stride, dilation and padding adjustable; the output-size formula filled in; the `F.sig2col` matrix of
 * every window; and cross-correlation (what `F.conv2d` computes) beside true convolution (the same with the
 * kernel flipped both ways). Every number shown is computed by the library.
 */
import type { Tensor } from 'convnet-ts';
import { F, matmul, tensor } from 'convnet-ts';
import { byId } from './dom.js';

/** The settings of the view. */
interface Settings {
  readonly size: number;
  readonly kernel: number;
  readonly stride: number;
  readonly dilation: number;
  readonly padding: number;
}

/** The input's values: small integers in a pattern that shows where a window is. */
function inputValues(n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (3 * i + 7 * j) % 10));
}

/** The kernel's weights: small integers, not symmetric, so flipping it changes the result. */
function kernelValues(k: number): number[][] {
  return Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => ((i + 2 * j) % 3) - 1));
}

/** Fills `grid` with `rows × cols` cells, `text(i, j)` in each and `classes(i, j)` as their classes. */
function fillGrid(
  grid: HTMLElement,
  rows: number,
  cols: number,
  text: (i: number, j: number) => string,
  classes: (i: number, j: number) => string = () => '',
): HTMLElement[] {
  grid.style.gridTemplateColumns = `repeat(${cols}, auto)`;
  grid.dataset.rows = String(rows);
  grid.dataset.cols = String(cols);
  const cells: HTMLElement[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const cell = document.createElement('div');
      cell.textContent = text(i, j);
      cell.className = classes(i, j);
      cells.push(cell);
    }
  }
  grid.replaceChildren(...cells);
  return cells;
}

/** A value for a cell: integers as they are, others to one decimal. */
function show(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

/** Wires up the tab. */
export function setupConvolutionTab(): void {
  const form = byId('conv-form', HTMLFormElement);
  const formula = byId('conv-formula', HTMLElement);
  const errorBox = byId('conv-error', HTMLElement);
  const play = byId('conv-play', HTMLButtonElement);
  const read = (id: string): number => Number(byId(id, HTMLInputElement).value);
  let current = 0;
  let timer: ReturnType<typeof setInterval> | null = null;
  let state: { settings: Settings; out: [number, number] } | null = null;

  const highlight = (): void => {
    if (state === null) return;
    const { settings, out } = state;
    const { kernel: k, stride: s, dilation: d, size, padding: p } = settings;
    const side = size + 2 * p;
    const oi = Math.floor(current / out[1]);
    const oj = current % out[1];
    const taps = new Set<number>();
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++) taps.add((oi * s + a * d) * side + (oj * s + b * d));
    byId('conv-input', HTMLElement)
      .querySelectorAll('div')
      .forEach((cell, index) => {
        cell.classList.toggle('tap', taps.has(index));
      });
    for (const id of ['conv-output', 'conv-true']) {
      byId(id, HTMLElement)
        .querySelectorAll('div')
        .forEach((cell, index) => {
          cell.classList.toggle('current', index === current);
        });
    }
    byId('conv-columns', HTMLElement)
      .querySelectorAll('tbody tr')
      .forEach((row, index) => {
        row.classList.toggle('current', index === current);
        if (index === current) row.scrollIntoView({ block: 'nearest' });
      });
    formula.dataset.window = `${oi},${oj}`;
  };

  const render = (): void => {
    const settings: Settings = {
      size: read('conv-size'),
      kernel: read('conv-kernel'),
      stride: read('conv-stride'),
      dilation: read('conv-dilation'),
      padding: read('conv-padding'),
    };
    const { size: n, kernel: k, stride: s, dilation: d, padding: p } = settings;
    const numerator = n + 2 * p - d * (k - 1) - 1;
    const expected = Math.floor(numerator / s) + 1;
    formula.textContent = `output size = ⌊(N + 2p − d·(k − 1) − 1) / s⌋ + 1 = ⌊(${n} + 2·${p} − ${d}·(${k} − 1) − 1) / ${s}⌋ + 1 = ⌊${numerator} / ${s}⌋ + 1 = ${expected}`;
    formula.dataset.size = String(expected);
    const x = tensor([[inputValues(n)]]);
    const w = tensor([[kernelValues(k)]]);
    const flippedValues = kernelValues(k)
      .map((row) => [...row].reverse())
      .reverse();
    let correlation: Tensor;
    let convolution: Tensor;
    let columns: Tensor;
    try {
      correlation = F.conv2d(x, w, null, { stride: s, padding: p, dilation: d });
      convolution = F.conv2d(x, tensor([[flippedValues]]), null, { stride: s, padding: p, dilation: d });
      columns = F.sig2col(F.pad(x, [p, p, p, p]).reshape([n + 2 * p, n + 2 * p]), [k, k], {
        stride: s,
        dilation: d,
      });
      errorBox.hidden = true;
    } catch (error) {
      errorBox.textContent = error instanceof Error ? error.message : String(error);
      errorBox.hidden = false;
      state = null;
      for (const id of ['conv-input', 'conv-output', 'conv-true', 'conv-columns'])
        byId(id, HTMLElement).replaceChildren();
      return;
    }
    const [oh, ow] = correlation.shape.slice(2) as [number, number];
    const side = n + 2 * p;
    const padded = F.pad(x, [p, p, p, p]).data;
    fillGrid(
      byId('conv-input', HTMLElement),
      side,
      side,
      (i, j) => show(padded[i * side + j]!),
      (i, j) => (i < p || j < p || i >= n + p || j >= n + p ? 'pad' : ''),
    );
    fillGrid(byId('conv-weights', HTMLElement), k, k, (i, j) => show(w.data[i * k + j]!));
    fillGrid(byId('conv-flipped', HTMLElement), k, k, (i, j) => show(flippedValues[i]![j]!));
    fillGrid(byId('conv-output', HTMLElement), oh, ow, (i, j) => show(correlation.data[i * ow + j]!));
    fillGrid(byId('conv-true', HTMLElement), oh, ow, (i, j) => show(convolution.data[i * ow + j]!));
    // The sig2col matrix times the flattened kernel is the correlation, row by row.
    const matrix = columns.reshape([oh * ow, k * k]);
    const product = matmul(matrix, w.reshape([k * k, 1]));
    const table = document.createElement('table');
    const head = table.createTHead().insertRow();
    for (const label of ['window', ...Array.from({ length: k * k }, (_, t) => `tap ${t}`), '· kernel']) {
      const th = document.createElement('th');
      th.textContent = label;
      head.append(th);
    }
    const body = table.createTBody();
    for (let r = 0; r < oh * ow; r++) {
      const row = body.insertRow();
      row.insertCell().textContent = `(${Math.floor(r / ow)}, ${r % ow})`;
      for (let t = 0; t < k * k; t++) row.insertCell().textContent = show(matrix.data[r * k * k + t]!);
      row.insertCell().textContent = show(product.data[r]!);
    }
    byId('conv-columns', HTMLElement).replaceChildren(table);
    byId('conv-columns', HTMLElement).dataset.rows = String(oh * ow);
    state = { settings, out: [oh, ow] };
    current = Math.min(current, oh * ow - 1);
    byId('conv-output', HTMLElement)
      .querySelectorAll('div')
      .forEach((cell, index) => {
        cell.addEventListener('mouseenter', () => {
          current = index;
          highlight();
        });
      });
    highlight();
  };

  form.addEventListener('input', render);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
  });
  play.addEventListener('click', () => {
    if (timer !== null) {
      clearInterval(timer);
      timer = null;
      play.textContent = 'Play';
      return;
    }
    play.textContent = 'Pause';
    timer = setInterval(() => {
      if (state === null) return;
      current = (current + 1) % (state.out[0] * state.out[1]);
      highlight();
    }, 700);
  });
  render();
}
