/**
 * The Train tab: starts a training worker with the chosen settings, shows its progress (epoch, batch,
 * images/s, time left) and live loss and accuracy charts, pauses, resumes and stops it, and shows any error
 * it reports. Each finished epoch's checkpoint is handed to {@link TrainTabOptions.onModel}.
 */
import { train } from 'convnet-ts';
import { LiveChart } from './charts.js';
import type { FromWorker, ToWorker, TrainSettings } from './protocol.js';
import { byId } from './dom.js';

/** What the tab tells the rest of the page. */
export interface TrainTabOptions {
  /** Called with the checkpoint bytes after every epoch. */
  readonly onModel: (checkpoint: Uint8Array, label: string) => void;
}

/** `seconds` as `1 min 05 s` or `42 s`. */
function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '…';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s` : `${s} s`;
}

/** Wires up the Train tab. */
export function setupTrainTab(options: TrainTabOptions): void {
  const form = byId('train-form', HTMLFormElement);
  const optimizer = byId('train-optimizer', HTMLSelectElement);
  const start = byId('train-start', HTMLButtonElement);
  const pause = byId('train-pause', HTMLButtonElement);
  const stop = byId('train-stop', HTMLButtonElement);
  const status = byId('train-status', HTMLElement);
  const errorBox = byId('train-error', HTMLElement);
  for (const name of train.OPTIMIZER_NAMES)
    optimizer.add(new Option(name, name, name === 'adam', name === 'adam'));
  const lossChart = new LiveChart(byId('chart-loss', HTMLElement), 'Loss', 'cross-entropy loss', false);
  const accuracyChart = new LiveChart(byId('chart-accuracy', HTMLElement), 'Accuracy', 'accuracy', true);

  let worker: Worker | null = null;
  let paused = false;
  let threads = 1;
  /** Every batch loss of the current run, also kept on the status line's `data-losses` for tests. */
  const losses: number[] = [];

  const finish = (): void => {
    worker?.terminate();
    worker = null;
    start.disabled = false;
    pause.disabled = true;
    stop.disabled = true;
  };
  const showError = (message: string): void => {
    errorBox.textContent = `Training failed: ${message}`;
    errorBox.hidden = false;
    status.textContent = 'Stopped by an error.';
    finish();
  };

  const onMessage = (message: FromWorker, settings: TrainSettings): void => {
    switch (message.type) {
      case 'started':
        threads = message.threads;
        status.dataset.state = 'running';
        status.textContent = `Training ${settings.model} (${message.parameters.toLocaleString('en')} parameters) on ${message.trainImages.toLocaleString('en')} images, ${threads} thread${threads === 1 ? '' : 's'}…`;
        break;
      case 'batch': {
        const at = message.epoch - 1 + message.batch / message.batches;
        lossChart.add([{ epoch: at, series: 'train (batch)', value: message.loss }]);
        status.textContent = `epoch ${message.epoch}/${message.epochs} · batch ${message.batch}/${message.batches} · loss ${message.loss.toFixed(4)} · accuracy ${(100 * message.accuracy).toFixed(1)}% · ${Math.round(message.imagesPerSecond)} images/s · ${threads} thread${threads === 1 ? '' : 's'} · time left ${duration(message.secondsLeft)}${paused ? ' · paused' : ''}`;
        losses.push(message.loss);
        status.dataset.losses = losses.map((l) => l.toFixed(4)).join(' ');
        break;
      }
      case 'testing':
        status.textContent = `epoch ${message.epoch}: testing on the 2,000 test images…`;
        break;
      case 'epoch':
        lossChart.add([{ epoch: message.epoch, series: 'test', value: message.testLoss }]);
        accuracyChart.add([
          { epoch: message.epoch, series: 'train', value: message.trainAccuracy },
          { epoch: message.epoch, series: 'test', value: message.testAccuracy },
        ]);
        status.textContent = `epoch ${message.epoch}: train loss ${message.trainLoss.toFixed(4)}, test accuracy ${(100 * message.testAccuracy).toFixed(2)}%`;
        options.onModel(
          message.checkpoint,
          `${settings.model} trained here: ${message.epoch} epoch${message.epoch === 1 ? '' : 's'}, ${(100 * message.testAccuracy).toFixed(2)}% test accuracy on the subset`,
        );
        break;
      case 'paused':
        status.textContent = `${status.textContent ?? ''} · paused`;
        status.dataset.state = 'paused';
        break;
      case 'resumed':
        status.dataset.state = 'running';
        break;
      case 'done':
        status.textContent = `${status.textContent ?? ''} · done`;
        status.dataset.state = 'done';
        finish();
        break;
      case 'error':
        showError(message.message);
        break;
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const lrText = byId('train-lr', HTMLInputElement).value.trim();
    const settings: TrainSettings = {
      model: byId('train-model', HTMLSelectElement).value,
      optimizer: optimizer.value,
      lr: lrText === '' ? null : Number(lrText),
      epochs: Number(byId('train-epochs', HTMLInputElement).value),
      batchSize: Number(byId('train-batch', HTMLInputElement).value),
      trainImages: Number(byId('train-images', HTMLSelectElement).value),
      seed: 0,
    };
    worker?.terminate();
    errorBox.hidden = true;
    lossChart.clear();
    accuracyChart.clear();
    losses.length = 0;
    delete status.dataset.losses;
    delete status.dataset.state;
    paused = false;
    pause.textContent = 'Pause';
    status.textContent = 'Loading the data…';
    const started = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
    worker = started;
    started.addEventListener('message', (e: MessageEvent<FromWorker>) => {
      onMessage(e.data, settings);
    });
    started.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      showError(e.message || 'the training worker failed to start');
    });
    started.postMessage({ type: 'start', settings } satisfies ToWorker);
    start.disabled = true;
    pause.disabled = false;
    stop.disabled = false;
  });
  pause.addEventListener('click', () => {
    paused = !paused;
    pause.textContent = paused ? 'Resume' : 'Pause';
    worker?.postMessage({ type: paused ? 'pause' : 'resume' } satisfies ToWorker);
  });
  stop.addEventListener('click', () => {
    status.textContent = `${status.textContent ?? ''} · stopped`;
    finish();
  });
}
